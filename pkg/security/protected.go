package security

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// Protected lists what no operation may change, in any mode, without a
// promotion token that names it (security.protected): VMs by name or shell
// glob, and datastores by name.
type Protected struct {
	VMs        []string
	Datastores []string
}

// Changes are the objects an operation changes, as its params say before
// it runs.
type Changes struct {
	// VMs are the VMs it changes, creates or removes, by name.
	VMs []string
	// VMPatterns are shell globs of VMs a batch picks when it runs ("*"
	// for every VM): the VMs are not known before it runs.
	VMPatterns []string
	// Datastores are the datastores it writes to or deletes from.
	Datastores []string
	// DatastoreUnknown says it writes to a datastore that is known only
	// when it runs (a copy lands on its source's datastore).
	DatastoreUnknown bool
}

// Validate checks every entry: a non-empty name without a comma or a
// control character, and a VM glob that path.Match accepts.
func (p Protected) Validate() error {
	for i, v := range p.VMs {
		if err := checkProtectedName(v); err != nil {
			return fmt.Errorf("vms[%d]: %w", i, err)
		}
		if _, err := path.Match(v, ""); err != nil {
			return fmt.Errorf("vms[%d]: %q is not a valid glob: %w", i, v, err)
		}
	}
	for i, d := range p.Datastores {
		if err := checkProtectedName(d); err != nil {
			return fmt.Errorf("datastores[%d]: %w", i, err)
		}
	}
	return nil
}

func checkProtectedName(s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return fmt.Errorf("empty name")
	case strings.ContainsAny(s, ",\t\n\r"):
		return fmt.Errorf("%q: a name has no comma, tab or line break", s)
	}
	return nil
}

// Empty says nothing is protected.
func (p Protected) Empty() bool { return len(p.VMs) == 0 && len(p.Datastores) == 0 }

// protectedHits is what of c the list protects: the names a promotion
// token must name, and the reasons no token can lift (a pattern that may
// reach a protected VM, a datastore not known in advance).
type protectedHits struct {
	names   []string
	unnamed []string
}

// hits compares c with the list.
func (p Protected) hits(c Changes) protectedHits {
	var h protectedHits
	for _, vm := range c.VMs {
		if g := p.vmGlob(vm); g != "" && !slices.Contains(h.names, vm) {
			h.names = append(h.names, vm)
		}
	}
	if len(p.VMs) > 0 {
		for _, pat := range c.VMPatterns {
			h.unnamed = append(h.unnamed, fmt.Sprintf("the VMs matching %q are picked when it runs and may include protected VMs (%s): name the VMs instead", pat, strings.Join(p.VMs, ", ")))
		}
	}
	for _, ds := range c.Datastores {
		if slices.Contains(p.Datastores, ds) && !slices.Contains(h.names, ds) {
			h.names = append(h.names, ds)
		}
	}
	if c.DatastoreUnknown && len(p.Datastores) > 0 {
		h.unnamed = append(h.unnamed, fmt.Sprintf("its datastore is known only when it runs and may be a protected one (%s): name the datastore", strings.Join(p.Datastores, ", ")))
	}
	return h
}

// vmGlob returns the protected glob that matches the VM name, "" when none
// does.
func (p Protected) vmGlob(name string) string {
	for _, g := range p.VMs {
		if ok, _ := path.Match(g, name); ok || g == name {
			return g
		}
	}
	return ""
}

// checkProtected decides on an operation that changes something (not a
// read, not a dry run) against security.protected. ok is false when
// nothing of it is protected. Otherwise the operation runs only with a
// promotion token that names the operation and every protected object as a
// target; the token is used up by one use, and lifts the mode's refusal
// too.
func (s *Sandbox) checkProtected(op Operation) (d Decision, ok bool, err error) {
	d = Decision{Mode: s.mode, Via: ViaMode}
	if op.DryRun || op.Class == ClassRead || s.protected.Empty() {
		return d, false, nil
	}
	h := s.protected.hits(op.Changes)
	if len(h.names) == 0 && len(h.unnamed) == 0 {
		return d, false, nil
	}
	if len(h.unnamed) > 0 {
		return d, true, fmt.Errorf("%w: %w: %s (security.protected): %s", ErrProtected, ErrProtectedUnnamed, op.Name, strings.Join(h.unnamed, "; "))
	}
	targets := h.names
	if op.Target != "" && !slices.Contains(targets, op.Target) {
		targets = append([]string{op.Target}, targets...)
	}
	refusal := fmt.Errorf("%w: %s would change %s, listed in security.protected; only a promotion token naming the operation and each of them as a target lets it (ceso sandbox promote --ops %s --target %s --max-uses 1 --duration 10m --key KEY)",
		ErrProtected, op.Name, quoteAll(h.names), op.Name, strings.Join(targets, " --target "))
	if op.PromotionToken == "" {
		return d, true, refusal
	}
	p, err := s.verifier.ParsePromotion(op.PromotionToken)
	if err == nil {
		err = p.names(op.Name, h.names)
	}
	if err == nil {
		err = s.verifier.UsePromotion(p, op.Name, op.Target)
	}
	if err != nil {
		return d, true, fmt.Errorf("%w; the promotion token given does not lift it: %w", refusal, err)
	}
	if !op.Class.known() && s.mode != Unrestricted {
		return d, true, fmt.Errorf("%w: %s (class %q) is refused in %s mode", ErrUnclassified, op.Name, op.Class, s.mode)
	}
	d.Via, d.TokenID = ViaPromotion, p.ID
	return d, true, nil
}

// names checks that the promotion names op and each of objects as a
// target explicitly: a token for any target does not reach a protected
// object.
func (p Promotion) names(op string, objects []string) error {
	if !slices.Contains(p.Ops, op) {
		return fmt.Errorf("%w: token %s allows %s, not %s", ErrTokenOpScope, p.ID, strings.Join(p.Ops, ","), op)
	}
	for _, o := range objects {
		if !slices.Contains(p.Targets, o) {
			return fmt.Errorf("%w: token %s does not name the protected %q as a target", ErrTokenTargetScope, p.ID, o)
		}
	}
	return nil
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
