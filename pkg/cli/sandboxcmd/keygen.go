package sandboxcmd

import (
	"fmt"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/security"
	"github.com/spf13/cobra"
)

// KeygenOptions are the options of `ceso sandbox keygen`.
type KeygenOptions struct {
	Factory *cmdutil.Factory
	File    string
}

// NewCmdKeygen makes `ceso sandbox keygen FILE`.
func NewCmdKeygen(f *cmdutil.Factory, runF func(*KeygenOptions) error) *cobra.Command {
	opts := &KeygenOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "keygen FILE",
		Short: "Make an Ed25519 key pair: FILE (private, 0600) and FILE.pub",
		Long: `Make the operator's signing key, as ssh-keygen does: FILE holds the private
key (mode 0600) and stays with the human operator; FILE.pub is installed
where ceso runs and named by security.promotion_public_key (or, better, by
the system policy's promotion_public_key). Existing files are never
overwritten.`,
		Example: `  ceso sandbox keygen ~/.ceso/promote.key
  scp ~/.ceso/promote.key.pub root@ceso-host:/etc/ceso/promote.pub`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.File = config.ExpandHome(args[0])
			if runF != nil {
				return runF(opts)
			}
			return keygenRun(opts)
		},
	}
	return cmd
}

func keygenRun(opts *KeygenOptions) error {
	pub, err := security.GenerateKey(opts.File, nil)
	if err != nil {
		return err
	}
	out := opts.Factory.IO.Out
	fmt.Fprintf(out, "private key %s (0600): keep it with the operator, off the machines agents use\n", opts.File)
	fmt.Fprintf(out, "public key  %s: install it where ceso runs (security.promotion_public_key)\n", security.PublicKeyPath(opts.File))
	_, err = fmt.Fprintf(out, "key ID      %s\n", security.KeyID(pub))
	return err
}
