package security_test

import (
	"errors"
	"testing"

	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/security"
)

// TestCatalogWalk runs every operation of the catalog, in each class it can
// take, and one without a class, through every mode: reads run everywhere; writes and
// destructive operations are refused in restricted mode unless planned;
// destructive ones need confirmation in standard mode; an operation
// without a class runs only in unrestricted mode.
func TestCatalogWalk(t *testing.T) {
	type entry struct {
		name  string
		class security.Class
	}
	entries := []entry{{"not.registered", ""}}
	for _, d := range operations.Catalog() {
		for _, c := range d.Classes() {
			entries = append(entries, entry{d.Name(), security.Class(c.String())})
		}
	}
	if len(entries) < 10 {
		t.Fatalf("the catalog lists only %d operations", len(entries))
	}
	seen := map[security.Class]int{}
	for _, mode := range []string{"restricted", "standard", "unrestricted"} {
		s, err := security.New(security.Config{Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		for _, en := range entries {
			name, class := en.name, en.class
			seen[class]++
			op := security.Operation{Name: name, Class: class, Target: "web01"}
			_, err := s.CheckOperation(op)
			var want error
			switch {
			case mode == "unrestricted":
			case class == "":
				want = security.ErrUnclassified
			case class == security.ClassRead:
			case mode == "restricted":
				want = security.ErrPlanOnly
			case class == security.ClassDestructive:
				want = security.ErrNeedsConfirmation
			}
			if !errors.Is(err, want) || (want == nil) != (err == nil) {
				t.Errorf("%s in %s mode (class %q): got %v, want %v", name, mode, class, err, want)
			}
			// A plan of anything classified may always be made.
			op.DryRun = true
			if _, err := s.CheckOperation(op); class != "" && err != nil {
				t.Errorf("dry run of %s in %s mode: %v", name, mode, err)
			}
		}
	}
	for _, c := range []security.Class{security.ClassRead, security.ClassWrite, security.ClassDestructive, ""} {
		if seen[c] == 0 {
			t.Errorf("no operation of class %q walked", c)
		}
	}
}
