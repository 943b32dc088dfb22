package vm

import (
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdVM is the `ceso vm` noun.
func NewCmdVM(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vm <command>",
		Short: "List, inspect, create, clone, power and delete virtual machines",
	}
	cmd.AddCommand(NewCmdList(f, nil), NewCmdInfo(f, nil), NewCmdCreate(f, nil), NewCmdClone(f, nil),
		NewCmdDelete(f, nil), NewCmdPower(f, nil))
	return cmd
}
