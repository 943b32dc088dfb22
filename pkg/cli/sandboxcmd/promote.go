package sandboxcmd

import (
	"fmt"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/security"
	"github.com/spf13/cobra"
)

// PromoteOptions are the options of `ceso sandbox promote`.
type PromoteOptions struct {
	Factory  *cmdutil.Factory
	Duration time.Duration
	Ops      []string
	Targets  []string
	MaxUses  int
	Key      string
}

// NewCmdPromote makes `ceso sandbox promote`.
func NewCmdPromote(f *cmdutil.Factory, runF func(*PromoteOptions) error) *cobra.Command {
	opts := &PromoteOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "promote --duration D --ops OP[,OP...] --key FILE",
		Short: "Sign a promotion token that lifts the sandbox for named operations and targets, for a while",
		Long: `Sign a promotion token with the operator's private key and print it, alone, on
standard output; its ID, validity and scope go to standard error. Given to a
command with --promotion-token (or CESO_PROMOTION_TOKEN), it lets exactly
those operations run on those targets (all targets when none is named) until
it expires or its uses are spent, whatever the mode refuses. It never lifts
the refusal of an operation without a class.

--duration is capped by security.max_promotion (1h by default, and by the
system policy). Revoke a token early with "ceso sandbox revoke ID" where ceso
runs.`,
		Example: `  ceso sandbox promote --duration 30m --ops vm.delete --target web01 --target web02 --max-uses 2 --key ~/.ceso/promote.key
  CESO_PROMOTION_TOKEN=$(ceso sandbox promote --duration 10m --ops vm.create --key ~/.ceso/promote.key) ceso vm create web03`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, name := range []string{"duration", "ops", "key"} {
				if !cmd.Flags().Changed(name) {
					return cmdutil.FlagError(fmt.Errorf("--%s is required", name))
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return promoteRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.DurationVar(&opts.Duration, "duration", 0, "how long the token is valid, e.g. 30m (at most security.max_promotion)")
	fl.StringSliceVar(&opts.Ops, "ops", nil, "operations it allows, e.g. vm.delete,vm.create (ceso ops list)")
	fl.StringArrayVar(&opts.Targets, "target", nil, "a target it allows, e.g. a VM name (repeatable; none: any target)")
	fl.IntVar(&opts.MaxUses, "max-uses", 0, "how many operations it may let through (0: any number until it expires)")
	fl.StringVar(&opts.Key, "key", "", "the private key FILE made by ceso sandbox keygen")
	return cmd
}

func promoteRun(opts *PromoteOptions) error {
	f := opts.Factory
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	for _, op := range opts.Ops {
		if _, ok := operations.Lookup(op); !ok {
			return cmdutil.FlagError(fmt.Errorf("--ops: %q is not an operation (ceso ops list)", op))
		}
	}
	s, err := signer(f, opts.Key)
	if err != nil {
		return err
	}
	s.MaxPromotion = cfg.Security.MaxPromotion
	tok, p, err := s.Promote(security.Grant{Ops: opts.Ops, Targets: opts.Targets, Duration: opts.Duration, MaxUses: opts.MaxUses})
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f.IO.Out, tok); err != nil {
		return err
	}
	targets, uses := "any target", "any number of uses"
	if len(p.Targets) > 0 {
		targets = "targets " + strings.Join(p.Targets, ",")
	}
	if p.MaxUses > 0 {
		uses = fmt.Sprintf("at most %d use(s)", p.MaxUses)
	}
	fmt.Fprintf(f.IO.ErrOut, "token %s (key %s): %s on %s, %s, valid %s to %s\nrevoke it with: ceso sandbox revoke %s\n",
		p.ID, keyID(s.Key), strings.Join(p.Ops, ","), targets, uses, stamp(p.NotBefore), stamp(p.Expires), p.ID)
	return nil
}
