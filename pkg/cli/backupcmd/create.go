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
		Short:       "Back up a VM, running or not: SHA-256, zstd, recorded when whole",
		Long: `Stream each disk of the VM through SHA-256 and zstd to the target, with its
NVRAM file (an EFI VM without one is refused: a copy would not boot). The
backup appears in the catalog only after every file is stored and its size
checked; --verify also re-reads it before recording.

A powered-off VM is exported through an NFC lease (kept alive by progress
reports). A running VM is backed up hot: ceso takes a snapshot named
ceso-backup-<id> (quiesced when VMware Tools run, crash-consistent otherwise;
the output and the catalog entry say which), reads the frozen disks over the
datastore's HTTPS file access with --readers Range requests in flight while
the VM keeps running, stores them as streamOptimized VMDKs (all-zero chunks
left out) and removes the snapshot, also when the backup fails or is
interrupted; the next backup of the VM removes a snapshot a killed run left.
A VM with snapshots of its own cannot be backed up hot. With --power-off the
guest is shut down instead (powered off after --shutdown-timeout) and
powered on again afterwards, also when the backup fails. Two backups of one
VM never run at once.

On a host whose licence refuses API writes (the free licence), with
esxi.transport auto the snapshot and power changes go over SSH (vim-cmd),
each step noted; --dry-run shows the exact shell lines.

--all backs up every VM but templates and defaults.template (narrowed by
--match), one after the other; it goes on past a VM that fails and then
exits 7 (partial failure), naming each failure. --json prints the catalog
entry of one VM, or an array of the entries made by --all.`,
		Example: `  ceso backup create web01
  ceso backup create web01 --readers 8
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
			if opts.Params.Readers < 1 || opts.Params.Readers > backup.MaxReaders {
				return cmdutil.FlagError(fmt.Errorf("--readers must be from 1 to %d", backup.MaxReaders))
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Params.PowerOff, "power-off", false, "back up a running VM cold: shut it down, and power it on again afterwards (default: hot, from a snapshot)")
	fl.IntVar(&opts.Params.Readers, "readers", backup.DefaultReaders, "hot backup: Range requests in flight on each disk")
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
		how := ""
		if c := e.Metadata["consistency"]; c != "" {
			how = ", " + c
		}
		fmt.Fprintf(f.IO.Out, "backed up %s as %s (%s stored on %s, %s%s)\n", e.VMName, e.ID, cmdutil.HumanBytes(e.Size), e.Target, e.Timestamp.Format(time.RFC3339), how)
	}
	if opts.Params.All && len(entries) == 0 && err == nil && f.IO.OutTTY {
		fmt.Fprintln(f.IO.ErrOut, "no VMs match")
	}
	return err
}
