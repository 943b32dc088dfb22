package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/spf13/cobra"
)

func newCmdDemo(f *cmdutil.Factory) *cobra.Command {
	var vms int
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Walk through what ceso does, against an embedded simulated ESXi host",
		Long: `Start an embedded simulated standalone ESXi host and run real ceso commands
against it, printing each command and its output. Nothing outside a temporary
directory is touched and no configuration is needed.`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if vms < 0 || vms > 1000 {
				return cmdutil.FlagError(fmt.Errorf("--vms %d: want 0 to 1000", vms))
			}
			return demoRun(cmd.Context(), f.IO, vms)
		},
	}
	cmd.Flags().IntVar(&vms, "vms", 5, "extra VMs to seed on the simulated host")
	return cmd
}

// demoKey is a throw-away public key for the walk-through.
const demoKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEwN2d0m8O3c4sYlW0m0Kp9w0Z3n5qvJY0rjR8wYx9qB demo@ceso"

// demoStep is one command of the walk-through.
type demoStep struct {
	say  string
	args []string
	// wantFail marks a step that shows an error on purpose.
	wantFail bool
	// lastBackup replaces the argument "LAST-BACKUP" with the ID of the
	// newest backup.
	lastBackup bool
}

// lastBackupID asks the catalog, quietly, for the newest backup's ID.
func lastBackupID(ctx context.Context, env config.Env) (string, error) {
	quiet, _, out, errOut := cmdutil.Test()
	if code := Run(ctx, []string{"backup", "list", "--json"}, quiet, env); code != 0 {
		return "", fmt.Errorf("listing backups: %s", errOut.String())
	}
	var entries []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(out.Bytes(), &entries); err != nil || len(entries) == 0 {
		return "", fmt.Errorf("no backup in the catalog")
	}
	return entries[0].ID, nil
}

func demoSteps() []demoStep {
	return []demoStep{
		{say: "Check the configuration (here: only ESXI_* variables pointing at the simulator).", args: []string{"config", "validate"}},
		{say: "List every VM in one property-collector call; the session is cached for the next command.", args: []string{"vm", "list"}},
		{say: "Only the powered-on ones, as JSON for scripts.", args: []string{"vm", "list", "--power-state", "on", "--json"}},
		{say: "Inspect the golden template: hardware, disks, NICs, tools, guestinfo.", args: []string{"vm", "info", esxisim.TemplateName}},
		{say: "Render the cloud-init guestinfo a new VM would get (hostname, static address, user, key), decoded.", args: []string{
			"cloudinit", "render", "web01", "--ip", "192.0.2.10/24", "--gateway", "192.0.2.1", "--dns", "192.0.2.53",
			"--user", "alice:sudo", "--ssh-key", demoKey, "--instance-id", "demo-web01", "--decoded"}},
		{say: "Plan a VM from the template without touching the host: the exact API calls, in order.", args: []string{
			"vm", "create", "web01", "--ip", "192.0.2.10/24", "--gateway", "192.0.2.1", "--dry-run"}},
		{say: "Create it: copy the disk thin, new MACs and UUID, cloud-init guestinfo with a static address; boot and wait for the guest.", args: []string{
			"vm", "create", "web01", "--ip", "192.0.2.10/24", "--gateway", "192.0.2.1", "--dns", "192.0.2.53",
			"--user", "alice:sudo", "--ssh-key", demoKey, "--power-on", "--wait-ip", "1m"}},
		{say: "The new VM and the cloud-init configuration it will boot with, decoded from its guestinfo.", args: []string{"vm", "info", "web01"}},
		{say: "Clone it with a new address (a running source is copied under a temporary snapshot).", args: []string{
			"vm", "clone", "web01", "web02", "--snapshot", "--ip", "192.0.2.11/24", "--gateway", "192.0.2.1"}},
		{say: "Power cycle both, in parallel.", args: []string{"vm", "power", "shutdown", "web01", "web02", "--force", "--shutdown-timeout", "30s"}},
		{say: "Asking for the state a VM is in already is not an error.", args: []string{"vm", "power", "off", "web01"}},
		{say: "Power them on again.", args: []string{"vm", "power", "on", "web01", "web02"}},
		{say: "Delete the clone (off a terminal, --yes confirms; --force powers it off first).", args: []string{"vm", "delete", "web02", "--force", "--yes"}},
		{say: "Back up web01 cold: shut it down, stream the export through SHA-256 and zstd, power it on again.", args: []string{
			"backup", "create", "web01", "--power-off", "--shutdown-timeout", "30s", "--description", "demo"}},
		{say: "The catalog lists only whole backups.", args: []string{"backup", "list"}},
		{say: "Re-read every stored byte and check it against the manifest.", args: []string{"backup", "verify", "--all"}},
		{say: "Restore the backup as a new VM with a new address (new instance-id, MACs, UUID).", lastBackup: true, args: []string{
			"backup", "restore", "LAST-BACKUP", "--as-new", "web01-restored", "--ip", "192.0.2.20/24", "--gateway", "192.0.2.1"}},
		{say: "What a retention policy would keep and remove, and why; nothing is deleted.", args: []string{
			"backup", "prune", "--keep-last", "1", "--keep-daily", "7", "--dry-run"}},
		{say: "An unknown VM is a clear error with exit code 5.", args: []string{"vm", "info", "no-such-vm"}, wantFail: true},
	}
}

