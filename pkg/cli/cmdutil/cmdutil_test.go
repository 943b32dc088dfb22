package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ceso/ceso/pkg/errkind"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{errors.New("x"), ExitError},
		{FlagError(errors.New("bad flag")), ExitUsage},
		{errkind.Wrap(errkind.Config, errors.New("c")), ExitConfig},
		{errkind.Wrap(errkind.Connection, errors.New("c")), ExitConnection},
		{errkind.Wrap(errkind.Auth, errors.New("c")), ExitConnection},
		{fmt.Errorf("finding: %w", errkind.New(errkind.NotFound, "nf")), ExitNotFound},
		{errkind.Wrap(errkind.Refused, errors.New("c")), ExitRefused},
		{errkind.Wrap(errkind.Partial, errors.New("c")), ExitPartial},
		{errkind.Wrap(errkind.Timeout, errors.New("c")), ExitTimeout},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), ExitTimeout},
		{fmt.Errorf("x: %w", context.Canceled), ExitInterrupted},
		{errkind.Wrap(errkind.Canceled, errors.New("c")), ExitInterrupted},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestTable(t *testing.T) {
	io, _, out, _ := Test()
	tb := NewTable(io, "NAME", "IP")
	tb.Row("web\t01", "10.0.0.1")
	tb.Row("db", "-")
	if err := tb.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "web 01\t10.0.0.1\ndb\t-\n" {
		t.Fatalf("piped table %q", got)
	}
	out.Reset()
	io.OutTTY = true
	tb = NewTable(io, "NAME", "IP")
	tb.Row("web01", "10.0.0.1")
	_ = tb.Flush()
	if got := out.String(); got != "NAME   IP\nweb01  10.0.0.1\n" {
		t.Fatalf("terminal table %q", got)
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 64 << 20: "64.0 MiB", 3 << 40: "3.0 TiB"} {
		if got := HumanBytes(n); got != want {
			t.Errorf("HumanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
