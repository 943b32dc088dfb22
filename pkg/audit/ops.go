package audit

import (
	"context"

	"github.com/ceso/ceso/pkg/ops"
)

// This file is the only one that knows ops.Record: it maps the runner's
// record to a Record.

var _ ops.Auditor = (*Log)(nil)

// Write implements ops.Auditor: it appends r (see Append). The params come
// from the catalog with their secret fields already replaced by HashSecret
// (pkg/operations reads the `secret` tags of the typed params).
func (l *Log) Write(ctx context.Context, r ops.Record) error {
	return l.Append(ctx, fromOps(r))
}

// HashSecret is the HMAC a secret value takes in this log (see Key).
func (l *Log) HashSecret(value string) string { return l.key.HashSecret(value) }

func fromOps(r ops.Record) Record {
	return Record{
		Phase: r.Phase, CorrelationID: r.CorrelationID, Operation: r.Op, Class: r.Class, Mode: r.Mode,
		Target: r.Target, Actor: Actor{Name: r.Actor}, Params: r.Params, DryRun: r.DryRun, Outcome: r.Outcome,
		Error: r.Error, DurationMS: r.DurationMS, Notes: r.Notes,
		TokenID: r.TokenID, ApprovalID: r.ApprovalID, Transport: r.Transport,
	}
}
