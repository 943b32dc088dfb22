package ssh

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const vclsName = "vCLS-6b723342-8292-1962-f970-0422f48bc6ea"

var getallvmsSamples = map[string]struct {
	want    []VM
	skipped []string
}{
	"vim-cmd_vmsvc_getallvms.txt": {want: []VM{
		{ID: "2", Name: "xx", File: "[datastore1] xx/xx.vmx", GuestOS: "rhel8_64Guest", Version: "vmx-14"},
		{ID: "3", Name: "makemake", File: "[datastore1] makemake/makemake.vmx", GuestOS: "centos8_64Guest", Version: "vmx-14",
			Annotation: "Rocky linux 8\nautostart"},
	}},
	"vim-cmd_vmsvc_getallvms.esxi9.0-vcls-empty-datastore.txt": {want: []VM{
		{ID: "1698", Name: vclsName, File: "[] /var/run/crx/infra/" + vclsName + "/" + vclsName + ".vmx",
			GuestOS: "crxSys1Guest", Version: "vmx-21"},
	}},
	"vim-cmd_vmsvc_getallvms.esxi8-one-vm.txt": {want: []VM{
		{ID: "1", Name: "x8", File: "[pve-esx] x8/x8.vmx", GuestOS: "centos9_64Guest", Version: "vmx-20"},
	}},
	"vim-cmd_vmsvc_getallvms.esxi8-no-vms.txt": {want: []VM{}},
	"vim-cmd_vmsvc_getallvms.esxi6.5-invalid-vm.txt": {skipped: []string{"6"}, want: []VM{
		{ID: "1", Name: "ubuntu-desktop", File: "[HDD] ubuntu-desktop/ubuntu-desktop.vmx", GuestOS: "ubuntu64Guest", Version: "vmx-13"},
		{ID: "11", Name: "ubuntu-server-1710", File: "[HDD] ubuntu-server-1710/ubuntu-server-1710.vmx", GuestOS: "ubuntu64Guest", Version: "vmx-13"},
		{ID: "2", Name: "ubuntu-server", File: "[HDD] ubuntu-server/ubuntu-server.vmx", GuestOS: "ubuntu64Guest", Version: "vmx-13"},
		{ID: "3", Name: "windows-7", File: "[HDD] windows-7/windows-7.vmx", GuestOS: "windows7_64Guest", Version: "vmx-13"},
	}},
	"vim-cmd_vmsvc_getallvms.esx4-names-with-spaces.txt": {want: []VM{
		{ID: "496", Name: "vm-ark-mcnc-9 (nonpersistent: vmwarewinxp-base234-v12)",
			File: "[nfs-datastore] vm-ark-mcnc-9_234-v12/vm-ark-mcnc-9_234-v12.vmx", GuestOS: "winXPProGuest", Version: "vmx-04"},
		{ID: "512", Name: "vm-ark-mcnc-10 (nonpersistent: vmwarelinux-centosbase1617-v1)",
			File: "[nfs-datastore] vm-ark-mcnc-10_1617-v1/vm-ark-mcnc-10_1617-v1.vmx", GuestOS: "otherLinuxGuest", Version: "vmx-04"},
	}},
}

func TestParseGetAllVMsSamples(t *testing.T) {
	for name, tt := range getallvmsSamples {
		t.Run(name, func(t *testing.T) {
			out := loadSample(t, name)
			got, err := ParseGetAllVMs(out)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseGetAllVMs:\n got  %#v\n want %#v", got, tt.want)
			}
			if skipped := SkippedVMs(out); !reflect.DeepEqual(skipped, tt.skipped) {
				t.Errorf("SkippedVMs = %q, want %q", skipped, tt.skipped)
			}
			for _, vm := range got {
				if _, err := vm.Path(); err != nil {
					t.Errorf("VM %s: File does not parse: %v", vm.ID, err)
				}
			}
		})
	}
}

// row lays a getallvms row out as ESXi 6.5-9.0 do: columns separated by 3
// blanks (widths here are not padded, which the parser must not need).
func row(id, name, file, guest, version, annotation string) string {
	return strings.Join([]string{id + "   ", name, file, guest, version, annotation}, "   ")
}

const header = "Vmid   Name   File   Guest OS   Version   Annotation\n"

