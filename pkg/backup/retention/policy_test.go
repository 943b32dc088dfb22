package retention

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones the tests use, whatever the machine has
)

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name    string
		p       Policy
		wantErr error
		wantMsg string
	}{
		{name: "empty", p: Policy{}, wantErr: ErrEmptyPolicy},
		{name: "empty with location", p: Policy{Location: time.Local}, wantErr: ErrEmptyPolicy},
		{name: "last only", p: Policy{KeepLast: 1}},
		{name: "yearly only", p: Policy{KeepYearly: 2}},
		{name: "unlimited monthly", p: Policy{KeepMonthly: Unlimited}},
		{name: "everything", p: Policy{KeepLast: 3, KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 12, KeepYearly: -1}},
		{name: "negative daily", p: Policy{KeepDaily: -2}, wantErr: ErrInvalidCount, wantMsg: "keep-daily is -2"},
		{name: "negative beside valid", p: Policy{KeepLast: 3, KeepWeekly: -5}, wantErr: ErrInvalidCount, wantMsg: "keep-weekly is -5"},
		{name: "two negatives", p: Policy{KeepMonthly: -3, KeepYearly: -9}, wantErr: ErrInvalidCount, wantMsg: "keep-yearly is -9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Validate() = %v, want %v", err, tt.wantErr)
			}
			if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Validate() = %q, want it to mention %q", err, tt.wantMsg)
			}
		})
	}
}

func TestPolicyString(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	tests := []struct {
		p    Policy
		want string
	}{
		{Policy{}, "keep nothing"},
		{Policy{KeepLast: 3}, "keep 3 last backups (days in UTC)"},
		{Policy{KeepLast: 2, KeepDaily: 7, KeepMonthly: -1, Location: berlin},
			"keep 2 last, 7 daily, all monthly backups (days in Europe/Berlin)"},
		{Policy{KeepWeekly: 4, KeepYearly: -1}, "keep 4 weekly, all yearly backups (days in UTC)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func mustLoad(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("loading time zone %s: %v", name, err)
	}
	return loc
}
