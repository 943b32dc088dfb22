package vm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25/types"
)

// DefaultRollbackTimeout bounds the undo of a failed create or clone when
// the request does not set one.
const DefaultRollbackTimeout = 2 * time.Minute

// job runs the steps of one operation through a Host and, when a step
// fails, undoes the steps done so far in reverse order.
type job struct {
	op     string // "create web01"
	h      Host
	record func(ops.Step) // set on a dry run
	undo   []undoStep
	always []undoStep // run at the end whatever happens (restore power, remove a snapshot)
	kept   []string   // steps done that have nothing to undo
	budget time.Duration
}

// undoStep removes one thing a step made.
type undoStep struct {
	what   string // "folder [datastore1] web01"
	remove string // how to remove it by hand
	fn     func(ctx context.Context) error
}

func newJob(op string, h Host, record func(ops.Step), budget time.Duration) *job {
	if record != nil {
		h = h.DryRun(record)
	}
	if budget <= 0 {
		budget = DefaultRollbackTimeout
	}
	return &job{op: op, h: h, record: record, budget: budget}
}

func (j *job) dry() bool { return j.record != nil }

// read records a read-only step on a dry run; otherwise it runs fn.
func (j *job) read(ctx context.Context, step ops.Step, fn func(context.Context) error) error {
	if j.dry() {
		j.record(step)
		return nil
	}
	return fn(ctx)
}

// do runs one step. When it succeeds, or fails in a way that leaves its
// outcome unknown (the connection broke), u is remembered for the rollback;
// u must then tolerate finding nothing to remove. A u without fn marks a
// step undone by an earlier step's undo; a nil u, a step that is kept. On
// failure do rolls back and returns a *StepError.
func (j *job) do(ctx context.Context, step string, fn func(context.Context) error, u *undoStep) error {
	err := fn(ctx)
	switch {
	case u == nil:
		if err == nil {
			j.kept = append(j.kept, step)
		}
	case u.fn == nil: // undone with what contains it (a disk grown on a VM destroyed)
	case err == nil || outcomeUnknown(err):
		j.undo = append(j.undo, *u)
	}
	if err != nil {
		return j.fail(ctx, step, err)
	}
	return nil
}

// finally registers a step that runs when the job ends, failed or not.
func (j *job) finally(u undoStep) { j.always = append(j.always, u) }

// errKeptForVM: an undo step that was not run because the VM of a later
// step may still appear, built from what this step made: removing it
// would leave that VM without its disks, or its files without a VM.
var errKeptForVM = errors.New("kept for the VM that may still appear")

// fail undoes what was done and returns the error that says so. When the
// VM's undo finds that it may still appear (its create was not answered),
// what the steps before it made is kept and reported: once the host is
// done, deleting that VM removes it all.
func (j *job) fail(ctx context.Context, step string, cause error) error {
	if errkind.Of(cause) == errkind.Unknown && (outcomeUnknown(cause) || neverSent(cause)) && !errors.Is(cause, context.Canceled) {
		kind := errkind.Connection // the connection broke
		if errors.Is(cause, context.DeadlineExceeded) {
			kind = errkind.Timeout
		}
		cause = errkind.Wrap(kind, cause)
	}
	e := &StepError{Op: j.op, Step: step, Err: cause, Kept: j.kept}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), j.budget)
	defer cancel()
	var keep error // set once what the earlier steps made must stay
	for i := len(j.undo) - 1; i >= 0; i-- {
		u := j.undo[i]
		if keep != nil {
			e.Left = append(e.Left, Leftover{What: u.what, Remove: u.remove, Err: keep})
			continue
		}
		if err := retryTransient(rctx, u.fn); err != nil {
			e.Left = append(e.Left, Leftover{What: u.what, Remove: u.remove, Err: err})
			if errors.Is(err, errMayAppear) {
				keep = errKeptForVM
			}
			continue
		}
		e.Undone = append(e.Undone, u.what)
	}
	j.undo = nil
	e.Left = append(e.Left, j.finish(rctx)...)
	return e
}

