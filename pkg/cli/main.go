package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/errkind"
)

// Main runs ceso with the process's arguments and streams and returns the
// exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args[1:], cmdutil.System(), os.LookupEnv)
}

// Run runs ceso in-process: tests and `ceso demo` use it.
func Run(ctx context.Context, args []string, io *cmdutil.IOStreams, env config.Env) int {
	f := cmdutil.New(io, env)
	root := NewCmdRoot(f)
	root.SetArgs(args)
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	err := root.ExecuteContext(ctx)
	if err != nil && errkind.Of(err) == errkind.Unknown && strings.HasPrefix(err.Error(), "unknown command") {
		err = cmdutil.FlagError(err)
	}
	if merr := f.StopMetrics(ctx, f.Global.MetricsLinger); merr != nil && err == nil {
		fmt.Fprintf(io.ErrOut, "warning: %v\n", merr)
	}
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if cerr := f.Close(closeCtx); cerr != nil && err == nil {
		fmt.Fprintf(io.ErrOut, "warning: %v\n", cerr)
	}
	if err != nil {
		printError(io, withDeadline(f, err))
	}
	return cmdutil.ExitCode(err)
}

// withDeadline adds the command's deadline to an error that ran out of it
// and does not say so already.
func withDeadline(f *cmdutil.Factory, err error) error {
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "--timeout") {
		return err
	}
	cfg, cerr := f.Config()
	if cerr != nil {
		return err
	}
	return fmt.Errorf("%w (the command's deadline, --timeout %s, passed)", err, cfg.Timeout())
}

func printError(io *cmdutil.IOStreams, err error) {
	msg := err.Error()
	if errors.Is(err, context.Canceled) {
		msg = "interrupted"
	}
	fmt.Fprintf(io.ErrOut, "error: %s\n", msg)
	if errkind.Of(err) == errkind.Usage && !strings.Contains(msg, "--help") {
		fmt.Fprintln(io.ErrOut, "run 'ceso COMMAND --help' for usage")
	}
}
