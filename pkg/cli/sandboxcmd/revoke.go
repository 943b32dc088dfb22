package sandboxcmd

import (
	"fmt"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/security"
	"github.com/spf13/cobra"
)

// RevokeOptions are the options of `ceso sandbox revoke`.
type RevokeOptions struct {
	Factory *cmdutil.Factory
	ID      string
}

// NewCmdRevoke makes `ceso sandbox revoke ID`.
func NewCmdRevoke(f *cmdutil.Factory, runF func(*RevokeOptions) error) *cobra.Command {
	opts := &RevokeOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a promotion token or plan approval by its ID, before it expires",
		Long: `Record the token or approval ID (printed by promote and approve, and in the
audit records of the operations it let through) as revoked in the sandbox
state file (security.state_file, default state_dir/security.db). Run it as
the user that runs ceso, on the machine that checks the tokens: from then on
ceso refuses the token.`,
		Example: `  ceso sandbox revoke 5f0c3d2a9b8e4f1a6c7d8e9f0a1b2c3d`,
		Args:    cmdutil.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return revokeRun(opts)
		},
	}
	return cmd
}

func revokeRun(opts *RevokeOptions) error {
	f := opts.Factory
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	st, err := security.OpenState(cfg.SecurityStatePath())
	if err != nil {
		return err
	}
	err = st.Revoke(opts.ID, f.Now())
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f.IO.Out, "revoked %s in %s\n", opts.ID, cfg.SecurityStatePath())
	return err
}
