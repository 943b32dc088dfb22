package storage_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/internal/storage/storagetest"
	"github.com/ceso/ceso/pkg/backup/retention"
)

func TestApplyRetention(t *testing.T) {
	c := storagetest.Open(t)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 2, 0, 0, 0, time.UTC) }
	type setup struct {
		vm       string
		day      int
		status   storage.Status
		verified string // "", "ok", "bad"
	}
	ids := map[string]string{}
	for _, s := range []setup{
		{"web", 1, storage.StatusComplete, "ok"},
		{"web", 2, storage.StatusComplete, ""},
		{"web", 3, storage.StatusDeleting, ""},
		{"web", 4, storage.StatusComplete, "bad"}, // damaged: counts as failed
		{"web", 5, storage.StatusComplete, ""},
		{"db", 1, storage.StatusComplete, ""},
		{"db", 2, storage.StatusFailed, ""},
	} {
		e := storagetest.Entry(s.vm, day(s.day))
		e.Status = s.status
		if err := c.AddBackup(e); err != nil {
			t.Fatal(err)
		}
		if s.verified != "" {
			if err := c.UpdateVerification(e.ID, s.verified == "ok", day(s.day).Add(time.Hour), s.verified); err != nil {
				t.Fatal(err)
			}
		}
		ids[fmt.Sprintf("%s%d", s.vm, s.day)] = e.ID
	}
	before, err := c.ListBackups("")
	if err != nil {
		t.Fatal(err)
	}

	verdict := func(name, reason string, keep bool) string {
		return fmt.Sprintf("%s %v %s", ids[name], keep, reason)
	}
	tests := []struct {
		name    string
		p       retention.Policy
		vm      string
		want    []string
		wantErr error
	}{
		{
			name: "every VM", p: retention.Policy{KeepLast: 1}, vm: "",
			want: []string{
				verdict("db2", "newest run, incomplete: kept for inspection, fills no rule", true),
				verdict("db1", "last backup #1", true),
				verdict("web5", "last backup #1", true),
				verdict("web4", "incomplete backup, superseded by complete backup "+ids["web5"], false),
				verdict("web3", "deletion in progress: files being removed", false),
				verdict("web2", "selected by no rule of the policy", false),
				verdict("web1", "newest verified backup of web: never removed", true),
			},
		},
		{
			name: "one VM", p: retention.Policy{KeepDaily: 2}, vm: "web",
			want: []string{
				verdict("web5", "daily backup 2026-11-05", true),
				verdict("web4", "incomplete backup, superseded by complete backup "+ids["web5"], false),
				verdict("web3", "deletion in progress: files being removed", false),
				verdict("web2", "daily backup 2026-11-02", true),
				verdict("web1", "newest verified backup of web: never removed", true),
			},
		},
		{name: "unknown VM", p: retention.Policy{KeepLast: 1}, vm: "mail"},
		{name: "empty policy", p: retention.Policy{}, wantErr: retention.ErrEmptyPolicy},
		{name: "bad count", p: retention.Policy{KeepLast: -4}, wantErr: retention.ErrInvalidCount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := c.ApplyRetention(tt.p, tt.vm)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ApplyRetention() = %v, want %v", err, tt.wantErr)
			}
			var got []string
			for _, d := range ds {
				got = append(got, fmt.Sprintf("%s %v %s", d.ID, d.Keep, strings.Join(d.Reasons, "; ")))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ApplyRetention() =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}

	after, err := c.ListBackups("")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Error("ApplyRetention changed the catalog")
	}
}
