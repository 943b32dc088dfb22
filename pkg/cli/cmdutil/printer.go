package cmdutil

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes v as indented JSON followed by a newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Table prints rows aligned in columns with a header on a terminal, and as
// tab-separated values without a header on a pipe, for scripts. Columns
// are aligned by display width (a CJK character takes two columns); on a
// terminal of known width, the widest columns are cut (ending in "…") so
// that a row fits on one line. A pipe always gets whole values.
type Table struct {
	w      io.Writer
	tty    bool
	width  int
	header []string
	rows   [][]string
}

// columnGap is the space between two columns.
const columnGap = 2

// minColumn is the narrowest a column is cut to.
const minColumn = 8

// NewTable makes a table for the command's output stream.
func NewTable(io *IOStreams, header ...string) *Table {
	return &Table{w: io.Out, tty: io.OutTTY, width: io.Width, header: header}
}

// Row adds a row; values are formatted with %v.
func (t *Table) Row(values ...any) {
	row := make([]string, len(values))
	for i, v := range values {
		row[i] = sanitize(fmt.Sprint(v))
	}
	t.rows = append(t.rows, row)
}

// Flush writes the table.
func (t *Table) Flush() error {
	if !t.tty {
		for _, r := range t.rows {
			if _, err := fmt.Fprintln(t.w, strings.Join(r, "\t")); err != nil {
				return err
			}
		}
		return nil
	}
	all := append([][]string{t.header}, t.rows...)
	widths := t.fit(columnWidths(all))
	var b strings.Builder
	for _, r := range all {
		for i, cell := range r {
			cell = Truncate(cell, widths[i])
			if i == len(r)-1 {
				b.WriteString(cell)
				break
			}
			b.WriteString(pad(cell, widths[i]+columnGap))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}

// columnWidths is the display width of each column's widest cell.
func columnWidths(rows [][]string) []int {
	var widths []int
	for _, r := range rows {
		for i, cell := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], DisplayWidth(cell))
		}
	}
	return widths
}

// fit narrows the widest columns, one column at a time, until a row fits
// the terminal's width or every column is down to minColumn.
func (t *Table) fit(widths []int) []int {
	if t.width <= 0 {
		return widths
	}
	total := func() int {
		n := columnGap * (len(widths) - 1)
		for _, w := range widths {
			n += w
		}
		return n
	}
	for over := total() - t.width; over > 0; over = total() - t.width {
		widest := 0
		for i, w := range widths {
			if w > widths[widest] {
				widest = i
			}
		}
		if widths[widest] <= minColumn {
			break
		}
		second := 0
		for i, w := range widths {
			if i != widest {
				second = max(second, w)
			}
		}
		widths[widest] -= min(over, max(1, widths[widest]-max(second, minColumn)))
	}
	return widths
}

// sanitize keeps a value on one line and out of the column separators.
func sanitize(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}
