package cmdutil

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// completionTimeout bounds the host read of one completion.
const completionTimeout = 5 * time.Second

// noFiles is the directive of every completion here: never file names.
const noFiles = cobra.ShellCompDirectiveNoFileComp

// completionApp is an App that uses the cached session or nothing: no
// login, no password command, nothing printed. It is closed by the caller.
func (f *Factory) completionApp() (*app.App, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	return app.New(app.Options{Config: cfg, Env: f.Env, Now: f.Now, Warn: io.Discard, CacheOnly: true, Actor: "completion"})
}

// withCompletionApp runs fn with a cache-only App; any error completes
// nothing.
func (f *Factory) withCompletionApp(fn func(context.Context, *app.App) ([]cobra.Completion, error)) ([]cobra.Completion, cobra.ShellCompDirective) {
	a, err := f.completionApp()
	if err != nil {
		return nil, noFiles
	}
	ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
	defer cancel()
	defer a.Close(context.WithoutCancel(ctx))
	out, err := fn(ctx, a)
	if err != nil {
		return nil, noFiles
	}
	return out, noFiles
}

// CompleteVM completes VM names of the kind operations.CompleteVMs,
// CompleteTemplates or CompleteAnyVM from the cached session, for the
// first maxArgs arguments (0: every argument).
func CompleteVM(f *Factory, kind string, maxArgs int) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if maxArgs > 0 && len(args) >= maxArgs {
			return nil, noFiles
		}
		return f.withCompletionApp(func(ctx context.Context, a *app.App) ([]cobra.Completion, error) {
			return operations.CompleteVMNames(ctx, a, kind, toComplete)
		})
	}
}

// CompleteBackupID completes the first argument with backup IDs.
func CompleteBackupID(f *Factory) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, noFiles
		}
		return f.withCompletionApp(func(_ context.Context, a *app.App) ([]cobra.Completion, error) {
			ids, err := operations.CompleteBackupIDs(a, toComplete)
			out := make([]cobra.Completion, len(ids))
			for i, id := range ids {
				out[i] = cobra.CompletionWithDesc(id[0], id[1])
			}
			return out, err
		})
	}
}

// CompleteBackupVM completes a flag with the names of VMs that have
// backups.
func CompleteBackupVM(f *Factory) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return f.withCompletionApp(func(_ context.Context, a *app.App) ([]cobra.Completion, error) {
			return operations.CompleteBackupVMs(a, toComplete)
		})
	}
}

// CompleteTarget completes a flag with backup target names.
func CompleteTarget(f *Factory) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return f.withCompletionApp(func(_ context.Context, a *app.App) ([]cobra.Completion, error) {
			return operations.CompleteTargets(a, toComplete), nil
		})
	}
}

// CompletePowerAction completes vm power's first argument with the
// actions, and the VM names after it.
func CompletePowerAction(f *Factory) cobra.CompletionFunc {
	vms := CompleteVM(f, operations.CompleteVMs, 0)
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return vms(cmd, args, toComplete)
		}
		var out []cobra.Completion
		for _, op := range []vm.PowerOp{vm.PowerOn, vm.PowerOff, vm.PowerShutdown, vm.PowerReset, vm.PowerSuspend} {
			if strings.HasPrefix(string(op), toComplete) {
				out = append(out, string(op))
			}
		}
		return out, noFiles
	}
}
