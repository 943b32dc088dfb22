package audit

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Kinds of Problem.
const (
	KindEdited    = "edited"    // a record's content no longer matches its hash, or its hash was recomputed
	KindDeleted   = "deleted"   // records are missing between two lines
	KindInserted  = "inserted"  // a line that is not part of the chain
	KindReordered = "reordered" // a record comes before one that precedes it
	KindTruncated = "truncated" // records after the last line are missing (needs a checkpoint)
)

// lookAhead bounds how far Verify reads past a break to classify it.
const lookAhead = 4096

// Problem is the first break in a chain.
type Problem struct {
	File   string `json:"file"`
	Line   int    `json:"line"` // from 1; for truncated, the line after the last
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// Report is what Verify found.
type Report struct {
	Files   []string   `json:"files"`
	Records uint64     `json:"records"` // records verified before the problem, if any
	Head    Checkpoint `json:"head"`    // the last verified record
	Problem *Problem   `json:"problem,omitempty"`
}

// TamperError is the error Verify returns for a broken chain. It matches
// ErrTampered with errors.Is.
type TamperError struct{ Problem Problem }

func (e *TamperError) Error() string {
	return fmt.Sprintf("%s: %s line %d: %s: %s", ErrTampered, filepath.Base(e.Problem.File), e.Problem.Line, e.Problem.Kind, e.Problem.Detail)
}

// Unwrap returns ErrTampered.
func (e *TamperError) Unwrap() error { return ErrTampered }

// VerifyLog verifies the log at path with its rotated files (Files).
func VerifyLog(path string, cp *Checkpoint) (Report, error) {
	files, err := Files(path)
	if err != nil {
		return Report{}, err
	}
	return Verify(files, cp)
}

// Verify checks the chain through files, given oldest first: every line is
// a record whose hash matches its content, the first has seq 1 and links to
// 64 zeros, and each next one has the next seq and links to the hash of the
// line before. It names the first edited, deleted, inserted or reordered
// record by file and line. With a checkpoint it also checks that the record
// the checkpoint names is there with the same hash (a chain rewritten and
// re-hashed is caught) and that no record after the last line is missing (a
// cut tail is caught). Without one, the loss of the newest records cannot be
// seen. A broken chain gives the report and a *TamperError; an unreadable
// file gives an error.
func Verify(files []string, cp *Checkpoint) (Report, error) {
	return verifyReaders(files, func(name string) (io.ReadCloser, error) { return os.Open(name) }, cp)
}

func verifyReaders(files []string, open func(string) (io.ReadCloser, error), cp *Checkpoint) (Report, error) {
	rep := Report{Files: files, Head: Checkpoint{Hash: genesis}}
	c := &cursor{files: files, open: open}
	defer c.close()
	v := verifier{rep: &rep, c: c, cp: cp}
	for {
		it, ok, err := c.pop()
		if err != nil {
			return rep, err
		}
		if !ok {
			break
		}
		p, err := v.check(it)
		if err != nil {
			return rep, err
		}
		if p != nil {
			rep.Problem = p
			return rep, &TamperError{Problem: *p}
		}
	}
	if cp != nil && rep.Head.Count < cp.Count {
		p := Problem{Kind: KindTruncated, Line: v.prevItem.line.Number + 1, File: v.prevItem.file,
			Detail: fmt.Sprintf("the log ends at record %d but the checkpoint names record %d: the newest records were cut off", rep.Head.Count, cp.Count)}
		if p.File == "" && len(files) > 0 {
			p.File = files[len(files)-1]
		}
		rep.Problem = &p
		return rep, &TamperError{Problem: p}
	}
	return rep, nil
}

type verifier struct {
	rep      *Report
	c        *cursor
	cp       *Checkpoint
	prevItem item   // the last good line
	prevPrev string // the prev of the last good record
}

func (v *verifier) problem(it item, kind, format string, a ...any) *Problem {
	return &Problem{File: it.file, Line: it.line.Number, Kind: kind, Detail: fmt.Sprintf(format, a...)}
}

// check verifies one line against the chain so far and advances it.
func (v *verifier) check(it item) (*Problem, error) {
	l, expect, prev := it.line, v.rep.Head.Count+1, v.rep.Head.Hash
	if l.Err != nil {
		next, err := v.c.peek(1)
		if err != nil {
			return nil, err
		}
		if len(next) == 1 && next[0].line.Err == nil && next[0].line.Entry.Seq == expect && next[0].line.Entry.Prev == prev {
			return v.problem(it, KindInserted, "the line is not a record (%v) and the chain goes on after it", l.Err), nil
		}
		return v.problem(it, KindEdited, "the line is not a whole record: %v", l.Err), nil
	}
	e := l.Entry
	if l.Hash != e.Hash {
		return v.problem(it, KindEdited, "record seq %d does not match its hash", e.Seq), nil
	}
	var p *Problem
	var err error
	switch {
	case e.Seq == expect && e.Prev == prev:
	case e.Seq == expect:
		p, err = v.badLink(it)
	case e.Seq > expect:
		p, err = v.gap(it, expect)
	default:
		p, err = v.repeated(it)
	}
	if p != nil || err != nil {
		return p, err
	}
	if v.cp != nil && e.Seq == v.cp.Count && l.Hash != v.cp.Hash {
		return v.problem(it, KindEdited, "record seq %d differs from the checkpoint: the chain was rewritten up to here", e.Seq), nil
	}
	v.prevPrev, v.prevItem = prev, it
	v.rep.Head = Checkpoint{Count: e.Seq, Hash: l.Hash}
	v.rep.Records++
	return nil, nil
}

// badLink: the record has the expected seq but does not link to the line
// before. Either it was inserted (a genuine record with the same seq
// follows), or the line before was edited and its hash recomputed.
func (v *verifier) badLink(it item) (*Problem, error) {
	e := it.line.Entry
	next, err := v.c.peek(1)
	if err != nil {
		return nil, err
	}
	if len(next) == 1 && next[0].line.Err == nil && next[0].line.Entry.Seq == e.Seq && next[0].line.Entry.Prev == v.rep.Head.Hash {
		return v.problem(it, KindInserted, "record seq %d is not linked to the record before; the next line is", e.Seq), nil
	}
	if v.rep.Head.Count == 0 {
		return v.problem(it, KindEdited, "the first record does not start a chain (its prev is not zero)"), nil
	}
	return v.problem(v.prevItem, KindEdited, "record seq %d was changed and its hash recomputed: the next record does not link to it", v.rep.Head.Count), nil
}

// gap: the record's seq is ahead of the expected one. If the expected
// record comes later the lines were reordered, else records were deleted.
func (v *verifier) gap(it item, expect uint64) (*Problem, error) {
	e := it.line.Entry
	ahead, err := v.c.peek(lookAhead)
	if err != nil {
		return nil, err
	}
	for _, a := range ahead {
		if a.line.Err == nil && a.line.Entry.Seq == expect {
			return v.problem(it, KindReordered, "record seq %d comes before seq %d (%s line %d)", e.Seq, expect, filepath.Base(a.file), a.line.Number), nil
		}
	}
	if expect == e.Seq-1 {
		return v.problem(it, KindDeleted, "record seq %d is missing before this line", expect), nil
	}
	return v.problem(it, KindDeleted, "records seq %d to %d are missing before this line", expect, e.Seq-1), nil
}

// repeated: the record's seq was already seen. When it shares its
// predecessor with the line before and the chain goes on from it, the line
// before was the inserted one.
func (v *verifier) repeated(it item) (*Problem, error) {
	e := it.line.Entry
	if e.Seq == v.rep.Head.Count && e.Prev == v.prevPrev {
		next, err := v.c.peek(1)
		if err != nil {
			return nil, err
		}
		if len(next) == 1 && next[0].line.Err == nil && next[0].line.Entry.Prev == it.line.Hash {
			return v.problem(v.prevItem, KindInserted, "record seq %d is a forgery: the chain goes on from %s line %d", e.Seq, filepath.Base(it.file), it.line.Number), nil
		}
	}
	return v.problem(it, KindInserted, "record seq %d appears a second time", e.Seq), nil
}
