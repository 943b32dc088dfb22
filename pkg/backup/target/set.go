package target

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
)

// DatastorePrefix begins the name of a built-in datastore target:
// "datastore:datastore1" is the folder DefaultFolder of datastore1. It is
// the name the built-in target "datastore" takes for the VM backed up (see
// DatastoreTarget), recorded in its catalog entry.
const DatastorePrefix = "datastore:"

// DatastoreTarget names the built-in target on datastore ds.
func DatastoreTarget(ds string) string { return DatastorePrefix + ds }

// Connector returns a connection to the host, made when first needed.
type Connector func(ctx context.Context) (*client.Client, error)

// Open opens the configured target cfg. A datastore target needs a host
// connection; c may be nil for a local one.
func Open(ctx context.Context, cfg config.Target, c *client.Client) (Target, error) {
	switch cfg.Type {
	case "local":
		return NewLocal(cfg.Name, cfg.Path)
	case "datastore":
		return NewDatastore(ctx, cfg.Name, c, cfg.Datastore, cfg.Path)
	}
	return nil, fmt.Errorf("%w: target %q has type %q, want local or datastore", ErrUnavailable, cfg.Name, cfg.Type)
}

// Set is the configured targets, each opened on first use. It connects to
// the host only for a datastore target.
type Set struct {
	connect Connector
	def     string

	mu         sync.Mutex
	cfgs       map[string]config.Target
	open       map[string]Target
	shell      Shell
	shellFirst bool
}

// NewSet makes a set of the configured targets, with defaultName used for
// an empty name. connect may be nil when no target is a datastore.
func NewSet(cfgs []config.Target, defaultName string, connect Connector) *Set {
	s := &Set{connect: connect, def: defaultName, cfgs: map[string]config.Target{}, open: map[string]Target{}}
	for _, c := range cfgs {
		s.cfgs[c.Name] = c
	}
	return s
}

// Single is a set of one opened target, which is also the default.
func Single(t Target) *Set {
	s := NewSet(nil, t.Name(), nil)
	s.Add(t)
	return s
}

// Add puts an opened target in the set, replacing one of the same name.
func (s *Set) Add(t Target) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open[t.Name()] = t
}

// Default is the name used for an empty name.
func (s *Set) Default() string { return s.def }

// Names lists the targets by name.
func (s *Set) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for n := range s.cfgs {
		seen[n] = true
		out = append(out, n)
	}
	for n := range s.open {
		if !seen[n] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Get returns the target named name (the default when empty), opening it
// on first use. A name "datastore:DS" that is not configured is the
// built-in target on datastore DS, folder DefaultFolder.
func (s *Set) Get(ctx context.Context, name string) (Target, error) {
	if name == "" {
		name = s.def
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.open[name]; ok {
		return t, nil
	}
	cfg, ok := s.cfgs[name]
	if !ok {
		ds, onDatastore := strings.CutPrefix(name, DatastorePrefix)
		switch {
		case onDatastore && ds != "":
			cfg = config.Target{Name: name, Type: "datastore", Datastore: ds}
		case name == config.TargetDatastore:
			return nil, fmt.Errorf("%w: %q is the datastore of the VM being backed up: only a backup names it", ErrUnknownTarget, name)
		default:
			return nil, fmt.Errorf("%w: %q", ErrUnknownTarget, name)
		}
	}
	var c *client.Client
	if cfg.Type == "datastore" {
		if s.connect == nil {
			return nil, fmt.Errorf("%w: target %q", ErrNeedsHost, name)
		}
		var err error
		if c, err = s.connect(ctx); err != nil {
			return nil, fmt.Errorf("opening target %q: %w", name, err)
		}
	}
	t, err := Open(ctx, cfg, c)
	if err != nil {
		return nil, err
	}
	if d, ok := t.(*Datastore); ok {
		d.shell = fileShell{sh: s.shell, first: s.shellFirst}
	}
	s.open[name] = t
	return t, nil
}
