package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/server/api"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// bearer adds a token to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// mcpSession connects an MCP client to /mcp over streamable HTTP with the
// token of name.
func (ts *testServer) mcpSession(t *testing.T, name string) *sdk.ClientSession {
	t.Helper()
	tr := &sdk.StreamableClientTransport{
		Endpoint:   ts.srv.URL() + api.MCPPath,
		HTTPClient: &http.Client{Transport: bearer{token: ts.tokens[name], next: http.DefaultTransport}},
		MaxRetries: -1,
	}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "e2e", Version: "1"}, nil).Connect(simtest.Ctx(t, time.Minute), tr, nil)
	if err != nil {
		t.Fatalf("MCP connect as %s: %v", name, err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

func mcpCall(t *testing.T, cs *sdk.ClientSession, tool string, args map[string]any) map[string]any {
	t.Helper()
	res, err := cs.CallTool(simtest.Ctx(t, 3*time.Minute), &sdk.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	raw, _ := json.Marshal(res.StructuredContent)
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMCPOverHTTP: /mcp on ceso serve, behind the tokens: the token's name
// is the audit actor and its mode the ceiling.
func TestMCPOverHTTP(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	ro := ts.mcpSession(t, reader)
	tools, err := ro.ListTools(simtest.Ctx(t, time.Minute), nil)
	if err != nil {
		t.Fatal(err)
	}
	runs := map[string]any{}
	for _, tl := range tools.Tools {
		runs[tl.Name] = tl.Meta["ceso/runs"]
	}
	if runs["vm_list"] != "runs" || runs["vm_create"] != "plan-only" {
		t.Errorf("restricted token's tools: %v", runs)
	}
	plan := mcpCall(t, ro, "vm_create", map[string]any{"name": "mcp01"})
	if plan["status"] != "approval_required" || !strings.HasPrefix(plan["plan_id"].(string), "plan-") {
		t.Fatalf("restricted write over /mcp: %v", plan)
	}
	if names, _ := listNames(t, ts, operator); names["mcp01"] != "" {
		t.Fatal("a restricted write over /mcp changed the host")
	}
	op := ts.mcpSession(t, operator)
	done := mcpCall(t, op, "vm_create", map[string]any{"name": "mcp01", "idempotency_key": "k"})
	if done["status"] != "done" {
		t.Fatalf("standard write over /mcp: %v", done)
	}
	if names, _ := listNames(t, ts, operator); names["mcp01"] == "" {
		t.Fatal("the write over /mcp made no VM")
	}
	for id, who := range map[string]string{plan["correlation_id"].(string): reader, done["correlation_id"].(string): operator} {
		recs := ts.audit(t, id)
		if len(recs) == 0 {
			t.Fatalf("no audit record of %s", id)
		}
		for _, r := range recs {
			if r.Actor.Name != who {
				t.Errorf("%s: actor %q, want %s", r.Operation, r.Actor.Name, who)
			}
		}
	}
}

// TestMCPAuth: no token, a bad token, another token on a session, and an
// address outside the allowlist are all refused before MCP runs.
func TestMCPAuth(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`
	post := func(token, session, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequestWithContext(simtest.Ctx(t, time.Minute), http.MethodPost, ts.srv.URL()+api.MCPPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if session != "" {
			req.Header.Set("Mcp-Session-Id", session)
			req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = resp.Body.Close() })
		return resp
	}
	if r := post("", "", initialize); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d", r.StatusCode)
	}
	if r := post("ceso_not-a-token", "", initialize); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad token: %d", r.StatusCode)
	}
	r := post(ts.tokens[reader], "", initialize)
	sid := r.Header.Get("Mcp-Session-Id")
	if r.StatusCode != http.StatusOK || sid == "" {
		t.Fatalf("initialize: %d, session %q", r.StatusCode, sid)
	}
	list := `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	if r := post(ts.tokens[admin], sid, list); r.StatusCode != http.StatusForbidden {
		t.Errorf("another token on the reader's session: %d, want 403", r.StatusCode)
	}

	far := newTestServer(t, serverOpts{sim: ts.sim, configure: func(c *config.Config) { c.Security.IPAllowlist = []string{"10.0.0.0/8"} }})
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, far.srv.URL()+api.MCPPath, strings.NewReader(initialize))
	req.Header.Set("Authorization", "Bearer "+far.tokens[admin])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("outside the allowlist: %d, want 403", resp.StatusCode)
	}
}

// TestAPIHonoursProtected: security.protected holds on the HTTP API too,
// for the unrestricted token.
func TestAPIHonoursProtected(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	ts.runOp(t, "vm.create", `{"name":"prod-db"}`)
	ts.cfg.Security.Protected = config.Protected{VMs: []string{"prod-*"}}
	r := ts.op(t, admin, "vm.delete", `{"name":"prod-db"}`)
	if r.status == http.StatusAccepted {
		var j api.Job
		r.decode(t, &j)
		j = ts.wait(t, admin, j.ID)
		if j.Error == nil || !strings.Contains(j.Error.Message, "security.protected") {
			t.Fatalf("the protected VM's delete: %+v", j)
		}
	} else if e := r.apiError(t); !strings.Contains(e.Message, "security.protected") {
		t.Fatalf("the protected VM's delete: %d %+v", r.status, e)
	}
	if names, _ := listNames(t, ts, admin); names["prod-db"] == "" {
		t.Fatal("the API deleted a protected VM")
	}
}
