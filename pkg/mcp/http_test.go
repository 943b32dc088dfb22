package mcp

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

type headerToken struct {
	token string
	next  http.RoundTripper
}

func (h headerToken) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+h.token)
	return h.next.RoundTrip(r)
}

// TestHandlerOverStreamableHTTP: the handler serves each identity its own
// tools; a request it cannot name is refused; Close ends the sessions.
func TestHandlerOverStreamableHTTP(t *testing.T) {
	r := newRig(t, rigOpts{})
	ids := map[string]Identity{"t-ro": {Agent: "ro", Mode: "restricted"}, "t-rw": {Agent: "rw", Mode: "standard"}}
	h := r.srv.Handler(func(req *http.Request) (Identity, bool) {
		id, ok := ids[strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")]
		return id, ok
	})
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	connect := func(token string) (*sdk.ClientSession, error) {
		tr := &sdk.StreamableClientTransport{Endpoint: hs.URL, MaxRetries: -1,
			HTTPClient: &http.Client{Transport: headerToken{token: token, next: http.DefaultTransport}}}
		return sdk.NewClient(&sdk.Implementation{Name: "h", Version: "1"}, nil).Connect(simtest.Ctx(t, time.Minute), tr, nil)
	}
	if _, err := connect("nobody"); err == nil {
		t.Fatal("an unknown caller connected")
	}
	ro, err := connect("t-ro")
	if err != nil {
		t.Fatal(err)
	}
	rw, err := connect("t-rw")
	if err != nil {
		t.Fatal(err)
	}
	if got := listTools(t, ro)["vm_create"].Meta["ceso/runs"]; got != "plan-only" {
		t.Errorf("restricted caller's vm_create: %v", got)
	}
	if got := listTools(t, rw)["vm_create"].Meta["ceso/runs"]; got != "runs" {
		t.Errorf("standard caller's vm_create: %v", got)
	}
	mustDo(t, rw, "vm_create", map[string]any{"name": "http01"})
	if r.vmNames(t)["http01"] == "" {
		t.Fatal("the create over HTTP made no VM")
	}
	r.srv.Close()
	if _, err := ro.ListTools(simtest.Ctx(t, 10*time.Second), nil); err == nil {
		t.Error("a session survived Close")
	}
}

func TestApproveHintWithoutKey(t *testing.T) {
	r := newRig(t, rigOpts{mode: "restricted", configure: func(c *config.Config) { c.Security.PromotionPublicKey = "" }})
	cs := r.connect(t, Identity{Agent: "a"})
	rp := call(t, cs, "vm_create", map[string]any{"name": "x1"})
	if rp.env.Status != StatusApprovalRequired || !strings.Contains(rp.env.Approve, "no security.promotion_public_key is configured") {
		t.Errorf("%s: %s", rp.env.Status, rp.env.Approve)
	}
}
