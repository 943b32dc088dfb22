package cloudinitcmd

import (
	"context"
	"fmt"
	"os"

	"github.com/ceso/ceso/pkg/cli/cliflags"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// RenderOptions are the options of `ceso cloudinit render`.
type RenderOptions struct {
	Factory   *cmdutil.Factory
	Name      string // VM name: the default hostname
	CloudInit cliflags.CloudInit
	JSON      bool
	Decoded   bool
	ReadFile  func(string) ([]byte, error)
}

// NewCmdRender makes `ceso cloudinit render`.
func NewCmdRender(f *cmdutil.Factory, runF func(*RenderOptions) error) *cobra.Command {
	opts := &RenderOptions{Factory: f, ReadFile: os.ReadFile}
	cmd := &cobra.Command{
		Use:         "render [VM-NAME]",
		Annotations: cmdutil.Operation("cloudinit.render"),
		Short:       "Print the guestinfo keys the cloud-init flags produce",
		Long: `Print the guestinfo extraConfig keys that vm create, vm clone and backup
restore write for the same flags: guestinfo.metadata (hostname, instance-id and
the netplan v2 network config) and guestinfo.userdata (#cloud-config: users,
SSH keys, packages), each gzip+base64 encoded as cloud-init's VMware datasource
reads them. The hostname defaults to the VM name.

--json prints one flat object {"guestinfo.metadata": "...",
"guestinfo.metadata.encoding": "gzip+base64", ...}; --decoded prints the plain
documents. Nothing is sent to a host. See docs/cloud-init.md.`,
		Example: `  ceso cloudinit render web01 --ip 192.0.2.10/24 --gateway 192.0.2.1 --dns 192.0.2.53 --ssh-key ~/.ssh/id_ed25519.pub --decoded
  ceso cloudinit render --hostname db1.example.com --dhcp --user alice:sudo --ssh-key ~/.ssh/id_ed25519.pub --json`,
		Args: cmdutil.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Name = args[0]
			}
			if opts.JSON && opts.Decoded {
				return cmdutil.FlagError(fmt.Errorf("--json and --decoded cannot be used together"))
			}
			if runF != nil {
				return runF(opts)
			}
			return renderRun(cmd.Context(), opts)
		},
	}
	opts.CloudInit.AddFlags(cmd.Flags())
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print one flat JSON object of the keys")
	cmd.Flags().BoolVar(&opts.Decoded, "decoded", false, "print the decoded metadata, network config and user-data")
	return cmd
}

func renderRun(ctx context.Context, opts *RenderOptions) error {
	f := opts.Factory
	spec, err := opts.CloudInit.Spec(opts.ReadFile)
	if err != nil {
		return cmdutil.FlagError(err)
	}
	keys, done, err := cmdutil.Run(ctx, f, operations.CloudInitRender, operations.CloudInitRenderParams{Name: opts.Name, CloudInit: spec}, opts.JSON)
	if done || err != nil {
		return err
	}
	switch {
	case opts.JSON:
		out, err := cloudinit.RenderJSON(keys)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(f.IO.Out, "%s\n", out)
		return err
	case opts.Decoded:
		out, err := cloudinit.RenderDecoded(keys)
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(f.IO.Out, out)
		return err
	}
	_, err = fmt.Fprint(f.IO.Out, cloudinit.RenderKeys(keys))
	return err
}
