package cloudinit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// verifyScript reads guestinfo keys with cloud-init's own VMware datasource.
var verifyScript = filepath.Join("..", "..", "test", "cloudinit", "verify.py")

// verifyResult is what verify.py prints.
type verifyResult struct {
	Found        bool                  `json:"found"`
	Error        string                `json:"error"`
	InstanceID   string                `json:"instance_id"`
	Hostname     string                `json:"hostname"`
	FQDN         string                `json:"fqdn"`
	Network      map[string]any        `json:"network"`
	FromMetadata bool                  `json:"network_from_metadata"`
	SchemaErrors []string              `json:"schema_errors"`
	DefaultUser  string                `json:"default_user"`
	Users        map[string]verifyUser `json:"users"`
	Writes       [][]string            `json:"guestinfo_writes"`
}

type verifyUser struct {
	Default    bool     `json:"default"`
	Groups     []string `json:"groups"`
	Sudo       any      `json:"sudo"`
	Shell      string   `json:"shell"`
	LockPasswd bool     `json:"lock_passwd"`
	Passwd     string   `json:"passwd"`
	SSHKeys    []string `json:"ssh_keys"`
}

// crossCheckTools finds a python3 that can import cloud-init and netplan.
// When one is missing the test is skipped, saying what to install, except
// under CI=true, where it fails (see missingPrerequisite).
func crossCheckTools(t *testing.T) (python, netplan string) {
	t.Helper()
	if testing.Short() {
		t.Skip("cross-check with cloud-init skipped in -short mode")
	}
	candidates := []string{os.Getenv("CESO_PYTHON")}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		candidates = append(candidates, filepath.Join(dir, "python3"))
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if exec.Command(c, "-c", "import cloudinit.sources.DataSourceVMware").Run() == nil {
			python = c
			break
		}
	}
	if python == "" {
		missingPrerequisite(t, os.Getenv, "no python3 on PATH can import cloud-init's DataSourceVMware; "+
			"install it with `apt-get install -y cloud-init netplan.io` (or set CESO_PYTHON)")
		return "", ""
	}
	netplan, err := exec.LookPath("netplan")
	if err != nil {
		missingPrerequisite(t, os.Getenv, "netplan is not installed; install it with `apt-get install -y cloud-init netplan.io`")
		return "", ""
	}
	return python, netplan
}