func demoRun(ctx context.Context, io *cmdutil.IOStreams, vms int) error {
	home, err := os.MkdirTemp("", "ceso-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	fmt.Fprintln(io.Out, "Starting an embedded simulated ESXi host (standalone, ESXi 8 behaviour)...")
	sim, err := esxisim.Start(ctx, esxisim.Options{AutoGuest: true})
	if err != nil {
		return fmt.Errorf("starting the simulator: %w", err)
	}
	defer sim.Close()
	if vms > 0 {
		names, err := sim.SeedVMs(ctx, vms, 4)
		if err != nil {
			return fmt.Errorf("seeding VMs: %w", err)
		}
		if len(names) > 0 {
			_ = sim.SetGuest(names[0], esxisim.Guest{IP: "192.0.2.10", ToolsRunning: true, HostName: names[0]})
		}
	}
	env := map[string]string{
		"HOME": home, "ESXI_HOST": sim.Host(), "ESXI_USER": sim.User(),
		"ESXI_PASSWORD": sim.Password(), "ESXI_THUMBPRINT": sim.Thumbprint(),
	}
	fmt.Fprintf(io.Out, "Host %s, certificate pinned by thumbprint %s\n", sim.Host(), sim.Thumbprint())
	// Tables print with their headers, as on a terminal.
	shown := *io
	shown.OutTTY = true
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for i, step := range demoSteps() {
		if step.lastBackup {
			id, err := lastBackupID(ctx, lookup)
			if err != nil {
				return err
			}
			for j, a := range step.args {
				if a == "LAST-BACKUP" {
					step.args[j] = id
				}
			}
		}
		fmt.Fprintf(io.Out, "\n# %d. %s\n$ ceso %s\n", i+1, step.say, shellJoin(step.args))
		code := Run(ctx, step.args, &shown, lookup)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if (code != 0) != step.wantFail {
			return fmt.Errorf("demo step %q exited %d", shellJoin(step.args), code)
		}
		if step.wantFail {
			fmt.Fprintf(io.Out, "(exit code %d)\n", code)
		}
	}
	if err := demoServer(ctx, io.Out, &shown, env, len(demoSteps())); err != nil {
		return fmt.Errorf("demo of ceso serve: %w", err)
	}
	fmt.Fprintln(io.Out, "\nDone. Run your own commands against a simulator: ceso simulator --env-file sim.env")
	return nil
}

func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " '\"*$") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
