package metrics

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
)

// Method classes of ESXi API calls, the class label of
// ceso_esxi_api_call_duration_seconds and ceso_esxi_api_errors_total.
const (
	ClassSession = "session" // login, logout, keepalive, service content
	ClassRead    = "read"    // property collector, views, Find*, Query*
	ClassTask    = "task"    // methods that start a task (*_Task)
	ClassLease   = "lease"   // NFC export/import leases and their progress
	ClassOther   = Other     // everything else
)

var classes = map[string]bool{ClassSession: true, ClassRead: true, ClassTask: true, ClassLease: true, ClassOther: true}

var sessionMethods = map[string]bool{
	"Login": true, "LoginByToken": true, "Logout": true, "SessionIsActive": true, "TerminateSession": true,
	"AcquireCloneTicket": true, "CloneSession": true, "CurrentTime": true, "RetrieveServiceContent": true,
	"AcquireGenericServiceTicket": true,
}

var readMethods = map[string]bool{
	"WaitForUpdates": true, "WaitForUpdatesEx": true, "CheckForUpdates": true, "CancelWaitForUpdates": true,
	"CreateContainerView": true, "CreateListView": true, "DestroyView": true, "CreateFilter": true,
	"DestroyPropertyFilter": true, "CreatePropertyCollector": true, "DestroyPropertyCollector": true,
	"ContinueRetrievePropertiesEx": true, "CancelRetrievePropertiesEx": true,
}

// MethodClass sorts a vSphere API method name (as in the SOAP body:
// "RetrievePropertiesEx", "PowerOnVM_Task", "ExportVm") into its class.
func MethodClass(method string) string {
	switch {
	case sessionMethods[method]:
		return ClassSession
	case strings.HasPrefix(method, "HttpNfcLease"), method == "ExportVm", method == "ExportSnapshot", method == "ImportVApp":
		return ClassLease
	case strings.HasSuffix(method, "_Task"):
		return ClassTask
	case readMethods[method], strings.HasPrefix(method, "Retrieve"), strings.HasPrefix(method, "Find"),
		strings.HasPrefix(method, "Query"):
		return ClassRead
	}
	return ClassOther
}

// ObserveAPICall records one ESXi API call of a class (see MethodClass;
// another value counts as "other") that took d and ended with err. A
// failure is also counted by its kind, and the reachability gauge follows:
// a call the host answered (even with a fault) sets it to 1, a call that
// could not connect sets it to 0, a timeout or cancellation leaves it.
func (m *Metrics) ObserveAPICall(class string, d time.Duration, err error) {
	if !classes[class] {
		class = ClassOther
	}
	m.apiDuration.WithLabelValues(class).Observe(d.Seconds())
	if err == nil {
		m.reachable.WithLabelValues().Set(1)
		return
	}
	kind := ErrorKind(err)
	m.apiErrors.WithLabelValues(class, kind).Inc()
	switch kind {
	case errkind.Connection.String():
		m.reachable.WithLabelValues().Set(0)
	case errkind.Timeout.String(), errkind.Canceled.String():
	default:
		m.reachable.WithLabelValues().Set(1)
	}
}

// ErrorKind is the bounded kind label of an error: its errkind when it has
// one, else connection, timeout or canceled when the network or the
// context says so, else "unknown".
func ErrorKind(err error) string {
	if k := errkind.Of(err); k != errkind.Unknown {
		return k.String()
	}
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return errkind.Canceled.String()
	case errors.Is(err, context.DeadlineExceeded):
		return errkind.Timeout.String()
	case errors.As(err, &opErr) && opErr.Op == "dial", errors.As(err, &dnsErr):
		return errkind.Connection.String()
	case errors.As(err, &netErr) && netErr.Timeout():
		return errkind.Timeout.String()
	case errors.As(err, &opErr):
		return errkind.Connection.String()
	}
	return errkind.Unknown.String()
}
