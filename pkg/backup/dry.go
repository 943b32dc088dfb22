package backup

import (
	"bytes"
	"context"
	"io"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/backup/retention"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/ops"
)

// A dry run (Deps.Plan set) runs the engine's own code against stand-ins
// that record every change instead of making it: the host (esxihost's
// DryRun), each target (dryTarget: files written stay in memory, removals
// and renames are recorded) and the catalog (dryCatalog: writes recorded).
// Reads go to the real host, targets and catalog, so the plan follows the
// same decisions the run would.

// planning returns d with its host, targets and catalog replaced by the
// recording stand-ins when d is a dry run.
func (d Deps) planning() Deps {
	if !d.dry() {
		return d
	}
	if _, done := d.Catalog.(dryCatalog); !done {
		d.licence = licenceOnce(d.Client)
		d.Catalog = dryCatalog{Catalog: d.Catalog, record: d.Plan}
		d.Targets = &dryTargets{Targets: d.Targets, record: d.Plan, open: map[string]*dryTarget{}, shell: d.shellPlanned()}
		d.ProgressTTY = false
	}
	return d
}

// host is the backup engine's view of the ESXi host: a dry run's when d
// only plans.
func (d Deps) host() *esxihost.Host {
	h := esxihost.New(d.Client)
	if d.dry() {
		return h.DryRun(d.Plan)
	}
	return h
}

// dryCatalog passes reads to the real catalog and records writes.
type dryCatalog struct {
	Catalog
	record func(ops.Step)
}

func (c dryCatalog) note(action string) error {
	c.record(ops.Step{Via: "local", Action: "catalog: " + action})
	return nil
}

func (c dryCatalog) AddBackup(e storage.Entry) error { return c.note("add backup " + e.ID) }
func (c dryCatalog) DeleteBackup(id string) error    { return c.note("remove " + id) }
func (c dryCatalog) SetStatus(id string, s storage.Status) error {
	return c.note("mark " + id + " " + string(s))
}
func (c dryCatalog) UpdateVerification(id string, ok bool, _ time.Time, _ string) error {
	verdict := "failed"
	if ok {
		verdict = "ok"
	}
	return c.note("record the verification of " + id + ": " + verdict)
}

var _ Catalog = dryCatalog{}
var _ = retention.Policy{}

// dryTargets hands out one dryTarget per target name.
type dryTargets struct {
	Targets
	record func(ops.Step)
	mu     sync.Mutex
	open   map[string]*dryTarget
	shell  func(context.Context) bool
}

func (s *dryTargets) Get(ctx context.Context, name string) (target.Target, error) {
	t, err := s.Targets.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if dt, ok := s.open[t.Name()]; ok {
		return dt, nil
	}
	dt := &dryTarget{Target: t, record: s.record, files: map[string][]byte{}, gone: map[string]bool{}, shell: s.shell, dirs: map[string]bool{}}
	s.open[t.Name()] = dt
	return dt, nil
}

// dryTarget keeps what a dry run writes in memory, over the real target's
// content, and records each change.
type dryTarget struct {
	target.Target
	record func(ops.Step)
	mu     sync.Mutex
	files  map[string][]byte // written in the dry run
	gone   map[string]bool   // removed in the dry run
	shell  func(context.Context) bool
	dirs   map[string]bool // folders a plan over SSH made
}

func (t *dryTarget) step(action, detail string) {
	t.record(ops.Step{Via: via(t.Target), Action: action, Detail: detail})
}

// under reports whether p is dir or inside it.
func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

func (t *dryTarget) removed(p string) bool {
	for g := range t.gone {
		if under(p, g) {
			return true
		}
	}
	return false
}

func (t *dryTarget) Create(ctx context.Context, p string) (target.File, error) {
	if err := target.CheckPath(p); err != nil {
		return nil, err
	}
	if _, err := t.Stat(ctx, p); err == nil {
		return nil, target.ErrExist
	}
	t.shellMkdir(ctx, path.Dir(p))
	return &dryFile{t: t, p: p}, nil
}

func (t *dryTarget) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	t.mu.Lock()
	data, ok := t.files[p]
	gone := t.removed(p)
	t.mu.Unlock()
	switch {
	case ok:
		return io.NopCloser(bytes.NewReader(data)), nil
	case gone:
		return nil, target.ErrNotExist
	}
	return t.Target.Open(ctx, p)
}

func (t *dryTarget) Stat(ctx context.Context, p string) (target.Info, error) {
	t.mu.Lock()
	data, ok := t.files[p]
	dir := false
	for f := range t.files {
		dir = dir || strings.HasPrefix(f, p+"/")
	}
	gone := t.removed(p)
	t.mu.Unlock()
	switch {
	case ok:
		return target.Info{Name: path.Base(p), Size: int64(len(data))}, nil
	case dir:
		return target.Info{Name: path.Base(p), Dir: true}, nil
	case gone:
		return target.Info{}, target.ErrNotExist
	}
	return t.Target.Stat(ctx, p)
}

func (t *dryTarget) List(ctx context.Context, dir string) ([]target.Info, error) {
	real, err := t.Target.List(ctx, dir)
	t.mu.Lock()
	defer t.mu.Unlock()
	seen := map[string]target.Info{}
	for _, i := range real {
		if !t.removed(path.Join(dir, i.Name)) {
			seen[i.Name] = i
		}
	}
	for f, data := range t.files {
		rest, ok := strings.CutPrefix(f, dir+"/")
		if dir == "" {
			rest, ok = f, true
		}
		if !ok {
			continue
		}
		name, sub, isDir := strings.Cut(rest, "/")
		_ = sub
		seen[name] = target.Info{Name: name, Size: int64(len(data)), Dir: isDir}
	}
	if len(seen) == 0 && err != nil {
		return nil, err
	}
	out := make([]target.Info, 0, len(seen))
	for _, i := range seen {
		out = append(out, i)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (t *dryTarget) Rename(ctx context.Context, from, to string) error {
	what := "rename " + t.Location(from) + " → " + t.Location(to)
	t.shellMkdir(ctx, path.Dir(to))
	if !t.shellStep(ctx, what, func(ds *target.Datastore) (ssh.Command, error) { return ds.MoveCommand(from, to) }) {
		t.step(what, "")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for f, data := range t.files {
		if under(f, from) {
			delete(t.files, f)
			t.files[to+strings.TrimPrefix(f, from)] = data
		}
	}
	return nil
}

func (t *dryTarget) RemoveAll(ctx context.Context, p string) error {
	t.mu.Lock()
	n := 0
	for f := range t.files {
		if under(f, p) {
			delete(t.files, f)
			n++
		}
	}
	t.mu.Unlock()
	if _, err := t.Target.Stat(ctx, p); err == nil {
		what := "remove " + t.Location(p)
		if !t.shellStep(ctx, what, func(ds *target.Datastore) (ssh.Command, error) { return ds.RemoveCommand(p) }) {
			t.step(what, "")
		}
		t.mu.Lock()
		t.gone[p] = true
		t.mu.Unlock()
	}
	return nil
}

// dryFile is a file a dry run writes: kept in memory, recorded on Commit.
type dryFile struct {
	t   *dryTarget
	p   string
	buf bytes.Buffer
}

func (f *dryFile) Write(b []byte) (int, error) { return f.buf.Write(b) }
func (f *dryFile) Abort() error                { return nil }
func (f *dryFile) Commit() error {
	f.t.step("write "+f.t.Location(f.p), "")
	f.t.mu.Lock()
	defer f.t.mu.Unlock()
	f.t.files[f.p] = f.buf.Bytes()
	return nil
}
