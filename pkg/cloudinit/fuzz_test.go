package cloudinit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzDecode feeds arbitrary guestinfo values and encodings to the decoder:
// it must never panic, must be deterministic, and whatever it accepts must
// summarise and render.
func FuzzDecode(f *testing.F) {
	f.Add(gzb64(mdJSON), "gzip+base64", udText, "", "", "")
	f.Add(b64(mdYAML), "base64", b64(udText), "b64", "---", "")
	f.Add(`{"network": "eyJ2ZXJzaW9uIjogMn0=", "network.encoding": "base64"}`, "", "#cloud-config\nusers: [a, {name: b, groups: x}]", "", "x", "gz+b64")
	f.Add("instance-id: [", "", "#cloud-config\n: :", "", "H4sIAAAAAAAA/w==", "gzip+base64")
	f.Add(`{"public-keys-data": "ssh-ed25519 AAAA\nssh-rsa", "local-hostname": 7}`, "plain", "", "", "", "")
	f.Fuzz(func(t *testing.T, md, mdEnc, ud, udEnc, vd, vdEnc string) {
		cfg := map[string]string{
			KeyMetadata: md, KeyMetadataEncoding: mdEnc,
			KeyUserData: ud, KeyUserDataEncoding: udEnc,
			KeyVendorData: vd, KeyVendorDataEncoding: vdEnc,
		}
		d := Decode(cfg)
		again := Decode(cfg)
		if d.MetadataText != again.MetadataText || d.UserData != again.UserData || len(d.Problems) != len(again.Problems) {
			t.Fatalf("Decode is not deterministic")
		}
		_ = d.Summary()
		_, err := RenderDecoded(cfg)
		if (err == nil) != (d.Err() == nil) {
			t.Fatalf("RenderDecoded error %v but Err() %v", err, d.Err())
		}
	})
}

// FuzzParseSSHKey checks that an accepted key is of an accepted type and
// size, and that its normalized line parses back to the same key.
func FuzzParseSSHKey(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "keys", "*.pub"))
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err == nil {
			f.Add(string(b))
		}
	}
	f.Add(`from="10.0.0.0/8" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDlxNpCovnNj/8wBq7zwv1TYlRWRv+YoTWEjZRmMuZrE c`)
	f.Add("-----BEGIN OPENSSH PRIVATE KEY-----")
	f.Add("ssh-ed25519")
	f.Fuzz(func(t *testing.T, line string) {
		k, err := ParseSSHKey(line)
		if err != nil {
			return
		}
		if !acceptedKeyTypes[k.Type] || (k.Type == "ssh-rsa" && k.Bits < MinRSABits) {
			t.Fatalf("accepted %s with %d bits", k.Type, k.Bits)
		}
		back, err := ParseSSHKey(k.Line)
		if err != nil || back.Fingerprint != k.Fingerprint || back.Line != k.Line {
			t.Fatalf("normalized line %q does not parse back: %v", k.Line, err)
		}
		if !strings.HasPrefix(k.Fingerprint, "SHA256:") {
			t.Fatalf("fingerprint %q", k.Fingerprint)
		}
	})
}

// FuzzCloudConfigMerge merges arbitrary documents over a generated config:
// whatever Build accepts must decode to a single #cloud-config mapping that
// keeps the users ceso generated.
func FuzzCloudConfigMerge(f *testing.F) {
	f.Add("#cloud-config\npackages: [jq]\nusers:\n  - name: alice\n    groups: [docker]\n")
	f.Add("#cloud-config\nx: &a [1]\ny: *a\nusers: default\n")
	f.Add("#cloud-config\n")
	f.Add("#cloud-config\n- 1\n")
	f.Fuzz(func(t *testing.T, cc string) {
		spec := Spec{Hostname: "h", InstanceID: "i", Packages: []string{"curl"},
			Users: []User{{Name: "alice", Groups: []string{"sudo"}}}, CloudConfig: []byte(cc)}
		keys, err := Build(spec)
		if err != nil {
			return
		}
		d := Decode(keys)
		if d.Err() != nil {
			t.Fatalf("built keys do not decode: %v", d.Err())
		}
		if !strings.HasPrefix(d.UserData, CloudConfigHeader+"\n") {
			t.Fatalf("user-data lost its header: %q", d.UserData)
		}
		var cfg map[string]any
		if err := yaml.Unmarshal([]byte(d.UserData), &cfg); err != nil {
			t.Fatalf("merged user-data is not a YAML mapping: %v\n%s", err, d.UserData)
		}
		if _, ok := cfg["users"]; !ok {
			t.Fatalf("merged user-data lost users:\n%s", d.UserData)
		}
	})
}
