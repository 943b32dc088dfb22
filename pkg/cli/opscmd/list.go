package opscmd

import (
	"strings"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/spf13/cobra"
)

// NewCmdOps is the `ceso ops` noun.
func NewCmdOps(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ops <command>",
		Short: "The catalog of operations every front end runs",
	}
	cmd.AddCommand(NewCmdList(f, nil))
	return cmd
}

// ListOptions are the options of `ceso ops list`.
type ListOptions struct {
	Factory *cmdutil.Factory
	JSON    bool
}

// Operation is one catalog entry as `ceso ops list --json` prints it.
type Operation struct {
	Name    string             `json:"name"`
	Class   string             `json:"class"`
	Classes []string           `json:"classes"`
	Summary string             `json:"summary"`
	Input   *jsonschema.Schema `json:"input_schema"`
	Output  *jsonschema.Schema `json:"output_schema"`
}

// NewCmdList makes `ceso ops list`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every operation with its class and summary; --json adds the input and output JSON schemas",
		Long: `List the catalog: every operation ceso can run, the same for the CLI, the
HTTP API and the MCP server. The class says how much it may change: read,
write or destructive; an operation whose class depends on its params lists
each (vm.power off is destructive, on is a write). The sandbox decides by
class. Nothing is sent to a host.`,
		Example: `  ceso ops list
  ceso ops list --json | jq -r '.[] | select(.class=="read") | .name'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON with the input and output schemas")
	return cmd
}

// Describe turns the catalog into its listing.
func Describe() ([]Operation, error) {
	var out []Operation
	for _, d := range operations.Catalog() {
		in, err := d.InputSchema()
		if err != nil {
			return nil, err
		}
		outSchema, err := d.OutputSchema()
		if err != nil {
			return nil, err
		}
		var classes []string
		for _, c := range d.Classes() {
			classes = append(classes, c.String())
		}
		out = append(out, Operation{Name: d.Name(), Class: d.Class().String(), Classes: classes, Summary: d.Summary(), Input: in, Output: outSchema})
	}
	return out, nil
}

func listRun(opts *ListOptions) error {
	f := opts.Factory
	list, err := Describe()
	if err != nil {
		return err
	}
	if opts.JSON {
		return cmdutil.WriteJSON(f.IO.Out, list)
	}
	t := cmdutil.NewTable(f.IO, "OPERATION", "CLASS", "SUMMARY")
	for _, o := range list {
		t.Row(o.Name, strings.Join(o.Classes, "|"), o.Summary)
	}
	return t.Flush()
}
