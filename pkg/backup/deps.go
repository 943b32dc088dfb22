package backup

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/retention"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/backup/vmlock"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/rs/zerolog"
)

// Catalog is what the engine needs of the backup catalog. *storage.Catalog
// implements it; so does FileCatalog, which holds the catalog's lock only
// for the duration of each call.
type Catalog interface {
	AddBackup(e storage.Entry) error
	GetBackup(id string) (storage.Entry, error)
	ListBackups(vmName string) ([]storage.Entry, error)
	DeleteBackup(id string) error
	SetStatus(id string, s storage.Status) error
	UpdateVerification(id string, ok bool, at time.Time, detail string) error
	ApplyRetention(p retention.Policy, vmName string) ([]retention.Decision, error)
}

var _ Catalog = (*storage.Catalog)(nil)

// Targets resolves target names ("" is the default target). *target.Set
// implements it.
type Targets interface {
	Get(ctx context.Context, name string) (target.Target, error)
	Names() []string
}

var _ Targets = (*target.Set)(nil)

// Observer receives the outcome of each operation, for metrics. status is
// "success", "failure" or "refused". Implementations must be safe for
// concurrent use. Metrics (RegisterMetrics) is the Prometheus one.
type Observer interface {
	// BackupFinished: a backup of vm ended after d; stored is the number of
	// bytes it stored and verified says whether it was verified when taken
	// (0 and false unless it succeeded).
	BackupFinished(vm, status string, d time.Duration, stored int64, verified bool)
	// RestoreFinished: a restore ended after d, having uploaded n disk
	// bytes to the host.
	RestoreFinished(status string, d time.Duration, uploaded int64)
	// VerifyFinished: a verification of the backup of vm taken at taken
	// ended after d, having read n stored bytes (0 unless it passed; vm is
	// "" and taken zero when the backup was not found).
	VerifyFinished(vm string, taken time.Time, status string, d time.Duration, read int64)
	// BytesWritten: n more bytes were written to a target.
	BytesWritten(n int64)
}

// Statuses reported to the Observer.
const (
	StatusSuccess = "success"
	StatusFailure = "failure"
	StatusRefused = "refused"
)

// Deps are what the operations need. Each operation checks for the fields
// it uses.
type Deps struct {
	// Client is the host session; Create and Restore need it.
	Client *client.Client
	// Catalog records the backups.
	Catalog Catalog
	// Targets resolves the target of a request or of a catalog entry.
	Targets Targets
	// LockDir holds the per-VM lock files (ceso uses the catalog's
	// directory). It must be on a local disk.
	LockDir string
	// Compression is backup.compression from the configuration.
	Compression config.Compression
	// Progress receives progress bars when ProgressTTY is true (a
	// terminal); nothing is drawn otherwise.
	Progress    io.Writer
	ProgressTTY bool
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Metrics observes the operations; may be nil.
	Metrics Observer
	// Logger receives diagnostics.
	Logger zerolog.Logger
	// Version is ceso's version, recorded with each backup.
	Version string
	// Shell runs the host's own tools (vim-cmd, vmkfstools) over SSH for
	// the changes the host's licence refuses over the API (the free
	// licence answers them with RestrictedVersion): esxi.transport auto.
	// Nil: the API only, and such a refusal says how to allow SSH.
	Shell sshhost.Runner
	// ShellFirst sends every change that has a shell form over SSH
	// without trying the API first (esxi.transport ssh).
	ShellFirst bool
	// Plan, when set, makes Delete, Prune and Housekeep a dry run: every
	// change they would make (a lock, a file removed, a catalog entry
	// changed) is reported to Plan instead of made. They still read the
	// catalog and the targets, so the plan is the one the run would follow.
	Plan func(ops.Step)

	// licence answers, once per dry run, whether the host runs on the free
	// licence (set by planning).
	licence func(context.Context) (bool, error)
}

// dry reports whether d only plans.
func (d Deps) dry() bool { return d.Plan != nil }

// lockVM takes the exclusive lock of vm's backups, or on a dry run records
// that it would and returns a release that does nothing.
func (d Deps) lockVM(vm, purpose string) (release func(), err error) {
	return d.lockVMMode(vm, vmlock.Exclusive, purpose)
}

// lockVMMode takes vm's lock in mode, or on a dry run records that it
// would.
func (d Deps) lockVMMode(vm string, mode vmlock.Mode, purpose string) (release func(), err error) {
	if d.dry() {
		d.Plan(step("local", "lock "+vm, "%s; refused while another backup operation on %s runs", purpose, vm))
		return func() {}, nil
	}
	lock, err := vmlock.TryAcquire(d.LockDir, archive.SafeName(vm), mode, purpose)
	if err != nil {
		return nil, err
	}
	return func() { _ = lock.Release() }, nil
}

func (d Deps) now() time.Time {
	if d.Now == nil {
		return time.Now().UTC()
	}
	return d.Now().UTC()
}

func (d Deps) observer() Observer {
	if d.Metrics == nil || d.dry() {
		return nopObserver{}
	}
	return d.Metrics
}

// needs checks the dependencies an operation uses.
func (d Deps) needs(host bool) error {
	missing := ""
	switch {
	case d.Catalog == nil:
		missing = "Catalog"
	case d.Targets == nil:
		missing = "Targets"
	case d.LockDir == "":
		missing = "LockDir"
	case host && d.Client == nil:
		missing = "Client"
	}
	if missing != "" {
		return fmt.Errorf("%w: %s is not set", ErrMissingDependency, missing)
	}
	return nil
}

type nopObserver struct{}

func (nopObserver) BackupFinished(string, string, time.Duration, int64, bool)      {}
func (nopObserver) RestoreFinished(string, time.Duration, int64)                   {}
func (nopObserver) VerifyFinished(string, time.Time, string, time.Duration, int64) {}
func (nopObserver) BytesWritten(int64)                                             {}
