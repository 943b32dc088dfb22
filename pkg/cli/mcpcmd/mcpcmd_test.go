package mcpcmd

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
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

// start runs `ceso mcp args...` on pipes and connects an MCP client to it.
func start(t *testing.T, env map[string]string, args ...string) (*sdk.ClientSession, *syncBuffer, <-chan error) {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	errOut := &syncBuffer{}
	f := cmdutil.New(&cmdutil.IOStreams{In: inR, Out: outW, ErrOut: errOut}, config.MapEnv(env))
	cmd := NewCmdMCP(f, nil)
	cmd.SetArgs(args)
	cmd.SilenceUsage = true
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		err := cmd.ExecuteContext(ctx)
		_ = outW.Close()
		done <- err
	}()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "t", Version: "1"}, nil).Connect(simtest.Ctx(t, time.Minute), &sdk.IOTransport{Reader: outR, Writer: inW}, nil)
	if err != nil {
		cancel()
		t.Fatalf("connect: %v (command: %v, stderr %s)", err, <-done, errOut.String())
	}
	t.Cleanup(func() {
		_ = cs.Close()
		cancel()
		_ = f.Close(context.Background())
	})
	return cs, errOut, done
}

// TestMCPOverStdio: `ceso mcp` serves the tools on stdin and stdout, in the
// mode CESO_MODE (or --mode) asks for, and records the --agent name.
func TestMCPOverStdio(t *testing.T) {
	sim := simtest.Start(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	home := t.TempDir()
	env := simtest.Env(sim, home)
	env[cmdutil.ModeEnv] = "restricted"
	cs, errOut, _ := start(t, env, "--agent", "desk-agent")
	res, err := cs.CallTool(simtest.Ctx(t, time.Minute), &sdk.CallToolParams{Name: "vm_list"})
	if err != nil || res.IsError {
		t.Fatalf("vm_list: %v %+v", err, res)
	}
	plan, err := cs.CallTool(simtest.Ctx(t, time.Minute), &sdk.CallToolParams{Name: "vm_delete", Arguments: map[string]any{"name": esxisim.TemplateName}})
	if err != nil {
		t.Fatal(err)
	}
	if s := plan.StructuredContent.(map[string]any)["status"]; s != "approval_required" {
		t.Errorf("vm_delete in restricted mode: %v", s)
	}
	if !strings.Contains(errOut.String(), `serving agent "desk-agent"`) {
		t.Errorf("stderr %q", errOut.String())
	}
	f, err := os.Open(filepath.Join(home, ".local", "share", "ceso", "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	n := 0
	for sc.Scan() {
		var rec struct {
			Actor struct{ Name string } `json:"actor"`
			Mode  string                `json:"mode"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		n++
		if rec.Actor.Name != "desk-agent" || rec.Mode != "restricted" {
			t.Errorf("audit record actor %q mode %q", rec.Actor.Name, rec.Mode)
		}
	}
	if n < 3 {
		t.Errorf("%d audit records, want the read's start and end and the refusal's end", n)
	}
}

// TestMCPModeCannotBeRaised: --mode above security.mode is refused before
// anything is served.
func TestMCPModeCannotBeRaised(t *testing.T) {
	io, _, _, _ := cmdutil.Test()
	home := t.TempDir()
	cfgFile := filepath.Join(home, "config.yaml")
	if err := os.WriteFile(cfgFile, []byte("esxi:\n  host: 127.0.0.1:1\nsecurity:\n  mode: restricted\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := cmdutil.New(io, config.MapEnv(map[string]string{"HOME": home, "CESO_CONFIG": cfgFile, "ESXI_PASSWORD": "x"}))
	f.Global.Mode = "unrestricted"
	cmd := NewCmdMCP(f, nil)
	cmd.SetArgs([]string{"--agent", "greedy"})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	if err == nil || errkind.Of(err) != errkind.Refused {
		t.Fatalf("raising the mode: %v (%v)", err, errkind.Of(err))
	}
	var opts *Options
	cmd = NewCmdMCP(f, func(_ context.Context, o *Options) error { opts = o; return errors.New("stop") })
	cmd.SetArgs([]string{"--agent", "a1"})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	if err := cmd.Execute(); err == nil || opts.Agent != "a1" {
		t.Fatalf("flags: %+v %v", opts, err)
	}
}