func TestParseGetAllVMsLayouts(t *testing.T) {
	tests := []struct {
		name string
		out  string
		want []VM
	}{
		{
			name: "blanks, brackets and quotes in names and datastores",
			out:  header + row("7", "web [prod] it's $(x)", "[SSD pool 1] web [prod]/web [prod].vmx", "otherGuest64", "vmx-19", "") + "\n",
			want: []VM{{ID: "7", Name: "web [prod] it's $(x)", File: "[SSD pool 1] web [prod]/web [prod].vmx", GuestOS: "otherGuest64", Version: "vmx-19"}},
		},
		{
			name: "folder holding .vmx in its name",
			out:  header + row("8", "a", "[ds] a.vmx b/a.vmx", "debian12_64Guest", "vmx-21", "note") + "\n",
			want: []VM{{ID: "8", Name: "a", File: "[ds] a.vmx b/a.vmx", GuestOS: "debian12_64Guest", Version: "vmx-21", Annotation: "note"}},
		},
		{
			name: "no guest id",
			out:  header + "9   bare   [ds] bare/bare.vmx      vmx-21   \n",
			want: []VM{{ID: "9", Name: "bare", File: "[ds] bare/bare.vmx", Version: "vmx-21"}},
		},
		{
			name: "annotation with empty and indented lines, then another VM",
			out: header + row("1", "a", "[ds] a/a.vmx", "g", "vmx-14", "first") + "\n\n   indented\nlast   \n" +
				row("2", "b", "[ds] b/b.vmx", "g", "vmx-14", "") + "\n",
			want: []VM{
				{ID: "1", Name: "a", File: "[ds] a/a.vmx", GuestOS: "g", Version: "vmx-14", Annotation: "first\n\n   indented\nlast"},
				{ID: "2", Name: "b", File: "[ds] b/b.vmx", GuestOS: "g", Version: "vmx-14"},
			},
		},
		{
			name: "skipping lines between rows and CRLF endings",
			out: "Skipping invalid VM '4'\r\n" + header + row("1", "a", "[ds] a/a.vmx", "g", "vmx-14", "") + "\r\n" +
				"Skipping invalid VM '5'\r\n" + row("2", "b", "[ds] b/b.vmx", "g", "vmx-14", "") + "\r\n",
			want: []VM{
				{ID: "1", Name: "a", File: "[ds] a/a.vmx", GuestOS: "g", Version: "vmx-14"},
				{ID: "2", Name: "b", File: "[ds] b/b.vmx", GuestOS: "g", Version: "vmx-14"},
			},
		},
		{
			name: "warning before the header",
			out:  "some warning\n" + header,
			want: []VM{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseGetAllVMs(tt.out)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseGetAllVMsErrors(t *testing.T) {
	tests := []struct {
		name string
		out  string
		want error
	}{
		{"empty", "", ErrUnexpectedOutput},
		{"no header", "1   a   [ds] a/a.vmx   g   vmx-14\n", ErrUnexpectedOutput},
		{"garbage before the first row", header + "something else\n", ErrUnexpectedOutput},
		{"fault", "(vim.fault.NotFound) {\n   msg = \"gone\"\n}\n", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseGetAllVMs(tt.out)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVMPath(t *testing.T) {
	vm := VM{File: "[] /var/run/crx/infra/v/v.vmx"}
	p, err := vm.Path()
	if err != nil {
		t.Fatal(err)
	}
	if p.Datastore != "" || p.Shell() != "/var/run/crx/infra/v/v.vmx" {
		t.Errorf("Path = %+v, shell %q", p, p.Shell())
	}
}

// BenchmarkParseGetAllVMs parses a host's worth of rows: 1000 VMs, every
// tenth with a two-line annotation.
func BenchmarkParseGetAllVMs(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(header)
	for i := 1; i <= 1000; i++ {
		name := fmt.Sprintf("web server %d (prod)", i)
		ann := ""
		if i%10 == 0 {
			ann = "owner: ops\nbackup: daily"
		}
		sb.WriteString(row(fmt.Sprint(i), name, "[SSD pool] "+name+"/"+name+".vmx", "ubuntu64Guest", "vmx-19", ann) + "\n")
	}
	out := sb.String()
	b.SetBytes(int64(len(out)))
	for b.Loop() {
		vms, err := ParseGetAllVMs(out)
		if err != nil || len(vms) != 1000 {
			b.Fatalf("%d VMs, %v", len(vms), err)
		}
	}
}
