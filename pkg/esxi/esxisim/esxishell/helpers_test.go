package esxishell

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
)

// env is a free-licence simulator, its shell and an API session.
type env struct {
	sim   *esxisim.Simulator
	shell *Shell
	c     *client.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	sim := simtest.Start(t, esxisim.Options{FreeLicence: true, TemplateDiskSize: 2 << 20})
	ctx := simtest.Ctx(t, time.Minute)
	sh, err := New(ctx, sim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sh.Close() })
	return &env{sim: sim, shell: sh, c: simtest.Connect(t, sim, "")}
}

// exec runs a command line in the shell.
func (e *env) exec(t *testing.T, line string) (stdout, stderr string, exit int) {
	t.Helper()
	var out, errOut strings.Builder
	exit = e.shell.Exec(context.Background(), line, &out, &errOut)
	return out.String(), errOut.String(), exit
}

// execIn runs a command line with stdin.
func (e *env) execIn(t *testing.T, line, stdin string) (stdout, stderr string, exit int) {
	t.Helper()
	var out, errOut strings.Builder
	exit = e.shell.ExecStdin(context.Background(), line, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), exit
}

// must runs a command line that must succeed and returns its output.
func (e *env) must(t *testing.T, line string) string {
	t.Helper()
	out, errOut, exit := e.exec(t, line)
	if exit != 0 {
		t.Fatalf("%s: exit %d\n%s%s", line, exit, out, errOut)
	}
	return out
}

const template = esxisim.TemplateName