// skipper is the part of testing.TB that missingPrerequisite uses.
type skipper interface {
	Helper()
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// missingPrerequisite ends a test that cannot run for want of what. Under
// CI=true (or 1: what CI services set) that is a failure, so that CI never
// passes without the cross-check; elsewhere the test is skipped with the
// reason.
func missingPrerequisite(t skipper, getenv func(string) string, what string) {
	t.Helper()
	if ci, err := strconv.ParseBool(getenv("CI")); err == nil && ci {
		t.Fatalf("%s; CI is set, so the cross-check with cloud-init must run, not be skipped", what)
		return
	}
	t.Skipf("skipping: %s", what)
}

// runVerify feeds keys to verify.py and returns its reading.
func runVerify(t *testing.T, python string, keys map[string]string, netplanRoot string) (verifyResult, int) {
	t.Helper()
	in, err := RenderJSON(keys)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(path, in, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{verifyScript, path}
	if netplanRoot != "" {
		args = append(args, "--netplan-dir", netplanRoot)
	}
	cmd := exec.Command(python, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running verify.py: %v", err)
	}
	var res verifyResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("verify.py printed no JSON (exit %d): %v\nstdout: %s\nstderr: %s", code, err, out, stderr.String())
	}
	return res, code
}

// TestCrossCheckWithCloudInit renders every fixture spec and has cloud-init's
// VMware datasource read it: hostname, instance-id, users, keys and network
// must be exactly what the spec asked for, and netplan must turn the network
// config into systemd-networkd files carrying the addresses.
func TestCrossCheckWithCloudInit(t *testing.T) {
	python, netplan := crossCheckTools(t)
	for _, s := range fixtureSpecs(t) {
		t.Run(s.name, func(t *testing.T) {
			keys := mustBuild(t, s.spec)
			root := t.TempDir()
			res, code := runVerify(t, python, keys, root)
			if code != 0 || !res.Found {
				t.Fatalf("cloud-init found no data (exit %d): %s", code, res.Error)
			}
			checkIdentity(t, s.spec, res)
			if len(res.SchemaErrors) > 0 {
				t.Errorf("cloud-init schema errors: %v", res.SchemaErrors)
			}
			ours := mustDecode(t, keys)
			checkUsers(t, s.spec, ours.Summary(), res)
			if len(res.Writes) > 0 {
				t.Errorf("cloud-init wrote guestinfo back: %v", res.Writes)
			}
			if len(s.spec.NICs) == 0 {
				if res.FromMetadata || res.Network != nil {
					t.Errorf("network from metadata = %v, want DHCP fallback", res.Network)
				}
				return
			}
			if !reflect.DeepEqual(jsonRoundTrip(t, res.Network), jsonRoundTrip(t, ours.Network)) {
				t.Errorf("cloud-init's network config\n got %v\nwant %v", res.Network, ours.Network)
			}
			checkNetplan(t, netplan, root, s.spec)
		})
	}
}

func checkIdentity(t *testing.T, s Spec, res verifyResult) {
	t.Helper()
	host, _, _ := strings.Cut(s.Hostname, ".")
	if res.InstanceID != s.InstanceID || res.Hostname != host || res.FQDN != s.Hostname {
		t.Errorf("cloud-init reads instance-id %q hostname %q fqdn %q, want %q %q %q",
			res.InstanceID, res.Hostname, res.FQDN, s.InstanceID, host, s.Hostname)
	}
}

// checkUsers compares cloud-init's users with the spec (and, for a merged
// cloud-config, with the package's own summary, itself checked against the
// spec by TestSummaryOfMerge).
func checkUsers(t *testing.T, s Spec, sum Summary, res verifyResult) {
	t.Helper()
	var got []UserSummary
	for name, u := range res.Users {
		us := UserSummary{Name: name, Default: u.Default, Sudo: !isFalsy(u.Sudo), Groups: u.Groups}
		if u.Default {
			us.Groups = nil // the image's groups, not ceso's
		}
		for _, k := range u.SSHKeys {
			p, err := ParseSSHKey(k)
			if err != nil {
				t.Fatalf("cloud-init would install a key ceso refuses: %v", err)
			}
			us.SSHKeys = append(us.SSHKeys, p.Fingerprint)
		}
		got = append(got, us)
	}
	want := sum.Users
	for i := range want {
		if want[i].Default {
			want[i].Groups = nil
		}
	}
	if len(s.CloudConfig) == 0 {
		expected := expectedUsers(t, s)
		if !reflect.DeepEqual(sortedUsers(want), sortStrings(expected)) {
			t.Fatalf("summary disagrees with the spec: %v vs %v", sortedUsers(want), expected)
		}
	}
	if g, w := sortedUsers(got), sortedUsers(want); !reflect.DeepEqual(g, w) {
		t.Errorf("cloud-init's users\n got %v\nwant %v", g, w)
	}
	if len(s.CloudConfig) > 0 {
		return // the file may change shells and passwords
	}
	for _, u := range s.Users {
		cu := res.Users[u.Name]
		if cu.Shell != u.Shell || cu.Passwd != u.PasswordHash {
			t.Errorf("user %s: cloud-init shell %q passwd %q", u.Name, cu.Shell, cu.Passwd)
		}
		if want := u.PasswordHash == "" || (u.LockPasswd != nil && *u.LockPasswd); cu.LockPasswd != want {
			t.Errorf("user %s: lock_passwd %v, want %v", u.Name, cu.LockPasswd, want)
		}
	}
}

func sortedUsers(us []UserSummary) []string {
	for i := range us {
		if len(us[i].Groups) == 0 {
			us[i].Groups = nil
		}
	}
	return sortStrings(usersOf(us))
}

func sortStrings(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

// TestCrossCheckUndecodable shows cloud-init dropping all guestinfo data for
// one undecodable key, as Decoded.Err says.
func TestCrossCheckUndecodable(t *testing.T) {
	python, _ := crossCheckTools(t)
	keys := mustBuild(t, baseSpec(t))
	keys[KeyVendorData], keys[KeyVendorDataEncoding] = "eyJ", "base64"
	if Decode(keys).Err() == nil {
		t.Fatal("Decode accepts the broken vendordata")
	}
	res, code := runVerify(t, python, keys, "")
	if code != 2 || res.Found {
		t.Fatalf("cloud-init read the data anyway (exit %d): %+v", code, res)
	}
}

// TestCrossCheckReaddress has cloud-init read a readdressed clone.
func TestCrossCheckReaddress(t *testing.T) {
	python, netplan := crossCheckTools(t)
	var src Spec
	for _, s := range fixtureSpecs(t) {
		if s.name == "users" {
			src = s.spec
		}
	}
	spec := Spec{Hostname: "clone.example.com", InstanceID: "iid-clone",
		NICs: []NIC{{MAC: "00:50:56:aa:bb:99", Addresses: []string{"192.0.2.99/24"}, Gateway4: "192.0.2.1"}}}
	keys, err := Readdress(mustBuild(t, src), spec)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	res, code := runVerify(t, python, keys, root)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, res.Error)
	}
	checkIdentity(t, spec, res)
	if len(res.Users) != 4 || len(res.Users["alice"].SSHKeys) != 2 || len(res.Users[DefaultUserName].SSHKeys) != 1 {
		t.Errorf("users not kept: %+v", res.Users)
	}
	checkNetplan(t, netplan, root, spec)
}

// recordingSkipper records how missingPrerequisite ended a test.
type recordingSkipper struct{ skipped, failed string }

func (*recordingSkipper) Helper() {}
func (r *recordingSkipper) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
}
func (r *recordingSkipper) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
}

func TestMissingPrerequisite(t *testing.T) {
	tests := []struct {
		ci   string
		fail bool
	}{
		{"true", true}, {"1", true}, {"TRUE", true},
		{"", false}, {"false", false}, {"0", false}, {"yes please", false},
	}
	for _, tt := range tests {
		t.Run("CI="+tt.ci, func(t *testing.T) {
			r := &recordingSkipper{}
			getenv := func(k string) string {
				if k == "CI" {
					return tt.ci
				}
				return ""
			}
			missingPrerequisite(r, getenv, "netplan is not installed")
			ended := r.skipped
			if tt.fail {
				ended = r.failed
			}
			if (r.failed != "") != tt.fail || (r.skipped != "") == tt.fail || !strings.Contains(ended, "netplan is not installed") {
				t.Errorf("skipped %q, failed %q; want failed %t", r.skipped, r.failed, tt.fail)
			}
		})
	}
}
