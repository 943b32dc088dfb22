package ssh

import (
	"errors"
	"testing"
)

func TestBuilders(t *testing.T) {
	must := func(c Command, err error) Command {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name string
		cmd  Command
		want string
	}{
		{"getallvms", GetAllVMs(), "vim-cmd vmsvc/getallvms"},
		{"getstate", must(PowerGetState("12")), "vim-cmd vmsvc/power.getstate 12"},
		{"on", must(PowerOn("1")), "vim-cmd vmsvc/power.on 1"},
		{"off", must(PowerOff("1")), "vim-cmd vmsvc/power.off 1"},
		{"shutdown", must(PowerShutdown("1")), "vim-cmd vmsvc/power.shutdown 1"},
		{"reset", must(PowerReset("1")), "vim-cmd vmsvc/power.reset 1"},
		{"suspend", must(PowerSuspend("1")), "vim-cmd vmsvc/power.suspend 1"},
		{"reboot", must(PowerReboot("1")), "vim-cmd vmsvc/power.reboot 1"},
		{"reload", must(Reload("1698")), "vim-cmd vmsvc/reload 1698"},
		{"unregister", must(Unregister("6")), "vim-cmd vmsvc/unregister 6"},
		{"destroy", must(Destroy("6")), "vim-cmd vmsvc/destroy 6"},
		{"registervm", must(RegisterVM("[datastore1] web/web.vmx")), "vim-cmd solo/registervm /vmfs/volumes/datastore1/web/web.vmx"},
		{"registervm, hostile names", must(RegisterVM("[SSD pool] it's $(reboot)/`id` *.vmx")),
			`vim-cmd solo/registervm '/vmfs/volumes/SSD pool/it'\''s $(reboot)/` + "`id`" + ` *.vmx'`},
		{"registervm, empty datastore", must(RegisterVM("[] /var/run/crx/infra/v/v.vmx")), "vim-cmd solo/registervm /var/run/crx/infra/v/v.vmx"},
		{"clone", must(CloneDisk("[datastore1] tpl/tpl.vmdk", "[datastore1] web 1/web 1.vmdk")),
			"vmkfstools -i /vmfs/volumes/datastore1/tpl/tpl.vmdk -d thin '/vmfs/volumes/datastore1/web 1/web 1.vmdk'"},
		{"mkdir", must(Mkdir("[datastore1] web 1")), "mkdir -p '/vmfs/volumes/datastore1/web 1'"},
		{"mkdir nested", must(Mkdir("[datastore1] backups/web/")), "mkdir -p /vmfs/volumes/datastore1/backups/web"},
		{"remove", must(RemoveVMDir("[datastore1] web 1/")), "rm -rf '/vmfs/volumes/datastore1/web 1'"},
		{"snapshot create", must(SnapshotCreate("6", "before upgrade", "it's \"safe\"", true, false)),
			`vim-cmd vmsvc/snapshot.create 6 'before upgrade' 'it'\''s "safe"' 1 0`},
		{"snapshot create, empty description", must(SnapshotCreate("6", "s", "", false, true)), "vim-cmd vmsvc/snapshot.create 6 s '' 0 1"},
		{"snapshot remove", must(SnapshotRemove("6", "2")), "vim-cmd vmsvc/snapshot.remove 6 2"},
		{"snapshot removeall", must(SnapshotRemoveAll("3")), "vim-cmd vmsvc/snapshot.removeall 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cmd.String(); got != tt.want {
				t.Errorf("String() = %q\nwant        %q", got, tt.want)
			}
			if err := tt.cmd.validate(); err != nil {
				t.Errorf("validate: %v", err)
			}
		})
	}
}

func TestBuildersRefuse(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"vmid with a letter", second(PowerOn("1a"))},
		{"vmid empty", second(PowerOff(""))},
		{"vmid negative", second(Destroy("-1"))},
		{"vmid zero", second(Unregister("0"))},
		{"vmid leading zero", second(Reload("01"))},
		{"vmid with blank", second(PowerGetState("1 2"))},
		{"vmid injection", second(PowerShutdown("1;reboot"))},
		{"vmid too long", second(PowerReset("12345678901"))},
		{"unknown power op", second(Power("explode", "1"))},
		{"registervm not a vmx", second(RegisterVM("[ds] web/web.vmdk"))},
		{"registervm bare .vmx", second(RegisterVM("[ds] web/.vmx"))},
		{"registervm datastore root", second(RegisterVM("[ds]"))},
		{"registervm traversal", second(RegisterVM("[ds] ../../etc/x.vmx"))},
		{"registervm not a datastore path", second(RegisterVM("/vmfs/volumes/ds/web/web.vmx"))},
		{"clone source not a vmdk", second(CloneDisk("[ds] a/a.vmx", "[ds] b/b.vmdk"))},
		{"clone destination not a vmdk", second(CloneDisk("[ds] a/a.vmdk", "[ds] b/b"))},
		{"clone onto itself", second(CloneDisk("[ds] a/a.vmdk", "[ds] a//a.vmdk"))},
		{"mkdir root", second(Mkdir("[ds]"))},
		{"mkdir absolute", second(Mkdir("[] /scratch/x"))},
		{"mkdir traversal", second(Mkdir("[ds] a/../../b"))},
		{"remove root", second(RemoveVMDir("[ds]"))},
		{"remove root by dot", second(RemoveVMDir("[ds] ./"))},
		{"remove nested", second(RemoveVMDir("[ds] a/b"))},
		{"remove hidden", second(RemoveVMDir("[ds] .sdd.sf"))},
		{"remove absolute", second(RemoveVMDir("[] /vmfs/volumes/ds/web"))},
		{"remove traversal", second(RemoveVMDir("[ds] .."))},
		{"remove blank name", second(RemoveVMDir("[ds]  "))},
		{"remove dash name", second(RemoveVMDir("[ds] -rf"))},
		{"remove datastore dot", second(RemoveVMDir("[..] web"))},
		{"snapshot bad vmid", second(SnapshotCreate("x", "s", "", false, false))},
		{"snapshot empty name", second(SnapshotCreate("1", "", "", false, false))},
		{"snapshot dash name", second(SnapshotCreate("1", "-x", "", false, false))},
		{"snapshot newline name", second(SnapshotCreate("1", "a\nb", "", false, false))},
		{"snapshot NUL description", second(SnapshotCreate("1", "a", "x\x00", false, false))},
		{"snapshot remove bad id", second(SnapshotRemove("1", "x"))},
		{"snapshot remove bad vmid", second(SnapshotRemove("x", "1"))},
		{"snapshot removeall bad vmid", second(SnapshotRemoveAll("x"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, ErrInvalidArgument) {
				t.Errorf("err = %v, want ErrInvalidArgument", tt.err)
			}
		})
	}
}

func second(_ Command, err error) error { return err }
