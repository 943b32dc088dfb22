package cmdutil

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/security"
)

// Environment variables that stand for global flags of the sandbox.
const (
	// ModeEnv lowers the security mode, as --mode does.
	ModeEnv = "CESO_MODE"
	// PromotionTokenEnv holds a promotion token, as --promotion-token does.
	PromotionTokenEnv = "CESO_PROMOTION_TOKEN"
)

type confirmedKey struct{}

// WithConfirmed marks ctx as carrying a human's confirmation of the
// destructive operation the command runs (the name typed at the prompt, or
// --yes): standard mode lets it run.
func WithConfirmed(ctx context.Context) context.Context {
	return context.WithValue(ctx, confirmedKey{}, true)
}

func confirmed(ctx context.Context) bool {
	c, _ := ctx.Value(confirmedKey{}).(bool)
	return c
}

// Call is how this command asks for its operation: --dry-run; the mode of
// --mode and CESO_MODE (the lower of the two, since either may only lower
// the configured one); the promotion token of --promotion-token, else
// CESO_PROMOTION_TOKEN; --approval; and the confirmation in ctx.
func (f *Factory) Call(ctx context.Context) (app.Call, error) {
	g := f.Global
	call := app.Call{DryRun: g.DryRun, Approval: g.Approval, PromotionToken: g.PromotionToken, Confirmed: confirmed(ctx)}
	if call.PromotionToken == "" {
		call.PromotionToken, _ = f.Env(PromotionTokenEnv)
	}
	env, _ := f.Env(ModeEnv)
	for _, m := range []struct{ source, value string }{{"--mode", g.Mode}, {ModeEnv, env}} {
		if m.value == "" {
			continue
		}
		mode, err := security.ParseMode(m.value)
		if err != nil {
			return app.Call{}, FlagError(fmt.Errorf("%s: %w", m.source, err))
		}
		if call.Mode == "" || security.Mode(call.Mode).Above(mode) {
			call.Mode = string(mode)
		}
	}
	return call, nil
}
