package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var testTime = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// testActor keeps records independent of the machine the tests run on.
var testActor = Actor{User: "ops", UID: "1000", Host: "esx-admin"}

// newLog opens a log in a fresh directory.
func newLog(t *testing.T, o Options) (*Log, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "audit.log")
	if o.Now == nil {
		o.Now = func() time.Time { return testTime }
	}
	if o.Actor == nil {
		o.Actor = &testActor
	}
	l, err := OpenWith(path, o)
	if err != nil {
		t.Fatal(err)
	}
	return l, path
}

// rec is a record of operation number i.
func rec(i int) Record {
	return Record{
		Phase: PhaseStart, CorrelationID: fmt.Sprintf("c%d", i), Operation: "vm.create", Class: "write",
		Target: fmt.Sprintf("web%02d", i), Params: json.RawMessage(fmt.Sprintf(`{"cpu":%d,"password":"hunter2"}`, i)),
		Secrets: []string{"password"},
	}
}

// appendN appends n records.
func appendN(t *testing.T, l *Log, n int) {
	t.Helper()
	for i := range n {
		if err := l.Append(context.Background(), rec(i)); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
}

// lines returns the lines of a file, without newlines.
func lines(t *testing.T, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
}

// writeLines replaces a file's content with lines, each ended by a newline.
func writeLines(t *testing.T, path string, ls [][]byte) {
	t.Helper()
	var b bytes.Buffer
	for _, l := range ls {
		b.Write(l)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// mustVerify fails the test unless the log verifies.
func mustVerify(t *testing.T, path string, cp *Checkpoint) Report {
	t.Helper()
	rep, err := VerifyLog(path, cp)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep
}
