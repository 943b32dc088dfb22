package config

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/security"
)

// Security limits what ceso may do and records what it did. The system
// policy (pkg/security: /etc/ceso/policy.yaml, and CESO_POLICY) is applied
// over it by Load.
type Security struct {
	// Mode is restricted, standard or unrestricted; "read-only" is the old
	// name of restricted, still accepted. Empty means the highest mode the
	// system policy allows (unrestricted without a policy); Load fills it.
	Mode string `yaml:"mode"`
	// AuditLog is the audit log file (default state_dir/audit.log).
	AuditLog string `yaml:"audit_log"`
	// AuditMaxSize rotates the audit log before a file would grow past it:
	// bytes, or a number with a unit (512K, 100M, 1G). Empty or 0: never.
	AuditMaxSize string `yaml:"audit_max_size"`
	// AllowedOps, when set, narrows restricted and standard mode to the
	// listed operations; an empty list allows nothing, no list (nil)
	// everything the mode allows.
	AllowedOps *[]string `yaml:"allowed_ops,omitempty"`
	// PromotionPublicKey is the file of the public key(s) promotion tokens
	// and plan approvals are checked against. A system policy that names
	// one replaces it.
	PromotionPublicKey string `yaml:"promotion_public_key"`
	// MaxPromotion is the longest a promotion token may be valid.
	MaxPromotion time.Duration `yaml:"max_promotion"`
	// IPAllowlist and TrustedProxies are the addresses (or CIDR prefixes)
	// allowed to call the listeners, and the proxies whose X-Forwarded-For
	// is believed.
	IPAllowlist    []string `yaml:"ip_allowlist"`
	TrustedProxies []string `yaml:"trusted_proxies"`
	// StateFile counts promotion token uses and keeps revocations (default
	// state_dir/security.db).
	StateFile string `yaml:"state_file"`
	// Protected are the VMs (names or shell globs) and datastores that no
	// operation may change, in any mode, without a promotion token naming
	// them.
	Protected Protected `yaml:"protected"`

	// Policy is the system policy in effect, nil when there is none.
	Policy *security.Policy `yaml:"-"`
}

// Security modes, from the most to the least restrictive. ModeReadOnly is
// the former name of ModeRestricted.
const (
	ModeRestricted   = "restricted"
	ModeReadOnly     = "read-only"
	ModeStandard     = "standard"
	ModeUnrestricted = "unrestricted"
)

// Protected is security.protected.
type Protected struct {
	VMs        []string `yaml:"vms"`
	Datastores []string `yaml:"datastores"`
}

// ProtectedList is security.protected as the sandbox takes it.
func (s Security) ProtectedList() security.Protected {
	return security.Protected{VMs: append([]string(nil), s.Protected.VMs...), Datastores: append([]string(nil), s.Protected.Datastores...)}
}

// ConfiguredMode is security.mode with the empty value resolved: the
// policy's max_mode, else unrestricted.
func (s Security) ConfiguredMode() string {
	switch {
	case s.Mode != "":
		return s.Mode
	case s.Policy != nil && s.Policy.MaxMode != "":
		return s.Policy.MaxMode
	}
	return ModeUnrestricted
}

// PolicyMaxMode is the system policy's max_mode, "" when there is none.
func (s Security) PolicyMaxMode() string {
	if s.Policy == nil {
		return ""
	}
	return s.Policy.MaxMode
}

// AllowedOpsList is security.allowed_ops: nil when not set (everything the
// mode allows), else the list, possibly empty (nothing).
func (s Security) AllowedOpsList() []string {
	if s.AllowedOps == nil {
		return nil
	}
	return append([]string{}, (*s.AllowedOps)...)
}

// AuditMaxSizeBytes is security.audit_max_size in bytes (0: never rotate).
// Validate has checked it.
func (s Security) AuditMaxSizeBytes() int64 {
	n, _ := ParseSize(s.AuditMaxSize)
	return n
}

// SecurityStatePath is the sandbox state file (token uses, revocations).
func (c *Config) SecurityStatePath() string {
	if c.Security.StateFile != "" {
		return ExpandHome(c.Security.StateFile)
	}
	return filepath.Join(c.StateDir, "security.db")
}

