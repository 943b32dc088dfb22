package backupcmd

import (
	"context"
	"fmt"
	"time"

	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// CreateOptions are the options of `ceso backup create`.
type CreateOptions struct {
	Factory  *cmdutil.Factory
	Params   operations.BackupCreateParams
	Compress bool
	JSON     bool
}

// NewCmdCreate makes `ceso backup create VM | --all`.
func NewCmdCreate(f *cmdutil.Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{Factory: f}
	cmd := &cobra.Command{
		Use:         "create VM | --all [--match GLOB]",
		Annotations: cmdutil.Operation("backup.create"),
		Short:       "Back up a VM: streamed export, SHA-256, zstd, recorded when whole",
		Long: `Export the VM through an NFC lease (kept alive by progress reports) and stream
each disk through SHA-256 and zstd to the target. The backup appears in the
catalog only after every file is stored and its size checked; --verify also
re-reads it before recording.

A powered-on VM is refused unless --power-off: the guest is shut down (powered
off after --shutdown-timeout) and powered on again afterwards, also when the
backup fails. Two backups of one VM never run at once.

--all backs up every VM but templates and defaults.template (narrowed by
--match), one after the other; it goes on past a VM that fails and then
exits 7 (partial failure), naming each failure. --json prints the catalog
entry of one VM, or an array of the entries made by --all.`,
		Example: `  ceso backup create web01
  ceso backup create db1 --power-off --shutdown-timeout 3m --target nas --description "before upgrade"
  ceso backup create --all --match 'lab-*' --verify`,
		Args:              cmdutil.MaximumNArgs(1),
		ValidArgsFunction: cmdutil.CompleteVM(f, operations.CompleteVMs, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Params.VM = args[0]
				if err := vm.ValidateName(opts.Params.VM); err != nil {
					return cmdutil.FlagError(err)
				}
			}
			opts.Params.Uncompressed = !opts.Compress
			if opts.Params.ShutdownTimeout <= 0 {
				return cmdutil.FlagError(fmt.Errorf("--shutdown-timeout must be positive"))
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Params.PowerOff, "power-off", false, "back up a running VM cold: shut it down, and power it on again afterwards")
	fl.DurationVar((*time.Duration)(&opts.Params.ShutdownTimeout), "shutdown-timeout", backup.DefaultShutdownTimeout, "with --power-off: wait this long for the guest, then power off")
	fl.BoolVar(&opts.Compress, "compress", true, "compress disks with zstd (backup.compression sets level and workers)")
	fl.StringVar(&opts.Params.To, "target", "", "target name: one of backup.targets, or the built-in datastore (the VM's own, folder ceso-backups/) or local (default backup.default_target, else datastore)")
	fl.StringVar(&opts.Params.Description, "description", "", "a note kept with the backup")
	fl.BoolVar(&opts.Params.Verify, "verify", false, "re-read and check the backup before recording it")
	fl.BoolVar(&opts.Params.All, "all", false, "back up every VM but the templates (see --match)")
	fl.StringVar(&opts.Params.Match, "match", "", "with --all, only VMs whose name matches this glob")
	fl.BoolVar(&opts.JSON, "json", false, "print the catalog entry as JSON")
	_ = cmd.RegisterFlagCompletionFunc("target", cmdutil.CompleteTarget(f))
	return cmd
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	f := opts.Factory
	entries, done, err := cmdutil.Run(ctx, f, operations.BackupCreate, opts.Params, opts.JSON)
	if done && entries == nil {
		return err
	}
	switch {
	case opts.JSON && !opts.Params.All:
		if len(entries) == 1 {
			return cmdutil.WriteJSON(f.IO.Out, entries[0])
		}
		return err
	case opts.JSON:
		if jerr := cmdutil.WriteJSON(f.IO.Out, entries); jerr != nil {
			return jerr
		}
		return err
	}
	for _, e := range entries {
		fmt.Fprintf(f.IO.Out, "backed up %s as %s (%s stored on %s, %s)\n", e.VMName, e.ID, cmdutil.HumanBytes(e.Size), e.Target, e.Timestamp.Format(time.RFC3339))
	}
	if opts.Params.All && len(entries) == 0 && err == nil && f.IO.OutTTY {
		fmt.Fprintln(f.IO.ErrOut, "no VMs match")
	}
	return err
}
