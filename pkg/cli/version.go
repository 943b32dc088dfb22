package cli

import (
	"fmt"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/spf13/cobra"
)

// newCmdVersion makes `ceso version`: the build information of the binary.
func newCmdVersion(f *cmdutil.Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print ceso's version, commit, date, Go and govmomi versions",
		Long: `Print the version of this binary from its build information: the module
version (or "devel+COMMIT" for a build from a checkout), the VCS commit and its
date, the Go toolchain and the govmomi version. Backups record the same
version. ceso --version prints the one-line form.

JSON output (--json) is an object with the fields version, commit, date,
modified, go, govmomi and platform.`,
		Example: `  ceso version
  ceso version --json | jq -r .commit`,
		Args: cmdutil.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			b := cmdutil.ReadBuild()
			if asJSON {
				return cmdutil.WriteJSON(f.IO.Out, b)
			}
			w := f.IO.Out
			fmt.Fprintf(w, "ceso %s\n", b.Version)
			kv := func(k, v string) { fmt.Fprintf(w, "  %-9s %s\n", k, dashIfEmpty(v)) }
			commit := b.Commit
			if b.Modified {
				commit += " (modified)"
			}
			kv("commit", commit)
			kv("date", b.Date)
			kv("go", b.Go)
			kv("govmomi", b.Govmomi)
			kv("platform", b.Platform)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
