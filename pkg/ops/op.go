package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// Class is how much an operation may change.
type Class int

// Classes, from the least to the most dangerous.
const (
	ClassUnknown     Class = iota
	ClassRead              // looks, changes nothing
	ClassWrite             // creates or changes, can be undone
	ClassDestructive       // deletes or overwrites what cannot be recovered
)

func (c Class) String() string {
	switch c {
	case ClassRead:
		return "read"
	case ClassWrite:
		return "write"
	case ClassDestructive:
		return "destructive"
	}
	return "unknown"
}

// Step is one call an operation makes: an API method or a shell command on
// the host. A plan is the list of steps in order.
type Step struct {
	Via    string `json:"via"`    // "api", "ssh" or "local"
	Action string `json:"action"` // the API method or the exact shell command
	Detail string `json:"detail,omitempty"`
}

func (s Step) String() string {
	if s.Detail == "" {
		return fmt.Sprintf("[%s] %s", s.Via, s.Action)
	}
	return fmt.Sprintf("[%s] %s  # %s", s.Via, s.Action, s.Detail)
}

// Op is one operation, ready to run. pkg/operations builds every Op from a
// catalog definition; nothing else should.
type Op struct {
	Name   string // the catalog name, e.g. "vm.create"
	Class  Class  // how much it may change; ClassUnknown is refused in every mode but unrestricted
	Target string // what it acts on, e.g. the VM name
	// Params are its parameters as the audit log records them: the typed
	// params' JSON with secret fields already replaced by their HMAC.
	Params json.RawMessage
	// Changes are the VMs and datastores it changes, as its params name
	// them: what the sandbox checks against security.protected.
	Changes Changes
	// Plan returns the steps Run would take, without changing anything.
	Plan func(ctx context.Context) ([]Step, error)
	// Run does the operation and returns its result.
	Run func(ctx context.Context) (any, error)
}

// Changes are the objects an operation changes, known before it runs.
type Changes struct {
	// VMs it changes, creates or removes, by name.
	VMs []string
	// VMPatterns are shell globs of the VMs a batch picks when it runs.
	VMPatterns []string
	// Datastores it writes to or deletes from.
	Datastores []string
	// DatastoreUnknown says it writes to a datastore known only when it
	// runs.
	DatastoreUnknown bool
}

// Result is what Runner.Do returns.
type Result struct {
	CorrelationID string
	DryRun        bool
	Plan          []Step // set on a dry run, and on a refusal the sandbox would allow as a dry run
	// PlanID names Plan when the sandbox is a Guard: what an approval is for.
	PlanID string
	Value  any // what Run returned
	// Notes are remarks an operation made along the way (e.g. "done over SSH:
	// the licence refuses API writes"), for the output and the audit record.
	Notes []string
}

// FormatPlan renders a plan one step a line.
func FormatPlan(steps []Step) string {
	var b strings.Builder
	for i, s := range steps {
		fmt.Fprintf(&b, "%2d. %s\n", i+1, s)
	}
	return b.String()
}

type notesKey struct{}

type nameKey struct{}

// Current is the name of the operation ctx runs within ("" outside
// Runner.Do), for code deep in an operation that reports on it.
func Current(ctx context.Context) string {
	n, _ := ctx.Value(nameKey{}).(string)
	return n
}

// notes collects the remarks of one operation; parallel parts of an
// operation may add to it at once.
type notes struct {
	mu   sync.Mutex
	list []string
}

func (n *notes) all() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.list...)
}

// Note records a remark about the running operation; Runner.Do returns it in
// Result.Notes and writes it to the audit record. Outside Do it does nothing.
// It is safe for concurrent use.
func Note(ctx context.Context, format string, a ...any) {
	if n, ok := ctx.Value(notesKey{}).(*notes); ok {
		n.mu.Lock()
		n.list = append(n.list, fmt.Sprintf(format, a...))
		n.mu.Unlock()
	}
}
