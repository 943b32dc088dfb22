package backup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// damage changes a stored file of a backup in place.
func (e *env) damage(t *testing.T, entry storage.Entry, file string, change func([]byte) []byte) {
	t.Helper()
	p := filepath.Join(e.local.Root(), filepath.FromSlash(dirOf(entry)), file)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, change(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func flipByte(at func(n int) int) func([]byte) []byte {
	return func(b []byte) []byte { b[at(len(b))] ^= 0x01; return b }
}

func TestVerifyNamesTheDamagedFile(t *testing.T) {
	disk := src + "-disk-0.vmdk.zst"
	tests := []struct {
		name, file string
		change     func([]byte) []byte
		bad        string // the file the verdict names
		detail     string
	}{
		{"flipped byte in a disk", disk, flipByte(func(n int) int { return n / 2 }), src + "-disk-0.vmdk", "stored sha256"},
		{"truncated disk", disk, func(b []byte) []byte { return b[:len(b)-1] }, src + "-disk-0.vmdk", ""},
		{"flipped byte in the descriptor", src + ".ovf", flipByte(func(n int) int { return n / 3 }), src + ".ovf", "sha256"},
		{"manifest changed", archive.ManifestName, func(b []byte) []byte { return append(b, ' ') }, archive.ManifestName, "the catalog recorded"},
		{"config changed", archive.ConfigName, flipByte(func(n int) int { return 10 }), archive.ConfigName, "sha256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, esxisim.Options{})
			entry := e.backup(t, CreateRequest{})
			e.damage(t, entry, tt.file, tt.change)
			res, err := Verify(ctxT(t), e.d, entry.ID)
			if !errors.Is(err, ErrCorrupt) || res.OK {
				t.Fatalf("Verify = %+v, %v; want ErrCorrupt", res, err)
			}
			if !strings.Contains(res.File, tt.bad) && !strings.Contains(res.Detail, tt.bad) {
				t.Errorf("verdict names %q (%s), want %q", res.File, res.Detail, tt.bad)
			}
			if !strings.Contains(res.Detail, tt.detail) {
				t.Errorf("detail %q lacks %q", res.Detail, tt.detail)
			}
			got, _ := e.catalog.GetBackup(entry.ID)
			if got.VerifyOK || got.LastVerified.IsZero() || got.VerifyDetail != res.Detail || got.Good() {
				t.Errorf("catalog after a failed verification: %+v", got)
			}
		})
	}
}

func TestVerifyMissingFile(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{})
	if err := os.Remove(filepath.Join(e.local.Root(), dirOf(entry), src+".mf")); err != nil {
		t.Fatal(err)
	}
	res, err := Verify(ctxT(t), e.d, entry.ID)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(res.Detail, src+".mf is missing") {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
	if err := os.RemoveAll(filepath.Join(e.local.Root(), dirOf(entry))); err != nil {
		t.Fatal(err)
	}
	res, err = Verify(ctxT(t), e.d, entry.ID)
	if !errors.Is(err, ErrCorrupt) || res.File != archive.ManifestName {
		t.Fatalf("whole directory gone: %+v, %v", res, err)
	}
}

func TestVerifyUnreachableTargetRecordsNothing(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{})
	e.faulty.Fail("read", errors.New("connection reset"), 0, 0)
	_, err := Verify(ctxT(t), e.d, entry.ID)
	if err == nil || errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want a read error that is no verdict", err)
	}
	got, _ := e.catalog.GetBackup(entry.ID)
	if !got.LastVerified.IsZero() {
		t.Errorf("a failed read was recorded as a verification: %+v", got)
	}
}

func TestVerifyAll(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	a := e.backup(t, CreateRequest{})
	b := e.backup(t, CreateRequest{Uncompressed: true})
	c := e.backup(t, CreateRequest{})
	if err := e.catalog.SetStatus(c.ID, storage.StatusDeleting); err != nil {
		t.Fatal(err)
	}
	e.damage(t, a, src+"-disk-0.vmdk.zst", flipByte(func(n int) int { return n - 100 }))
	results, err := VerifyAll(ctxT(t), e.d, "")
	if !errors.Is(err, ErrPartial) || !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v", err)
	}
	if len(results) != 2 || results[0].ID != a.ID || results[0].OK || results[1].ID != b.ID || !results[1].OK {
		t.Fatalf("results = %+v", results)
	}
	results, err = VerifyAll(ctxT(t), e.d, "other-vm")
	if err != nil || len(results) != 0 {
		t.Fatalf("other VM: %+v, %v", results, err)
	}
}

func TestVerifyRefusals(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{})
	if _, err := Verify(ctxT(t), e.d, "nope"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown ID: %v", err)
	}
	if err := e.catalog.SetStatus(entry.ID, storage.StatusDeleting); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctxT(t), e.d, entry.ID); !errors.Is(err, ErrNotComplete) {
		t.Errorf("deleting: %v", err)
	}
	d := e.d
	d.Targets = target.NewSet(nil, "", nil)
	if err := e.catalog.SetStatus(entry.ID, storage.StatusComplete); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctxT(t), d, entry.ID); !errors.Is(err, target.ErrUnknownTarget) {
		t.Errorf("target gone from the configuration: %v", err)
	}
	d.LockDir = ""
	if _, err := Verify(ctxT(t), d, entry.ID); !errors.Is(err, ErrMissingDependency) {
		t.Errorf("no lock dir: %v", err)
	}
	if _, err := VerifyAll(ctxT(t), d, ""); !errors.Is(err, ErrMissingDependency) {
		t.Errorf("VerifyAll without lock dir: %v", err)
	}
}

func TestCreateWithVerify(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{Verify: true})
	got, _ := e.catalog.GetBackup(entry.ID)
	if !got.Verified() || !entry.Verified() {
		t.Fatalf("not recorded as verified: %+v", got)
	}
}
