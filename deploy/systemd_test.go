package deploy

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var units = []string{"ceso.service", "ceso-backup.service", "ceso-backup.timer"}

// unitKeys reads a unit file into section.key -> values (a key may repeat).
func unitKeys(t *testing.T, name string) map[string][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("systemd", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: %q is not KEY=VALUE", name, line)
			}
			keys[section+"."+k] = append(keys[section+"."+k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestUnitsAreHardened checks the settings the deployment promises: a
// dedicated user, a private state directory, the password as a
// credential, and the sandboxing of both services; the timer starts the
// backup service.
func TestUnitsAreHardened(t *testing.T) {
	want := map[string]string{
		"Service.User":                    "ceso",
		"Service.Group":                   "ceso",
		"Service.StateDirectory":          "ceso",
		"Service.StateDirectoryMode":      "0700",
		"Service.LoadCredential":          "esxi-password:/etc/ceso/esxi-password",
		"Service.ProtectSystem":           "strict",
		"Service.ProtectHome":             "yes",
		"Service.NoNewPrivileges":         "yes",
		"Service.PrivateTmp":              "yes",
		"Service.CapabilityBoundingSet":   "",
		"Service.SystemCallArchitectures": "native",
		"Service.RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
	}
	for _, unit := range []string{"ceso.service", "ceso-backup.service"} {
		keys := unitKeys(t, unit)
		for k, v := range want {
			if got := keys[k]; len(got) != 1 || got[0] != v {
				t.Errorf("%s: %s = %q, want %q", unit, k, got, v)
			}
		}
		if f := keys["Service.SystemCallFilter"]; len(f) == 0 || f[0] != "@system-service" {
			t.Errorf("%s: SystemCallFilter = %q, want an allow list of @system-service", unit, f)
		}
		for _, env := range keys["Service.Environment"] {
			if strings.Contains(strings.ToUpper(env), "PASSWORD") {
				t.Errorf("%s: a password in the environment: %s", unit, env)
			}
		}
	}
	svc := unitKeys(t, "ceso.service")
	if got := svc["Service.ExecStart"]; len(got) != 1 || got[0] != "/usr/local/bin/ceso serve" {
		t.Errorf("ceso.service runs %q", got)
	}
	backup := unitKeys(t, "ceso-backup.service")
	if got := backup["Service.ExecStart"]; strings.Join(got, ";") != "/usr/local/bin/ceso backup create --all --verify;/usr/local/bin/ceso backup prune" {
		t.Errorf("ceso-backup.service runs %q, want backup create --all, then prune", got)
	}
	if got := backup["Service.Type"]; len(got) != 1 || got[0] != "oneshot" {
		t.Errorf("ceso-backup.service Type = %q", got)
	}
	timer := unitKeys(t, "ceso-backup.timer")
	if got := timer["Timer.OnCalendar"]; len(got) != 1 || got[0] == "" || timer["Timer.Persistent"][0] != "true" {
		t.Errorf("ceso-backup.timer: %v", timer)
	}
}

// TestSystemdAnalyzeVerify runs systemd-analyze verify on the units, with
// ceso's path pointed at a stand-in executable (verify wants it to exist).
// Any warning (an unknown key, a bad system call group) is a failure.
func TestSystemdAnalyzeVerify(t *testing.T) {
	analyze := tool(t, "systemd-analyze", "systemd")
	dir := t.TempDir()
	stub := filepath.Join(dir, "ceso")
	if err := os.WriteFile(stub, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, u := range units {
		data, err := os.ReadFile(filepath.Join("systemd", u))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(data), "/usr/local/bin/ceso", stub)
		p := filepath.Join(dir, u)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out, err := run(t, nil, dir, analyze, append([]string{"verify"}, paths...)...)
	if err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}
