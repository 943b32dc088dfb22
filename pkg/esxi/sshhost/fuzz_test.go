package sshhost

import (
	"strings"
	"testing"
)

func FuzzParseSnapshots(f *testing.F) {
	f.Add("Get Snapshot:\n|-ROOT\n--Snapshot Name        : snapshot_backup\n--Snapshot Id        : 5\n--Snapshot Desciption  : 0\n")
	f.Add("Get Snapshot:\n")
	f.Add("Get Snapshot:\n----Snapshot Id : 1\n--Snapshot Name:\n")
	f.Add("(vim.fault.NotFound) {\n   msg = \"x\"\n}\n")
	f.Fuzz(func(t *testing.T, out string) {
		snaps, err := ParseSnapshots(out)
		if err != nil {
			return
		}
		for _, s := range snaps {
			if s.Depth < 1 {
				t.Fatalf("depth %d in %+v", s.Depth, s)
			}
			if strings.ContainsAny(s.Name+s.ID+s.Description, "\r\n") {
				t.Fatalf("a field spans lines: %+v", s)
			}
		}
	})
}