// finish runs the "always" steps, last registered first, and returns what
// they could not do.
func (j *job) finish(ctx context.Context) []Leftover {
	var left []Leftover
	for i := len(j.always) - 1; i >= 0; i-- {
		u := j.always[i]
		if err := retryTransient(ctx, u.fn); err != nil {
			left = append(left, Leftover{What: u.what, Remove: u.remove, Err: err})
		}
	}
	j.always = nil
	return left
}

// settle runs the "always" steps now, when the job no longer needs what
// they restore, and returns what they could not do.
func (j *job) settle(ctx context.Context) []Leftover {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), j.budget)
	defer cancel()
	return j.finish(rctx)
}

// outcomeUnknown reports whether a failed call may still have taken effect:
// the host answered no fault (the connection broke or the deadline passed).
// A refused connection is not such a failure: see neverSent.
func outcomeUnknown(err error) bool {
	var f types.BaseMethodFault
	if _, ok := fault.As(err, &f); ok {
		return false
	}
	if neverSent(err) {
		return false
	}
	switch errkind.Of(err) {
	case errkind.Connection, errkind.Timeout, errkind.Canceled:
		return true
	}
	var netErr net.Error
	var urlErr *url.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.As(err, &netErr) || errors.As(err, &urlErr)
}

// neverSent reports whether err says the call never reached the host: the
// host refused the connection (ECONNREFUSED: nothing listens on the port,
// as when its SSH service is off), so no request was sent. Such a failure
// is definite: there is nothing to undo, and retrying an undo would only
// be refused again.
func neverSent(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, client.ErrConnectionRefused)
}

// retryTransient runs fn until it succeeds, fails definitely (a vSphere
// fault, a refused connection, any error that is not an unknown outcome),
// or ctx ends: undo steps must survive a short network outage.
func retryTransient(ctx context.Context, fn func(context.Context) error) error {
	wait := 100 * time.Millisecond
	for {
		err := fn(ctx)
		if err == nil || !outcomeUnknown(err) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// StepError reports a failed create, clone or delete: the step that failed,
// what the rollback removed, and what it left on the host with how to
// remove it. It unwraps to the cause, so errors.Is and errkind.Of see the
// vSphere fault; errors.Is(err, ErrLeftovers) reports leftovers.
type StepError struct {
	Op     string     // "create web01"
	Step   string     // the step that failed
	Err    error      // why it failed
	Undone []string   // what the rollback removed, in order
	Kept   []string   // steps done before the failure that are not undone
	Left   []Leftover // what could not be removed
}

// Leftover is something a failed operation left on the host.
type Leftover struct {
	What   string // "folder [datastore1] web01"
	Remove string // how to remove it by hand
	Err    error  // why the rollback could not
}

func (e *StepError) Error() string {
	var b strings.Builder
	if msg := e.Err.Error(); strings.HasPrefix(msg, e.Step+": ") {
		fmt.Fprintf(&b, "%s: %s", e.Op, msg) // the cause names the step already
	} else {
		fmt.Fprintf(&b, "%s: %s: %s", e.Op, e.Step, msg)
	}
	if len(e.Undone) > 0 {
		fmt.Fprintf(&b, "; rolled back: %s", strings.Join(e.Undone, ", "))
	}
	if len(e.Kept) > 0 {
		fmt.Fprintf(&b, "; done before the failure and kept: %s", strings.Join(e.Kept, ", "))
	}
	if len(e.Undone)+len(e.Kept)+len(e.Left) == 0 {
		b.WriteString("; nothing was changed")
	}
	for _, l := range e.Left {
		fmt.Fprintf(&b, "; left on the host: %s (%v); remove it with: %s", l.What, l.Err, l.Remove)
	}
	return b.String()
}

func (e *StepError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrLeftovers) true when something was left.
func (e *StepError) Is(target error) bool { return target == ErrLeftovers && len(e.Left) > 0 }
