package cloudinit

import (
	"errors"
	"strings"
	"testing"
)

func TestReaddress(t *testing.T) {
	alice := key(t, "alice")
	src := mustBuild(t, Spec{Hostname: "src.example.com", InstanceID: "iid-src", SSHKeys: []string{key(t, "ed25519")},
		Users:       []User{{Name: "alice", Sudo: SudoNoPassword, SSHKeys: []string{alice}}},
		NICs:        []NIC{{MAC: "00:50:56:00:00:01", Addresses: []string{"192.0.2.10/24"}, Gateway4: "192.0.2.1"}},
		CloudConfig: []byte("#cloud-config\nhostname: src\nfqdn: src.example.com\npackages: [jq]\n"),
	})
	src[KeyVendorData], src[KeyVendorDataEncoding] = b64("#cloud-config\nruncmd: [x]\n"), "base64"
	srcDecoded := mustDecode(t, src)

	out, err := Readdress(src, Spec{Hostname: "clone.example.com",
		NICs: []NIC{{Addresses: []string{"192.0.2.11/24"}, Gateway4: "192.0.2.1"}}, AdapterMACs: []string{"00:50:56:00:00:99"}})
	if err != nil {
		t.Fatalf("Readdress: %v", err)
	}
	d := mustDecode(t, out)
	sum, srcSum := d.Summary(), srcDecoded.Summary()
	if sum.Hostname != "clone" || sum.FQDN != "clone.example.com" {
		t.Errorf("hostname %q fqdn %q", sum.Hostname, sum.FQDN)
	}
	if !strings.HasPrefix(sum.InstanceID, "ceso-") || sum.InstanceID == srcSum.InstanceID {
		t.Errorf("instance-id %q, want a new generated one", sum.InstanceID)
	}
	if len(sum.NICs) != 1 || sum.NICs[0].MAC != "00:50:56:00:00:99" || strings.Join(sum.NICs[0].Addresses, ",") != "192.0.2.11/24" {
		t.Errorf("nics %+v", sum.NICs)
	}
	if got, want := usersOf(sum.Users), usersOf(srcSum.Users); strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("users changed\n got %v\nwant %v", got, want)
	}
	if d.Metadata["public-keys-data"] != srcDecoded.Metadata["public-keys-data"] {
		t.Errorf("public-keys-data not kept")
	}
	if strings.Contains(d.UserData, "hostname:") || strings.Contains(d.UserData, "fqdn:") || !strings.Contains(d.UserData, "packages: [jq]") {
		t.Errorf("user-data:\n%s", d.UserData)
	}
	if d.VendorData != srcDecoded.VendorData {
		t.Errorf("vendordata %q, want %q", d.VendorData, srcDecoded.VendorData)
	}
}

func TestReaddressKeepsUserDataBytes(t *testing.T) {
	ud := "#cloud-config\n# comment kept\nusers: [default]\n"
	src := map[string]string{KeyMetadata: `{"instance-id":"a","local-hostname":"a","custom":"x"}`, KeyUserData: ud}
	out, err := Readdress(src, Spec{Hostname: "b", InstanceID: "iid-b"})
	if err != nil {
		t.Fatal(err)
	}
	d := mustDecode(t, out)
	// cloud-init right-trims a guestinfo value; so does Decode.
	if d.UserData != strings.TrimRight(ud, "\n") {
		t.Errorf("user-data %q, want %q", d.UserData, ud)
	}
	if d.Metadata["custom"] != "x" || d.Metadata["instance-id"] != "iid-b" || d.Network != nil {
		t.Errorf("metadata %v network %v", d.Metadata, d.Network)
	}
}

func TestReaddressNoSource(t *testing.T) {
	out, err := Readdress(map[string]string{}, Spec{Hostname: "b", InstanceID: "iid-b"})
	if err != nil {
		t.Fatal(err)
	}
	d := mustDecode(t, out)
	if d.UserData != "" || str(d.Metadata["local-hostname"]) != "b" || len(d.Missing) != 2 {
		t.Errorf("decoded %+v", d)
	}
}

func TestReaddressErrors(t *testing.T) {
	good := mustBuild(t, Spec{Hostname: "a", InstanceID: "iid-a"})
	bad := map[string]string{KeyMetadata: "eyJ", KeyMetadataEncoding: "base64"}
	tests := []struct {
		name string
		src  map[string]string
		spec Spec
		is   error
		want string
	}{
		{"accounts", good, Spec{Hostname: "b", Users: []User{{Name: "x"}}, SSHKeys: []string{"k"}}, ErrReaddress, "users, ssh_keys"},
		{"cloud-config", good, Spec{Hostname: "b", CloudConfig: []byte("#cloud-config\n")}, ErrReaddress, "cloud_config"},
		{"extras", good, Spec{Hostname: "b", Packages: []string{"x"}, RunCmd: []string{"x"}, WriteFiles: []File{{}},
			Timezone: "UTC", NoDefaultUser: true}, ErrReaddress, "no_default_user, packages, runcmd, write_files, timezone"},
		{"no hostname", good, Spec{}, ErrInvalidSpec, "hostname: required"},
		{"bad address", good, Spec{Hostname: "b", NICs: []NIC{{Addresses: []string{"x"}}}}, ErrInvalidSpec, "nics[0].addresses[0]"},
		{"undecodable source", bad, Spec{Hostname: "b"}, ErrUndecodable, "reading the source's guestinfo"},
		{"bad source cloud-config", map[string]string{KeyUserData: "#cloud-config\nhostname: [\n"}, Spec{Hostname: "b"}, ErrCloudConfig, "source's user-data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Readdress(tt.src, tt.spec)
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Readdress() = %v, want %v containing %q", err, tt.is, tt.want)
			}
		})
	}
}
