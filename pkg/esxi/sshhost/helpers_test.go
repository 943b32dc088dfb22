package sshhost

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// fakeRunner plays the host's shell: answer decides each command's
// result; lines records what ran.
type fakeRunner struct {
	answer func(argv []string) (ssh.Result, error)

	mu    sync.Mutex
	lines []string
	stdin map[string][]byte // what each command line got on stdin
}

func (f *fakeRunner) Run(_ context.Context, cmd ssh.Command) (ssh.Result, error) {
	f.mu.Lock()
	f.lines = append(f.lines, cmd.String())
	if cmd.Stdin != nil {
		if f.stdin == nil {
			f.stdin = map[string][]byte{}
		}
		f.stdin[cmd.String()] = cmd.Stdin
	}
	f.mu.Unlock()
	if f.answer != nil {
		return f.answer(cmd.Argv)
	}
	return ssh.Result{}, nil
}

func (f *fakeRunner) ran() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.lines...)
}

// responder answers command lines from a table; other commands succeed
// silently.
func responder(table map[string]ssh.Result) func([]string) (ssh.Result, error) {
	return func(argv []string) (ssh.Result, error) {
		if r, ok := table[ssh.Command{Argv: argv}.String()]; ok {
			return r, nil
		}
		return ssh.Result{}, nil
	}
}

// testVM is a VM as the lifecycle asks for it from the simulator's template.
func testVM(name string) *vm.NewVM {
	return &vm.NewVM{
		Name:      name,
		Path:      "[datastore1] " + name + "/" + name + ".vmx",
		Datastore: "datastore1",
		Hardware: vm.Hardware{
			GuestID: "ubuntu64Guest", Firmware: "efi", Version: "vmx-21", CPU: 2, CoresPerSocket: 2, MemoryMB: 2048,
			Controllers: []vm.Controller{{Kind: "pvscsi", Bus: 0}},
		},
		Disks: []vm.DiskAttachment{{Path: "[datastore1] " + name + "/" + name + ".vmdk", Controller: 0, Unit: 0, CapacityBytes: 64 << 20}},
		NICs:  []vm.NetworkAdapter{{Kind: "vmxnet3", Network: "VM Network"}},
		ExtraConfig: map[string]string{
			"guestinfo.metadata":          "aW5zdGFuY2UtaWQ6IGlpZC0x",
			"guestinfo.metadata.encoding": "base64",
			"disk.EnableUUID":             "TRUE",
		},
	}
}

// recordSteps returns a record function and the steps it collected.
func recordSteps() (func(ops.Step), *[]ops.Step) {
	var steps []ops.Step
	return func(s ops.Step) { steps = append(steps, s) }, &steps
}

func wantLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("commands:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
