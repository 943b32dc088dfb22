package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// maxLine bounds one record; a longer line is reported as not a record and
// skipped without being held in memory.
const maxLine = 16 << 20

// Line is one line of a log as read.
type Line struct {
	Number int    // from 1
	Raw    []byte // the line without its newline (nil when too long)
	Entry  Entry  // the record, when Err is nil
	// Hash is the hash the line should carry: SHA-256 of the line without
	// its hash field. Entry.Hash is the one it does carry.
	Hash string
	// Err wraps ErrNotRecord when the line is not a whole record.
	Err error
}

// Reader reads a log line by line. A damaged line is returned with Err set
// and reading goes on; Next fails only when the underlying reader does.
type Reader struct {
	br  *bufio.Reader
	n   int
	max int
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), max: maxLine}
}

// Next returns the next line, or io.EOF after the last.
func (r *Reader) Next() (Line, error) {
	var buf []byte
	read, tooLong, newline := 0, false, false
	for {
		chunk, err := r.br.ReadSlice('\n')
		read += len(chunk)
		if !tooLong {
			if len(buf)+len(chunk) > r.max+1 {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return Line{}, fmt.Errorf("reading audit log: %w", err)
		}
		newline = err == nil
		break
	}
	if read == 0 {
		return Line{}, io.EOF
	}
	r.n++
	l := Line{Number: r.n}
	switch {
	case tooLong:
		l.Err = fmt.Errorf("%w: line longer than %d bytes", ErrNotRecord, r.max)
	case !newline:
		l.Raw = buf
		l.Err = fmt.Errorf("%w: the last line has no newline (a write was cut short)", ErrNotRecord)
	default:
		l.Raw = buf[:len(buf)-1]
		l.Entry, l.Hash, l.Err = parseLine(l.Raw)
	}
	return l, nil
}

// parseLine decodes one record line and computes the hash it should carry.
func parseLine(raw []byte) (Entry, string, error) {
	computed, _, ok := lineHash(raw)
	if !ok {
		return Entry{}, "", fmt.Errorf("%w: no hash field at the end of the line", ErrNotRecord)
	}
	var e Entry
	if err := json.Unmarshal(raw, &e); err != nil {
		return Entry{}, computed, fmt.Errorf("%w: %w", ErrNotRecord, err)
	}
	switch {
	case e.Seq == 0:
		return Entry{}, computed, fmt.Errorf("%w: no seq", ErrNotRecord)
	case !isHex64(e.Prev):
		return Entry{}, computed, fmt.Errorf("%w: prev is not a SHA-256 hex digest", ErrNotRecord)
	}
	return e, computed, nil
}

// ReadRecords reads every line of r.
func ReadRecords(r io.Reader) ([]Line, error) {
	rd := NewReader(r)
	var out []Line
	for {
		l, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, l)
	}
}
