package operations

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/google/jsonschema-go/jsonschema"
)

// Params is what every operation's params type implements.
type Params interface {
	// Validate checks the params before anything touches a host, and names
	// the bad field in its error.
	Validate() error
	// Target is what the operation acts on, for the audit log ("web01").
	Target() string
}

// Def is one catalog entry seen without its types: what listings, the HTTP
// API and the MCP server need.
type Def interface {
	// Name is the operation's name: "vm.create".
	Name() string
	// Summary is one line saying what it does.
	Summary() string
	// Class is the operation's least class; ClassOf may raise it for
	// particular params (a restore that replaces a VM is destructive).
	Class() ops.Class
	// Classes lists every class the operation can take.
	Classes() []ops.Class
	// InputSchema and OutputSchema are the JSON schemas of the params and
	// of the result.
	InputSchema() (*jsonschema.Schema, error)
	OutputSchema() (*jsonschema.Schema, error)
	// Invoke decodes params from JSON (unknown fields are refused), runs the
	// operation and returns its outcome with the result as a value.
	Invoke(ctx context.Context, a *app.App, call app.Call, params json.RawMessage) (Outcome[any], error)
}

// Catalog is every operation ceso knows, sorted by name.
func Catalog() []Def {
	defs := []Def{
		VMList, VMInfo, VMCreate, VMClone, VMDelete, VMPower,
		BackupCreate, BackupList, BackupVerify, BackupRestore, BackupDelete, BackupPrune, BackupClean,
		CloudInitRender, ConfigValidate,
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].Name() < defs[j].Name() })
	return defs
}

// Lookup returns the operation named name.
func Lookup(name string) (Def, bool) {
	for _, d := range Catalog() {
		if d.Name() == name {
			return d, true
		}
	}
	return nil, false
}
