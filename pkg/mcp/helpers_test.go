package mcp

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/ceso/ceso/pkg/security"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// simPassword is the simulated host's password: no result may carry it.
const simPassword = esxisim.DefaultPassword

// rig is a simulated host, an App on it with the configured mode, the
// operator's signing key, and an MCP server.
type rig struct {
	sim    *esxisim.Simulator
	cfg    *config.Config
	app    *app.App
	srv    *Server
	signer *security.Signer
	keyDir string
}

type rigOpts struct {
	sim       *esxisim.Simulator
	mode      string // security.mode; unrestricted when empty
	configure func(*config.Config)
	opts      func(*Options)
}

func newRig(t *testing.T, o rigOpts) *rig {
	t.Helper()
	sim := o.sim
	if sim == nil {
		sim = simtest.Start(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	}
	home := t.TempDir()
	env := config.MapEnv(simtest.Env(sim, home))
	cfg, err := config.Load("", env)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Defaults.Template = esxisim.TemplateName
	if o.mode != "" {
		cfg.Security.Mode = o.mode
	}
	r := &rig{sim: sim, cfg: cfg, keyDir: t.TempDir()}
	keyFile := filepath.Join(r.keyDir, "promote.key")
	if _, err := security.GenerateKey(keyFile, nil); err != nil {
		t.Fatal(err)
	}
	priv, err := security.LoadPrivateKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	r.signer = &security.Signer{Key: priv}
	cfg.Security.PromotionPublicKey = security.PublicKeyPath(keyFile)
	if o.configure != nil {
		o.configure(cfg)
	}
	if err := cfg.Validate(true); err != nil {
		t.Fatal(err)
	}
	r.app, err = app.New(app.Options{Config: cfg, Env: env, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.app.Close(context.Background()) })
	opts := Options{App: r.app, Secrets: func() []string { return []string{sim.Password()} }, Version: "test"}
	if o.opts != nil {
		o.opts(&opts)
	}
	r.srv, err = New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// connect opens an MCP client session as id over the SDK's in-memory
// transport.
func (r *rig) connect(t *testing.T, id Identity) *sdk.ClientSession {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st, ct := sdk.NewInMemoryTransports()
	done := make(chan error, 1)
	go func() { done <- r.srv.Serve(ctx, id, st) }()
	c := sdk.NewClient(&sdk.Implementation{Name: "test-agent", Version: "1"}, nil)
	cs, err := c.Connect(simtest.Ctx(t, time.Minute), ct, nil)
	if err != nil {
		cancel()
		t.Fatalf("connect as %+v: %v (server: %v)", id, err, <-done)
	}
	t.Cleanup(func() {
		_ = cs.Close()
		cancel()
		<-done
	})
	return cs
}

// reply is a tool result with its structured content decoded.
type reply struct {
	res  *sdk.CallToolResult
	env  envelope
	raw  map[string]any
	text string
}

// call calls tool with args and decodes its envelope.
func call(t *testing.T, cs *sdk.ClientSession, tool string, args any) reply {
	t.Helper()
	res, err := cs.CallTool(simtest.Ctx(t, 3*time.Minute), &sdk.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s %v: %v", tool, args, err)
	}
	rp := reply{res: res}
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &rp.env); err != nil {
		t.Fatalf("%s: structured content %s: %v", tool, raw, err)
	}
	_ = json.Unmarshal(raw, &rp.raw)
	if strings.Contains(string(raw), simPassword) {
		t.Fatalf("%s: the result carries the ESXi password: %s", tool, raw)
	}
	if len(res.Content) != 1 {
		t.Fatalf("%s: %d contents, want one text", tool, len(res.Content))
	}
	tc, ok := res.Content[0].(*sdk.TextContent)
	if !ok {
		t.Fatalf("%s: content %T", tool, res.Content[0])
	}
	rp.text = tc.Text
	if strings.Contains(rp.text, simPassword) {
		t.Fatalf("%s: the text carries the ESXi password: %s", tool, rp.text)
	}
	return rp
}

// mustDo calls tool and fails the test unless it is done.
func mustDo(t *testing.T, cs *sdk.ClientSession, tool string, args any) reply {
	t.Helper()
	rp := call(t, cs, tool, args)
	if rp.env.Status != StatusDone {
		t.Fatalf("%s %v: %s: %s\n%s", tool, args, rp.env.Status, rp.env.Error, rp.text)
	}
	return rp
}

// vmNames lists the host's VMs around MCP.
func (r *rig) vmNames(t *testing.T) map[string]string {
	t.Helper()
	out, err := operations.Run(simtest.Ctx(t, time.Minute), r.app, app.Call{Actor: "test"}, operations.VMList, operations.VMListParams{})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, v := range out.Result {
		m[v.Name] = v.PowerState
	}
	return m
}

// runOp runs an operation around MCP, unrestricted: the configured mode
// is lifted for it (nothing else runs meanwhile).
func (r *rig) runOp(t *testing.T, name, params string) json.RawMessage {
	t.Helper()
	mode, prot := r.cfg.Security.Mode, r.cfg.Security.Protected
	r.cfg.Security.Mode, r.cfg.Security.Protected = ops.ModeUnrestricted, config.Protected{}
	defer func() { r.cfg.Security.Mode, r.cfg.Security.Protected = mode, prot }()
	d, _ := operations.Lookup(name)
	out, err := d.Invoke(simtest.Ctx(t, 3*time.Minute), r.app, app.Call{Actor: "test"}, json.RawMessage(params))
	if err != nil {
		t.Fatalf("%s %s: %v", name, params, err)
	}
	raw, _ := json.Marshal(out.Result)
	return raw
}
