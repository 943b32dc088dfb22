package audit

import (
	"errors"
	"fmt"
	"io"
)

// item is one line of one file of a log.
type item struct {
	file string
	line Line
}

// cursor reads the lines of several files in order, with look-ahead.
type cursor struct {
	files []string
	open  func(string) (io.ReadCloser, error)
	next  int // index of the next file to open
	name  string
	f     io.ReadCloser
	rd    *Reader
	ahead []item
}

func (c *cursor) close() {
	if c.f != nil {
		_ = c.f.Close()
		c.f = nil
	}
}

// read returns the next line from the files, ok false after the last.
func (c *cursor) read() (item, bool, error) {
	for {
		if c.rd == nil {
			if c.next == len(c.files) {
				return item{}, false, nil
			}
			f, err := c.open(c.files[c.next])
			if err != nil {
				return item{}, false, fmt.Errorf("opening audit file: %w", err)
			}
			c.name, c.f, c.rd = c.files[c.next], f, NewReader(f)
			c.next++
		}
		l, err := c.rd.Next()
		if errors.Is(err, io.EOF) {
			c.close()
			c.rd = nil
			continue
		}
		if err != nil {
			return item{}, false, fmt.Errorf("%s: %w", c.name, err)
		}
		return item{file: c.name, line: l}, true, nil
	}
}

// pop returns the next line.
func (c *cursor) pop() (item, bool, error) {
	if len(c.ahead) > 0 {
		it := c.ahead[0]
		c.ahead = c.ahead[1:]
		return it, true, nil
	}
	return c.read()
}

// peek returns up to n of the lines after the current one, without
// consuming them.
func (c *cursor) peek(n int) ([]item, error) {
	for len(c.ahead) < n {
		it, ok, err := c.read()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		it.line.Raw, it.line.Entry.Params = nil, nil // only the chain fields are looked at
		c.ahead = append(c.ahead, it)
	}
	return c.ahead[:min(n, len(c.ahead))], nil
}
