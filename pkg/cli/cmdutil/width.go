package cmdutil

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// ellipsis marks a value cut to fit the terminal.
const ellipsis = "…"

// DisplayWidth is the number of terminal columns s takes: East Asian wide
// and fullwidth characters take two, combining marks and other zero-width
// characters none, the rest one.
func DisplayWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	switch {
	case r == 0x200B || r == 0x200C || r == 0x200D || r == 0xFEFF: // zero-width space, joiners, BOM
		return 0
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Cc):
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// Truncate cuts s to at most w columns, ending it with "…" when cut.
func Truncate(s string, w int) string {
	if DisplayWidth(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		rw := runeWidth(r)
		if used+rw > w-1 {
			break
		}
		b.WriteRune(r)
		used += rw
	}
	return b.String() + ellipsis
}

// pad fills s with spaces to w columns.
func pad(s string, w int) string {
	if n := w - DisplayWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}
