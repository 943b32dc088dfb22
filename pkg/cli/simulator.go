package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/spf13/cobra"
)

type simulatorOptions struct {
	Port        int
	SSHPort     int
	VMs         int
	FreeLicence bool
	EnvFile     string
	DiskMiB     int
}

func newCmdSimulator(f *cmdutil.Factory) *cobra.Command {
	opts := &simulatorOptions{}
	cmd := &cobra.Command{
		Use:   "simulator",
		Short: "Run an ESXi-faithful simulated host on 127.0.0.1 until interrupted",
		Long: `Start a simulated standalone ESXi host on 127.0.0.1 with the golden template
` + esxisim.TemplateName + ` and print the ESXI_* lines a shell can eval, so that
every ceso command can run against it from another shell. It behaves like a
real standalone host where it matters: CloneVM_Task is refused, duplicate names
are refused, snapshots put disks on delta files, exports are streamOptimized
with the NVRAM file, and --free-licence makes API writes fail with
RestrictedVersion. With --free-licence it also serves the host's shell over SSH
on 127.0.0.1 (vim-cmd, vmkfstools, as ESXi's sshd would) and prints the
ESXI_SSH_* lines that let ceso's SSH fallback reach it, with a known_hosts file
that trusts its host key. It runs until interrupted and removes its files on
exit.`,
		Example: `  ceso simulator --port 8989 --vms 20 --env-file sim.env &
  sleep 2; . ./sim.env; ceso vm list`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Port < 0 || opts.Port > 65535 {
				return cmdutil.FlagError(fmt.Errorf("--port %d: want 0 (a free port) to 65535", opts.Port))
			}
			if opts.SSHPort < 0 || opts.SSHPort > 65535 {
				return cmdutil.FlagError(fmt.Errorf("--ssh-port %d: want 0 (a free port) to 65535", opts.SSHPort))
			}
			if opts.SSHPort != 0 && !opts.FreeLicence {
				return cmdutil.FlagError(fmt.Errorf("--ssh-port needs --free-licence: only a free-licence host needs SSH"))
			}
			if opts.VMs < 0 || opts.VMs > 10000 {
				return cmdutil.FlagError(fmt.Errorf("--vms %d: want 0 to 10000", opts.VMs))
			}
			if opts.DiskMiB < 1 || opts.DiskMiB > 16384 {
				return cmdutil.FlagError(fmt.Errorf("--template-disk-mib %d: want 1 to 16384", opts.DiskMiB))
			}
			return simulatorRun(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().IntVar(&opts.Port, "port", 0, "TCP port on 127.0.0.1 (0: a free port)")
	cmd.Flags().IntVar(&opts.VMs, "vms", 0, "seed this many extra VMs")
	cmd.Flags().BoolVar(&opts.FreeLicence, "free-licence", false, "behave like the free licence: API writes fail with RestrictedVersion; serve the shell over SSH")
	cmd.Flags().IntVar(&opts.SSHPort, "ssh-port", 0, "TCP port on 127.0.0.1 of the SSH shell with --free-licence (0: a free port)")
	cmd.Flags().StringVar(&opts.EnvFile, "env-file", "", "also write the ESXI_* lines to this file (mode 0600)")
	cmd.Flags().IntVar(&opts.DiskMiB, "template-disk-mib", 64, "size of the template's disk in MiB")
	return cmd
}

func simulatorRun(ctx context.Context, f *cmdutil.Factory, opts *simulatorOptions) error {
	sim, err := esxisim.Start(ctx, esxisim.Options{
		Listen:           net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.Port)),
		FreeLicence:      opts.FreeLicence,
		TemplateDiskSize: int64(opts.DiskMiB) << 20,
		AutoGuest:        true,
	})
	if err != nil {
		return fmt.Errorf("starting the simulator: %w", err)
	}
	defer sim.Close()
	if opts.VMs > 0 {
		if _, err := sim.SeedVMs(ctx, opts.VMs, 8); err != nil {
			return fmt.Errorf("seeding %d VMs: %w", opts.VMs, err)
		}
	}
	env := SimulatorEnv(sim)
	if opts.FreeLicence {
		sshEnv, stop, err := serveShell(ctx, sim, opts.SSHPort)
		if err != nil {
			return err
		}
		defer stop()
		env += sshEnv
	}
	fmt.Fprint(f.IO.Out, env)
	if opts.EnvFile != "" {
		if err := writeEnvFile(opts.EnvFile, env); err != nil {
			return err
		}
		defer os.Remove(opts.EnvFile)
	}
	fmt.Fprintf(f.IO.ErrOut, "simulated ESXi host on %s with %s and %d more VMs; interrupt (Ctrl-C) to stop\n",
		sim.Host(), esxisim.TemplateName, opts.VMs)
	<-ctx.Done()
	fmt.Fprintln(f.IO.ErrOut, "stopping the simulator")
	return nil
}

// SimulatorEnv returns the export lines that point ceso at sim.
func SimulatorEnv(sim *esxisim.Simulator) string {
	return exportLines("ESXI_HOST", sim.Host(), "ESXI_USER", sim.User(), "ESXI_PASSWORD", sim.Password(),
		"ESXI_THUMBPRINT", sim.Thumbprint())
}
