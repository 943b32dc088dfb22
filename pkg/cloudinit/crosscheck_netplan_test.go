package cloudinit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// checkNetplan runs netplan generate on the config cloud-init rendered and
// checks the systemd-networkd files for every address, gateway and setting.
func checkNetplan(t *testing.T, netplan, root string, s Spec) {
	t.Helper()
	cfg := filepath.Join(root, "etc", "netplan", "50-cloud-init.yaml")
	if err := os.Chmod(cfg, 0o600); err != nil {
		t.Fatalf("cloud-init rendered no netplan file: %v", err)
	}
	if out, err := exec.Command(netplan, "generate", "--root-dir", root).CombinedOutput(); err != nil {
		t.Fatalf("netplan generate: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(root, "run", "systemd", "network", "*.network"))
	nm, _ := filepath.Glob(filepath.Join(root, "run", "NetworkManager", "system-connections", "*"))
	var all strings.Builder
	for _, f := range append(files, nm...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	text := all.String()
	for _, want := range expectedNetworkdLines(s) {
		if !strings.Contains(text, want) {
			t.Errorf("netplan output lacks %q:\n%s", want, text)
		}
	}
}

func expectedNetworkdLines(s Spec) []string {
	var out []string
	for i, n := range s.NICs {
		mac := strings.ToLower(n.MAC)
		if mac == "" && n.Name == "" && i < len(s.AdapterMACs) {
			mac = strings.ToLower(s.AdapterMACs[i])
		}
		switch {
		case mac != "":
			out = append(out, "MACAddress="+mac)
		case n.Name != "":
			out = append(out, "Name="+n.Name)
		default:
			out = append(out, "Name="+defaultNameGlob)
		}
		for _, a := range n.Addresses {
			out = append(out, "Address="+mustPrefix(a))
		}
		for _, g := range []string{n.Gateway4, n.Gateway6} {
			if g != "" {
				out = append(out, "Gateway="+canonAddr(g))
			}
		}
		for _, r := range n.Routes {
			out = append(out, "Destination="+mustPrefix(r.To), "Gateway="+canonAddr(r.Via))
		}
		for _, d := range n.DNS {
			out = append(out, "DNS="+canonAddr(d))
		}
		if len(n.Search) > 0 {
			out = append(out, "Domains="+strings.Join(n.Search, " "))
		}
		switch {
		case n.DHCP4 && n.DHCP6:
			out = append(out, "DHCP=yes")
		case n.DHCP4:
			out = append(out, "DHCP=ipv4")
		case n.DHCP6:
			out = append(out, "DHCP=ipv6")
		}
	}
	return out
}

func mustPrefix(s string) string {
	p, err := parsePrefix(s)
	if err != nil {
		panic(err)
	}
	return p
}
