package ssh

import (
	"errors"
	"testing"
)

func TestFileCommands(t *testing.T) {
	tests := []struct {
		name string
		cmd  func() (Command, error)
		want string // "" for ErrInvalidArgument
	}{
		{"remove a backup", func() (Command, error) { return RemoveTree("[datastore1] ceso-backups/web/20261206T1-ab.partial") },
			"rm -rf /vmfs/volumes/datastore1/ceso-backups/web/20261206T1-ab.partial"},
		{"remove with a space", func() (Command, error) { return RemoveTree("[ssd 2] backups/db one") },
			"rm -rf '/vmfs/volumes/ssd 2/backups/db one'"},
		{"never a datastore's root", func() (Command, error) { return RemoveTree("[datastore1]") }, ""},
		{"never a top-level folder", func() (Command, error) { return RemoveTree("[datastore1] web01") }, ""},
		{"never up and out", func() (Command, error) { return RemoveTree("[datastore1] a/../../etc") }, ""},
		{"never hidden", func() (Command, error) { return RemoveTree("[datastore1] .sdd.sf/x") }, ""},
		{"never an option", func() (Command, error) { return RemoveTree("[datastore1] a/-rf") }, ""},
		{"never an absolute path", func() (Command, error) { return RemoveTree("[] /vmfs/volumes/datastore1/a/b") }, ""},
		{"move", func() (Command, error) { return Move("[ds] b/vm/id.partial", "[ds] b/vm/id") },
			"mv -n /vmfs/volumes/ds/b/vm/id.partial /vmfs/volumes/ds/b/vm/id"},
		{"move across datastores", func() (Command, error) { return Move("[a] b/c", "[b] b/c") }, ""},
		{"move into itself", func() (Command, error) { return Move("[a] b/c", "[a] b/c/d") }, ""},
		{"move onto itself", func() (Command, error) { return Move("[a] b/c", "[a] b/c") }, ""},
		{"move a hidden file", func() (Command, error) { return Move("[a] b/.c", "[a] b/d") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd, err := tt.cmd()
			if tt.want == "" {
				if !errors.Is(err, ErrInvalidArgument) {
					t.Fatalf("%q, %v: want ErrInvalidArgument", cmd.String(), err)
				}
				return
			}
			if err != nil || cmd.String() != tt.want {
				t.Fatalf("%q, %v; want %q", cmd.String(), err, tt.want)
			}
		})
	}
}
