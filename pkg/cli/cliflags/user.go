package cliflags

import (
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/cloudinit"
)

// sudoGroup is the group whose membership, given with --user, also grants
// passwordless sudo: ceso-created accounts have no password to type.
const sudoGroup = "sudo"

// ParseUser parses the --user syntax NAME[:GROUP,...[:SHELL]]:
//
//	alice                 an account with no extra group
//	alice:sudo,docker     in groups sudo and docker; sudo also grants
//	                      passwordless sudo (ALL=(ALL) NOPASSWD:ALL)
//	alice::/bin/zsh       no extra group, login shell /bin/zsh
//	alice:docker:/bin/zsh both
//
// Names and groups are checked by cloudinit.Spec.Validate.
func ParseUser(v string) (cloudinit.User, error) {
	parts := strings.Split(v, ":")
	if len(parts) > 3 || strings.TrimSpace(parts[0]) == "" {
		return cloudinit.User{}, fmt.Errorf("--user %q: use NAME[:GROUP,...[:SHELL]]", v)
	}
	u := cloudinit.User{Name: strings.TrimSpace(parts[0])}
	if len(parts) > 1 {
		for _, g := range strings.Split(parts[1], ",") {
			if g = strings.TrimSpace(g); g == "" {
				continue
			}
			u.Groups = append(u.Groups, g)
			if g == sudoGroup {
				u.Sudo = cloudinit.SudoNoPassword
			}
		}
	}
	if len(parts) > 2 {
		u.Shell = strings.TrimSpace(parts[2])
		if u.Shell == "" {
			return cloudinit.User{}, fmt.Errorf("--user %q: empty shell after the second ':'", v)
		}
	}
	return u, nil
}
