package configcmd

import (
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdConfig is the `ceso config` noun.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config <command>",
		Short: "Show or check the configuration",
	}
	cmd.AddCommand(NewCmdShow(f, nil), NewCmdValidate(f, nil))
	return cmd
}
