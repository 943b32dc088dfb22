package audit

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/ceso/ceso/pkg/ops"
)

func TestWriteMapsOpsRecords(t *testing.T) {
	l, path := newLog(t, Options{})
	params := `{"cpu":2,"ssh_password":"` + l.HashSecret("hunter2") + `"}`
	r := ops.Record{Phase: "end", CorrelationID: "c1", Actor: "cli:ops@laptop", Op: "vm.create", Class: "write", Mode: "standard",
		Target: "web01", Params: json.RawMessage(params),
		DryRun: true, Outcome: "failure", Error: "boom", DurationMS: 12, Notes: []string{"n"},
		TokenID: "5f0c3d2a9b8e4f1a6c7d8e9f0a1b2c3d", ApprovalID: "6f0c3d2a9b8e4f1a6c7d8e9f0a1b2c3d", Transport: "api+ssh"}
	if err := l.Write(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	ls := lines(t, path)
	e, _, err := parseLine(ls[0])
	if err != nil {
		t.Fatal(err)
	}
	if string(e.Params) != params || l.HashSecret("hunter2") != l.Key().HashSecret("hunter2") {
		t.Fatalf("params %s\nwant   %s", e.Params, params)
	}
	if e.Phase != "end" || e.CorrelationID != "c1" || e.Actor.Name != "cli:ops@laptop" || e.Operation != "vm.create" ||
		e.Class != "write" || e.Mode != "standard" || e.Target != "web01" || !e.DryRun || e.Outcome != "failure" || e.Error != "boom" ||
		e.DurationMS != 12 || len(e.Notes) != 1 || e.TokenID != r.TokenID || e.ApprovalID != r.ApprovalID || e.Transport != "api+ssh" {
		t.Fatalf("%+v", e.Record)
	}
}
