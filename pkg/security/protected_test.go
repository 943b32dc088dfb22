package security

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestProtectedValidate(t *testing.T) {
	tests := []struct {
		name string
		p    Protected
		want string // "" for valid
	}{
		{"empty", Protected{}, ""},
		{"names and globs", Protected{VMs: []string{"prod-*", "db01"}, Datastores: []string{"backup-ds"}}, ""},
		{"empty vm", Protected{VMs: []string{" "}}, "vms[0]: empty name"},
		{"bad glob", Protected{VMs: []string{"ok", "web["}}, "vms[1]"},
		{"comma", Protected{Datastores: []string{"a,b"}}, "datastores[0]"},
		{"empty datastore", Protected{Datastores: []string{""}}, "datastores[0]: empty name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error with %q, got %v", tt.want, err)
			}
		})
	}
	if _, err := New(Config{Mode: "standard", Protected: Protected{VMs: []string{"["}}}); err == nil {
		t.Error("New accepted an invalid protected glob")
	}
}

// TestProtectedObjectsNeedANamingToken: in every mode, a change to a
// protected VM or datastore is refused unless a promotion token names the
// operation and the object; reads and dry runs pass.
func TestProtectedObjectsNeedANamingToken(t *testing.T) {
	r := newRig(t)
	prot := Protected{VMs: []string{"prod-*"}, Datastores: []string{"vault"}}
	sb := func(mode string) *Sandbox {
		s, err := New(Config{Mode: mode, Verifier: r.ver, Now: r.clk.Now, Protected: prot})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	del := func(name string) Operation {
		return Operation{Name: "vm.delete", Class: ClassDestructive, Target: name, Confirmed: true, Changes: Changes{VMs: []string{name}}}
	}
	for _, mode := range []string{"restricted", "standard", "unrestricted"} {
		s := sb(mode)
		if _, err := s.CheckOperation(del("prod-db")); !errors.Is(err, ErrProtected) {
			t.Errorf("%s: delete of a protected VM: %v, want ErrProtected", mode, err)
		}
		dry := del("prod-db")
		dry.DryRun = true
		if _, err := s.CheckOperation(dry); err != nil {
			t.Errorf("%s: a dry run of a protected VM's delete was refused: %v", mode, err)
		}
		read := Operation{Name: "vm.info", Class: ClassRead, Target: "prod-db", Changes: Changes{VMs: []string{"prod-db"}}}
		if _, err := s.CheckOperation(read); err != nil {
			t.Errorf("%s: a read was refused: %v", mode, err)
		}
	}
	s := sb("unrestricted")
	if _, err := s.CheckOperation(del("web01")); err != nil {
		t.Errorf("an unprotected VM was refused: %v", err)
	}
	create := Operation{Name: "vm.create", Class: ClassWrite, Target: "web02", Changes: Changes{VMs: []string{"web02"}, Datastores: []string{"vault"}}}
	if _, err := s.CheckOperation(create); !errors.Is(err, ErrProtected) || !strings.Contains(err.Error(), `"vault"`) {
		t.Errorf("a create on a protected datastore: %v", err)
	}
	unknown := Operation{Name: "vm.clone", Class: ClassWrite, Target: "web03", Changes: Changes{VMs: []string{"web03"}, DatastoreUnknown: true}}
	if _, err := s.CheckOperation(unknown); !errors.Is(err, ErrProtectedUnnamed) || !strings.Contains(err.Error(), "name the datastore") {
		t.Errorf("a clone to an unknown datastore: %v", err)
	}
	batch := Operation{Name: "vm.power", Class: ClassWrite, Target: "all:", Changes: Changes{VMPatterns: []string{"*"}}}
	if _, err := s.CheckOperation(batch); !errors.Is(err, ErrProtectedUnnamed) || !strings.Contains(err.Error(), "name the VMs") {
		t.Errorf("a batch over every VM: %v", err)
	}
	// With nothing protected, the same batch and clone run.
	open, _ := New(Config{Mode: "unrestricted"})
	for _, op := range []Operation{batch, unknown} {
		if _, err := open.CheckOperation(op); err != nil {
			t.Errorf("%s with nothing protected: %v", op.Name, err)
		}
	}
}

func TestProtectedTokenMustNameTheObject(t *testing.T) {
	r := newRig(t)
	s, err := New(Config{Mode: "restricted", Verifier: r.ver, Now: r.clk.Now, Protected: Protected{VMs: []string{"prod-*"}}})
	if err != nil {
		t.Fatal(err)
	}
	op := Operation{Name: "vm.delete", Class: ClassDestructive, Target: "prod-db", Changes: Changes{VMs: []string{"prod-db"}}}
	anyTarget, _ := r.promote(t, Grant{Ops: []string{"vm.delete"}, Duration: time.Hour})
	otherOp, _ := r.promote(t, Grant{Ops: []string{"vm.power"}, Targets: []string{"prod-db"}, Duration: time.Hour})
	for name, tok := range map[string]string{"any target": anyTarget, "another op": otherOp, "garbage": "nonsense"} {
		op.PromotionToken = tok
		if _, err := s.CheckOperation(op); !errors.Is(err, ErrProtected) {
			t.Errorf("%s token: %v, want ErrProtected", name, err)
		}
	}
	named, p := r.promote(t, Grant{Ops: []string{"vm.delete"}, Targets: []string{"prod-db"}, Duration: time.Hour, MaxUses: 1})
	op.PromotionToken = named
	d, err := s.CheckOperation(op)
	if err != nil {
		t.Fatalf("a token naming the VM was refused: %v", err)
	}
	if d.Via != ViaPromotion || d.TokenID != p.ID {
		t.Errorf("decision %+v, want via promotion %s", d, p.ID)
	}
	if _, err := s.CheckOperation(op); !errors.Is(err, ErrTokenUsedUp) {
		t.Errorf("second use of a one-use token: %v", err)
	}
	// An unclassified op stays refused below unrestricted even with a token.
	tok, _ := r.promote(t, Grant{Ops: []string{"x.y"}, Targets: []string{"prod-db"}, Duration: time.Hour})
	odd := Operation{Name: "x.y", Target: "prod-db", PromotionToken: tok, Changes: Changes{VMs: []string{"prod-db"}}}
	if _, err := s.CheckOperation(odd); !errors.Is(err, ErrUnclassified) {
		t.Errorf("unclassified op with a naming token: %v", err)
	}
}
