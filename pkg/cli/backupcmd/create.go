package backupcmd

import (
	"context"
	"fmt"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/spf13/cobra"
)

// CreateOptions are the options of `ceso backup create`.
type CreateOptions struct {
	Factory  *cmdutil.Factory
	Request  backup.CreateRequest
	Compress bool
	JSON     bool
}

// NewCmdCreate makes `ceso backup create VM`.
func NewCmdCreate(f *cmdutil.Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "create VM",
		Short: "Back up a VM: streamed export, SHA-256, zstd, recorded when whole",
		Long: `Export the VM through an NFC lease (kept alive by progress reports) and stream
each disk through SHA-256 and zstd to the target. The backup appears in the
catalog only after every file is stored and its size checked; --verify also
re-reads it before recording.

A powered-on VM is refused unless --power-off: the guest is shut down (powered
off after --shutdown-timeout) and powered on again afterwards, also when the
backup fails. Two backups of one VM never run at once.`,
		Example: `  ceso backup create web01
  ceso backup create db1 --power-off --shutdown-timeout 3m --target nas --description "before upgrade"`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Request.VM = args[0]
			opts.Request.Uncompressed = !opts.Compress
			if err := vm.ValidateName(opts.Request.VM); err != nil {
				return cmdutil.FlagError(err)
			}
			if opts.Request.ShutdownTimeout <= 0 {
				return cmdutil.FlagError(fmt.Errorf("--shutdown-timeout must be positive"))
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Request.PowerOff, "power-off", false, "back up a running VM cold: shut it down, and power it on again afterwards")
	fl.DurationVar(&opts.Request.ShutdownTimeout, "shutdown-timeout", backup.DefaultShutdownTimeout, "with --power-off: wait this long for the guest, then power off")
	fl.BoolVar(&opts.Compress, "compress", true, "compress disks with zstd (backup.compression sets level and workers)")
	fl.StringVar(&opts.Request.Target, "target", "", "target name (default backup.default_target)")
	fl.StringVar(&opts.Request.Description, "description", "", "a note kept with the backup")
	fl.BoolVar(&opts.Request.Verify, "verify", false, "re-read and check the backup before recording it")
	fl.BoolVar(&opts.JSON, "json", false, "print the catalog entry as JSON")
	return cmd
}

// CreateOp is the backup.create operation.
func CreateOp(f *cmdutil.Factory, req backup.CreateRequest) *ops.Op {
	return &ops.Op{
		Name:   "backup.create",
		Target: req.VM,
		Params: map[string]any{"target": req.Target, "power_off": req.PowerOff, "compress": !req.Uncompressed, "verify": req.Verify},
		Plan: func(ctx context.Context) ([]ops.Step, error) {
			return withDeps(ctx, f, true, func(d backup.Deps) ([]ops.Step, error) { return backup.PlanCreate(ctx, d, req) })
		},
		Run: func(ctx context.Context) (any, error) {
			return withDeps(ctx, f, true, func(d backup.Deps) (storage.Entry, error) { return backup.Create(ctx, d, req) })
		},
	}
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	f := opts.Factory
	value, done, err := f.RunOp(ctx, CreateOp(f, opts.Request), opts.JSON)
	if done || err != nil {
		return err
	}
	e := value.(storage.Entry)
	if opts.JSON {
		return cmdutil.WriteJSON(f.IO.Out, e)
	}
	fmt.Fprintf(f.IO.Out, "backed up %s as %s (%s stored on %s, %s)\n", e.VMName, e.ID, cmdutil.HumanBytes(e.Size), e.Target, e.Timestamp.Format(time.RFC3339))
	return nil
}
