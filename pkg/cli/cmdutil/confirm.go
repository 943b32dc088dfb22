package cmdutil

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/errkind"
)

// ErrNotConfirmed is returned when a destructive command is not confirmed.
var ErrNotConfirmed = errkind.New(errkind.Usage, "not confirmed")

// Confirm asks on a terminal for the exact word (a VM's name, a backup's
// ID); without a terminal it needs yes (--yes).
func Confirm(io *IOStreams, yes bool, prompt, word string) error {
	if yes {
		return nil
	}
	if !io.InTTY {
		return fmt.Errorf("%w: %s; not on a terminal, so pass --yes", ErrNotConfirmed, prompt)
	}
	fmt.Fprintf(io.ErrOut, "%s\nType %q to confirm: ", prompt, word)
	line, _ := bufio.NewReader(io.In).ReadString('\n')
	if strings.TrimSpace(line) != word {
		return fmt.Errorf("%w: nothing was changed", ErrNotConfirmed)
	}
	return nil
}
