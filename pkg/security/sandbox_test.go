package security

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestCheckOperationByModeAndClass(t *testing.T) {
	type want struct {
		err error
		via string
	}
	ok := func(via string) want { return want{via: via} }
	no := func(err error) want { return want{err: err} }
	// For each class: plain, --dry-run, confirmed.
	tests := []struct {
		mode                     Mode
		class                    Class
		plain, dryRun, confirmed want
	}{
		{Restricted, ClassRead, ok(ViaMode), ok(ViaMode), ok(ViaMode)},
		{Restricted, ClassWrite, no(ErrPlanOnly), ok(ViaDryRun), no(ErrPlanOnly)},
		{Restricted, ClassDestructive, no(ErrPlanOnly), ok(ViaDryRun), no(ErrPlanOnly)},
		{Restricted, "", no(ErrUnclassified), no(ErrUnclassified), no(ErrUnclassified)},
		{Restricted, "unknown", no(ErrUnclassified), no(ErrUnclassified), no(ErrUnclassified)},
		{Standard, ClassRead, ok(ViaMode), ok(ViaMode), ok(ViaMode)},
		{Standard, ClassWrite, ok(ViaMode), ok(ViaDryRun), ok(ViaMode)},
		{Standard, ClassDestructive, no(ErrNeedsConfirmation), ok(ViaDryRun), ok(ViaConfirmation)},
		{Standard, "", no(ErrUnclassified), no(ErrUnclassified), no(ErrUnclassified)},
		{Unrestricted, ClassRead, ok(ViaMode), ok(ViaMode), ok(ViaMode)},
		{Unrestricted, ClassWrite, ok(ViaMode), ok(ViaMode), ok(ViaMode)},
		{Unrestricted, ClassDestructive, ok(ViaMode), ok(ViaMode), ok(ViaMode)},
		{Unrestricted, "", ok(ViaMode), ok(ViaMode), ok(ViaMode)},
	}
	for _, tt := range tests {
		s, err := New(Config{Mode: string(tt.mode)})
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range []want{tt.plain, tt.dryRun, tt.confirmed} {
			op := Operation{Name: "x.op", Class: tt.class, Target: "web01", DryRun: i == 1, Confirmed: i == 2}
			t.Run(fmt.Sprintf("%s/%s/%d", tt.mode, tt.class, i), func(t *testing.T) {
				d, err := s.CheckOperation(op)
				if w.err != nil {
					if !errors.Is(err, w.err) {
						t.Fatalf("got %v, want %v", err, w.err)
					}
					return
				}
				if err != nil || d.Via != w.via || d.Mode != tt.mode {
					t.Fatalf("got %+v, %v; want via %s", d, err, w.via)
				}
			})
		}
	}
}

func TestCheckOperationRefusals(t *testing.T) {
	s, _ := New(Config{Mode: "standard"})
	if _, err := s.CheckOperation(Operation{Class: ClassRead}); !errors.Is(err, ErrInvalidOperation) {
		t.Fatalf("no name: %v", err)
	}
	if _, err := New(Config{Mode: "yolo"}); !errors.Is(err, ErrUnknownMode) {
		t.Fatalf("bad mode: %v", err)
	}
	if _, err := New(Config{Mode: "standard", AllowedOps: []string{"vm.list", ""}}); err == nil {
		t.Fatal("an empty allowed_ops entry must be refused")
	}
	if s.Mode() != Standard {
		t.Fatal(s.Mode())
	}
}

func TestAllowedOpsNarrows(t *testing.T) {
	tests := []struct {
		mode    string
		allowed []string
		op      Operation
		want    error
	}{
		{"standard", []string{"vm.list", "vm.create"}, Operation{Name: "vm.create", Class: ClassWrite}, nil},
		{"standard", []string{"vm.list"}, Operation{Name: "vm.create", Class: ClassWrite}, ErrNotAllowed},
		{"standard", []string{"vm.list"}, Operation{Name: "vm.info", Class: ClassRead}, ErrNotAllowed},
		{"standard", []string{"vm.list"}, Operation{Name: "vm.create", Class: ClassWrite, DryRun: true}, ErrNotAllowed},
		{"restricted", []string{"vm.list"}, Operation{Name: "vm.info", Class: ClassRead}, ErrNotAllowed},
		{"standard", []string{}, Operation{Name: "vm.list", Class: ClassRead}, ErrNotAllowed},
		{"standard", nil, Operation{Name: "vm.list", Class: ClassRead}, nil},
		{"unrestricted", []string{"vm.list"}, Operation{Name: "vm.delete", Class: ClassDestructive}, nil},
	}
	for i, tt := range tests {
		s, err := New(Config{Mode: tt.mode, AllowedOps: tt.allowed})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckOperation(tt.op); !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("case %d: got %v, want %v", i, err, tt.want)
		}
	}
}

