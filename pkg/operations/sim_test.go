package operations

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/ops"
)

// fixture is a simulated host, an App on it, and a catalog with one backup.
type fixture struct {
	sim    *esxisim.Simulator
	a      *app.App
	cfg    *config.Config
	backup string // ID of the backup in the catalog
}

const (
	vmOff = "off01" // powered off, backed up
	vmOn  = "on01"  // powered on
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sim := simtest.Start(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	home := t.TempDir()
	cfg, err := config.Load("", config.MapEnv(simtest.Env(sim, home)))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Defaults.Template = esxisim.TemplateName
	a, err := app.New(app.Options{Config: cfg, Env: config.MapEnv(map[string]string{"HOME": home})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close(context.Background()) })
	f := &fixture{sim: sim, a: a, cfg: cfg}
	ctx := simtest.Ctx(t, 3*time.Minute)
	unrestricted := app.Call{Mode: ops.ModeUnrestricted}
	for _, name := range []string{vmOff, vmOn} {
		if _, err := Run(ctx, a, unrestricted, VMCreate, VMCreateParams{Name: name}); err != nil {
			t.Fatalf("creating %s: %v", name, err)
		}
	}
	if _, err := Run(ctx, a, unrestricted, VMPower, VMPowerParams{Action: "on", Names: []string{vmOn}}); err != nil {
		t.Fatal(err)
	}
	out, err := Run(ctx, a, unrestricted, BackupCreate, BackupCreateParams{VM: vmOff})
	if err != nil {
		t.Fatal(err)
	}
	f.backup = out.Result[0].ID
	return f
}

// params are sample params of every operation, against the fixture.
func (f *fixture) params() map[string]string {
	return map[string]string{
		"vm.list":          `{}`,
		"vm.info":          `{"name":"` + vmOn + `"}`,
		"vm.create":        `{"name":"new01","cloud_init":{"hostname":"new01"}}`,
		"vm.clone":         `{"source":"` + vmOff + `","name":"copy01"}`,
		"vm.delete":        `{"name":"` + vmOff + `"}`,
		"vm.power":         `{"action":"off","names":["` + vmOn + `"]}`,
		"backup.create":    `{"vm":"` + vmOff + `"}`,
		"backup.list":      `{}`,
		"backup.verify":    `{"id":"` + f.backup + `"}`,
		"backup.restore":   `{"id":"` + f.backup + `","as_new":"restored01"}`,
		"backup.delete":    `{"id":"` + f.backup + `","force":true}`,
		"backup.prune":     `{"keep_last":1}`,
		"backup.clean":     `{}`,
		"cloudinit.render": `{"name":"web01"}`,
		"config.validate":  `{"secrets":true}`,
	}
}

// state is everything an operation could change: the host's inventory,
// the datastore's files, the catalog and the local target.
func (f *fixture) state(t *testing.T) string {
	t.Helper()
	ctx := simtest.Ctx(t, time.Minute)
	out, err := Run(ctx, f.a, app.Call{Mode: ops.ModeUnrestricted}, VMList, VMListParams{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, v := range out.Result {
		b.WriteString(v.Name + " " + v.PowerState + "\n")
	}
	for _, dir := range []string{f.sim.DatastoreDir(), f.cfg.StateDir} {
		b.WriteString(treeDigest(t, dir))
	}
	return b.String()
}

// treeDigest lists every file under dir with its size and SHA-256, the
// audit log and the session cache excepted (they record, they are not
// state an operation acts on).
func treeDigest(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if rel == "sessions" {
				return filepath.SkipDir
			}
			lines = append(lines, rel+"/")
			return nil
		}
		if strings.HasPrefix(rel, "audit.log") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		lines = append(lines, rel+" "+hex.EncodeToString(sum[:]))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// plantLeftovers leaves what an interrupted run leaves: a temporary file
// on the local target. A plan or a read that cleaned it would show.
func (f *fixture) plantLeftovers(t *testing.T) {
	t.Helper()
	dir := filepath.Join(f.cfg.StateDir, "backups", vmOff, "20260101T000000Z-deadbeef.partial")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "disk0.vmdk.zst"), []byte("half a disk"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDryRunAndReadOnlyChangeNothing walks the whole catalog: every
// operation with a dry run leaves the host, the datastore, the catalog and
// the local target byte-identical; in read-only mode every operation either
// is refused or leaves them identical.
func TestDryRunAndReadOnlyChangeNothing(t *testing.T) {
	f := newFixture(t)
	f.plantLeftovers(t)
	params := f.params()
	before := f.state(t)
	for _, d := range Catalog() {
		p, ok := params[d.Name()]
		if !ok {
			t.Errorf("%s has no sample params in this test", d.Name())
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			ctx := simtest.Ctx(t, 2*time.Minute)
			out, err := d.Invoke(ctx, f.a, app.Call{DryRun: true, Mode: ops.ModeUnrestricted}, json.RawMessage(p))
			if err != nil {
				t.Fatalf("dry run: %v", err)
			}
			if !out.DryRun || len(out.Plan) == 0 {
				t.Fatalf("dry run gave no plan: %+v", out)
			}
			if after := f.state(t); after != before {
				t.Fatalf("the dry run changed the state:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			_, err = d.Invoke(ctx, f.a, app.Call{Mode: ops.ModeReadOnly}, json.RawMessage(p))
			if d.Class() != ops.ClassRead {
				if !errors.Is(err, ops.ErrDenied) {
					t.Fatalf("%s (%s) in read-only mode: %v, want refused", d.Name(), d.Class(), err)
				}
			} else if err != nil {
				t.Fatalf("a read in read-only mode failed: %v", err)
			}
			if after := f.state(t); after != before {
				t.Fatalf("read-only mode changed the state:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}
