package cloudinit

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func gzb64(s string) string {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(s))
	zw.Close()
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

const (
	mdJSON = `{"instance-id": "iid-x", "local-hostname": "x.example.com"}`
	mdYAML = "instance-id: iid-y\nlocal-hostname: y\nnetwork:\n  version: 2\n  ethernets:\n    ens192: {dhcp4: true}\n"
	udText = "#cloud-config\nusers: [default]\n"
)

func TestDecodeEncodings(t *testing.T) {
	tests := []struct {
		name     string
		cfg      map[string]string
		instance string
		problem  string // "" for none
		fatal    bool
	}{
		{"gzip+base64", map[string]string{KeyMetadata: gzb64(mdJSON), KeyMetadataEncoding: "gzip+base64"}, "iid-x", "", false},
		{"gz+b64", map[string]string{KeyMetadata: gzb64(mdJSON), KeyMetadataEncoding: "gz+b64"}, "iid-x", "", false},
		{"base64", map[string]string{KeyMetadata: b64(mdJSON), KeyMetadataEncoding: "base64"}, "iid-x", "", false},
		{"b64 with line breaks and trailing space", map[string]string{KeyMetadata: b64(mdJSON)[:20] + "\n" + b64(mdJSON)[20:] + "  \n", KeyMetadataEncoding: "b64 "}, "iid-x", "", false},
		{"plain JSON", map[string]string{KeyMetadata: mdJSON}, "iid-x", "", false},
		{"plain YAML", map[string]string{KeyMetadata: mdYAML}, "iid-y", "", false},
		{"encoding redacted", map[string]string{KeyMetadata: mdJSON, KeyMetadataEncoding: "---"}, "iid-x", "", false},
		{"unknown encoding read as text", map[string]string{KeyMetadata: mdJSON, KeyMetadataEncoding: "gzip"}, "iid-x", `encoding "gzip" is not recognised`, false},
		{"unknown encoding of encoded data", map[string]string{KeyMetadata: b64(mdJSON), KeyMetadataEncoding: "base-64"}, "", "not a mapping but string", true},
		{"bad base64", map[string]string{KeyMetadata: "eyJ", KeyMetadataEncoding: "base64"}, "", "invalid base64", true},
		{"gzip claimed, not gzip", map[string]string{KeyMetadata: b64(mdJSON), KeyMetadataEncoding: "gzip+base64"}, "iid-x", "not gzip", false},
		{"not UTF-8", map[string]string{KeyMetadata: base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe}), KeyMetadataEncoding: "base64"}, "", "not UTF-8", true},
		{"metadata a list", map[string]string{KeyMetadata: "[1, 2]"}, "", "not a mapping", true},
		{"metadata null", map[string]string{KeyMetadata: "null"}, "", "not a mapping", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decode(tt.cfg)
			if got := str(d.Metadata["instance-id"]); got != tt.instance {
				t.Errorf("instance-id = %q, want %q", got, tt.instance)
			}
			if tt.problem == "" {
				if len(d.Problems) > 0 {
					t.Fatalf("problems = %v, want none", d.Problems)
				}
				return
			}
			found := false
			for _, p := range d.Problems {
				found = found || strings.Contains(p.Error(), tt.problem)
			}
			if !found {
				t.Fatalf("problems = %+v, want one containing %q", d.Problems, tt.problem)
			}
			if err := d.Err(); (err != nil) != tt.fatal || (tt.fatal && !errors.Is(err, ErrUndecodable)) {
				t.Errorf("Err() = %v, want fatal = %v", err, tt.fatal)
			}
		})
	}
}

func TestDecodeMissing(t *testing.T) {
	d := Decode(map[string]string{
		KeyMetadata: "---", KeyMetadataEncoding: "gzip+base64",
		KeyUserData: " \n", KeyVendorData: "",
	})
	want := []string{KeyMetadata, KeyUserData, KeyVendorData}
	if strings.Join(d.Missing, ",") != strings.Join(want, ",") {
		t.Errorf("missing = %v, want %v", d.Missing, want)
	}
	if d.Err() != nil || len(d.Problems) > 0 {
		t.Errorf("problems = %v", d.Problems)
	}
	s := d.Summary()
	if s.DHCPFallback || len(s.Users) != 1 || !s.Users[0].Default {
		t.Errorf("summary of nothing = %+v, want the image default user only", s)
	}
}

