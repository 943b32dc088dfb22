package configcmd

import (
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

// ShowOptions are the options of `ceso config show`.
type ShowOptions struct {
	Factory *cmdutil.Factory
	JSON    bool
}

// NewCmdShow makes `ceso config show`: the effective configuration with
// secrets masked.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print the effective configuration (file, environment and flags) with secrets masked",
		Args:  cmdutil.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return showRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func showRun(opts *ShowOptions) error {
	f := opts.Factory
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	masked := cfg.Masked()
	out, err := masked.YAML()
	if err != nil {
		return err
	}
	if opts.JSON {
		// The same keys as the file, not Go's field names.
		var m map[string]any
		if err := yaml.Unmarshal(out, &m); err != nil {
			return err
		}
		return cmdutil.WriteJSON(f.IO.Out, m)
	}
	src := cfg.Source
	if src == "" {
		src = "none (defaults and environment)"
	}
	fmt.Fprintf(f.IO.Out, "# source: %s\n", src)
	if p := cfg.Security.Policy; p != nil {
		fmt.Fprintf(f.IO.Out, "# system policy: %s (max_mode %q, max_promotion %v, promotion_public_key %q, allowed_ops %v)\n",
			strings.Join(p.Sources, ", "), p.MaxMode, p.MaxPromotion, p.PromotionPublicKey, p.AllowedOps)
	}
	_, err = f.IO.Out.Write(out)
	return err
}
