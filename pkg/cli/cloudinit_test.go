package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

const testKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEwN2d0m8O3c4sYlW0m0Kp9w0Z3n5qvJY0rjR8wYx9qB alice@example"

func TestCloudInitRender(t *testing.T) {
	e := &env{vars: map[string]string{"HOME": t.TempDir()}}
	keyFile := filepath.Join(t.TempDir(), "id.pub")
	os.WriteFile(keyFile, []byte(testKey+"\n"), 0o600)

	code, out, stderr := e.run(t, "cloudinit", "render", "web01", "--ip", "192.0.2.10/24", "--gateway", "192.0.2.1",
		"--dns", "192.0.2.53", "--ssh-key", keyFile, "--user", "alice:sudo", "--instance-id", "i-1", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var keys map[string]string
	if err := json.Unmarshal([]byte(out), &keys); err != nil {
		t.Fatalf("not a flat JSON object: %v\n%s", err, out)
	}
	if keys["guestinfo.metadata.encoding"] != "gzip+base64" || keys["guestinfo.userdata.encoding"] != "gzip+base64" {
		t.Fatalf("encodings %v", keys)
	}
	s := cloudinit.Decode(keys).Summary()
	if s.Hostname != "web01" || s.InstanceID != "i-1" || len(s.NICs) != 1 || s.NICs[0].Addresses[0] != "192.0.2.10/24" {
		t.Fatalf("decoded %+v", s)
	}

	code, out, _ = e.run(t, "cloudinit", "render", "--hostname", "db1.example.com", "--dhcp", "--decoded")
	if code != 0 || !strings.Contains(out, "--- # guestinfo.metadata") || !strings.Contains(out, "#cloud-config") || !strings.Contains(out, "db1") {
		t.Fatalf("decoded: exit %d\n%s", code, out)
	}
	if code, out, _ = e.run(t, "cloudinit", "render", "web02"); code != 0 || !strings.Contains(out, "guestinfo.metadata=") {
		t.Fatalf("plain keys: exit %d\n%s", code, out)
	}

	for _, args := range [][]string{
		{"cloudinit", "render"},
		{"cloudinit", "render", "web", "--ip", "192.0.2.10"},
		{"cloudinit", "render", "web", "--ip", "192.0.2.10/24", "--gateway", "198.51.100.1"},
		{"cloudinit", "render", "--hostname", "bad_host!"},
		{"cloudinit", "render", "web", "--ssh-key", "ssh-dss AAAA"},
		{"cloudinit", "render", "web", "--json", "--decoded"},
	} {
		if code, _, stderr := e.run(t, args...); code != cmdutil.ExitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, cmdutil.ExitUsage, stderr)
		}
	}
}

func TestVMInfoShowsCloudInit(t *testing.T) {
	e := newEnv(t, esxisim.Options{ExtraVMs: 1})
	keys, err := cloudinit.Build(cloudinit.Spec{Hostname: "web07", InstanceID: "i-77", SSHKeys: []string{testKey}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := client.Connect(ctx, client.Config{Host: e.sim.Host(), User: e.sim.User(), Password: e.sim.Password(), Thumbprint: e.sim.Thumbprint()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Logout(ctx)
	ref, err := vm.Find(ctx, c, "vm-0001")
	if err != nil {
		t.Fatal(err)
	}
	var extra []types.BaseOptionValue
	for k, v := range cloudinit.ForExtraConfig(keys) {
		extra = append(extra, &types.OptionValue{Key: k, Value: v})
	}
	task, err := object.NewVirtualMachine(c.Vim(), ref).Reconfigure(ctx, types.VirtualMachineConfigSpec{ExtraConfig: extra})
	if err != nil || task.Wait(ctx) != nil {
		t.Fatalf("reconfigure: %v", err)
	}
	code, out, stderr := e.run(t, "vm", "info", "vm-0001", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Name      string            `json:"name"`
		CloudInit cloudinit.Summary `json:"cloud_init"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.CloudInit.Hostname != "web07" || got.CloudInit.InstanceID != "i-77" || len(got.CloudInit.Users) == 0 || !strings.HasPrefix(got.CloudInit.Users[0].SSHKeys[0], "SHA256:") {
		t.Fatalf("cloud-init summary %+v", got.CloudInit)
	}
	code, out, _ = e.run(t, "vm", "info", "vm-0001")
	if code != 0 || !strings.Contains(out, "Cloud-init:") || !strings.Contains(out, "i-77") {
		t.Fatalf("text info: exit %d\n%s", code, out)
	}
}
