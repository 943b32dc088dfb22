package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/ops"
)

// This file is the only one that knows ops.Record: it maps the runner's
// record to a Record.

var _ ops.Auditor = (*Log)(nil)

// Write implements ops.Auditor: it appends r (see Append).
func (l *Log) Write(ctx context.Context, r ops.Record) error {
	rec, err := fromOps(r)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	return l.Append(ctx, rec)
}

// secretWords mark an ops parameter as secret by its name.
var secretWords = []string{"password", "secret", "token", "passphrase", "private"}

func fromOps(r ops.Record) (Record, error) {
	rec := Record{
		Phase: r.Phase, CorrelationID: r.CorrelationID, Operation: r.Op, Class: r.Class,
		Target: r.Target, Actor: Actor{Name: r.Actor}, DryRun: r.DryRun, Outcome: r.Outcome,
		Error: r.Error, DurationMS: r.DurationMS, Notes: r.Notes,
	}
	if r.Params != nil {
		p, err := json.Marshal(r.Params)
		if err != nil {
			return Record{}, fmt.Errorf("encoding the params of %s: %w", r.Op, err)
		}
		rec.Params = p
		for k := range r.Params {
			if isSecret(k) {
				rec.Secrets = append(rec.Secrets, "/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"))
			}
		}
	}
	return rec, nil
}

func isSecret(key string) bool {
	k := strings.ToLower(key)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
