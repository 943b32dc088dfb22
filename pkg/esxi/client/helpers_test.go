package client

import (
	"context"
	"crypto/tls"
	"net/url"
	"testing"
	"time"

	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
)

const (
	testUser     = "root"
	testPassword = "s3cret-pw"
)

// testHost is a simulated ESXi host served over TLS with fixed credentials.
type testHost struct {
	model  *simulator.Model
	server *simulator.Server
	caFile string
}

func startHost(t *testing.T) *testHost {
	t.Helper()
	m := simulator.ESX()
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	m.Service.Listen = &url.URL{User: url.UserPassword(testUser, testPassword)}
	m.Service.TLS = new(tls.Config)
	s := m.Service.NewServer()
	ca, err := s.CertificateFile()
	if err != nil {
		t.Fatal(err)
	}
	h := &testHost{model: m, server: s, caFile: ca}
	t.Cleanup(func() { s.Close(); m.Remove() })
	return h
}

func (h *testHost) addr() string { return h.server.URL.Host }

func (h *testHost) thumbprints() (string, string) { return Thumbprints(h.server.Certificate()) }

func (h *testHost) config(t *testing.T) Config {
	t1, _ := h.thumbprints()
	return Config{Host: h.addr(), User: testUser, Password: testPassword, Thumbprint: t1}
}

// sessions returns the number of sessions the host holds, seen from a
// separate admin session (which is counted too).
func (h *testHost) sessions(t *testing.T, admin *Client) int {
	t.Helper()
	var sm mo.SessionManager
	pc := property.DefaultCollector(admin.Vim())
	if err := pc.RetrieveOne(context.Background(), *admin.Vim().ServiceContent.SessionManager, []string{"sessionList"}, &sm); err != nil {
		t.Fatal(err)
	}
	return len(sm.SessionList)
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// ping makes one cheap API call through the client's transport.
func ping(ctx context.Context, c *Client) error {
	_, err := methods.GetCurrentTime(ctx, c.Vim().RoundTripper)
	return err
}

// terminate ends c's session on the host from the admin session.
func terminate(t *testing.T, admin, c *Client) {
	t.Helper()
	us, err := session.NewManager(c.Vim()).UserSession(context.Background())
	if err != nil || us == nil {
		t.Fatalf("user session %v %v", us, err)
	}
	if err := session.NewManager(admin.Vim()).TerminateSession(context.Background(), []string{us.Key}); err != nil {
		t.Fatal(err)
	}
}
