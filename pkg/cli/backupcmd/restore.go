package backupcmd

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/cli/cliflags"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// RestoreOptions are the options of `ceso backup restore`.
type RestoreOptions struct {
	Factory    *cmdutil.Factory
	Params     operations.BackupRestoreParams
	CloudInit  cliflags.CloudInit
	NetworkMap []string
	Yes        bool
	JSON       bool
}

// NewCmdRestore makes `ceso backup restore ID`.
func NewCmdRestore(f *cmdutil.Factory, runF func(*RestoreOptions) error) *cobra.Command {
	opts := &RestoreOptions{Factory: f}
	cmd := &cobra.Command{
		Use:         "restore ID (--as-new NAME | --replace)",
		Annotations: cmdutil.Operation("backup.restore"),
		Short:       "Restore a backup as a new VM with a new identity and address",
		Long: `Check the archive (manifest against the catalog), then import it as a VM,
decompressing and checking every disk's SHA-256 on the way; a mismatch aborts
the import and removes the partial VM. The VM gets a new instance-id, MAC
addresses and UUID, and the address of the cloud-init flags (DHCP when none);
it keeps the backup's users and SSH keys, and its NVRAM file.

On a host whose licence refuses the import (the free licence), with
esxi.transport auto the VM is made with the host's own tools instead: each
disk uploaded over the datastore's HTTPS file access (converted to raw data
while it streams) and imported with vmkfstools -i, the .vmx written over SSH,
vim-cmd solo/registervm; each step is noted, and --dry-run shows the shell
lines.

--replace restores under the original name: the existing VM is renamed aside
(unregistered, its files kept, over SSH) and removed only once the restore has
succeeded; if it fails, it gets its name and power state back. A running VM is refused unless --force, which shuts it
down first. On a terminal ceso asks you to type the VM's name; elsewhere --yes
is required.`,
		Example: `  ceso backup restore 20261103T021500Z-3f9a1c2b --as-new web01-restored --ip 192.0.2.20/24 --gateway 192.0.2.1 --power-on
  ceso backup restore 20261103T021500Z-3f9a1c2b --replace --force --yes`,
		Args:              cmdutil.ExactArgs(1),
		ValidArgsFunction: cmdutil.CompleteBackupID(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Params.ID = args[0]
			if err := opts.complete(cmd); err != nil {
				return cmdutil.FlagError(err)
			}
			if runF != nil {
				return runF(opts)
			}
			return restoreRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Params.AsNew, "as-new", "", "name of the new VM")
	fl.BoolVar(&opts.Params.Replace, "replace", false, "restore under the original name, replacing the VM once the restore succeeded")
	fl.BoolVar(&opts.Params.Force, "force", false, "with --replace: shut the VM down when it runs")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "with --replace: do not ask for confirmation")
	fl.DurationVar((*time.Duration)(&opts.Params.ShutdownTimeout), "shutdown-timeout", backup.DefaultShutdownTimeout, "with --replace: wait this long for the old VM's guest to shut down")
	fl.BoolVar(&opts.Params.PowerOn, "power-on", false, "power the restored VM on")
	fl.StringVar(&opts.Params.Datastore, "datastore", "", "datastore of the restored VM (default: the original's)")
	fl.StringArrayVar(&opts.NetworkMap, "network-map", nil, "map a network of the backup to a port group: BACKUP=HOST (repeatable)")
	fl.BoolVar(&opts.JSON, "json", false, "print JSON")
	opts.CloudInit.AddFlags(fl)
	return cmd
}

func (o *RestoreOptions) complete(cmd *cobra.Command) error {
	if o.Params.AsNew != "" && o.Params.Replace {
		return fmt.Errorf("--as-new and --replace exclude each other: restore as a new VM or in place of the original, not both")
	}
	for _, name := range []string{"force", "yes"} {
		if cmd.Flags().Changed(name) && !o.Params.Replace {
			return fmt.Errorf("--%s goes with --replace", name)
		}
	}
	if o.CloudInit.ChangesAccounts(cmd.Flags()) {
		return fmt.Errorf("a restore keeps the backup's users and SSH keys: --user, --ssh-key, --no-default-user and --cloud-config do not apply")
	}
	spec, err := o.CloudInit.Spec(os.ReadFile)
	if err != nil {
		return err
	}
	o.Params.CloudInit = spec
	for _, m := range o.NetworkMap {
		from, to, ok := strings.Cut(m, "=")
		if !ok || from == "" || to == "" {
			return fmt.Errorf("--network-map %q: want BACKUP-NETWORK=HOST-PORTGROUP", m)
		}
		if o.Params.NetworkMap == nil {
			o.Params.NetworkMap = map[string]string{}
		}
		o.Params.NetworkMap[from] = to
	}
	return nil
}

func restoreRun(ctx context.Context, opts *RestoreOptions) error {
	f := opts.Factory
	if opts.Params.Replace && !f.Global.DryRun {
		if err := confirmReplace(f, opts); err != nil {
			return err
		}
		ctx = cmdutil.WithConfirmed(ctx)
	}
	r, done, err := cmdutil.Run(ctx, f, operations.BackupRestore, opts.Params, opts.JSON)
	if done || err != nil {
		return err
	}
	if opts.JSON {
		return cmdutil.WriteJSON(f.IO.Out, r)
	}
	fmt.Fprintf(f.IO.Out, "restored backup %s as %s (uuid %s, %s uploaded)\n", r.BackupID, r.VM, r.UUID, cmdutil.HumanBytes(r.Bytes))
	if r.InstanceID != "" {
		fmt.Fprintf(f.IO.Out, "  instance-id %s\n", r.InstanceID)
	}
	for _, m := range r.MACs {
		fmt.Fprintf(f.IO.Out, "  mac %s\n", m)
	}
	if r.Replaced {
		fmt.Fprintln(f.IO.Out, "  the previous VM was removed")
	}
	return nil
}

// confirmReplace asks, as vm delete does, before a restore removes the VM
// of the backup's name.
func confirmReplace(f *cmdutil.Factory, opts *RestoreOptions) error {
	a, err := f.App()
	if err != nil {
		return err
	}
	name, err := operations.BackupVMName(a, opts.Params.ID)
	if err != nil {
		return err
	}
	prompt := fmt.Sprintf("Replace VM %q with backup %s? The VM is removed once the restore is whole.", name, opts.Params.ID)
	return cmdutil.Confirm(f.IO, opts.Yes, prompt, name)
}
