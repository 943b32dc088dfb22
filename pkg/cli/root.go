package cli

import (
	"github.com/ceso/ceso/pkg/cli/auditcmd"
	"github.com/ceso/ceso/pkg/cli/backupcmd"
	"github.com/ceso/ceso/pkg/cli/cloudinitcmd"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/cli/configcmd"
	"github.com/ceso/ceso/pkg/cli/mcpcmd"
	"github.com/ceso/ceso/pkg/cli/opscmd"
	"github.com/ceso/ceso/pkg/cli/sandboxcmd"
	"github.com/ceso/ceso/pkg/cli/servecmd"
	"github.com/ceso/ceso/pkg/cli/vm"
	"github.com/spf13/cobra"
)

// NewCmdRoot builds the whole command tree on a factory.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	remote := &remoteOptions{}
	root := &cobra.Command{
		Use:   "ceso <command>",
		Short: "ceso runs standalone VMware ESXi hosts: VMs from templates, cloud-init, backups",
		Long: `ceso (ESXi Commander) runs a standalone VMware ESXi 7.x/8.x host, free licence
included: it lists and inspects VMs, creates them from golden templates with
cloud-init, clones, powers, backs up and restores them, for people and for
automation.

Configuration: ~/.config/ceso/config.yaml (or --config, CESO_CONFIG), then the
environment (ESXI_HOST, ESXI_USER, ESXI_PASSWORD or ESXI_PASSWORD_FILE,
ESXI_THUMBPRINT, ESXI_CA_FILE, ESXI_INSECURE), then flags. See config-example.yaml.

Sandbox: security.mode (restricted, standard, unrestricted) decides what runs;
--mode or CESO_MODE lowers it for one command, never raises it. A refused
command prints its plan and plan ID; a human approves it with ceso sandbox
approve, or lifts a restriction with a promotion token (--promotion-token,
CESO_PROMOTION_TOKEN). Every operation is recorded in a hash-chained audit log
(ceso audit verify). See docs/security.md.

Through a ceso server (ceso serve), which holds the ESXi credentials instead:
--server URL --token-file FILE (CESO_SERVER, CESO_TOKEN_FILE, server.url).

For AI agents: ceso mcp (MCP over stdio) and /mcp on ceso serve; see
docs/agents.md.

Try it without a host: ceso demo

` + cmdutil.ExitCodeHelp,
		Version:       cmdutil.ReadBuild().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			f.Global.InsecureSet = cmd.Flags().Changed("insecure")
			if err := setupRemote(cmd, f, remote); err != nil {
				return err
			}
			if f.Global.MetricsEnabled {
				return f.ServeMetrics(cmd.Context())
			}
			return nil
		},
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cmdutil.FlagError(cmdutil.FlagParseError(err)) })
	g := &f.Global
	pf := root.PersistentFlags()
	pf.StringVar(&g.ConfigPath, "config", "", "configuration file (default ~/.config/ceso/config.yaml, or CESO_CONFIG)")
	pf.StringVar(&g.Host, "host", "", "ESXi host[:port] (ESXI_HOST)")
	pf.StringVar(&g.User, "esxi-user", "", "ESXi user (ESXI_USER); --user is the guest user of cloud-init flags")
	pf.StringVar(&g.Thumbprint, "thumbprint", "", "pinned SHA-1 or SHA-256 certificate thumbprint (ESXI_THUMBPRINT)")
	pf.StringVar(&g.CAFile, "ca-file", "", "CA certificate file that signs the host certificate (ESXI_CA_FILE)")
	pf.BoolVar(&g.Insecure, "insecure", false, "do not verify the host certificate (ESXI_INSECURE); warns on every run")
	pf.DurationVar(&g.Timeout, "timeout", 0, "deadline of the whole command (default esxi.timeout, 10m)")
	pf.BoolVar(&g.DryRun, "dry-run", false, "print the exact API calls or shell commands and change nothing")
	pf.StringVar(&g.Transport, "transport", "", "how writes reach the host: auto, api or ssh (esxi.transport)")
	pf.StringVar(&g.LogLevel, "log-level", "", "diagnostics on stderr: debug, info, warn, error")
	pf.BoolVar(&g.AcceptNewHostKey, "accept-new-host-key", false, "SSH fallback: record the host key of a host seen for the first time (check its fingerprint first)")
	pf.BoolVar(&g.NoSessionCache, "no-session-cache", false, "log in afresh and do not keep the session for the next run")
	pf.BoolVar(&g.MetricsEnabled, "metrics-enabled", false, "serve Prometheus metrics on metrics.listen:metrics.port (127.0.0.1:9090) metrics.path (/metrics) while the command runs")
	pf.DurationVar(&g.MetricsLinger, "metrics-linger", cmdutil.DefaultMetricsLinger, "with --metrics-enabled: after the command, wait up to this long for a last scrape")
	pf.StringVar(&g.Mode, "mode", "", "lower the security mode for this command: restricted, standard or unrestricted (CESO_MODE); never raises it")
	pf.StringVar(&g.PromotionToken, "promotion-token", "", "a signed promotion token that lifts a sandbox refusal within its scope (CESO_PROMOTION_TOKEN); see ceso sandbox promote")
	pf.StringVar(&g.Approval, "approval", "", "a signed approval of this command's plan ID, valid once; see ceso sandbox approve")
	addRemoteFlags(pf, remote)

	root.AddCommand(
		vm.NewCmdVM(f),
		configcmd.NewCmdConfig(f),
		cloudinitcmd.NewCmdCloudInit(f),
		backupcmd.NewCmdBackup(f),
		opscmd.NewCmdOps(f),
		newCmdSimulator(f),
		newCmdDemo(f),
		auditcmd.NewCmdAudit(f),
		sandboxcmd.NewCmdSandbox(f),
		newCmdVersion(f),
		servecmd.NewCmdServe(f, nil),
		mcpcmd.NewCmdMCP(f, nil),
	)
	return root
}
