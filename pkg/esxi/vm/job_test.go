package vm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25/types"
)

// timeoutError is a net.Error that timed out.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestOutcomeUnknown(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		// The call never reached the host, or the host answered: definite.
		{"refused dial", refused, false},
		{"refused dial over SSH", errkind.Wrap(errkind.Connection, fmt.Errorf("connecting to 192.0.2.1:22: %w", refused)), false},
		{"refused dial of an API request", &url.Error{Op: "Post", URL: "https://192.0.2.1/sdk", Err: refused}, false},
		{"refused API connection", fmt.Errorf("making folder: %w", client.ErrConnectionRefused), false},
		{"vSphere fault", task.Error{LocalizedMethodFault: &types.LocalizedMethodFault{Fault: &types.NoDiskSpace{}}}, false},
		{"classified fault", fmt.Errorf("copying disk: %w", client.ErrNoDiskSpace), false},
		{"other error", errors.New("the host printed something unexpected"), false},
		// The request may have been sent and acted on: unknown.
		{"connection reset", reset, true},
		{"reset during an API request", &url.Error{Op: "Post", URL: "https://192.0.2.1/sdk", Err: reset}, true},
		{"EOF", fmt.Errorf("reading the answer: %w", io.EOF), true},
		{"unexpected EOF", io.ErrUnexpectedEOF, true},
		{"broken pipe", &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}, true},
		{"deadline", fmt.Errorf("waiting for the task: %w", context.DeadlineExceeded), true},
		{"timeout", client.ErrTimeout, true},
		{"network timeout", &net.OpError{Op: "read", Net: "tcp", Err: timeoutError{}}, true},
		{"dial timeout", &net.OpError{Op: "dial", Net: "tcp", Err: timeoutError{}}, true},
		{"connection lost", errkind.Wrap(errkind.Connection, errors.New("the SSH connection is closed")), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := outcomeUnknown(tt.err); got != tt.want {
				t.Errorf("outcomeUnknown(%v) = %t, want %t", tt.err, got, tt.want)
			}
		})
	}
}

// TestRetryTransient retries an undo through a reset connection, and not
// at all after a refused one.
func TestRetryTransient(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	refused := fmt.Errorf("deleting folder: %w", errkind.Wrap(errkind.Connection,
		&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}))
	tests := []struct {
		name  string
		errs  []error // the answers of the calls, in order; then success
		calls int
		fail  bool
	}{
		{"reset twice", []error{reset, reset}, 3, false},
		{"refused", []error{refused, refused, refused}, 1, true},
		{"reset then refused", []error{reset, refused}, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := retryTransient(testCtx(t), func(context.Context) error {
				calls++
				if calls <= len(tt.errs) {
					return tt.errs[calls-1]
				}
				return nil
			})
			if calls != tt.calls || (err != nil) != tt.fail {
				t.Errorf("%d calls, err %v; want %d calls, failed %t", calls, err, tt.calls, tt.fail)
			}
		})
	}
}
