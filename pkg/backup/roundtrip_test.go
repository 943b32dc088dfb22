package backup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/vmdk"
	"github.com/klauspost/compress/zstd"
)

// TestBackupRestoreRoundTrip backs up the template (real bytes: random and
// compressible regions), verifies the backup, restores it as a new VM with
// a new address, and checks the new VM's disk bytes and guestinfo.
func TestBackupRestoreRoundTrip(t *testing.T) {
	tests := []struct {
		name         string
		datastore    bool
		uncompressed bool
	}{
		{"local zstd", false, false},
		{"local uncompressed", false, true},
		{"datastore zstd", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, esxisim.Options{})
			if tt.datastore {
				e.withDatastore(t)
			}
			orig := e.withGuestinfo(t, src)
			original := e.flat(t, src)
			entry := e.backup(t, CreateRequest{Description: "before upgrade", Uncompressed: tt.uncompressed})
			checkEntry(t, e, entry, tt.uncompressed)

			res, err := Verify(ctxT(t), e.d, entry.ID)
			if err != nil || !res.OK || res.Files != 5 {
				t.Fatalf("Verify = %+v, %v", res, err)
			}
			stored, _ := e.catalog.GetBackup(entry.ID)
			if !stored.Verified() || !strings.Contains(stored.VerifyDetail, "match") {
				t.Errorf("verification not recorded: %+v", stored)
			}

			nic := cloudinit.NIC{Addresses: []string{"10.0.0.50/24"}, Gateway4: "10.0.0.1"}
			rr, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "web-restored", NICs: []cloudinit.NIC{nic}, PowerOn: true})
			if err != nil {
				t.Fatalf("Restore: %v", err)
			}
			if got := e.flat(t, "web-restored"); !bytes.Equal(got, original) {
				t.Fatalf("restored disk: %d bytes, sha %s; original %d bytes, sha %s", len(got), sha(got), len(original), sha(original))
			}
			checkRestoredIdentity(t, e, rr, orig)
		})
	}
}

