package sandboxcmd

import (
	"crypto/ed25519"
	"time"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/security"
	"github.com/spf13/cobra"
)

// NewCmdSandbox is the `ceso sandbox` noun.
func NewCmdSandbox(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox <command>",
		Short: "Make the operator's key, sign promotion tokens and plan approvals, revoke them",
		Long: `The sandbox (security.mode) refuses what the mode does not allow. A human
who holds the private key made by "ceso sandbox keygen" can lift a refusal
for a signed scope: a promotion token for named operations and targets for a
while, or an approval of exactly one plan, once. See docs/security.md.`,
	}
	cmd.AddCommand(NewCmdKeygen(f, nil), NewCmdPromote(f, nil), NewCmdApprove(f, nil), NewCmdRevoke(f, nil))
	return cmd
}

// signer loads the private key at path for signing with the factory's
// clock.
func signer(f *cmdutil.Factory, path string) (*security.Signer, error) {
	key, err := security.LoadPrivateKey(config.ExpandHome(path))
	if err != nil {
		return nil, err
	}
	return &security.Signer{Key: key, Now: f.Now}, nil
}

// keyID names the public half of a private key.
func keyID(k ed25519.PrivateKey) string { return security.KeyID(k.Public().(ed25519.PublicKey)) }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
