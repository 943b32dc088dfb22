package cloudinitcmd

import (
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdCloudInit is the `ceso cloudinit` noun.
func NewCmdCloudInit(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cloudinit <command>",
		Short: "Render cloud-init guestinfo (metadata, user-data, network config)",
	}
	cmd.AddCommand(NewCmdRender(f, nil))
	return cmd
}