func TestIntersectOps(t *testing.T) {
	tests := []struct {
		a, b []string
		want []string
	}{
		{nil, nil, nil},
		{nil, []string{"a"}, []string{"a"}},
		{[]string{"a"}, nil, []string{"a"}},
		{[]string{"a", "b", "a"}, []string{"b", "a"}, []string{"a", "b"}},
		{[]string{"a"}, []string{"b"}, []string{}},
	}
	for _, tt := range tests {
		got := IntersectOps(tt.a, tt.b)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("IntersectOps(%v, %v) = %#v, want %#v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestTokensLiftRefusalsOnly(t *testing.T) {
	r := newRig(t)
	s, err := New(Config{Mode: "restricted", Verifier: r.ver, Now: r.clk.Now, AllowedOps: []string{"vm.list", "vm.create"}})
	if err != nil {
		t.Fatal(err)
	}
	tok, p := r.promote(t, Grant{Ops: []string{"vm.delete"}, Targets: []string{"web01"}, Duration: 30 * time.Minute, MaxUses: 2})
	del := Operation{Name: "vm.delete", Class: ClassDestructive, Target: "web01", PromotionToken: tok}

	// A read allowed anyway does not look at the token, nor spend it.
	if d, err := s.CheckOperation(Operation{Name: "vm.list", Class: ClassRead, PromotionToken: tok}); err != nil || d.Via != ViaMode {
		t.Fatalf("%+v %v", d, err)
	}
	// The token lifts both restricted mode and allowed_ops for its scope.
	d, err := s.CheckOperation(del)
	if err != nil || d.Via != ViaPromotion || d.TokenID != p.ID {
		t.Fatalf("%+v %v", d, err)
	}
	// Out of scope: the refusal and the token's error both show.
	other := del
	other.Target = "db01"
	_, err = s.CheckOperation(other)
	if !errors.Is(err, ErrPlanOnly) && !errors.Is(err, ErrNotAllowed) || !errors.Is(err, ErrTokenTargetScope) {
		t.Fatalf("got %v", err)
	}
	if _, err := s.CheckOperation(del); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckOperation(del); !errors.Is(err, ErrTokenUsedUp) {
		t.Fatalf("third use: %v", err)
	}
	// An unclassified operation stays refused whatever the token says.
	un, _ := r.promote(t, Grant{Ops: []string{"x.new"}, Duration: time.Minute})
	if _, err := s.CheckOperation(Operation{Name: "x.new", PromotionToken: un}); !errors.Is(err, ErrUnclassified) {
		t.Fatalf("got %v", err)
	}
	// Without a verifier a token is refused, not ignored.
	bare, _ := New(Config{Mode: "restricted"})
	if _, err := bare.CheckOperation(del); !errors.Is(err, ErrNoVerifier) || !errors.Is(err, ErrPlanOnly) {
		t.Fatalf("got %v", err)
	}
}

func TestPromoteTemporaryAndEnforceRestrictions(t *testing.T) {
	r := newRig(t)
	s, _ := New(Config{Mode: "restricted", Verifier: r.ver, Now: r.clk.Now})
	tok, p := r.promote(t, Grant{Ops: []string{"vm.create", "vm.delete"}, Duration: time.Hour, MaxUses: 3})
	create := Operation{Name: "vm.create", Class: ClassWrite, Target: "web01"}

	if _, err := s.CheckOperation(create); !errors.Is(err, ErrPlanOnly) {
		t.Fatalf("before: %v", err)
	}
	if _, err := s.PromoteTemporary("ceso-pt1.bogus", 0); !errors.Is(err, ErrTokenMalformed) {
		t.Fatalf("bad token: %v", err)
	}
	got, err := s.PromoteTemporary(tok, 10*time.Minute)
	if err != nil || got.ID != p.ID {
		t.Fatal(err)
	}
	d, err := s.CheckOperation(create)
	if err != nil || d.Via != ViaPromotion || d.TokenID != p.ID {
		t.Fatalf("%+v %v", d, err)
	}
	// Reads and dry runs do not spend it.
	if _, err := s.CheckOperation(Operation{Name: "vm.list", Class: ClassRead}); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.CheckOperation(Operation{Name: "vm.delete", Class: ClassDestructive, DryRun: true}); d.Via != ViaDryRun {
		t.Fatal(d)
	}
	if n, _ := r.state.Uses(p.ID); n != 1 {
		t.Fatalf("%d uses, want 1", n)
	}
	// Not in its scope.
	if _, err := s.CheckOperation(Operation{Name: "backup.delete", Class: ClassDestructive}); !errors.Is(err, ErrPlanOnly) {
		t.Fatalf("got %v", err)
	}
	// The 10 minutes asked for end the promotion before the token does.
	r.clk.Set(t0.Add(11 * time.Minute))
	if _, err := s.CheckOperation(create); !errors.Is(err, ErrPlanOnly) {
		t.Fatalf("after the window: %v", err)
	}
	r.clk.Set(t0)
	if _, err := s.CheckOperation(create); err != nil {
		t.Fatal(err)
	}
	// Revoked: the active promotion stops at once.
	if err := r.state.Revoke(p.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckOperation(create); !errors.Is(err, ErrPlanOnly) {
		t.Fatalf("after revocation: %v", err)
	}
	tok2, _ := r.promote(t, Grant{Ops: []string{"vm.create"}, Duration: time.Hour})
	if _, err := s.PromoteTemporary(tok2, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckOperation(create); err != nil {
		t.Fatal(err)
	}
	s.EnforceRestrictions()
	if _, err := s.CheckOperation(create); !errors.Is(err, ErrPlanOnly) {
		t.Fatalf("after EnforceRestrictions: %v", err)
	}
}
