package vm

import (
	"errors"
	"testing"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

func TestListFlagParsing(t *testing.T) {
	tests := []struct {
		args    []string
		want    ListOptions
		wantErr bool
	}{
		{args: nil, want: ListOptions{}},
		{args: []string{"web*"}, want: ListOptions{Filter: vm.Filter{Name: "web*"}}},
		{args: []string{"--power-state", "on", "--json"}, want: ListOptions{Filter: vm.Filter{PowerState: vm.PoweredOn}, JSON: true}},
		{args: []string{"--power-state", "suspended"}, want: ListOptions{Filter: vm.Filter{PowerState: vm.Suspended}}},
		{args: []string{"--power-state", "asleep"}, wantErr: true},
		{args: []string{"[bad"}, wantErr: true},
		{args: []string{"a", "b"}, wantErr: true},
	}
	for _, tt := range tests {
		io, _, _, _ := cmdutil.Test()
		f := cmdutil.New(io, config.MapEnv(nil))
		var got *ListOptions
		cmd := NewCmdList(f, func(o *ListOptions) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		cmd.SetOut(io.Out)
		cmd.SetErr(io.ErrOut)
		err := cmd.Execute()
		if tt.wantErr {
			if err == nil || errkind.Of(err) != errkind.Usage {
				t.Errorf("%v: error %v, want a usage error", tt.args, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if got.Filter != tt.want.Filter || got.JSON != tt.want.JSON {
			t.Errorf("%v: options %+v, want %+v", tt.args, *got, tt.want)
		}
	}
}

func TestInfoFlagParsing(t *testing.T) {
	io, _, _, _ := cmdutil.Test()
	f := cmdutil.New(io, config.MapEnv(nil))
	var got *InfoOptions
	cmd := NewCmdInfo(f, func(o *InfoOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"web 01", "--json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Name != "web 01" || !got.JSON {
		t.Fatalf("%+v", got)
	}
	cmd = NewCmdInfo(f, func(o *InfoOptions) error { return errors.New("must not run") })
	cmd.SetArgs([]string{"  "})
	cmd.SetOut(io.Out)
	cmd.SetErr(io.ErrOut)
	if err := cmd.Execute(); errkind.Of(err) != errkind.Usage {
		t.Fatalf("blank name: %v", err)
	}
}
