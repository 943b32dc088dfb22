package backup

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/retention"
	"github.com/ceso/ceso/pkg/backup/vmlock"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

func TestDelete(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	a := e.backup(t, CreateRequest{})
	b := e.backup(t, CreateRequest{})
	if err := Delete(ctxT(t), e.d, a.ID, DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.catalog.GetBackup(a.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("entry left: %v", err)
	}
	for _, f := range e.tree(t) {
		if strings.Contains(f, a.ID) {
			t.Errorf("file left: %s", f)
		}
	}
	err := Delete(ctxT(t), e.d, b.ID, DeleteOptions{})
	if !errors.Is(err, ErrLastGood) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("deleting the last good backup: %v", err)
	}
	if err := Delete(ctxT(t), e.d, b.ID, DeleteOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if files := e.tree(t); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}
	if err := Delete(ctxT(t), e.d, b.ID, DeleteOptions{}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
}

func TestDeleteKeepsTheEntryWhenFilesCannotBeRemoved(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	a := e.backup(t, CreateRequest{})
	e.backup(t, CreateRequest{})
	e.faulty.Fail("removeall", errors.New("share unmounted"), 0, 1)
	if err := Delete(ctxT(t), e.d, a.ID, DeleteOptions{}); err == nil || !strings.Contains(err.Error(), "retries") {
		t.Fatalf("err = %v", err)
	}
	got, err := e.catalog.GetBackup(a.ID)
	if err != nil || got.Status != storage.StatusDeleting {
		t.Fatalf("entry = %+v, %v; want it marked deleting", got, err)
	}
	rep, err := Housekeep(ctxT(t), e.d)
	if err != nil || !slices.Equal(rep.Deleted, []string{a.ID}) {
		t.Fatalf("Housekeep = %+v, %v", rep, err)
	}
	if _, err := e.catalog.GetBackup(a.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("entry left: %v", err)
	}
}

func TestResumeDeletionsSkipsLockedVM(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	a := e.backup(t, CreateRequest{})
	if err := e.catalog.SetStatus(a.ID, storage.StatusDeleting); err != nil {
		t.Fatal(err)
	}
	l, err := vmlock.TryAcquire(e.d.LockDir, archive.SafeName(src), vmlock.Exclusive, "backup")
	if err != nil {
		t.Fatal(err)
	}
	done, err := ResumeDeletions(ctxT(t), e.d)
	if err != nil || len(done) != 0 {
		t.Fatalf("while locked: %v, %v", done, err)
	}
	_ = l.Release()
	done, err = ResumeDeletions(ctxT(t), e.d)
	if err != nil || !slices.Equal(done, []string{a.ID}) {
		t.Fatalf("after: %v, %v", done, err)
	}
}

func TestPrune(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	clk := &clock{t: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)}
	e.d.Now = clk.now
	var ids []string
	for range 4 {
		ids = append(ids, e.backup(t, CreateRequest{}).ID)
		clk.t = clk.t.Add(24 * time.Hour)
	}
	policy := retention.Policy{KeepLast: 2}
	ds, err := Prune(ctxT(t), e.d, policy, src, true)
	if err != nil || len(ds) != 4 || len(e.mustList(t)) != 4 {
		t.Fatalf("dry run: %d decisions, %v, %d entries", len(ds), err, len(e.mustList(t)))
	}
	ds, err = Prune(ctxT(t), e.d, policy, "", false)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, dc := range ds {
		if dc.Keep {
			kept = append(kept, dc.ID)
		}
	}
	if !slices.Equal(kept, []string{ids[3], ids[2]}) {
		t.Errorf("kept %v", kept)
	}
	left := e.mustList(t)
	if len(left) != 2 {
		t.Fatalf("%d entries left", len(left))
	}
	for _, f := range e.tree(t) {
		if strings.Contains(f, ids[0]) || strings.Contains(f, ids[1]) {
			t.Errorf("file of a pruned backup left: %s", f)
		}
	}
	if _, err := Prune(ctxT(t), e.d, retention.Policy{}, src, false); !errors.Is(err, retention.ErrEmptyPolicy) {
		t.Errorf("empty policy: %v", err)
	}
}

// TestPruneNeverRemovesTheNewestVerified verifies the oldest backup and
// damages the newer ones: the verified one survives any policy.
func TestPruneNeverRemovesTheNewestVerified(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	clk := &clock{t: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)}
	e.d.Now = clk.now
	a := e.backup(t, CreateRequest{Verify: true})
	clk.t = clk.t.Add(time.Hour)
	b := e.backup(t, CreateRequest{})
	clk.t = clk.t.Add(time.Hour)
	c := e.backup(t, CreateRequest{})
	if _, err := Prune(ctxT(t), e.d, retention.Policy{KeepLast: 1}, src, false); err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, x := range e.mustList(t) {
		left = append(left, x.ID)
	}
	if !slices.Equal(left, []string{c.ID, a.ID}) {
		t.Errorf("left %v, want the newest (%s) and the verified (%s); %s goes", left, c.ID, a.ID, b.ID)
	}
}

func TestPruneRefusesToLeaveNoGoodBackup(t *testing.T) {
	good := storage.Entry{ID: "a", VMName: "web", Timestamp: time.Unix(100, 0), Status: storage.StatusComplete}
	ds := []retention.Decision{{Item: retention.Item{ID: "a", VMName: "web"}, Keep: false}}
	if err := checkDecisions(ds, []storage.Entry{good}); !errors.Is(err, ErrLastGood) {
		t.Errorf("no good left: %v", err)
	}
	good.LastVerified, good.VerifyOK = time.Unix(200, 0), true
	other := storage.Entry{ID: "b", VMName: "web", Timestamp: time.Unix(50, 0), Status: storage.StatusComplete}
	ds = append(ds, retention.Decision{Item: retention.Item{ID: "b", VMName: "web"}, Keep: true})
	if err := checkDecisions(ds, []storage.Entry{good, other}); !errors.Is(err, ErrLastGood) || !strings.Contains(err.Error(), "newest verified") {
		t.Errorf("newest verified removed: %v", err)
	}
}

func TestCleanTemp(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{})
	root := e.local.Root()
	for _, p := range []string{"web/20260101T000000Z-0badf00d.partial/web-disk-0.vmdk.zst.partial", "db/x.partial", "top.partial"} {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l, err := vmlock.TryAcquire(e.d.LockDir, "db", vmlock.Exclusive, "backup of db")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := CleanTemp(ctxT(t), e.d, e.faulty)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Removed) != 2 || len(rep.InUse) != 1 || !strings.HasSuffix(rep.InUse[0], "db/x.partial") {
		t.Errorf("report = %+v", rep)
	}
	_ = l.Release()
	rep, err = CleanTemp(ctxT(t), e.d, e.faulty)
	if err != nil || len(rep.Removed) != 1 {
		t.Errorf("second run: %+v, %v", rep, err)
	}
	for _, f := range e.tree(t) {
		if archive.IsTemp(filepath.Base(f)) || !strings.Contains(f, entry.ID) {
			t.Errorf("left %s", f)
		}
	}
}

func (e *env) mustList(t *testing.T) []storage.Entry {
	t.Helper()
	list, err := e.catalog.ListBackups("")
	if err != nil {
		t.Fatal(err)
	}
	return list
}
