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
		Long: `Print the configuration in effect: the file, then the environment, then the
flags, with the defaults decided late filled in (session_cache, the catalog,
audit log and known_hosts paths) and secrets masked. The YAML form starts with
comment lines naming the source and the files and directories ceso uses; the
JSON form (--json) has the keys of the configuration file and, under "paths",
state_dir, sessions, catalog, audit_log, known_hosts and local_target.`,
		Example: `  ceso config show
  ceso config show --json | jq -r .paths.audit_log`,
		Args: cmdutil.NoArgs,
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
	eff := cfg.Masked().Effective(f.ExpandHome)
	paths := cfg.Paths(f.ExpandHome)
	out, err := eff.YAML()
	if err != nil {
		return err
	}
	if opts.JSON {
		// The same keys as the file, not Go's field names.
		var m map[string]any
		if err := yaml.Unmarshal(out, &m); err != nil {
			return err
		}
		m["paths"] = paths
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
	for _, p := range []struct{ what, path string }{
		{"session cache", paths.Sessions}, {"catalog", paths.Catalog}, {"audit log", paths.AuditLog},
		{"known_hosts", paths.KnownHosts}, {"local target", paths.LocalTarget},
	} {
		fmt.Fprintf(f.IO.Out, "# %s: %s\n", p.what, p.path)
	}
	_, err = f.IO.Out.Write(out)
	return err
}
