package vmdk

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// qemuImg finds Debian's qemu-img, the independent implementation the
// images are checked against. Without it the test skips, except under
// CI=true, where .ci/run installs it and its absence is a failure.
func qemuImg(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("qemu-img")
	if err == nil {
		return path
	}
	const msg = "qemu-img is not installed; install it with `apt-get install -y qemu-utils`"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI installs it: .ci/run)")
	}
	t.Skip("skipping the cross-check: " + msg)
	return ""
}

func runQemu(t *testing.T, qemu string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(qemu, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("qemu-img %v: %v\n%s", args, err, out)
	}
	return out
}

// TestQemuReadsOurImages: qemu-img converts every image the StreamWriter
// writes back to the same raw bytes, and its check finds no error.
func TestQemuReadsOurImages(t *testing.T) {
	qemu := qemuImg(t)
	for _, c := range sparseCases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			raw := c.raw()
			img := filepath.Join(dir, "disk.vmdk")
			if err := os.WriteFile(img, encode(t, raw, 1<<20, WriterOptions{}), 0o600); err != nil {
				t.Fatal(err)
			}
			runQemu(t, qemu, "check", "-f", "vmdk", img)
			out := filepath.Join(dir, "disk.raw")
			runQemu(t, qemu, "convert", "-f", "vmdk", "-O", "raw", img, out)
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, raw) {
				t.Fatalf("qemu-img reads %d bytes that differ from the %d written", len(got), len(raw))
			}
		})
	}
}

// TestWeReadQemuImages: the StreamReader reads what qemu-img writes as
// streamOptimized (tables at the front, no footer) to the same raw bytes.
func TestWeReadQemuImages(t *testing.T) {
	qemu := qemuImg(t)
	for _, c := range sparseCases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			raw := c.raw()
			in, img := filepath.Join(dir, "disk.raw"), filepath.Join(dir, "disk.vmdk")
			if err := os.WriteFile(in, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			runQemu(t, qemu, "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized,adapter_type=lsilogic", in, img)
			data, err := os.ReadFile(img)
			if err != nil {
				t.Fatal(err)
			}
			if got := decode(t, data); !bytes.Equal(got, raw) {
				t.Fatalf("read %d bytes that differ from the %d qemu-img was given", len(got), len(raw))
			}
			checkNext(t, data, raw)
			r, err := NewStreamReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			d := r.Descriptor()
			if d.CreateType != TypeStreamOptimized || d.Capacity() != int64(len(raw)) || d.DDB["ddb.adapterType"] != "lsilogic" {
				t.Fatalf("qemu's descriptor read as %+v", d)
			}
		})
	}
}

// TestQemuReadsOurDescriptors: a raw data file with a descriptor built here
// (ESXi's vmfs form and the hosted monolithicFlat form) is a disk qemu-img
// reads back to the same bytes.
func TestQemuReadsOurDescriptors(t *testing.T) {
	qemu := qemuImg(t)
	raw := sparseCases[3].raw()
	info := DiskInfo{Capacity: int64(len(raw)), CID: 0x1234abcd}
	for _, d := range []Descriptor{
		VMFSDescriptor("disk-flat.vmdk", info, true),
		MonolithicFlatDescriptor("disk-flat.vmdk", info),
	} {
		t.Run(d.CreateType, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "disk-flat.vmdk"), raw, 0o600); err != nil {
				t.Fatal(err)
			}
			desc := filepath.Join(dir, "disk.vmdk")
			if err := os.WriteFile(desc, []byte(d.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out.raw")
			runQemu(t, qemu, "convert", "-f", "vmdk", "-O", "raw", desc, out)
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, raw) {
				t.Fatal("qemu-img reads different bytes through the descriptor")
			}
		})
	}
}

// TestWeParseQemuDescriptors parses the descriptor files qemu-img creates.
func TestWeParseQemuDescriptors(t *testing.T) {
	qemu := qemuImg(t)
	for _, sub := range []struct{ name, extent string }{
		{"monolithicFlat", "FLAT"},
		{"twoGbMaxExtentSparse", "SPARSE"},
	} {
		t.Run(sub.name, func(t *testing.T) {
			desc := filepath.Join(t.TempDir(), "disk.vmdk")
			runQemu(t, qemu, "create", "-q", "-f", "vmdk", "-o", "subformat="+sub.name, desc, "5G")
			text, err := os.ReadFile(desc)
			if err != nil {
				t.Fatal(err)
			}
			d, err := ParseDescriptor(text)
			if err != nil {
				t.Fatal(err)
			}
			if d.CreateType != sub.name || d.Capacity() != 5<<30 || d.Extents[0].Type != sub.extent || d.ParentCID != NoParentCID {
				t.Fatalf("parsed %+v", d)
			}
			again, err := ParseDescriptor([]byte(d.String()))
			if err != nil || again.String() != d.String() {
				t.Fatalf("formatting changed the descriptor: %v\n%s", err, again.String())
			}
		})
	}
}
