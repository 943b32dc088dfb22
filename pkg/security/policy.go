package security

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"gopkg.in/yaml.v3"
)

// DefaultPolicyPath is the system policy file.
const DefaultPolicyPath = "/etc/ceso/policy.yaml"

// PolicyEnv names an extra policy file (for tests); it can only add
// restrictions to the system one, which is read as well.
const PolicyEnv = "CESO_POLICY"

// maxPolicySize bounds a policy file.
const maxPolicySize = 64 << 10

// Policy is the administrator's limit on what any user configuration may
// ask for. The file is YAML with the keys max_mode, promotion_public_key,
// max_promotion and allowed_ops; any other key is an error.
type Policy struct {
	// MaxMode is the highest security.mode a configuration may set.
	MaxMode string
	// PromotionPublicKey, when set, is the only key promotion tokens and
	// approvals are checked against; security.promotion_public_key is
	// ignored, so a user cannot make and trust a key of their own.
	PromotionPublicKey string
	// MaxPromotion caps security.max_promotion.
	MaxPromotion time.Duration
	// AllowedOps, when set, narrows security.allowed_ops.
	AllowedOps []string
	// Sources are the files the policy was read from.
	Sources []string
}

// PolicyLoader reads policy files and trusts one only when its owner is
// trusted and the running user could not have written it, nor replaced it
// through a writable directory. Its fields default to the real process.
type PolicyLoader struct {
	// Path is the system policy (default DefaultPolicyPath).
	Path string
	// Getuid and Groups describe the running user (defaults os.Getuid and
	// os.Getgroups with os.Getgid).
	Getuid func() int
	Groups func() ([]int, error)
	// TrustedOwners are the uids that may own a policy file (default 0:
	// root); add the administrator's uid where root does not administer.
	TrustedOwners []int
}

// LoadSystem reads the system policy (absent: no limit) and, when getenv
// returns a path for CESO_POLICY, that file too (it must exist); the
// result is the stricter of the two. It returns nil when there is no
// policy at all.
func (l PolicyLoader) LoadSystem(getenv func(string) string) (*Policy, error) {
	path := l.Path
	if path == "" {
		path = DefaultPolicyPath
	}
	sys, err := l.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		sys, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	extra := ""
	if getenv != nil {
		extra = getenv(PolicyEnv)
	}
	if extra == "" || extra == path {
		return sys, nil
	}
	p, err := l.Load(extra)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", PolicyEnv, err)
	}
	return Merge(sys, p)
}

// Load reads and checks one policy file. A missing file gives an error
// matching fs.ErrNotExist.
func (l PolicyLoader) Load(path string) (*Policy, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrPolicyInvalid, path, err)
	}
	fi, err := os.Lstat(abs)
	if err != nil {
		return nil, fmt.Errorf("system policy: %w", err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%w: %s is a symbolic link; install the file itself", ErrPolicyUntrusted, abs)
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, fmt.Errorf("system policy: %w", err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("system policy: %w", err)
	}
	if err := l.trust(abs, fi); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPolicySize+1))
	if err != nil {
		return nil, fmt.Errorf("system policy: %w", err)
	}
	if len(data) > maxPolicySize {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrPolicyInvalid, abs, maxPolicySize)
	}
	return parsePolicy(abs, data)
}

// rawPolicy is the file's form: durations are read by hand so that an
// error names the field.
type rawPolicy struct {
	MaxMode            string   `yaml:"max_mode"`
	PromotionPublicKey string   `yaml:"promotion_public_key"`
	MaxPromotion       string   `yaml:"max_promotion"`
	AllowedOps         []string `yaml:"allowed_ops"`
}

func parsePolicy(path string, data []byte) (*Policy, error) {
	var raw rawPolicy
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %s: %w", ErrPolicyInvalid, path, err)
	}
	p := Policy{MaxMode: raw.MaxMode, PromotionPublicKey: raw.PromotionPublicKey, AllowedOps: raw.AllowedOps}
	if raw.MaxPromotion != "" {
		d, err := time.ParseDuration(raw.MaxPromotion)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: max_promotion: want a duration such as 30m, got %q", ErrPolicyInvalid, path, raw.MaxPromotion)
		}
		p.MaxPromotion = d
	}
	if p.MaxMode != "" {
		m, err := ParseMode(p.MaxMode)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: max_mode: %w", ErrPolicyInvalid, path, err)
		}
		p.MaxMode = string(m)
	}
	if p.MaxPromotion < 0 {
		return nil, fmt.Errorf("%w: %s: max_promotion: want a positive duration, got %v", ErrPolicyInvalid, path, p.MaxPromotion)
	}
	if p.PromotionPublicKey != "" && !filepath.IsAbs(p.PromotionPublicKey) {
		return nil, fmt.Errorf("%w: %s: promotion_public_key: want an absolute path, got %q", ErrPolicyInvalid, path, p.PromotionPublicKey)
	}
	for i, op := range p.AllowedOps {
		if op == "" {
			return nil, fmt.Errorf("%w: %s: allowed_ops[%d] is empty", ErrPolicyInvalid, path, i)
		}
	}
	p.Sources = []string{path}
	return &p, nil
}

// Merge returns the stricter of two policies (either may be nil): the
// lower max_mode and max_promotion, the intersection of allowed_ops. Two
// different promotion keys are an error.
func Merge(a, b *Policy) (*Policy, error) {
	if a == nil || b == nil {
		if a == nil {
			return b, nil
		}
		return a, nil
	}
	out := Policy{MaxMode: a.MaxMode, PromotionPublicKey: a.PromotionPublicKey, MaxPromotion: a.MaxPromotion,
		AllowedOps: IntersectOps(a.AllowedOps, b.AllowedOps), Sources: slices.Concat(a.Sources, b.Sources)}
	if out.MaxMode == "" || (b.MaxMode != "" && Mode(out.MaxMode).Above(Mode(b.MaxMode))) {
		out.MaxMode = b.MaxMode
	}
	if out.MaxPromotion == 0 || (b.MaxPromotion != 0 && b.MaxPromotion < out.MaxPromotion) {
		out.MaxPromotion = b.MaxPromotion
	}
	switch {
	case out.PromotionPublicKey == "":
		out.PromotionPublicKey = b.PromotionPublicKey
	case b.PromotionPublicKey != "" && b.PromotionPublicKey != out.PromotionPublicKey:
		return nil, fmt.Errorf("%w: %v name different promotion keys (%s, %s)", ErrPolicyInvalid, out.Sources, a.PromotionPublicKey, b.PromotionPublicKey)
	}
	return &out, nil
}
