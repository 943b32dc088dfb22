package sshhost

import (
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/ssh"
)

// Snapshot is one snapshot as vim-cmd vmsvc/snapshot.get lists it.
type Snapshot struct {
	Name string
	// ID is the "Snapshot Id", the handle of snapshot.remove; empty on
	// hosts too old to print it.
	ID          string
	Description string
	// Depth is 1 for a snapshot of the root, 2 for its child, and so on.
	Depth int
}

// ParseSnapshots reads the output of vim-cmd vmsvc/snapshot.get:
//
//	Get Snapshot:
//	|-ROOT
//	--Snapshot Name        : before-upgrade
//	--Snapshot Id        : 5
//	--Snapshot Desciption  : taken by hand
//	--Snapshot Created On  : 2/26/2021 17:41:7
//	--Snapshot State       : powered off
//	|-CHILD
//	----Snapshot Name        : …
//
// The label padding varies and "Desciption" is ESXi's spelling. A VM
// without snapshots prints only "Get Snapshot:", which gives none. A fault
// block is returned as an error; output without the "Get Snapshot:" line
// is ErrUnexpectedOutput.
func ParseSnapshots(out string) ([]Snapshot, error) {
	if f := ssh.ParseFault(out); f != nil {
		return nil, f
	}
	var snaps []Snapshot
	seen := false
	for line := range strings.Lines(out) {
		line = strings.TrimRight(line, " \t\r\n")
		if strings.TrimSpace(line) == "Get Snapshot:" {
			seen = true
			continue
		}
		rest := strings.TrimLeft(line, "-")
		dashes := len(line) - len(rest)
		label, value, ok := strings.Cut(rest, ":")
		if !ok || dashes == 0 || !strings.HasPrefix(label, "Snapshot ") {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.TrimSpace(strings.TrimPrefix(label, "Snapshot ")) {
		case "Name":
			snaps = append(snaps, Snapshot{Name: value, Depth: (dashes + 1) / 2})
		case "Id":
			if len(snaps) > 0 {
				snaps[len(snaps)-1].ID = value
			}
		case "Desciption", "Description":
			if len(snaps) > 0 {
				snaps[len(snaps)-1].Description = value
			}
		}
	}
	if !seen {
		return nil, fmt.Errorf("snapshot.get printed %q: %w", clip(out), ErrUnexpectedOutput)
	}
	return snaps, nil
}

// clip shortens command output for an error message.
func clip(s string) string {
	const maxLen = 200
	if len(s) <= maxLen {
		return s
	}
	return s[:maxLen] + "…"
}
