package server

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// auditRecord is what the tests read of an audit record.
type auditRecord struct {
	Phase         string `json:"phase"`
	CorrelationID string `json:"correlation_id"`
	Operation     string `json:"operation"`
	Actor         struct {
		Name string `json:"name"`
	} `json:"actor"`
	Mode    string `json:"mode"`
	DryRun  bool   `json:"dry_run"`
	Outcome string `json:"outcome"`
	Error   string `json:"error"`
}

// audit returns the records of correlation ID id (every record when "").
func (ts *testServer) audit(t *testing.T, id string) []auditRecord {
	t.Helper()
	f, err := os.Open(ts.cfg.AuditLogPath())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []auditRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var r auditRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		if id == "" || r.CorrelationID == id {
			out = append(out, r)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
