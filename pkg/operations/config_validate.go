package operations

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/ops"
)

// ConfigValidateParams are the params of config.validate.
type ConfigValidateParams struct {
	Secrets bool `json:"secrets,omitempty" jsonschema:"also read the password sources (file permissions, password_command)"`
}

// Validate implements Params.
func (ConfigValidateParams) Validate() error { return nil }

// Target implements Params.
func (ConfigValidateParams) Target() string { return "configuration" }

// ConfigReport says which configuration was checked and its first
// problem ("" when valid).
type ConfigReport struct {
	Valid   bool   `json:"valid"`
	Source  string `json:"source"`
	Secrets bool   `json:"secrets_checked"`
	Problem string `json:"problem"`
}

// ConfigValidate checks the configuration in effect strictly.
var ConfigValidate = &Op[ConfigValidateParams, ConfigReport]{
	name:    "config.validate",
	summary: "Check the configuration strictly, and with secrets that every password source can be read",
	class:   ops.ClassRead,
	plan: func(_ context.Context, a *app.App, p ConfigValidateParams) ([]ops.Step, error) {
		steps := []ops.Step{{Via: "local", Action: "validate the configuration", Detail: source(a)}}
		if p.Secrets {
			steps = append(steps, ops.Step{Via: "local", Action: "resolve esxi and ssh password sources"})
		}
		return steps, nil
	},
	run: func(ctx context.Context, a *app.App, p ConfigValidateParams) (ConfigReport, error) {
		cfg := a.Config()
		rep := ConfigReport{Source: source(a), Secrets: p.Secrets}
		err := cfg.Validate(true)
		if err == nil && p.Secrets {
			err = checkSecrets(ctx, cfg)
		}
		if err != nil {
			rep.Problem = err.Error()
			return rep, err
		}
		rep.Valid = true
		return rep, nil
	},
}

func source(a *app.App) string {
	if s := a.Config().Source; s != "" {
		return s
	}
	return "defaults and environment"
}

// checkSecrets reads every password source; an ESXi password that comes
// from nowhere is a problem too: no command could log in.
func checkSecrets(ctx context.Context, cfg *config.Config) error {
	pw, err := cfg.ESXi.ResolvePassword(ctx)
	if err != nil {
		return err
	}
	if pw == "" {
		return fmt.Errorf("%w: no ESXi password: set ESXI_PASSWORD or ESXI_PASSWORD_FILE, or esxi.password_file or esxi.password_command", config.ErrSecret)
	}
	_, err = cfg.SSH.ResolvePassword(ctx)
	return err
}
