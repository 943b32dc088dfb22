package cloudinit

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestRenderJSON(t *testing.T) {
	keys := mustBuild(t, baseSpec(t))
	out, err := RenderJSON(keys)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("not a flat JSON object of strings: %v", err)
	}
	if len(back) != 4 || back[KeyMetadataEncoding] != EncodingGzipBase64 || back[KeyUserData] != keys[KeyUserData] {
		t.Errorf("RenderJSON = %s", out)
	}
	if !strings.HasPrefix(string(out), "{\n  \"guestinfo.metadata\": ") {
		t.Errorf("keys not sorted: %s", out)
	}
}

func TestRenderKeys(t *testing.T) {
	got := RenderKeys(map[string]string{KeyUserData: "u", KeyMetadata: "m", KeyMetadataEncoding: "gzip+base64"})
	want := "guestinfo.metadata=m\nguestinfo.metadata.encoding=gzip+base64\nguestinfo.userdata=u\n"
	if got != want {
		t.Errorf("RenderKeys = %q, want %q", got, want)
	}
}

func TestRenderDecoded(t *testing.T) {
	keys := mustBuild(t, baseSpec(t))
	keys[KeyVendorData] = "#cloud-config\nruncmd: [x]"
	out, err := RenderDecoded(keys)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"--- # guestinfo.metadata\n{\n  \"instance-id\": \"iid-1\",",
		"\n--- # guestinfo.userdata\n#cloud-config\nusers:\n  - default\n",
		"\n--- # guestinfo.vendordata\n#cloud-config\nruncmd: [x]\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("RenderDecoded lacks %q:\n%s", want, out)
		}
	}
}

func TestRenderDecodedEncodedNetwork(t *testing.T) {
	md := `{"instance-id": "i", "network": "` + b64(`{"version": 2, "ethernets": {"e": {"dhcp4": true}}}`) + `", "network.encoding": "base64"}`
	out, err := RenderDecoded(map[string]string{KeyMetadata: md})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "--- # guestinfo.metadata network (decoded)\n{\n  \"ethernets\": {\n    \"e\": {\n      \"dhcp4\": true") {
		t.Errorf("RenderDecoded:\n%s", out)
	}
}

func TestForExtraConfig(t *testing.T) {
	out := ForExtraConfig(map[string]string{KeyMetadata: "m", KeyMetadataEncoding: "gzip+base64"})
	if len(out) != len(ManagedKeys) || out[KeyMetadata] != "m" || out[KeyVendorData] != "" {
		t.Errorf("ForExtraConfig = %v", out)
	}
	if _, ok := out[KeyVendorDataEncoding]; !ok {
		t.Errorf("vendordata encoding not cleared")
	}
}

func TestTooLarge(t *testing.T) {
	// Random-looking letters compress to about 5 bits each: 100 KiB of
	// them is more than 64 KiB once gzipped and base64 encoded.
	var b strings.Builder
	x := uint32(1)
	for b.Len() < 100*1024 {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b.WriteByte('a' + byte(x%26))
	}
	_, err := Build(Spec{Hostname: "h", WriteFiles: []File{{Path: "/big", Content: b.String()}}})
	var fe *FieldError
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &fe) || fe.Field != KeyUserData || !strings.Contains(err.Error(), "at most 65536") {
		t.Fatalf("Build() = %v, want ErrTooLarge on %s", err, KeyUserData)
	}
	// The same amount of repetitive text compresses well and fits.
	if _, err := Build(Spec{Hostname: "h", WriteFiles: []File{{Path: "/big", Content: strings.Repeat("a", 100*1024)}}}); err != nil {
		t.Errorf("compressible content refused: %v", err)
	}
}

func TestSpecJSONNamesMatchFields(t *testing.T) {
	b, err := json.Marshal(Spec{Hostname: "h", InstanceID: "i", SSHKeys: []string{"k"},
		NICs: []NIC{{Gateway4: "g", Routes: []Route{{To: "t", Via: "v"}}}}, Users: []User{{PasswordHash: "p"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"hostname":"h","instance_id":"i","users":[{"password_hash":"p"}],"ssh_keys":["k"],"nics":[{"gateway4":"g","routes":[{"to":"t","via":"v"}]}]}`
	if string(b) != want {
		t.Errorf("Spec JSON\n got %s\nwant %s", b, want)
	}
}

func TestGeneratedInstanceIDs(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 3; i++ {
		id := str(mustDecode(t, mustBuild(t, Spec{Hostname: "h"})).Metadata["instance-id"])
		if !instanceIDRe.MatchString(id) || !strings.HasPrefix(id, "ceso-") || seen[id] {
			t.Fatalf("generated instance-id %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
}
