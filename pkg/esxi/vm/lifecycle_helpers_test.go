package vm

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/ops"
	"golang.org/x/crypto/ssh"
)

// testDiskSize keeps the template's disk small: copies and hashes stay fast
// under the race detector.
const testDiskSize int64 = 4 << 20

// startHost starts a simulated host with a small template disk.
func startHost(t testing.TB, opts esxisim.Options) (*esxisim.Simulator, *client.Client) {
	t.Helper()
	if opts.TemplateDiskSize == 0 {
		opts.TemplateDiskSize = testDiskSize
	}
	return startSim(t, opts)
}

// dsEntries lists the top-level entries of the simulator's datastore.
func dsEntries(t testing.TB, sim *esxisim.Simulator) []string {
	t.Helper()
	entries, err := os.ReadDir(sim.DatastoreDir())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// assertOnlyTemplate fails unless the datastore holds the template's folder
// and nothing else.
func assertOnlyTemplate(t testing.TB, sim *esxisim.Simulator, extra ...string) {
	t.Helper()
	want := append([]string{esxisim.TemplateName}, extra...)
	sort.Strings(want)
	got := dsEntries(t, sim)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("datastore holds %q, want %q", got, want)
	}
}

// flatHash hashes a VM's first flat disk file.
func flatHash(t testing.TB, sim *esxisim.Simulator, vmName string) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join(sim.DatastoreDir(), vmName, vmName+"-flat.vmdk"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return h.Sum(nil)
}

// assertSameDisk checks that the first flat disks of VMs a and b hold the
// same bytes.
func assertSameDisk(t testing.TB, sim *esxisim.Simulator, a, b string) {
	t.Helper()
	if ha, hb := flatHash(t, sim, a), flatHash(t, sim, b); !bytes.Equal(ha, hb) {
		t.Fatalf("the flat disks of %s and %s differ", a, b)
	}
}

// folderFiles lists the files under a VM's folder.
func folderFiles(t testing.TB, sim *esxisim.Simulator, dir string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(sim.DatastoreDir(), dir)
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// staticGuestInfo builds guestinfo for a VM with a static address.
func staticGuestInfo(t testing.TB, host, instanceID, addr string) map[string]string {
	t.Helper()
	keys, err := cloudinit.Build(cloudinit.Spec{
		Hostname:   host,
		InstanceID: instanceID,
		SSHKeys:    []string{testSSHKey(t)},
		NICs:       []cloudinit.NIC{{Addresses: []string{addr}, Gateway4: "192.0.2.1", DNS: []string{"192.0.2.53"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// decodedIdentity returns the host name, instance-id and first static
// address the guestinfo of a VM carries.
func decodedIdentity(t testing.TB, extra map[string]string) (host, id, addr string) {
	t.Helper()
	d := cloudinit.Decode(extra)
	if err := d.Err(); err != nil {
		t.Fatalf("guestinfo does not decode: %v", err)
	}
	host, _ = d.Metadata["local-hostname"].(string)
	id, _ = d.Metadata["instance-id"].(string)
	eths, _ := d.Network["ethernets"].(map[string]any)
	for _, e := range eths {
		m, _ := e.(map[string]any)
		if as, ok := m["addresses"].([]any); ok && len(as) > 0 {
			addr, _ = as[0].(string)
		}
	}
	return host, id, addr
}

// testSSHKey returns a fresh authorized_keys line.
func testSSHKey(t testing.TB) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + " ops@example"
}

func actions(steps []ops.Step) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.Action
	}
	return out
}
