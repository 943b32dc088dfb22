package auditcmd

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/spf13/cobra"
)

// HashOptions are the options of `ceso audit hash`.
type HashOptions struct {
	Factory *cmdutil.Factory
	Value   string
	File    string
}

// NewCmdHash makes `ceso audit hash VALUE`.
func NewCmdHash(f *cmdutil.Factory, runF func(*HashOptions) error) *cobra.Command {
	opts := &HashOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "hash VALUE",
		Short: "Print the HMAC a secret value takes in the audit log, to search the log for it",
		Long: `Secrets in audit records are replaced by hmac-sha256:<hex>, an HMAC under a
key made once per installation beside the log (audit.log.key). The same value
always gives the same hash: print it to search the log for a known secret
without the log holding it. VALUE "-" reads the value from the first line of
standard input, so that it stays out of the shell's history and the process
list.`,
		Example: `  grep "$(ceso audit hash 'the-old-password')" ~/.local/share/ceso/audit.log*
  pass show esxi01/root | ceso audit hash -`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Value = args[0]
			if runF != nil {
				return runF(opts)
			}
			return hashRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.File, "log", "", "the audit log whose key to use (default security.audit_log)")
	return cmd
}

func hashRun(opts *HashOptions) error {
	f := opts.Factory
	value := opts.Value
	if value == "-" {
		line, err := bufio.NewReader(f.IO.In).ReadString('\n')
		if err != nil && line == "" {
			return cmdutil.FlagError(fmt.Errorf("reading the value from standard input: %w", err))
		}
		value = strings.TrimRight(line, "\r\n")
	}
	if value == "" {
		return cmdutil.FlagError(fmt.Errorf("an empty value has no hash in the log (unset secrets are null)"))
	}
	path, err := logPath(f, opts.File)
	if err != nil {
		return err
	}
	key, err := existingKey(path)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f.IO.Out, key.HashSecret(value))
	return err
}
