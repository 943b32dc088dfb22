package audit

import (
	"context"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/ops"
)

func TestWriteMapsOpsRecords(t *testing.T) {
	l, path := newLog(t, Options{})
	r := ops.Record{Phase: "end", CorrelationID: "c1", Actor: "cli:ops@laptop", Op: "vm.create", Class: "write",
		Target: "web01", Params: map[string]any{"cpu": 2, "ssh_password": "hunter2", "ApiToken": "t0k3n", "a/b": "x"},
		DryRun: true, Outcome: "failure", Error: "boom", DurationMS: 12, Notes: []string{"n"}}
	if err := l.Write(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if r.Params["ssh_password"] != "hunter2" {
		t.Fatal("the caller's params were changed")
	}
	ls := lines(t, path)
	e, _, err := parseLine(ls[0])
	if err != nil {
		t.Fatal(err)
	}
	k := l.Key()
	want := `{"ApiToken":"` + k.HashSecret("t0k3n") + `","a/b":"x","cpu":2,"ssh_password":"` + k.HashSecret("hunter2") + `"}`
	if string(e.Params) != want {
		t.Fatalf("params %s\nwant   %s", e.Params, want)
	}
	if e.Phase != "end" || e.CorrelationID != "c1" || e.Actor.Name != "cli:ops@laptop" || e.Operation != "vm.create" ||
		e.Class != "write" || e.Target != "web01" || !e.DryRun || e.Outcome != "failure" || e.Error != "boom" ||
		e.DurationMS != 12 || len(e.Notes) != 1 {
		t.Fatalf("%+v", e.Record)
	}
	if err := l.Write(context.Background(), ops.Record{Op: "x", Params: map[string]any{"f": func() {}}}); err == nil || !strings.Contains(err.Error(), "encoding the params of x") {
		t.Fatalf("unencodable params: %v", err)
	}
}