func checkEntry(t *testing.T, e *env, entry storage.Entry, uncompressed bool) {
	t.Helper()
	got, err := e.catalog.GetBackup(entry.ID)
	if err != nil || got.Status != storage.StatusComplete || got.VMName != src || got.Description != "before upgrade" {
		t.Fatalf("catalog entry = %+v, %v", got, err)
	}
	dir := archive.Dir(src, entry.ID)
	if got.Metadata[metaPath] != dir || got.Metadata[metaVersion] != "test" || got.Metadata[metaDisks] != "1" {
		t.Errorf("metadata = %v", got.Metadata)
	}
	want := []string{archive.ConfigName, archive.ManifestName, src + "-disk-0.vmdk.zst", src + ".mf", src + ".ovf"}
	if uncompressed {
		want[2] = src + "-disk-0.vmdk"
	}
	slices.Sort(want)
	var names []string
	var total int64
	list, err := e.faulty.List(ctxT(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range list {
		names = append(names, i.Name)
		total += i.Size
	}
	if !slices.Equal(names, want) {
		t.Errorf("stored files = %v, want %v", names, want)
	}
	if total != got.Size || !strings.HasSuffix(got.Location, dir) {
		t.Errorf("entry size %d, files %d; location %q", got.Size, total, got.Location)
	}
	rc, err := e.faulty.Open(ctxT(t), path.Join(dir, archive.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	data := readAll(t, rc)
	_ = rc.Close()
	if sha(data) != got.Checksum {
		t.Error("the catalog checksum is not the manifest's SHA-256")
	}
	m, err := archive.ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	disk := m.OfKind(archive.KindDisk)[0]
	// the disk is stored as the export lease served it: a streamOptimized VMDK
	served := leaseDisk(t, e, path.Join(dir, disk.Stored), uncompressed)
	if disk.Size != int64(len(served)) || disk.SHA256 != sha(served) || !bytes.Equal(rawOf(t, served), e.flat(t, src)) {
		t.Errorf("manifest disk = %+v", disk)
	}
	if !uncompressed && disk.StoredSize >= disk.Size {
		t.Errorf("disk not compressed: %d of %d", disk.StoredSize, disk.Size)
	}
}

// leaseDisk reads a stored disk back as the lease served it.
func leaseDisk(t *testing.T, e *env, name string, uncompressed bool) []byte {
	t.Helper()
	rc, err := e.faulty.Open(ctxT(t), name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if uncompressed {
		return readAll(t, rc)
	}
	zr, err := zstd.NewReader(rc)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	return readAll(t, zr.IOReadCloser())
}

// rawOf decodes a streamOptimized image into the disk it holds.
func rawOf(t *testing.T, image []byte) []byte {
	t.Helper()
	sr, err := vmdk.NewStreamReader(bytes.NewReader(image))
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := sr.WriteTo(&raw); err != nil {
		t.Fatal(err)
	}
	return raw.Bytes()
}

func checkRestoredIdentity(t *testing.T, e *env, rr RestoreResult, orig map[string]string) {
	t.Helper()
	info, err := vm.GetInfo(ctxT(t), e.c, "web-restored")
	if err != nil {
		t.Fatal(err)
	}
	source, err := vm.GetInfo(ctxT(t), e.c, src)
	if err != nil {
		t.Fatal(err)
	}
	if info.UUID == source.UUID || info.NICs[0].MAC == source.NICs[0].MAC || rr.UUID != info.UUID || rr.MACs[0] != info.NICs[0].MAC {
		t.Errorf("identity not renewed: uuid %s (source %s), mac %s (source %s), result %+v",
			info.UUID, source.UUID, info.NICs[0].MAC, source.NICs[0].MAC, rr)
	}
	if info.NICs[0].Network != "VM Network" || info.CPU != source.CPU || info.MemoryMB != source.MemoryMB {
		t.Errorf("hardware differs: %+v", info.Summary)
	}
	if info.PowerState != vm.PoweredOn || !rr.PoweredOn {
		t.Errorf("power state %s", info.PowerState)
	}
	d := cloudinit.Decode(info.ExtraConfig)
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	s := d.Summary()
	if s.InstanceID == "ceso-original" || s.InstanceID != rr.InstanceID || s.Hostname != "web-restored" {
		t.Errorf("instance-id %q (result %q), hostname %q", s.InstanceID, rr.InstanceID, s.Hostname)
	}
	if len(s.NICs) != 1 || !strings.EqualFold(s.NICs[0].MAC, info.NICs[0].MAC) || !slices.Equal(s.NICs[0].Addresses, []string{"10.0.0.50/24"}) {
		t.Errorf("network = %+v", s.NICs)
	}
	if len(s.Users) == 0 || len(s.Users[0].SSHKeys) != 1 {
		t.Errorf("the source's keys were lost: %+v", s.Users)
	}
	if info.ExtraConfig["guestinfo.owner"] != orig["guestinfo.owner"] {
		t.Errorf("guestinfo.owner = %q", info.ExtraConfig["guestinfo.owner"])
	}
}

// TestArchiveRestorableWithoutCeso decompresses a stored backup with the
// reference zstd format reader and checks it against the .mf and the
// descriptor, as a person restoring by hand would.
func TestArchiveRestorableWithoutCeso(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{})
	dir := filepath.Join(e.local.Root(), src, entry.ID)
	compressed, err := os.ReadFile(filepath.Join(dir, src+"-disk-0.vmdk.zst"))
	if err != nil {
		t.Fatal(err)
	}
	dec, _ := zstd.NewReader(nil)
	defer dec.Close()
	disk, err := dec.DecodeAll(compressed, nil)
	if err != nil {
		t.Fatalf("zstd -d: %v", err)
	}
	mf, _ := os.ReadFile(filepath.Join(dir, src+".mf"))
	desc, _ := os.ReadFile(filepath.Join(dir, src+".ovf"))
	want := fmt.Sprintf("SHA256(%s.ovf)= %s\nSHA256(%s-disk-0.vmdk)= %s\n", src, sha(desc), src, sha(disk))
	if !sameLines(string(mf), want) {
		t.Errorf(".mf =\n%s\nwant\n%s", mf, want)
	}
	d, err := archive.ParseDescriptor(desc)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Disks) != 1 || d.Disks[0].File != src+"-disk-0.vmdk" || !slices.Equal(d.Networks, []string{"VM Network"}) {
		t.Errorf("descriptor = %+v", d)
	}
	if !bytes.Contains(desc, []byte(fmt.Sprintf(`ovf:size="%d"`, len(disk)))) {
		t.Error("the descriptor does not give the disk file's size")
	}
	var cfg archive.Config
	data, _ := os.ReadFile(filepath.Join(dir, archive.ConfigName))
	if err := json.Unmarshal(data, &cfg); err != nil || cfg.Name != src || cfg.Datastore != "datastore1" || len(cfg.NICs) != 1 {
		t.Errorf("config.json = %+v, %v", cfg, err)
	}
}

func sameLines(a, b string) bool {
	x, y := strings.Split(strings.TrimSpace(a), "\n"), strings.Split(strings.TrimSpace(b), "\n")
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
