package operations

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/google/jsonschema-go/jsonschema"
)

// Op is one operation of the catalog with its types.
type Op[P Params, R any] struct {
	name    string
	summary string
	class   ops.Class
	// classes lists every class classOf can return (class among them).
	classes []ops.Class
	// classOf raises the class for particular params; nil keeps class.
	classOf func(P) ops.Class
	// complete fills in the configured defaults before Validate.
	complete func(*app.App, P) P
	// plan returns the steps run would take, changing nothing; it shares
	// its code with run (the host's dry-run mode records the calls).
	plan func(ctx context.Context, a *app.App, p P) ([]ops.Step, error)
	// run does the operation.
	run func(ctx context.Context, a *app.App, p P) (R, error)

	schemaOnce sync.Once
	in, out    *jsonschema.Schema
	schemaErr  error
}

var _ Def = (*Op[VMListParams, []VMSummary])(nil)

// Name implements Def.
func (o *Op[P, R]) Name() string { return o.name }

// Summary implements Def.
func (o *Op[P, R]) Summary() string { return o.summary }

// Class implements Def.
func (o *Op[P, R]) Class() ops.Class { return o.class }

// Classes implements Def.
func (o *Op[P, R]) Classes() []ops.Class {
	if len(o.classes) == 0 {
		return []ops.Class{o.class}
	}
	return append([]ops.Class(nil), o.classes...)
}

// ClassOf is the class of the operation with params p.
func (o *Op[P, R]) ClassOf(p P) ops.Class {
	if o.classOf != nil {
		return o.classOf(p)
	}
	return o.class
}

// Complete returns p with the configured defaults filled in.
func (o *Op[P, R]) Complete(a *app.App, p P) P {
	if o.complete != nil {
		return o.complete(a, p)
	}
	return p
}

// InputSchema implements Def.
func (o *Op[P, R]) InputSchema() (*jsonschema.Schema, error) {
	o.schemas()
	return o.in, o.schemaErr
}

// OutputSchema implements Def.
func (o *Op[P, R]) OutputSchema() (*jsonschema.Schema, error) {
	o.schemas()
	return o.out, o.schemaErr
}

func (o *Op[P, R]) schemas() {
	o.schemaOnce.Do(func() {
		opts := schemaOptions()
		o.in, o.schemaErr = jsonschema.For[P](opts)
		if o.schemaErr == nil {
			o.out, o.schemaErr = jsonschema.For[R](opts)
		}
		if o.schemaErr != nil {
			o.schemaErr = fmt.Errorf("schema of %s: %w", o.name, o.schemaErr)
		}
	})
}

// Invoke implements Def.
func (o *Op[P, R]) Invoke(ctx context.Context, a *app.App, call app.Call, params json.RawMessage) (Outcome[any], error) {
	p, err := Decode[P](params)
	if err != nil {
		return Outcome[any]{}, err
	}
	out, err := Run(ctx, a, call, o, p)
	return Outcome[any]{CorrelationID: out.CorrelationID, DryRun: out.DryRun, Plan: out.Plan, PlanID: out.PlanID, Result: out.Result, Notes: out.Notes}, err
}

// ErrInvalidParams is returned for params that cannot be decoded or do not
// validate.
var ErrInvalidParams = errkind.New(errkind.Usage, "invalid parameters")

// Decode reads params from JSON strictly: unknown fields and trailing data
// are refused. Empty input is the zero params.
func Decode[P any](data json.RawMessage) (P, error) {
	var p P
	if len(bytes.TrimSpace(data)) == 0 {
		return p, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, fmt.Errorf("%w: %w", ErrInvalidParams, err)
	}
	if dec.More() {
		return p, fmt.Errorf("%w: data after the params object", ErrInvalidParams)
	}
	return p, nil
}
