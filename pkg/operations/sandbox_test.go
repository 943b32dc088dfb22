package operations

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/ceso/ceso/pkg/security"
)

// modeApp is an App whose configuration sets security.mode.
func modeApp(t *testing.T, mode string) *app.App {
	t.Helper()
	home := t.TempDir()
	path := filepath.Join(home, "config.yaml")
	if err := os.WriteFile(path, []byte("security:\n  mode: "+mode+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := config.MapEnv(map[string]string{"HOME": home})
	cfg, err := config.Load(path, env)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Options{Config: cfg, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestSandboxWalksTheCatalog runs every operation of the catalog, in every
// class it can take, and one without a class, through the App's runner in
// every mode, confirmed or not: reads run everywhere; restricted mode
// refuses writes and destructive operations with their plan ID; standard
// mode runs writes and only confirmed destructive operations; unrestricted
// runs everything; an operation without a class runs only in unrestricted
// mode. The operations' Run is a probe: this test is about the decision,
// the CLI tests watch the host.
func TestSandboxWalksTheCatalog(t *testing.T) {
	type entry struct {
		name  string
		class ops.Class
	}
	entries := []entry{{"vm.teleport", ops.ClassUnknown}}
	for _, d := range Catalog() {
		for _, c := range d.Classes() {
			entries = append(entries, entry{d.Name(), c})
		}
	}
	for _, mode := range []string{"restricted", "standard", "unrestricted"} {
		a := modeApp(t, mode)
		for _, e := range entries {
			for _, confirmed := range []bool{false, true} {
				r, err := a.Runner(app.Call{Confirmed: confirmed})
				if err != nil {
					t.Fatal(err)
				}
				ran := false
				op := &ops.Op{Name: e.name, Class: e.class, Target: "web01", Params: json.RawMessage(`{}`),
					Plan: func(context.Context) ([]ops.Step, error) { return []ops.Step{{Via: "api", Action: "probe"}}, nil },
					Run:  func(context.Context) (any, error) { ran = true; return nil, nil }}
				res, err := r.Do(context.Background(), op)
				var want error
				switch {
				case mode == "unrestricted", e.class == ops.ClassRead:
				case e.class == ops.ClassUnknown:
					want = security.ErrUnclassified
				case mode == "restricted":
					want = security.ErrPlanOnly
				case e.class == ops.ClassDestructive && !confirmed:
					want = security.ErrNeedsConfirmation
				}
				if ran != (want == nil) || !errors.Is(err, want) || (want != nil && !errors.Is(err, ops.ErrDenied)) {
					t.Errorf("%s (%s) in %s mode, confirmed %v: ran %v, %v; want %v", e.name, e.class, mode, confirmed, ran, err, want)
				}
				if (want != nil && want != security.ErrUnclassified) != (res.PlanID != "") {
					t.Errorf("%s (%s) in %s mode: plan ID %q with refusal %v", e.name, e.class, mode, res.PlanID, err)
				}
			}
		}
	}
}
