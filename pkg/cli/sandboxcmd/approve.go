package sandboxcmd

import (
	"fmt"
	"time"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/spf13/cobra"
)

// ApproveOptions are the options of `ceso sandbox approve`.
type ApproveOptions struct {
	Factory *cmdutil.Factory
	PlanID  string
	Key     string
	TTL     time.Duration
}

// NewCmdApprove makes `ceso sandbox approve PLAN-ID`.
func NewCmdApprove(f *cmdutil.Factory, runF func(*ApproveOptions) error) *cobra.Command {
	opts := &ApproveOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "approve PLAN-ID --key FILE",
		Short: "Sign an approval of exactly one plan, valid once and for a short time",
		Long: `A command the sandbox refuses prints its plan (the exact API calls and host
commands it would make) and the plan's ID, a digest of the operation, its
parameters and the plan's steps. Read the plan; if it is right, sign an
approval of that plan ID with the operator's private key. The approval is
printed alone on standard output; given to the same command with
--approval, it lets it run once, within --ttl. If the parameters or the
host changed in between, the plan ID differs and the approval is refused as
stale.`,
		Example: `  ceso sandbox approve plan-3f9a0c1e5b7d2f4a6c8e0b1d3f5a7c9e --key ~/.ceso/promote.key`,
		Args:    cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.PlanID = args[0]
			if !cmd.Flags().Changed("key") {
				return cmdutil.FlagError(fmt.Errorf("--key is required"))
			}
			if runF != nil {
				return runF(opts)
			}
			return approveRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Key, "key", "", "the private key FILE made by ceso sandbox keygen")
	cmd.Flags().DurationVar(&opts.TTL, "ttl", 10*time.Minute, "how long the approval is valid (at most 15m)")
	return cmd
}

func approveRun(opts *ApproveOptions) error {
	f := opts.Factory
	s, err := signer(f, opts.Key)
	if err != nil {
		return err
	}
	tok, a, err := s.Approve(opts.PlanID, opts.TTL)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f.IO.Out, tok); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "approval %s (key %s) of %s, valid once until %s\n", a.ID, keyID(s.Key), a.PlanID, stamp(a.Expires))
	return nil
}
