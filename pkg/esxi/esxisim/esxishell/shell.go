package esxishell

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/vim25"
)

// Shell plays an ESXi host's shell over a simulator. It is safe for
// concurrent use: each SSH session runs its command on its own.
type Shell struct {
	sim *esxisim.Simulator
	gc  *govmomi.Client

	mu       sync.Mutex
	commands []string
	register sync.Mutex // one registration at a time, as hostd does
}

var _ sshtest.Handler = (*Shell)(nil)

// New logs in to sim as the host's own tools do (esxisim.LocalClient) and
// returns the shell. Close logs out.
func New(ctx context.Context, sim *esxisim.Simulator) (*Shell, error) {
	gc, err := sim.LocalClient(ctx)
	if err != nil {
		return nil, fmt.Errorf("fake esxi shell: %w", err)
	}
	return &Shell{sim: sim, gc: gc}, nil
}

// Close logs the shell's session out.
func (s *Shell) Close() error {
	return s.gc.Logout(context.Background())
}

// Commands returns the command lines run so far, in order.
func (s *Shell) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.commands...)
}

func (s *Shell) vim() *vim25.Client { return s.gc.Client }

// result is what a command prints and its exit status.
type result struct {
	stdout, stderr string
	exit           int
}

func ok(stdout string) result { return result{stdout: stdout} }

func failed(stderr string, exit int) result { return result{stderr: stderr, exit: exit} }

// Exec runs one command line with an empty standard input.
func (s *Shell) Exec(ctx context.Context, line string, stdout, stderr io.Writer) int {
	return s.ExecStdin(ctx, line, strings.NewReader(""), stdout, stderr)
}

// ExecStdin runs one command line reading stdin (sshtest.StdinHandler).
func (s *Shell) ExecStdin(ctx context.Context, line string, stdin io.Reader, stdout, stderr io.Writer) int {
	s.mu.Lock()
	s.commands = append(s.commands, line)
	s.mu.Unlock()
	r := s.run(ctx, line, stdin)
	_, _ = io.WriteString(stdout, r.stdout)
	_, _ = io.WriteString(stderr, r.stderr)
	return r.exit
}

func (s *Shell) run(ctx context.Context, line string, stdin io.Reader) result {
	argv, err := splitWords(line)
	if err != nil {
		return failed(fmt.Sprintf("sh: %s in %q\n", err, line), 2)
	}
	if len(argv) == 0 {
		return ok("")
	}
	switch argv[0] {
	case "vim-cmd":
		return s.vimCmd(ctx, argv[1:])
	case "vmkfstools":
		return s.vmkfstools(ctx, argv[1:])
	case "mkdir":
		return s.mkdir(argv[1:])
	case "rm":
		return s.rm(argv[1:])
	case "mv":
		return s.mv(argv[1:])
	case "cp":
		return s.cp(argv[1:])
	case "sh":
		return s.sh(argv[1:], stdin)
	}
	return failed("sh: "+argv[0]+": not found\n", 127)
}

// vimCmd runs vim-cmd SUBCOMMAND ARGS.
func (s *Shell) vimCmd(ctx context.Context, args []string) result {
	if len(args) == 0 {
		return failed("Commands available under /:\nhbrsvc/       internalsvc/  solo/         vmsvc/\nhostsvc/      proxysvc/     vimsvc/\n", 1)
	}
	sub, rest := args[0], args[1:]
	switch {
	case sub == "vmsvc/getallvms":
		return s.getAllVMs(ctx)
	case sub == "solo/registervm":
		return s.registerVM(ctx, rest)
	case strings.HasPrefix(sub, "vmsvc/power."):
		return s.power(ctx, strings.TrimPrefix(sub, "vmsvc/power."), rest)
	case strings.HasPrefix(sub, "vmsvc/snapshot."):
		return s.snapshot(ctx, strings.TrimPrefix(sub, "vmsvc/snapshot."), rest)
	case sub == "vmsvc/destroy", sub == "vmsvc/unregister", sub == "vmsvc/reload":
		return s.vmLifecycle(ctx, strings.TrimPrefix(sub, "vmsvc/"), rest)
	}
	return failed(fmt.Sprintf("Unknown command: '%s'\n", sub), 1)
}
