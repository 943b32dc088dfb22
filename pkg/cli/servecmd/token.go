package servecmd

import (
	"crypto/rand"
	"fmt"
	"io"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/security"
	"github.com/ceso/ceso/pkg/server"
	"github.com/spf13/cobra"
)

// TokenOptions are the options of `ceso serve token new`.
type TokenOptions struct {
	IO   *cmdutil.IOStreams
	Name string
	Mode string
	// Rand is the random source (crypto/rand when nil).
	Rand io.Reader
}

func newCmdToken(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token <command>",
		Short: "API tokens of ceso serve",
	}
	cmd.AddCommand(NewCmdTokenNew(f, nil))
	return cmd
}

// NewCmdTokenNew makes `ceso serve token new NAME`.
func NewCmdTokenNew(f *cmdutil.Factory, runF func(*TokenOptions) error) *cobra.Command {
	opts := &TokenOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Make an API token: print it once, and the server.tokens entry that accepts it",
		Long: `Make a new API token for ceso serve. The token is printed once, on standard
output, and its configuration entry on standard error: keep the token in a file only its user can read and give it to the client
(--token-file, CESO_TOKEN_FILE). The daemon keeps only its SHA-256: add the
printed entry to server.tokens in the daemon's configuration and restart it.

NAME is recorded as the actor of every operation made with the token; --mode
is the highest sandbox mode it gets (never above the daemon's security.mode):
restricted runs reads and shows the plans of writes, standard runs writes
too, unrestricted runs everything.`,
		Example: `  umask 077; ceso serve token new agent --mode restricted > agent.token   # the entry shows on stderr`,
		Args:    cmdutil.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			if !config.ValidTokenName(opts.Name) {
				return cmdutil.FlagError(fmt.Errorf("token name %q: want 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit", opts.Name))
			}
			if _, err := security.ParseMode(opts.Mode); err != nil {
				return cmdutil.FlagError(fmt.Errorf("--mode: %w", err))
			}
			if runF != nil {
				return runF(opts)
			}
			return tokenNewRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Mode, "mode", "restricted", "highest sandbox mode of the token: restricted, standard or unrestricted")
	return cmd
}

func tokenNewRun(opts *TokenOptions) error {
	rnd := opts.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	token, sum, err := server.NewToken(rnd)
	if err != nil {
		return err
	}
	mode, _ := security.ParseMode(opts.Mode)
	fmt.Fprintln(opts.IO.Out, token)
	fmt.Fprintf(opts.IO.ErrOut, `The token is above, shown only now. Add this to server.tokens in the daemon's configuration:
    - name: %s
      sha256: %s
      mode: %s
`, opts.Name, sum, mode)
	return nil
}
