package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/ops"
)

func TestWriteAppendsAndHashesSecrets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "audit.log")
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	a, err := Open(path, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	rec := ops.Record{Phase: "start", CorrelationID: "c1", Op: "vm.create", Target: "web01",
		Params: json.RawMessage(`{"cpu":2,"ssh_password":"` + a.HashSecret("hunter2") + `"}`)}
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = a.Write(context.Background(), rec) }()
	}
	wg.Wait()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "hunter2") {
		t.Fatal("a secret reached the audit log")
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	n := 0
	var first string
	for sc.Scan() {
		n++
		var got map[string]any
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
			t.Fatalf("line %d not JSON: %v", n, err)
		}
		p := got["params"].(map[string]any)
		h := p["ssh_password"].(string)
		if !strings.HasPrefix(h, "hmac-sha256:") || p["cpu"].(float64) != 2 || got["time"] != "2026-11-28T12:00:00Z" || got["op"] != "vm.create" {
			t.Fatalf("line %d: %v", n, got)
		}
		if first == "" {
			first = h
		} else if h != first {
			t.Fatal("the same secret must hash the same way")
		}
	}
	if n != 10 {
		t.Fatalf("%d lines, want 10", n)
	}
	for _, p := range []string{path, path + ".key"} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s mode %v %v", p, fi.Mode(), err)
		}
	}
	// A second writer reuses the key: hashes stay comparable across runs.
	b, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(b.key) != string(a.key) {
		t.Fatal("key not reused")
	}
}

func TestWriteFailsClosed(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(filepath.Join(dir, "audit.log"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "audit.log"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := a.Write(context.Background(), ops.Record{Op: "vm.list"}); err == nil {
		t.Fatal("an unwritable log must fail the write")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	os.Remove(filepath.Join(dir, "audit.log"))
	if err := a.Write(ctx, ops.Record{Op: "vm.list"}); err == nil {
		t.Fatal("a cancelled write must fail")
	}
}
