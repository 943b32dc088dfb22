package sshhost

import (
	"context"
	"errors"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// getallvms is a listing in ESXi's layout with a name holding blanks and
// two VMs of one name.
const getallvms = "Vmid      Name                File                   Guest OS       Version   Annotation\n" +
	"1      web 01 (old)   [datastore1] web/web.vmx     ubuntu64Guest   vmx-21              \n" +
	"11     twin           [datastore1] t1/t1.vmx       ubuntu64Guest   vmx-21              \n" +
	"12     twin           [datastore1] t2/t2.vmx       ubuntu64Guest   vmx-21              \n"

func TestVMIDLookup(t *testing.T) {
	tests := []struct {
		name string
		ref  vm.VMRef
		want string
		err  error
	}{
		{"numeric reference", vm.VMRef{ID: "7", Name: "x"}, "7", nil},
		{"found by name", vm.VMRef{ID: "vm-1", Name: "web 01 (old)"}, "1", nil},
		{"no such name", vm.VMRef{ID: "vm-9", Name: "nope"}, "", client.ErrNotFound},
		{"two of that name", vm.VMRef{ID: "vm-11", Name: "twin"}, "", vm.ErrAmbiguous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fakeRunner{answer: responder(map[string]ssh.Result{"vim-cmd vmsvc/getallvms": {Stdout: getallvms}})}
			h := New(r, Options{})
			got, err := h.vmid(context.Background(), tt.ref)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("vmid = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
			if tt.err == nil && tt.ref.ID != tt.want {
				// Looked up once, then remembered.
				if _, err := h.vmid(context.Background(), tt.ref); err != nil {
					t.Fatal(err)
				}
				if n := len(r.ran()); n != 1 {
					t.Fatalf("%d commands for two look-ups", n)
				}
				if err := h.Destroy(context.Background(), tt.ref); err != nil {
					t.Fatal(err)
				}
				if _, ok := h.known(tt.ref); ok {
					t.Fatal("a destroyed VM's vmid is still remembered")
				}
			}
		})
	}
	r := &fakeRunner{answer: responder(map[string]ssh.Result{"vim-cmd vmsvc/getallvms": {Stdout: "garbage"}})}
	if _, err := New(r, Options{}).vmid(context.Background(), vm.VMRef{ID: "vm-1", Name: "x"}); !errors.Is(err, ssh.ErrUnexpectedOutput) {
		t.Fatalf("garbage listing: %v", err)
	}
}
