package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMethodClass(t *testing.T) {
	for _, tt := range []struct{ method, want string }{
		{"Login", ClassSession},
		{"Logout", ClassSession},
		{"SessionIsActive", ClassSession},
		{"RetrieveServiceContent", ClassSession},
		{"RetrievePropertiesEx", ClassRead},
		{"ContinueRetrievePropertiesEx", ClassRead},
		{"WaitForUpdatesEx", ClassRead},
		{"CreateContainerView", ClassRead},
		{"FindByUuid", ClassRead},
		{"QueryVirtualDiskUuid", ClassRead},
		{"PowerOnVM_Task", ClassTask},
		{"CopyVirtualDisk_Task", ClassTask},
		{"SearchDatastore_Task", ClassTask},
		{"ExportVm", ClassLease},
		{"ImportVApp", ClassLease},
		{"HttpNfcLeaseProgress", ClassLease},
		{"HttpNfcLeaseGetManifest", ClassLease},
		{"MakeDirectory", ClassOther},
		{"", ClassOther},
	} {
		if got := MethodClass(tt.method); got != tt.want {
			t.Errorf("MethodClass(%q) = %q, want %q", tt.method, got, tt.want)
		}
	}
}

func TestErrorKind(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errors.New("connection refused"))}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"classified", errkind.Wrap(errkind.Auth, errors.New("login refused")), "auth"},
		{"classified wrapped", fmt.Errorf("listing: %w", errkind.Wrap(errkind.NotFound, errors.New("no vm"))), "not-found"},
		{"dial refused", fmt.Errorf("calling: %w", refused), "connection"},
		{"dns", &net.DNSError{Err: "no such host", Name: "esxi.invalid"}, "connection"},
		{"reset mid-call", reset, "connection"},
		{"read timeout", &net.OpError{Op: "read", Net: "tcp", Err: timeoutErr{}}, "timeout"},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), "timeout"},
		{"canceled", context.Canceled, "canceled"},
		{"fault text", errors.New("InvalidArgument"), "unknown"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorKind(tt.err); got != tt.want {
				t.Errorf("ErrorKind = %q, want %q", got, tt.want)
			}
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// TestReachable follows the gauge through a sequence of calls: absent
// before any call, 0 after a refused connection, unchanged by a timeout,
// 1 after a fault the host answered.
func TestReachable(t *testing.T) {
	m := New(false)
	if n := testutil.CollectAndCount(m.reachable); n != 0 {
		t.Fatalf("reachable has %d series before any call, want none (no alert before ceso talks to the host)", n)
	}
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	steps := []struct {
		class string
		err   error
		want  float64
	}{
		{ClassSession, nil, 1},
		{ClassRead, dial, 0},
		{ClassRead, context.DeadlineExceeded, 0},
		{ClassTask, context.Canceled, 0},
		{ClassTask, errkind.Wrap(errkind.Refused, errors.New("RestrictedVersion")), 1},
		{ClassRead, dial, 0},
		{"NotAClass", nil, 1},
	}
	for i, s := range steps {
		m.ObserveAPICall(s.class, 20*time.Millisecond, s.err)
		if got := testutil.ToFloat64(m.reachable.WithLabelValues()); got != s.want {
			t.Errorf("step %d: reachable = %v, want %v", i, got, s.want)
		}
	}
	for _, tt := range []struct {
		class, kind string
		want        float64
	}{
		{ClassRead, "connection", 2},
		{ClassRead, "timeout", 1},
		{ClassTask, "canceled", 1},
		{ClassTask, "refused", 1},
	} {
		if got := testutil.ToFloat64(m.apiErrors.WithLabelValues(tt.class, tt.kind)); got != tt.want {
			t.Errorf("errors{%s,%s} = %v, want %v", tt.class, tt.kind, got, tt.want)
		}
	}
	if got := testutil.CollectAndCount(m.apiDuration); got != 4 {
		t.Errorf("%d duration series, want 4 (session, read, task, other)", got)
	}
}
