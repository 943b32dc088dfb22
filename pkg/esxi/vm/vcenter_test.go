package vm

import (
	"context"
	"crypto/tls"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/simulator"
)

// startVCenter runs vcsim's vCenter model over TLS and connects to it.
func startVCenter(t *testing.T) *client.Client {
	t.Helper()
	m := simulator.VPX()
	m.Datacenter, m.Cluster, m.Host, m.Machine = 1, 0, 1, 2
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Remove)
	m.Service.TLS = new(tls.Config)
	m.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword("admin", "secret")}
	srv := m.Service.NewServer()
	t.Cleanup(srv.Close)
	thumb, _ := client.Thumbprints(srv.Certificate())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Connect(ctx, client.Config{Host: srv.URL.Host, User: "admin", Password: "secret", Thumbprint: thumb})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Logout(context.Background()) })
	if !c.IsVCenter() {
		t.Fatal("not a vCenter")
	}
	return c
}

func TestCreateOnVCenterUsesClone(t *testing.T) {
	c := startVCenter(t)
	ctx := testCtx(t)
	const tmpl = "DC0_H0_VM0"
	if _, err := Power(ctx, c, tmpl, PowerOff, PowerOptions{}); err != nil {
		t.Fatal(err)
	}
	steps, err := PlanCreate(ctx, c, CreateSpec{Name: "web01", Template: tmpl, CPU: 2, PowerOn: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 2 || !strings.HasPrefix(steps[0].Action, "VirtualMachine.CloneVM_Task "+tmpl+" -> web01") {
		t.Fatalf("plan %q", actions(steps))
	}
	src, err := GetInfo(ctx, c, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Create(ctx, c, CreateSpec{Name: "web01", Template: tmpl, CPU: 2, PowerOn: true,
		GuestInfo: map[string]string{"guestinfo.metadata": "e30=", "guestinfo.metadata.encoding": "base64"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.PowerState != PoweredOn || res.UUID == src.UUID {
		t.Fatalf("result %+v", res)
	}
	info, err := GetInfo(ctx, c, "web01")
	if err != nil {
		t.Fatal(err)
	}
	if info.CPU != 2 || info.ExtraConfig["guestinfo.metadata"] != "e30=" {
		t.Errorf("clone %+v %v", info.Summary, info.ExtraConfig)
	}
	for i, n := range info.NICs {
		if i < len(src.NICs) && strings.EqualFold(n.MAC, src.NICs[i].MAC) {
			t.Errorf("NIC %d kept MAC %s", i, n.MAC)
		}
	}
	if err := Delete(ctx, c, "web01", true); err != nil {
		t.Fatal(err)
	}
	if _, err := Find(ctx, c, "web01"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("web01 after delete: %v", err)
	}
}
