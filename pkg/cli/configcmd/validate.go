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
}

// NewCmdValidate makes `ceso config validate`.
func NewCmdValidate(f *cmdutil.Factory, runF func(*ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{Factory: f}
	cmd := &cobra.Command{
		Use:         "validate",
		Annotations: cmdutil.Operation("config.validate"),
		Short:       "Check the configuration strictly; exit 3 with the file, line and key of the first problem",
		Example: `  ceso config validate
  ceso --config ./lab.yaml config validate --secrets`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return validateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Secrets, "secrets", false, "also read the password sources (file permissions, password_command)")
	return cmd
}

func validateRun(ctx context.Context, opts *ValidateOptions) error {
	f := opts.Factory
	rep, done, err := cmdutil.Run(ctx, f, operations.ConfigValidate, operations.ConfigValidateParams{Secrets: opts.Secrets}, false)
	if done || err != nil {
		return err
	}
	fmt.Fprintf(f.IO.Out, "configuration OK (%s)\n", rep.Source)
	return nil
}
