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

// written reassembles what the file-writing commands wrote, checking that
// each is one of the two scripts with the content and path as arguments.
func written(t *testing.T, lines [][]string, path string) string {
	t.Helper()
	var b strings.Builder
	for i, argv := range lines {
		want := ScriptAppend
		if i == 0 {
			want = ScriptCreate
		}
		if len(argv) != 6 || argv[0] != "sh" || argv[1] != "-c" || argv[2] != want || argv[3] != "sh" || argv[5] != path {
			t.Fatalf("write command %d = %q", i, argv)
		}
		if q := len(ssh.Quote(argv[4])); q > maxChunk {
			t.Fatalf("chunk %d is %d bytes quoted", i, q)
		}
		b.WriteString(argv[4])
	}
	return b.String()
}

func TestCreateVMWritesTheVMXAndRegistersIt(t *testing.T) {
	v := testVM("web 01")
	// Cloud-init user data as large as hosts see, with quotes that cost
	// four bytes each once quoted.
	v.ExtraConfig["guestinfo.userdata"] = strings.Repeat("it's a 'quoted' line of user data\n", 4000)
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
	if len(writes) < 3 {
		t.Fatalf("%d write commands for %d KiB of user data", len(writes), len(v.ExtraConfig["guestinfo.userdata"])>>10)
	}
	want, err := VMX(v)
	if err != nil {
		t.Fatal(err)
	}
	if got := written(t, writes, "/vmfs/volumes/datastore1/web 01/web 01.vmx"); got != string(want) {
		t.Fatal("the commands wrote another .vmx than VMX renders")
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

func TestWriteFileSplitsAtQuotedSize(t *testing.T) {
	tests := []struct {
		name    string
		content string
		parts   int
	}{
		{"empty", "", 1},
		{"small", "a = \"b\"\n", 1},
		{"exactly one chunk", strings.Repeat("x", maxChunk-2), 1},
		{"one byte more", strings.Repeat("x", maxChunk-1), 2},
		{"quotes count four times", strings.Repeat("'", maxChunk/4), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds, err := writeFile("[ds] d/f.vmx", []byte(tt.content))
			if err != nil {
				t.Fatal(err)
			}
			if len(cmds) != tt.parts {
				t.Fatalf("%d commands, want %d", len(cmds), tt.parts)
			}
			argvs := make([][]string, len(cmds))
			for i, c := range cmds {
				argvs[i] = c.Argv
			}
			if got := written(t, argvs, "/vmfs/volumes/ds/d/f.vmx"); got != tt.content {
				t.Fatal("content changed")
			}
		})
	}
	if _, err := writeFile("[ds] d/f.vmx", []byte("a\x00b")); !errors.Is(err, ssh.ErrInvalidArgument) {
		t.Fatalf("NUL: %v", err)
	}
	if _, err := writeFile("ds/f.vmx", nil); !errors.Is(err, ssh.ErrInvalidArgument) {
		t.Fatalf("bad path: %v", err)
	}
}