func TestDecodeNetwork(t *testing.T) {
	net := `{"version": 2, "ethernets": {"ens192": {"addresses": ["192.0.2.9/24"]}}}`
	tests := []struct {
		name, md string
		want     string // an address of ens192, "" for none
		problem  string
	}{
		{"mapping", `{"network": ` + net + `}`, "192.0.2.9/24", ""},
		{"plain string", `{"network": ` + jsonString(net) + `}`, "192.0.2.9/24", ""},
		{"base64 string", `{"network": "` + b64(net) + `", "network.encoding": "base64"}`, "192.0.2.9/24", ""},
		{"gzip+base64 string", `{"network": "` + gzb64(net) + `", "network.encoding": "gzip+base64"}`, "192.0.2.9/24", ""},
		{"yaml string", `{"network": "version: 2\nethernets:\n  ens192:\n    addresses: [192.0.2.9/24]\n"}`, "192.0.2.9/24", ""},
		{"empty: fallback", `{"network": {}}`, "", ""},
		{"bad base64", `{"network": "eyJ", "network.encoding": "base64"}`, "", "invalid base64"},
		{"empty after decoding", `{"network": "@@", "network.encoding": "base64"}`, "", ""},
		{"string not a mapping", `{"network": "[1]"}`, "", "not a mapping"},
		{"number", `{"network": 7}`, "", "neither a mapping nor an encoded string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decode(map[string]string{KeyMetadata: tt.md})
			if _, ok := d.Metadata["network.encoding"]; ok {
				t.Errorf("network.encoding left in metadata")
			}
			s := d.Summary()
			got := ""
			if len(s.NICs) == 1 && len(s.NICs[0].Addresses) == 1 {
				got = s.NICs[0].Addresses[0]
			}
			if got != tt.want {
				t.Errorf("address = %q, want %q (nics %+v)", got, tt.want, s.NICs)
			}
			if tt.problem == "" && len(d.Problems) > 0 || tt.problem != "" && (len(d.Problems) != 1 || !strings.Contains(d.Problems[0].Error(), tt.problem)) {
				t.Errorf("problems = %v, want %q", d.Problems, tt.problem)
			}
			if tt.name == "empty: fallback" && !s.DHCPFallback {
				t.Errorf("DHCPFallback = false for an empty network")
			}
		})
	}
}

func jsonString(s string) string {
	b, _ := marshalJSON(s)
	return strings.TrimSpace(string(b))
}

func TestDecodeUserDataNotCloudConfig(t *testing.T) {
	d := Decode(map[string]string{KeyMetadata: mdJSON, KeyUserData: b64("#!/bin/sh\necho hi\n"), KeyUserDataEncoding: "base64"})
	if d.UserData != "#!/bin/sh\necho hi\n" || len(d.Problems) != 1 || d.Problems[0].Fatal {
		t.Fatalf("user-data %q problems %v", d.UserData, d.Problems)
	}
	if d.Err() != nil {
		t.Errorf("Err() = %v: a script is readable by cloud-init", d.Err())
	}
}

func TestDecodeOneBadKeyIsFatal(t *testing.T) {
	keys := mustBuild(t, Spec{Hostname: "h", InstanceID: "i"})
	keys[KeyVendorData], keys[KeyVendorDataEncoding] = "not base64!", "base64"
	d := Decode(keys)
	err := d.Err()
	if !errors.Is(err, ErrUndecodable) || !strings.Contains(err.Error(), KeyVendorData) {
		t.Fatalf("Err() = %v, want the vendordata named as undecodable", err)
	}
	if _, err := RenderDecoded(keys); !errors.Is(err, ErrUndecodable) {
		t.Errorf("RenderDecoded() error = %v, want ErrUndecodable", err)
	}
}

func TestDecodeBomb(t *testing.T) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(bytes.Repeat([]byte{' '}, maxDecodedBytes+1))
	zw.Close()
	d := Decode(map[string]string{KeyUserData: base64.StdEncoding.EncodeToString(buf.Bytes()), KeyUserDataEncoding: "gzip+base64"})
	if err := d.Err(); err == nil || !strings.Contains(err.Error(), "decompresses to more than") {
		t.Fatalf("Err() = %v", err)
	}
}
