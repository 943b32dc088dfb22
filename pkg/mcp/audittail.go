package mcp

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/ceso/ceso/pkg/audit"
)

// Bounds of the audit tail.
const (
	// tailRecords is how many records the audit tail shows at most.
	tailRecords = 50
	// keptCorrelations is how many correlation IDs are remembered per
	// agent.
	keptCorrelations = 512
)

// correlations remembers, per agent, the correlation IDs of its own calls:
// the audit tail shows only those.
type correlations struct {
	mu  sync.Mutex
	ids map[string][]string // agent → IDs, oldest first
}

func newCorrelations() *correlations { return &correlations{ids: map[string][]string{}} }

func (c *correlations) add(agent, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := append(c.ids[agent], id)
	if len(l) > keptCorrelations {
		l = slices.Delete(l, 0, len(l)-keptCorrelations)
	}
	c.ids[agent] = l
}

func (c *correlations) of(agent string) map[string]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	set := make(map[string]bool, len(c.ids[agent]))
	for _, id := range c.ids[agent] {
		set[id] = true
	}
	return set
}

// tailRecord is an audit record as the agent sees it: no params (their
// secrets are hashes, but an agent has no use for them either).
type tailRecord struct {
	Seq           uint64    `json:"seq"`
	Time          time.Time `json:"time"`
	Phase         string    `json:"phase"`
	CorrelationID string    `json:"correlation_id"`
	Operation     string    `json:"operation"`
	Class         string    `json:"class"`
	Target        string    `json:"target,omitempty"`
	Actor         string    `json:"actor"`
	Mode          string    `json:"mode,omitempty"`
	DryRun        bool      `json:"dry_run"`
	TokenID       string    `json:"token_id,omitempty"`
	ApprovalID    string    `json:"approval_id,omitempty"`
	Outcome       string    `json:"outcome,omitempty"`
	Error         string    `json:"error,omitempty"`
	Notes         []string  `json:"notes,omitempty"`
}

// auditTail reads the newest records of the audit log at path whose
// correlation ID is in ids, oldest first.
func auditTail(path string, ids map[string]bool) ([]tailRecord, error) {
	files, err := audit.Files(path)
	if err != nil {
		return nil, err
	}
	out := []tailRecord{}
	for i := len(files) - 1; i >= 0 && len(out) < tailRecords; i-- {
		recs, err := readMatching(files[i], ids)
		if err != nil {
			return nil, err
		}
		out = append(recs, out...)
	}
	if len(out) > tailRecords {
		out = out[len(out)-tailRecords:]
	}
	return out, nil
}

func readMatching(file string, ids map[string]bool) ([]tailRecord, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	defer f.Close()
	lines, err := audit.ReadRecords(f)
	if err != nil {
		return nil, err
	}
	var out []tailRecord
	for _, l := range lines {
		e := l.Entry
		if l.Err != nil || !ids[e.CorrelationID] {
			continue
		}
		out = append(out, tailRecord{
			Seq: e.Seq, Time: e.Time, Phase: e.Phase, CorrelationID: e.CorrelationID, Operation: e.Operation, Class: e.Class,
			Target: e.Target, Actor: e.Actor.Name, Mode: e.Mode, DryRun: e.DryRun, TokenID: e.TokenID, ApprovalID: e.ApprovalID,
			Outcome: e.Outcome, Error: e.Error, Notes: e.Notes,
		})
	}
	return out, nil
}
