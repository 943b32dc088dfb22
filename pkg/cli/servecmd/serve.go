package servecmd

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/server"
	"github.com/spf13/cobra"
)

// ServeOptions are the options of `ceso serve`.
type ServeOptions struct {
	Factory *cmdutil.Factory
	Listen  string
}

// NewCmdServe makes `ceso serve` and its `token` noun.
func NewCmdServe(f *cmdutil.Factory, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the daemon: the operations as an HTTP API, with tokens instead of the ESXi password",
		Long: `Run ceso as a daemon that holds the ESXi credentials and serves every operation
of the catalog as a JSON API under /api/v1 (see docs/api/openapi.yaml, also
served at /api/v1/openapi.json). Callers use bearer tokens configured by their
SHA-256 in server.tokens (make one with ceso serve token new); a token's name
is the audit actor and its mode the highest sandbox mode it gets.

It listens on server.listen (127.0.0.1:8443) or --listen. Beyond loopback it
speaks only TLS: server.tls_cert and server.tls_key, or a self-signed pair
made on first start in state_dir, whose SHA-256 fingerprint it prints for
clients to pin (server.thumbprint, --server-thumbprint). /healthz says it is
alive; /readyz that the host answers with a valid session, the backup
catalog opens and the audit log can be written. With metrics.enabled it
serves /metrics as well.

On SIGTERM or an interrupt it stops taking requests; running operations may
finish for server.shutdown_timeout, then they are cancelled; both are logged
and recorded in the audit log.

The CLI can then run any command through it: ceso --server URL --token-file F.`,
		Example: `  ceso serve token new ansible --mode standard   # add the printed entry to server.tokens
  ceso serve --listen 0.0.0.0:8443
  curl -H "Authorization: Bearer $(cat ansible.token)" -X POST https://esxi-admin:8443/api/v1/ops/vm.list`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return serveRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Listen, "listen", "", "address to listen on, host:port (default server.listen, 127.0.0.1:8443)")
	cmd.AddCommand(newCmdToken(f))
	return cmd
}

func serveRun(ctx context.Context, opts *ServeOptions) error {
	f := opts.Factory
	a, err := f.App()
	if err != nil {
		return err
	}
	cfg := a.Config()
	if err := cfg.Validate(true); err != nil {
		return err
	}
	if cfg.Metrics.Enabled && !f.Global.MetricsEnabled {
		if err := f.ServeMetrics(ctx); err != nil {
			return err
		}
	}
	// A daemon is scraped while it runs: no last scrape to wait for.
	f.Global.MetricsLinger = 0
	srv, err := server.New(server.Options{App: a, Listen: opts.Listen, Logger: f.Logger(), Out: f.IO.ErrOut})
	if err != nil {
		return err
	}
	if err := srv.Run(ctx); err != nil {
		return fmt.Errorf("ceso serve: %w", err)
	}
	fmt.Fprintln(f.IO.ErrOut, "ceso serve: stopped")
	return nil
}