// ParseSize reads a byte count: a whole number of bytes, or a number with
// a binary unit K, M, G or T (optionally followed by "iB" or "B"). Empty is
// 0.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, nil
	}
	num := strings.TrimSuffix(strings.TrimSuffix(strings.ToUpper(t), "IB"), "B")
	unit := int64(1)
	if n := len(num); n > 0 {
		switch num[n-1] {
		case 'K':
			unit = 1 << 10
		case 'M':
			unit = 1 << 20
		case 'G':
			unit = 1 << 30
		case 'T':
			unit = 1 << 40
		}
		if unit > 1 {
			num = num[:n-1]
		}
	}
	v, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || v < 0 || v > (1<<62)/unit {
		return 0, fmt.Errorf("want a whole number of bytes or one with a unit such as 100M or 1G, got %q", s)
	}
	return v * unit, nil
}

func (s Security) validate() error {
	mode, err := security.ParseMode(s.ConfiguredMode())
	if err != nil {
		return invalid("security.mode", "want restricted, standard or unrestricted (read-only is the old name of restricted), got %q", s.Mode)
	}
	if max := s.PolicyMaxMode(); max != "" {
		if _, err := security.EffectiveMode(string(mode), "", max); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrInvalid, strings.Join(s.Policy.Sources, ", "), err)
		}
	}
	if _, err := ParseSize(s.AuditMaxSize); err != nil {
		return invalid("security.audit_max_size", "%v", err)
	}
	for i, op := range s.AllowedOpsList() {
		if strings.TrimSpace(op) == "" || strings.ContainsAny(op, ", \t") {
			return invalid(fmt.Sprintf("security.allowed_ops[%d]", i), "want an operation name such as vm.create, got %q", op)
		}
	}
	if err := s.ProtectedList().Validate(); err != nil {
		field, msg, _ := strings.Cut(err.Error(), ": ")
		return invalid("security.protected."+field, "%s", msg)
	}
	if s.MaxPromotion <= 0 {
		return invalid("security.max_promotion", "want a positive duration such as 1h, got %v", s.MaxPromotion)
	}
	lists := []struct {
		field string
		list  []string
	}{{"security.ip_allowlist", s.IPAllowlist}, {"security.trusted_proxies", s.TrustedProxies}}
	for _, l := range lists {
		for i, a := range l.list {
			if _, err := security.ParsePrefix(a); err != nil {
				return invalid(fmt.Sprintf("%s[%d]", l.field, i), "%v", err)
			}
		}
	}
	return nil
}

// applyPolicy reads the system policy and applies it over the
// configuration: an unset mode becomes the policy's max_mode, the policy's
// promotion key replaces the configured one, max_promotion is capped and
// allowed_ops narrowed. A mode above max_mode is left for Validate to
// refuse, with the policy named.
func applyPolicy(cfg *Config, env Env, loader security.PolicyLoader) error {
	p, err := loader.LoadSystem(func(k string) string { v, _ := env(k); return v })
	if err != nil {
		return err
	}
	s := &cfg.Security
	s.Policy = p
	if s.Mode == "" {
		s.Mode = s.ConfiguredMode()
	}
	if p == nil {
		return nil
	}
	if p.PromotionPublicKey != "" {
		s.PromotionPublicKey = p.PromotionPublicKey
	}
	if p.MaxPromotion > 0 && (s.MaxPromotion <= 0 || s.MaxPromotion > p.MaxPromotion) {
		s.MaxPromotion = p.MaxPromotion
	}
	if p.AllowedOps != nil {
		ops := security.IntersectOps(s.AllowedOpsList(), p.AllowedOps)
		s.AllowedOps = &ops
	}
	return nil
}

// loadSecurity resolves what Load needs the environment for beyond ESXI_*:
// systemd credential paths and the system policy.
func loadSecurity(cfg *Config, env Env) error {
	if err := expandCredentials(cfg, env); err != nil {
		return err
	}
	return applyPolicy(cfg, env, security.PolicyLoader{})
}
