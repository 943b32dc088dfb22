package cli

import (
	"context"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// runOnTerminal runs ceso with stdout and stderr on a terminal of width
// columns (0: none known).
func (e *env) runOnTerminal(t *testing.T, width int, args ...string) (int, string, string) {
	t.Helper()
	io, _, out, errOut := cmdutil.Test()
	io.OutTTY, io.ErrTTY, io.Width = true, true, width
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := Run(ctx, args, io, func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok })
	return code, out.String(), errOut.String()
}

// TestEmptyResultsSaySoOnATerminal: vm power --all matching nothing and an
// empty backup list say so on a terminal, and print nothing in a pipe.
func TestEmptyResultsSaySoOnATerminal(t *testing.T) {
	e := newEnv(t, esxisim.Options{ExtraVMs: 1})
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"vm", "power", "on", "--all", "--match", "nothing*"}, "no VM matches --all --match \"nothing*\": nothing was done\n"},
		{[]string{"backup", "list"}, "no backups in the catalog\n"},
		{[]string{"backup", "list", "--vm", "web01"}, "no backups of \"web01\" in the catalog\n"},
	}
	for _, tt := range tests {
		code, out, stderr := e.runOnTerminal(t, 0, tt.args...)
		if code != 0 || out != "" || stderr != tt.want {
			t.Errorf("%v on a terminal: exit %d, out %q, err %q; want err %q", tt.args, code, out, stderr, tt.want)
		}
		code, out, stderr = e.run(t, tt.args...)
		if code != 0 || out != "" || stderr != "" {
			t.Errorf("%v in a pipe: exit %d, out %q, err %q; want nothing", tt.args, code, out, stderr)
		}
	}
}
