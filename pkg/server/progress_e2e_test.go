package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/server/api"
)

// TestJobProgress: a backup's job reports the bytes it stored of the total,
// and so does a restore's.
func TestJobProgress(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	ts.runOp(t, "vm.create", `{"name":"prog01"}`)
	var j api.Job
	ts.op(t, operator, "backup.create", `{"vm":"prog01"}`).decode(t, &j)
	j = ts.wait(t, operator, j.ID)
	if j.State != api.StateSucceeded || j.Progress == nil || j.Progress.TotalBytes <= 0 || j.Progress.DoneBytes != j.Progress.TotalBytes || !strings.HasPrefix(j.Progress.Label, "prog01") {
		t.Fatalf("backup job %s progress %+v", j.State, j.Progress)
	}
	var entries []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(j.Result, &entries); err != nil || len(entries) != 1 {
		t.Fatalf("%s %v", j.Result, err)
	}
	r := ts.op(t, operator, "backup.restore", `{"id":"`+entries[0].ID+`","as_new":"prog02"}`)
	if r.status != http.StatusAccepted {
		t.Fatalf("%d %s", r.status, r.body)
	}
	r.decode(t, &j)
	j = ts.wait(t, operator, j.ID)
	if j.State != api.StateSucceeded || j.Progress == nil || j.Progress.DoneBytes <= 0 {
		t.Fatalf("restore job %s progress %+v", j.State, j.Progress)
	}
}
