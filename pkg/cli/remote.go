package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/server/api"
	"github.com/ceso/ceso/pkg/server/apiclient"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Environment variables of the CLI as a client of ceso serve.
const (
	ServerEnv    = "CESO_SERVER"
	TokenFileEnv = "CESO_TOKEN_FILE"
)

// remoteOptions are the flags that send commands to a ceso server.
type remoteOptions struct {
	server, tokenFile, thumbprint string
}

func addRemoteFlags(pf *pflag.FlagSet, o *remoteOptions) {
	pf.StringVar(&o.server, "server", "", "run the command on this ceso server, https://HOST:PORT ("+ServerEnv+", server.url)")
	pf.StringVar(&o.tokenFile, "token-file", "", "file with the API token for --server ("+TokenFileEnv+", server.token_file)")
	pf.StringVar(&o.thumbprint, "server-thumbprint", "", "SHA-256 fingerprint the server's certificate must have (server.thumbprint)")
}

// setupRemote gives f a Remote when cmd runs a catalog operation and a
// server is configured: --server, then CESO_SERVER, then server.url.
func setupRemote(cmd *cobra.Command, f *cmdutil.Factory, o *remoteOptions) error {
	if _, isOp := cmd.Annotations[cmdutil.OperationAnnotation]; !isOp {
		return nil
	}
	cfg, err := f.Config()
	if err != nil {
		// The command reports the configuration's problem itself, as it
		// does without a server (config validate prints it as a report).
		return nil
	}
	url := firstSet(o.server, envValue(f.Env, ServerEnv), cfg.Server.URL)
	if url == "" {
		return nil
	}
	tokenFile := firstSet(o.tokenFile, envValue(f.Env, TokenFileEnv), cfg.Server.TokenFile)
	if tokenFile == "" {
		return fmt.Errorf("%w: the server %s needs a token: give --token-file, %s or server.token_file", config.ErrSecret, url, TokenFileEnv)
	}
	token, err := config.ReadTokenFile(tokenFile)
	if err != nil {
		return err
	}
	c, err := apiclient.New(apiclient.Config{URL: url, Token: token, Thumbprint: firstSet(o.thumbprint, cfg.Server.Thumbprint)})
	if err != nil {
		return err
	}
	f.Remote = remote{c}
	return nil
}

func firstSet(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func envValue(env config.Env, key string) string {
	v, _ := env(key)
	return v
}

// remote is a ceso server as the factory's Remote.
type remote struct{ c *apiclient.Client }

func (r remote) Invoke(ctx context.Context, op string, call cmdutil.RemoteCall, params json.RawMessage) (operations.Outcome[json.RawMessage], error) {
	o, err := r.c.Invoke(ctx, op, api.Call{
		DryRun: call.DryRun, Timeout: call.Timeout, Mode: call.Mode, Confirmed: call.Confirmed,
		PromotionToken: call.PromotionToken, Approval: call.Approval,
	}, params)
	return operations.Outcome[json.RawMessage]{CorrelationID: o.CorrelationID, DryRun: o.DryRun, Plan: o.Plan, PlanID: o.PlanID, Result: o.Result, Notes: o.Notes}, err
}
