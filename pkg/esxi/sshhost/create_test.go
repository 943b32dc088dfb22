package sshhost

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// fakeInventory finds VMs by path from a map.
type fakeInventory map[string]vm.VMRef

func (f fakeInventory) VMByPath(_ context.Context, path string) (vm.VMRef, error) {
	if r, ok := f[path]; ok {
		return r, nil
	}
	return vm.VMRef{}, client.ErrNotFound
}

func TestCreateVMWritesTheVMXAndRegistersIt(t *testing.T) {
	v := testVM("web 01")
	// Cloud-init user data larger than any command line should carry, with
	// quotes.
	v.ExtraConfig["guestinfo.userdata"] = strings.Repeat("it's a 'quoted' line of user data\n", 8000)
	var writes [][]string
	r := &fakeRunner{answer: func(argv []string) (ssh.Result, error) {
		switch argv[0] {
		case "sh":
			writes = append(writes, argv)
		case "vim-cmd":
			if argv[1] == "solo/registervm" && argv[2] == "/vmfs/volumes/datastore1/web 01/web 01.vmx" {
				return ssh.Result{Stdout: "15\n"}, nil
			}
		}
		return ssh.Result{}, nil
	}}
	inv := fakeInventory{v.Path: {ID: "vm-15", Name: "ignored"}}
	h := New(r, Options{Inventory: inv})
	ref, err := h.CreateVM(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	if ref != (vm.VMRef{ID: "vm-15", Name: "web 01"}) {
		t.Fatalf("ref = %+v", ref)
	}
	// One write, the path an argument, the content on stdin: the command
	// line stays short whatever the size of the guestinfo.
	path := "/vmfs/volumes/datastore1/web 01/web 01.vmx"
	if len(writes) != 1 || len(writes[0]) != 5 || writes[0][2] != ScriptWrite || writes[0][4] != path {
		t.Fatalf("write commands %q", writes)
	}
	want, err := VMX(v)
	if err != nil {
		t.Fatal(err)
	}
	line := ssh.Command{Argv: writes[0]}.String()
	if got := r.stdin[line]; string(got) != string(want) || len(line) > 200 {
		t.Fatalf("the write sent %d bytes on stdin (want the %d of VMX) with a %d-byte command line", len(got), len(want), len(line))
	}
	// The API reference is mapped back to the vmid for vim-cmd.
	if err := h.Power(context.Background(), ref, vm.PowerOn); err != nil {
		t.Fatal(err)
	}
	lines := r.ran()
	if last := lines[len(lines)-1]; last != "vim-cmd vmsvc/power.on 15" {
		t.Fatalf("power-on ran %q", last)
	}
	// Without an inventory the vmid is the reference.
	ref, err = New(r, Options{}).CreateVM(context.Background(), v)
	if err != nil || ref.ID != "15" {
		t.Fatalf("without inventory: %+v, %v", ref, err)
	}
}

func TestCreateVMFailures(t *testing.T) {
	exists := ssh.Result{Stderr: "sh: can't create /vmfs/volumes/datastore1/web01/web01.vmx: File exists\n", ExitStatus: 2}
	registered := ssh.Result{Stdout: "(vim.fault.AlreadyExists) {\n   faultCause = (vmodl.MethodFault) null,\n   name = \"51\",\n   msg = \"The specified key, name, or identifier '51' already exists.\"\n}\n", ExitStatus: 1}
	tests := []struct {
		name   string
		answer func(argv []string) (ssh.Result, error)
		inv    Inventory
		want   error
	}{
		{"the .vmx exists", func(argv []string) (ssh.Result, error) {
			if argv[0] == "sh" {
				return exists, nil
			}
			return ssh.Result{}, nil
		}, nil, client.ErrAlreadyExists},
		{"registered already", func(argv []string) (ssh.Result, error) {
			if argv[0] == "vim-cmd" {
				return registered, nil
			}
			return ssh.Result{}, nil
		}, nil, client.ErrAlreadyExists},
		{"no vmid printed", func(argv []string) (ssh.Result, error) { return ssh.Result{Stdout: "\n"}, nil }, nil, ssh.ErrUnexpectedOutput},
		{"connection lost", func(argv []string) (ssh.Result, error) { return ssh.Result{}, ssh.ErrClosed }, nil, ssh.ErrClosed},
		{"not found over the API", func(argv []string) (ssh.Result, error) {
			if argv[0] == "vim-cmd" {
				return ssh.Result{Stdout: "9\n"}, nil
			}
			return ssh.Result{}, nil
		}, fakeInventory{}, client.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(&fakeRunner{answer: tt.answer}, Options{Inventory: tt.inv})
			_, err := h.CreateVM(context.Background(), testVM("web01"))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	bad := testVM("web01")
	bad.CPU = 0
	r := &fakeRunner{}
	if _, err := New(r, Options{}).CreateVM(context.Background(), bad); !errors.Is(err, vm.ErrInvalidSpec) || len(r.ran()) != 0 {
		t.Fatalf("invalid VM: %v, ran %v", err, r.ran())
	}
}

func TestWriteFileSendsTheContentOnStdin(t *testing.T) {
	for _, content := range []string{"", "a = \"b\"\n", strings.Repeat("it's 'quoted'\n", 100000)} {
		cmd, err := writeFile("[ds] d/f.vmx", []byte(content))
		if err != nil {
			t.Fatal(err)
		}
		if string(cmd.Stdin) != content || cmd.Stdin == nil {
			t.Fatalf("stdin holds %d bytes, want %d", len(cmd.Stdin), len(content))
		}
		if got := cmd.String(); got != `sh -c 'set -C; cat > "$1"' sh /vmfs/volumes/ds/d/f.vmx` {
			t.Fatalf("command line %q", got)
		}
	}
	if _, err := writeFile("[ds] d/f.vmx", []byte("a\x00b")); !errors.Is(err, ssh.ErrInvalidArgument) {
		t.Fatalf("NUL: %v", err)
	}
	if _, err := writeFile("ds/f.vmx", nil); !errors.Is(err, ssh.ErrInvalidArgument) {
		t.Fatalf("bad path: %v", err)
	}
}
