package servecmd

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/server"
	"github.com/ceso/ceso/pkg/server/api"
	"gopkg.in/yaml.v3"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestTokenNew: the token goes to stdout once, its entry to stderr; the
// entry is valid configuration that accepts the token.
func TestTokenNew(t *testing.T) {
	io, _, out, errOut := cmdutil.Test()
	f := cmdutil.New(io, config.MapEnv(nil))
	cmd := NewCmdTokenNew(f, nil)
	cmd.SetArgs([]string{"ci-runner", "--mode", "read-only"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out.String())
	if !strings.HasPrefix(token, server.TokenPrefix) || strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("stdout %q", out.String())
	}
	entry := errOut.String()[strings.Index(errOut.String(), "    - name"):]
	var tokens []config.ServerToken
	if err := yaml.Unmarshal([]byte(entry), &tokens); err != nil {
		t.Fatalf("entry %q: %v", entry, err)
	}
	cfg := config.Default()
	cfg.Server.Tokens = tokens
	if err := cfg.Validate(false); err != nil || tokens[0].Name != "ci-runner" || tokens[0].Mode != "restricted" || tokens[0].SHA256 != server.TokenSHA256(token) {
		t.Fatalf("entry %+v: %v", tokens, err)
	}
	for _, args := range [][]string{{"bad name!"}, {"ok", "--mode", "god"}, {}} {
		cmd := NewCmdTokenNew(f, func(*TokenOptions) error { return nil })
		cmd.SetArgs(args)
		cmd.SetErr(&bytes.Buffer{})
		if err := cmd.Execute(); errkind.Of(err) != errkind.Usage {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

// TestServeRunsUntilCancelled starts `ceso serve` on a simulated host,
// calls it with a configured token, and stops it by cancelling its
// context, as SIGTERM does.
func TestServeRunsUntilCancelled(t *testing.T) {
	sim := simtest.Start(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	home := t.TempDir()
	token, sum, err := server.NewToken(strings.NewReader(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(home, "config.yaml")
	conf := "metrics:\n  enabled: false\nserver:\n  tokens:\n    - name: ci\n      sha256: " + sum + "\n      mode: standard\n"
	if err := os.WriteFile(cfgFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	env := simtest.Env(sim, home)
	env["CESO_CONFIG"] = cfgFile
	io, _, _, _ := cmdutil.Test()
	stderr := &syncBuffer{}
	io.ErrOut = stderr
	f := cmdutil.New(io, config.MapEnv(env))
	cmd := NewCmdServe(f, nil)
	cmd.SetArgs([]string{"--listen", "127.0.0.1:0"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	t.Cleanup(func() { cancel(); _ = f.Close(context.Background()) })
	urlRE := regexp.MustCompile(`listening on (http://\S+)`)
	var url string
	for deadline := time.Now().Add(time.Minute); url == ""; {
		if m := urlRE.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no address printed: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	req, _ := http.NewRequest(http.MethodPost, url+api.OpsPrefix+"vm.list", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("vm.list: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil || !strings.Contains(stderr.String(), "ceso serve: stopped") {
			t.Fatalf("serve ended with %v:\n%s", err, stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("serve did not stop")
	}
	// Without a host, serve refuses to start.
	delete(env, "ESXI_HOST")
	f2 := cmdutil.New(io, config.MapEnv(env))
	cmd = NewCmdServe(f2, nil)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs([]string{})
	if err := cmd.ExecuteContext(context.Background()); !errors.Is(err, config.ErrNoHost) {
		t.Fatalf("no host: %v", err)
	}
	var got *ServeOptions
	cmd = NewCmdServe(f2, func(o *ServeOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--listen", "0.0.0.0:9443"})
	if err := cmd.Execute(); err != nil || got.Listen != "0.0.0.0:9443" {
		t.Fatalf("flags: %+v %v", got, err)
	}
}
