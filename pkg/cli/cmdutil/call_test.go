package cmdutil

import (
	"context"
	"testing"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/config"
)

// TestCallFromFlagsAndEnvironment: the lower of --mode and CESO_MODE wins,
// the flag's token before the environment's, and the confirmation comes
// from the context.
func TestCallFromFlagsAndEnvironment(t *testing.T) {
	tests := []struct {
		name    string
		global  GlobalOptions
		env     map[string]string
		confirm bool
		want    app.Call
		bad     bool
	}{
		{name: "nothing", want: app.Call{}},
		{name: "flag", global: GlobalOptions{Mode: "standard", DryRun: true}, want: app.Call{Mode: "standard", DryRun: true}},
		{name: "old name", env: map[string]string{ModeEnv: "read-only"}, want: app.Call{Mode: "restricted"}},
		{name: "env lower", global: GlobalOptions{Mode: "unrestricted"}, env: map[string]string{ModeEnv: "standard"}, want: app.Call{Mode: "standard"}},
		{name: "flag lower", global: GlobalOptions{Mode: "restricted"}, env: map[string]string{ModeEnv: "standard"}, want: app.Call{Mode: "restricted"}},
		{name: "bad env", env: map[string]string{ModeEnv: "max"}, bad: true},
		{name: "bad flag", global: GlobalOptions{Mode: "max"}, bad: true},
		{name: "tokens", global: GlobalOptions{Approval: "ap"}, env: map[string]string{PromotionTokenEnv: "pt"}, confirm: true,
			want: app.Call{Approval: "ap", PromotionToken: "pt", Confirmed: true}},
		{name: "flag token first", global: GlobalOptions{PromotionToken: "flag"}, env: map[string]string{PromotionTokenEnv: "env"},
			want: app.Call{PromotionToken: "flag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, _, _, _ := Test()
			f := New(io, config.MapEnv(tt.env))
			f.Global = tt.global
			ctx := context.Background()
			if tt.confirm {
				ctx = WithConfirmed(ctx)
			}
			got, err := f.Call(ctx)
			if tt.bad {
				if ExitCode(err) != ExitUsage {
					t.Fatalf("error %v, want a usage error", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("call %+v %v, want %+v", got, err, tt.want)
			}
		})
	}
}
