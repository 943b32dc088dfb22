package configcmd

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// ValidateOptions are the options of `ceso config validate`.
type ValidateOptions struct {
	Factory *cmdutil.Factory
	// Secrets also resolves the password sources (runs password_command).
	Secrets bool
	JSON    bool
}

// NewCmdValidate makes `ceso config validate`.
func NewCmdValidate(f *cmdutil.Factory, runF func(*ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{Factory: f}
	cmd := &cobra.Command{
		Use:         "validate",
		Annotations: cmdutil.Operation("config.validate"),
		Short:       "Check the configuration strictly; exit 3 with the file, line and key of the first problem",
		Long: `Check the configuration in effect (file, environment and flags) strictly and
exit 3 with the file, line and key of the first problem. --secrets also reads
every password source: file permissions, and password_command is run.

JSON output (--json) is an object with the fields valid, source,
secrets_checked and problem ("" when valid); it is printed for an invalid
configuration too.`,
		Example: `  ceso config validate
  ceso --config ./lab.yaml config validate --secrets
  ceso config validate --json | jq -r .problem`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return validateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Secrets, "secrets", false, "also read the password sources (file permissions, password_command)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func validateRun(ctx context.Context, opts *ValidateOptions) error {
	f := opts.Factory
	rep, done, err := cmdutil.Run(ctx, f, operations.ConfigValidate, operations.ConfigValidateParams{Secrets: opts.Secrets}, opts.JSON)
	if opts.JSON && (!done || err != nil) {
		if err != nil && rep.Problem == "" { // the file did not even load
			rep = operations.ConfigReport{Source: f.ConfigSource(), Secrets: opts.Secrets, Problem: err.Error()}
		}
		if jerr := cmdutil.WriteJSON(f.IO.Out, rep); jerr != nil {
			return jerr
		}
		return err
	}
	if done || err != nil {
		return err
	}
	fmt.Fprintf(f.IO.Out, "configuration OK (%s)\n", rep.Source)
	return nil
}
