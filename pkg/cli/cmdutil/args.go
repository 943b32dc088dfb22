package cmdutil

import "github.com/spf13/cobra"

// usageArgs wraps a cobra argument check so that its error is a usage error
// (exit code 2).
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		return FlagError(check(cmd, args))
	}
}

// ExactArgs accepts exactly n arguments.
func ExactArgs(n int) cobra.PositionalArgs { return usageArgs(cobra.ExactArgs(n)) }

// MaximumNArgs accepts at most n arguments.
func MaximumNArgs(n int) cobra.PositionalArgs { return usageArgs(cobra.MaximumNArgs(n)) }

// MinimumNArgs accepts at least n arguments.
func MinimumNArgs(n int) cobra.PositionalArgs { return usageArgs(cobra.MinimumNArgs(n)) }

// NoArgs accepts no argument.
func NoArgs(cmd *cobra.Command, args []string) error { return FlagError(cobra.NoArgs(cmd, args)) }
