package backup

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/retention"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

func actions(steps []ops.Step) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(s.String() + "\n")
	}
	return b.String()
}

func TestPlans(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{})
	before := e.mustList(t)

	steps, err := PlanCreate(ctxT(t), e.d, CreateRequest{VM: src})
	if err != nil {
		t.Fatal(err)
	}
	plan := actions(steps)
	for _, want := range []string{"[api] ExportVm " + src, "zstd level 3", "[api] HttpNfcLeaseGetManifest", "[local] catalog: add backup ", "[local] rename "} {
		if !strings.Contains(plan, want) {
			t.Errorf("create plan lacks %q:\n%s", want, plan)
		}
	}
	if strings.Contains(plan, "PowerOn") {
		t.Errorf("a powered-off VM is not powered on:\n%s", plan)
	}

	e.power(t, src, vm.PoweredOn, true)
	steps, err = PlanCreate(ctxT(t), e.d, CreateRequest{VM: src, Readers: 3})
	plan = actions(steps)
	for _, want := range []string{"[api] CreateSnapshot_Task " + src + `  # "ceso-backup-`, "quiesced by VMware Tools",
		"[api] GET [datastore1] " + src + "/" + src + "-flat.vmdk  # 6.0 MiB with Range requests, 3 in flight",
		"[api] GET [datastore1] " + src + "/" + src + ".nvram", "[api] RemoveSnapshot_Task " + src, "[local] catalog: add backup "} {
		if err != nil || !strings.Contains(plan, want) {
			t.Errorf("hot backup plan lacks %q: %v\n%s", want, err, plan)
		}
	}
	if strings.Contains(plan, "ExportVm") || strings.Contains(plan, "PowerOff") {
		t.Errorf("a hot backup neither exports nor powers off:\n%s", plan)
	}
	steps, _ = PlanCreate(ctxT(t), e.d, CreateRequest{VM: src, PowerOff: true, Uncompressed: true})
	if plan := actions(steps); !strings.Contains(plan, "ShutdownGuest") || !strings.Contains(plan, "PowerOnVM_Task") || !strings.Contains(plan, "stored as read") ||
		strings.Contains(plan, "Snapshot") {
		t.Errorf("cold backup plan:\n%s", plan)
	}

	steps, err = PlanVerify(ctxT(t), e.d, entry.ID)
	if err != nil || !strings.Contains(actions(steps), entry.Checksum) {
		t.Errorf("verify plan: %v\n%s", err, actions(steps))
	}
	steps, err = PlanRestore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, Replace: true, Force: true, PowerOn: true})
	plan = actions(steps)
	for _, want := range []string{"Rename_Task " + src, "ImportVApp " + src, "PUT ", "ReconfigVM_Task " + src, "Destroy_Task " + src + ".replaced-", "PowerOnVM_Task " + src} {
		if err != nil || !strings.Contains(plan, want) {
			t.Errorf("restore plan lacks %q: %v\n%s", want, err, plan)
		}
	}
	// The plan reads the host as the run would: a port group the host does
	// not have fails the plan already.
	if _, err := PlanRestore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "x", NetworkMap: map[string]string{"VM Network": "LAN"}}); err == nil || !strings.Contains(err.Error(), "LAN") {
		t.Errorf("restore plan to a missing port group: %v", err)
	}
	steps, err = PlanDelete(ctxT(t), e.d, entry.ID, DeleteOptions{Force: true})
	if err != nil || !strings.Contains(actions(steps), filepath.Join(e.local.Root(), src, entry.ID)) {
		t.Errorf("delete plan: %v\n%s", err, actions(steps))
	}
	e.d.Now = func() time.Time { return time.Now().Add(time.Hour) }
	e.power(t, src, vm.PoweredOff, false)
	e.backup(t, CreateRequest{})
	steps, err = PlanPrune(ctxT(t), e.d, retention.Policy{KeepLast: 1}, src)
	plan = actions(steps)
	if err != nil || !strings.Contains(plan, "keep ") || !strings.Contains(plan, "remove "+entry.ID) {
		t.Errorf("prune plan: %v\n%s", err, plan)
	}
	if after := e.mustList(t); len(after) != len(before)+1 {
		t.Errorf("plans changed the catalog: %d entries", len(after))
	}
}

func TestPlanErrors(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	if _, err := PlanCreate(ctxT(t), e.d, CreateRequest{}); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("create: %v", err)
	}
	if _, err := PlanCreate(ctxT(t), e.d, CreateRequest{VM: "nope"}); !errors.Is(err, vm.ErrNotFound) {
		t.Errorf("create of a missing VM: %v", err)
	}
	for name, fn := range map[string]func() error{
		"verify":  func() error { _, err := PlanVerify(ctxT(t), e.d, "nope"); return err },
		"restore": func() error { _, err := PlanRestore(ctxT(t), e.d, RestoreRequest{ID: "nope", AsNew: "x"}); return err },
		"delete":  func() error { _, err := PlanDelete(ctxT(t), e.d, "nope", DeleteOptions{}); return err },
	} {
		if err := fn(); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := PlanRestore(ctxT(t), e.d, RestoreRequest{ID: "x"}); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("restore without a name: %v", err)
	}
	if _, err := PlanPrune(ctxT(t), e.d, retention.Policy{}, ""); !errors.Is(err, retention.ErrEmptyPolicy) {
		t.Errorf("prune: %v", err)
	}
}

func TestFileCatalog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	fc := FileCatalog{Path: path, Wait: time.Second}
	e := storage.Entry{ID: "20260101T000000Z-00000001", VMName: "web", Timestamp: time.Now(), Size: 1, Target: "local",
		Location: "web/x", Checksum: strings.Repeat("a", 64), Status: storage.StatusComplete}
	if err := fc.AddBackup(e); err != nil {
		t.Fatal(err)
	}
	// Between calls the catalog is free for another process.
	other, err := storage.InitCatalog(path, storage.WithLockTimeout(0))
	if err != nil {
		t.Fatalf("the catalog stays locked between calls: %v", err)
	}
	_ = other.Close()
	if err := fc.SetStatus(e.ID, storage.StatusComplete); err != nil {
		t.Fatal(err)
	}
	if err := fc.UpdateVerification(e.ID, true, time.Now(), "ok"); err != nil {
		t.Fatal(err)
	}
	got, err := fc.GetBackup(e.ID)
	if err != nil || !got.Verified() {
		t.Fatalf("%+v, %v", got, err)
	}
	list, err := fc.ListBackups("web")
	if err != nil || len(list) != 1 {
		t.Fatalf("%v, %v", list, err)
	}
	ds, err := fc.ApplyRetention(retention.Policy{KeepLast: 1}, "")
	if err != nil || len(ds) != 1 || !ds[0].Keep {
		t.Fatalf("%+v, %v", ds, err)
	}
	if err := fc.DeleteBackup(e.ID); err != nil {
		t.Fatal(err)
	}
	held, err := storage.InitCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if _, err := (FileCatalog{Path: path, Wait: 10 * time.Millisecond}).ListBackups(""); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("while another holds it: %v", err)
	}
}
