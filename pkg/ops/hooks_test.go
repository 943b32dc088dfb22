package ops

import (
	"context"
	"testing"
)

// TestHooksNameTheOperationAndSeeItStart: the correlation ID given is the
// one the records and the result carry; Started is called once, before
// Run, and never for a refusal, a failed start record or a dry run.
func TestHooksNameTheOperationAndSeeItStart(t *testing.T) {
	tests := []struct {
		name    string
		mode    string
		op      string
		dryRun  bool
		failOn  string
		started int
	}{
		{"runs", ModeStandard, "vm.create", false, "", 1},
		{"refused", ModeReadOnly, "vm.create", false, "", 0},
		{"start record fails", ModeStandard, "vm.create", false, "start", 0},
		{"dry run", ModeReadOnly, "vm.list", true, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			audit := &memAudit{failOn: tt.failOn}
			r := &Runner{Sandbox: ModeSandbox{Mode: tt.mode}, Audit: audit, DryRun: tt.dryRun}
			started, ranBefore := 0, false
			var ran bool
			ctx := WithHooks(context.Background(), Hooks{CorrelationID: "job-1", Started: func() { started++; ranBefore = ran }})
			res, _ := r.Do(ctx, newOp(tt.op, nil, &ran))
			if started != tt.started || ranBefore {
				t.Fatalf("Started called %d times (ran before: %v), want %d", started, ranBefore, tt.started)
			}
			if res.CorrelationID != "job-1" {
				t.Fatalf("correlation ID %q", res.CorrelationID)
			}
			for _, rec := range audit.records {
				if rec.CorrelationID != "job-1" {
					t.Fatalf("record %+v", rec)
				}
			}
		})
	}
	var ran bool
	res, err := (&Runner{Sandbox: ModeSandbox{Mode: ModeUnrestricted}}).Do(context.Background(), newOp("vm.list", nil, &ran))
	if err != nil || len(res.CorrelationID) != 36 {
		t.Fatalf("without hooks: a new UUID, got %q %v", res.CorrelationID, err)
	}
}
