package mcpcmd

import (
	"context"
	"fmt"
	"io"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/mcp"
	"github.com/spf13/cobra"
)

// Options are the options of `ceso mcp`.
type Options struct {
	Factory *cmdutil.Factory
	// Agent names the agent: the audit actor of every call.
	Agent string
}

// NewCmdMCP makes `ceso mcp`.
func NewCmdMCP(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve the operations as MCP tools to a local AI agent, over stdin and stdout",
		Long: `Run a Model Context Protocol server on stdin and stdout for an agent on this
machine (Claude Desktop, an IDE, any MCP client that starts a command). Every
operation of the catalog is a tool (vm.list is vm_list); the VM inventory, one
VM, the backup catalog and the agent's own audit records are resources.

The agent runs in security.mode, lowered by --mode or CESO_MODE (never
raised). In restricted mode a tool that would change something does not run:
it returns its plan, the plan ID and the command a human runs to approve it
(ceso sandbox approve); the agent then calls it again with the approval, and
it runs once. security.protected VMs and datastores change only with a
promotion token naming them, in every mode. Every call is recorded in the
audit log under --agent.

Nothing but the protocol is written to stdout; diagnostics go to stderr. For
an agent on another machine, use /mcp on ceso serve instead. See docs/agents.md.`,
		Example: `  ceso mcp --agent claude-desktop --mode restricted
  # in claude_desktop_config.json:
  #   "mcpServers": {"esxi": {"command": "ceso", "args": ["mcp", "--agent", "claude-desktop", "--mode", "restricted"]}}`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Agent, "agent", "", "the agent's name, recorded as the actor of its operations (default mcp:USER@HOST)")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	a, err := f.App()
	if err != nil {
		return err
	}
	call, err := f.Call(ctx)
	if err != nil {
		return err
	}
	agent := opts.Agent
	if agent == "" {
		agent = "mcp:" + app.OSActor()
	}
	secrets := resolvedSecrets(ctx, a)
	srv, err := mcp.New(mcp.Options{
		App: a, Logger: f.Logger(), Now: f.Now, Version: cmdutil.ReadBuild().Version,
		Secrets: func() []string { return secrets },
	})
	if err != nil {
		return err
	}
	id := mcp.Identity{Agent: agent, Mode: call.Mode}
	if _, err := srv.For(id); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "ceso mcp: serving agent %q on stdin and stdout\n", agent)
	return srv.Serve(ctx, id, mcp.Stdio(io.NopCloser(f.IO.In), nopWriteCloser{f.IO.Out}))
}

// resolvedSecrets are the passwords ceso can resolve: no result may carry
// them. One that cannot be resolved now is not known to the agent either.
func resolvedSecrets(ctx context.Context, a *app.App) []string {
	var known []string
	cfg := a.Config()
	if pw, err := cfg.ESXi.ResolvePassword(ctx); err == nil && pw != "" {
		known = append(known, pw)
	}
	if pw, err := cfg.SSH.ResolvePassword(ctx); err == nil && pw != "" {
		known = append(known, pw)
	}
	return known
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
