package operations

import (
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/backup/retention"
	"github.com/ceso/ceso/pkg/config"
)

// TestPruneFlagsReplaceThePolicy: as restic's forget, keep counts given
// replace backup.retention as a whole; none given keeps it.
func TestPruneFlagsReplaceThePolicy(t *testing.T) {
	cfg := config.Default()
	cfg.Backup.Retention = config.Retention{KeepLast: 5, KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 12}
	a, err := app.New(app.Options{Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	n := func(v int) *int { return &v }
	tests := []struct {
		name string
		p    BackupPruneParams
		want retention.Policy
	}{
		{"none given", BackupPruneParams{}, retention.Policy{KeepLast: 5, KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 12}},
		{"one given", BackupPruneParams{KeepLast: n(3)}, retention.Policy{KeepLast: 3}},
		{"yearly only", BackupPruneParams{KeepYearly: n(2)}, retention.Policy{KeepYearly: 2}},
		{"explicit zero", BackupPruneParams{KeepDaily: n(0), KeepWeekly: n(2)}, retention.Policy{KeepWeekly: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := BackupPrune.Complete(a, tt.p).policy
			got.Location, tt.want.Location = nil, nil
			if got != tt.want {
				t.Fatalf("policy %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPruneDecisions(t *testing.T) {
	at := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
	got := pruneDecisions([]retention.Decision{
		{Item: retention.Item{ID: "a", Host: "h", VMName: "web", Time: at}, Keep: true, Reasons: []string{"last backup #1"}},
		{Item: retention.Item{ID: "b", VMName: "web", Time: at}},
	})
	want := []PruneDecision{
		{ID: "a", VMName: "web", Host: "h", Timestamp: at, Action: "keep", Reasons: []string{"last backup #1"}},
		{ID: "b", VMName: "web", Timestamp: at, Action: "remove", Reasons: []string{}},
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.VMName != w.VMName || g.Host != w.Host || !g.Timestamp.Equal(w.Timestamp) || g.Action != w.Action || len(g.Reasons) != len(w.Reasons) || g.Reasons == nil {
			t.Errorf("decision %d: %+v, want %+v", i, g, w)
		}
	}
}
