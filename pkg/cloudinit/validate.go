package cloudinit

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	userNameRe    = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`)
	instanceIDRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)
	cryptHashRe   = regexp.MustCompile(`^\$(1|2[abxy]|5|6|7|y|gy|sha1|md5)\$[./A-Za-z0-9$=,+-]{8,}$`)
	packageRe     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9+.:=~_-]*$`)
	timezoneRe    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$`)
	permissionsRe = regexp.MustCompile(`^0?[0-7]{3,4}$`)
	ownerRe       = regexp.MustCompile(`^[a-z_][a-z0-9_-]*(:[a-z_][a-z0-9_-]*)?$`)
)

// DefaultUserName is the default user of Ubuntu cloud images, which the
// users entry "default" stands for.
const DefaultUserName = "ubuntu"

// Validate checks every field of s and returns all problems found, joined;
// each is a *FieldError naming the field and matches ErrInvalidSpec.
func (s Spec) Validate() error {
	var e errs
	if s.Hostname == "" {
		e.addf("hostname", "required")
	} else if err := ValidateHostname(s.Hostname); err != nil {
		e.add(&FieldError{Field: "hostname", Err: err})
	}
	if s.InstanceID != "" && !instanceIDRe.MatchString(s.InstanceID) {
		e.addf("instance_id", "%q: use 1 to 128 letters, digits, '.', '_', ':' or '-'", s.InstanceID)
	}
	s.validateUsers(&e)
	for i, k := range s.SSHKeys {
		if _, err := ParseSSHKey(k); err != nil {
			e.add(&FieldError{Field: fmt.Sprintf("ssh_keys[%d]", i), Err: err})
		}
	}
	validateNICs(s.NICs, s.AdapterMACs, &e)
	s.validateExtras(&e)
	if len(s.CloudConfig) > 0 {
		if _, err := parseCloudConfig(s.CloudConfig); err != nil {
			e.add(&FieldError{Field: "cloud_config", Err: err})
		}
	}
	return errors.Join(e...)
}

func (s Spec) validateUsers(e *errs) {
	if s.NoDefaultUser && len(s.Users) == 0 {
		e.addf("users", "empty user list: nobody could log in; keep the default user or name one")
	}
	seen := map[string]int{}
	for i, u := range s.Users {
		f := fmt.Sprintf("users[%d]", i)
		switch {
		case !userNameRe.MatchString(u.Name):
			e.addf(f+".name", "%q is not a valid user name (lower case letters, digits, '_', '-', at most 32)", u.Name)
		case u.Name == "default" || u.Name == "root":
			e.addf(f+".name", "%q is reserved", u.Name)
		case u.Name == DefaultUserName && !s.NoDefaultUser:
			e.addf(f+".name", "%q is the default user; set no-default-user to define it yourself", u.Name)
		}
		if j, dup := seen[u.Name]; dup {
			e.addf(f+".name", "duplicate user %q (also users[%d])", u.Name, j)
		}
		seen[u.Name] = i
		validateUser(f, u, e)
	}
}

func validateUser(f string, u User, e *errs) {
	for j, g := range u.Groups {
		if !userNameRe.MatchString(g) {
			e.addf(fmt.Sprintf("%s.groups[%d]", f, j), "%q is not a valid group name", g)
		}
	}
	if strings.ContainsAny(u.Sudo, "\n\r") {
		e.addf(f+".sudo", "must be a single sudoers rule")
	}
	if u.Shell != "" && (!path.IsAbs(u.Shell) || strings.ContainsAny(u.Shell, " \t\n")) {
		e.addf(f+".shell", "%q is not an absolute path", u.Shell)
	}
	if u.PasswordHash != "" && !cryptHashRe.MatchString(u.PasswordHash) {
		// Never quote the value: it may be a clear-text password.
		e.add(&FieldError{Field: f + ".password_hash", Err: fmt.Errorf("%w: give a hash from mkpasswd or openssl passwd -6", ErrPlainPassword)})
	}
	for j, k := range u.SSHKeys {
		if _, err := ParseSSHKey(k); err != nil {
			e.add(&FieldError{Field: fmt.Sprintf("%s.ssh_keys[%d]", f, j), Err: err})
		}
	}
}

func (s Spec) validateExtras(e *errs) {
	for i, p := range s.Packages {
		if !packageRe.MatchString(p) {
			e.addf(fmt.Sprintf("packages[%d]", i), "%q is not a package name", p)
		}
	}
	for i, c := range s.RunCmd {
		if strings.TrimSpace(c) == "" {
			e.addf(fmt.Sprintf("runcmd[%d]", i), "empty command")
		}
	}
	if s.Timezone != "" && !timezoneRe.MatchString(s.Timezone) {
		e.addf("timezone", "%q is not a tz database name such as Europe/Berlin", s.Timezone)
	}
	for i, f := range s.WriteFiles {
		field := fmt.Sprintf("write_files[%d]", i)
		if !path.IsAbs(f.Path) || path.Clean(f.Path) != f.Path || f.Path == "/" {
			e.addf(field+".path", "%q is not a clean absolute file path", f.Path)
		}
		if f.Permissions != "" && !permissionsRe.MatchString(f.Permissions) {
			e.addf(field+".permissions", "%q is not an octal mode such as 0644", f.Permissions)
		}
		if f.Owner != "" && !ownerRe.MatchString(f.Owner) {
			e.addf(field+".owner", "%q is not user or user:group", f.Owner)
		}
	}
}

// isCryptHash reports whether s looks like a crypt(3) hash.
func isCryptHash(s string) bool { return cryptHashRe.MatchString(s) }

// isText reports whether s can be carried as YAML text.
func isText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' && r != '\r' {
			return false
		}
	}
	return true
}
