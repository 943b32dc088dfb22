package audit

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// forge encodes a record as an attacker who knows the format would: with a
// valid hash over its own content.
func forge(t *testing.T, r Record, seq uint64, prev string) []byte {
	t.Helper()
	r.Time = testTime
	line, _, err := encodeLine(r, nil, seq, prev)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(line, []byte("\n"))
}

func hashOf(t *testing.T, line []byte) string {
	t.Helper()
	h, _, ok := lineHash(line)
	if !ok {
		t.Fatalf("not a record line: %s", line)
	}
	return h
}

func TestVerifyNamesTheFirstBreak(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, ls [][]byte) [][]byte
		line   int
		kind   string
		detail string
	}{
		{"flipped byte in a value", func(t *testing.T, ls [][]byte) [][]byte {
			ls[3] = bytes.Replace(ls[3], []byte(`"web03"`), []byte(`"wfb03"`), 1)
			return ls
		}, 4, KindEdited, "does not match its hash"},
		{"flipped structural byte", func(t *testing.T, ls [][]byte) [][]byte {
			ls[3][0] = '['
			return ls
		}, 4, KindEdited, "not a whole record"},
		{"flipped byte in the hash", func(t *testing.T, ls [][]byte) [][]byte {
			i := len(ls[3]) - 5
			ls[3][i] = map[bool]byte{true: '1', false: '0'}[ls[3][i] == '0']
			return ls
		}, 4, KindEdited, "does not match its hash"},
		{"deleted line", func(t *testing.T, ls [][]byte) [][]byte { return slices.Delete(ls, 3, 4) },
			4, KindDeleted, "record seq 4 is missing"},
		{"deleted lines", func(t *testing.T, ls [][]byte) [][]byte { return slices.Delete(ls, 3, 6) },
			4, KindDeleted, "records seq 4 to 6 are missing"},
		{"deleted first line", func(t *testing.T, ls [][]byte) [][]byte { return ls[1:] },
			1, KindDeleted, "record seq 1 is missing"},
		{"inserted foreign line", func(t *testing.T, ls [][]byte) [][]byte {
			return slices.Insert(ls, 3, []byte(`{"time":"2026-11-28T12:00:00Z","operation":"vm.delete"}`))
		}, 4, KindInserted, "chain goes on after it"},
		{"inserted blank line", func(t *testing.T, ls [][]byte) [][]byte { return slices.Insert(ls, 3, []byte{}) },
			4, KindInserted, "not a record"},
		{"inserted copy of a record", func(t *testing.T, ls [][]byte) [][]byte {
			return slices.Insert(ls, 5, bytes.Clone(ls[1]))
		}, 6, KindInserted, "seq 2 appears a second time"},
		{"inserted forged record linked to the one before", func(t *testing.T, ls [][]byte) [][]byte {
			return slices.Insert(ls, 3, forge(t, rec(99), 4, hashOf(t, ls[2])))
		}, 4, KindInserted, "forgery"},
		{"inserted forged record with a wrong link", func(t *testing.T, ls [][]byte) [][]byte {
			return slices.Insert(ls, 3, forge(t, rec(99), 4, genesis))
		}, 4, KindInserted, "not linked"},
		{"swapped lines", func(t *testing.T, ls [][]byte) [][]byte {
			ls[3], ls[4] = ls[4], ls[3]
			return ls
		}, 4, KindReordered, "seq 5 comes before seq 4"},
		{"line moved to the end", func(t *testing.T, ls [][]byte) [][]byte {
			moved := ls[1]
			return append(slices.Delete(ls, 1, 2), moved)
		}, 2, KindReordered, "seq 3 comes before seq 2"},
		{"edited and re-hashed", func(t *testing.T, ls [][]byte) [][]byte {
			r := rec(3)
			r.Target = "prod-db"
			ls[3] = forge(t, r, 4, hashOf(t, ls[2]))
			return ls
		}, 4, KindEdited, "hash recomputed"},
		{"first record re-linked", func(t *testing.T, ls [][]byte) [][]byte {
			ls[0] = forge(t, rec(0), 1, strings.Repeat("a", 64))
			return ls
		}, 1, KindEdited, "does not start a chain"},
		{"torn last line", func(t *testing.T, ls [][]byte) [][]byte {
			ls[9] = ls[9][:40]
			return ls
		}, 10, KindEdited, "not a whole record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, path := newLog(t, Options{})
			appendN(t, l, 10)
			ls := tt.tamper(t, lines(t, path))
			writeLines(t, path, ls)
			if tt.name == "torn last line" {
				data, _ := os.ReadFile(path)
				_ = os.WriteFile(path, bytes.TrimSuffix(data, []byte("\n")), 0o600)
			}
			rep, err := VerifyLog(path, nil)
			var te *TamperError
			if !errors.As(err, &te) || !errors.Is(err, ErrTampered) {
				t.Fatalf("got %v, want a TamperError", err)
			}
			p := rep.Problem
			if p == nil || *p != te.Problem || p.File != path || p.Line != tt.line || p.Kind != tt.kind || !strings.Contains(p.Detail, tt.detail) {
				t.Fatalf("problem %+v, want line %d %s %q", p, tt.line, tt.kind, tt.detail)
			}
			if !strings.Contains(err.Error(), "audit.log line") {
				t.Fatalf("error %q does not name the file and line", err)
			}
		})
	}
}

func TestVerifyWithCheckpoint(t *testing.T) {
	l, path := newLog(t, Options{})
	appendN(t, l, 10)
	cp, err := l.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	orig := lines(t, path)

	// A cut tail is invisible without the checkpoint, and caught with it.
	writeLines(t, path, orig[:8])
	mustVerify(t, path, nil)
	rep, err := VerifyLog(path, &cp)
	if !errors.Is(err, ErrTampered) || rep.Problem.Kind != KindTruncated || rep.Problem.Line != 9 ||
		!strings.Contains(rep.Problem.Detail, "ends at record 8 but the checkpoint names record 10") {
		t.Fatalf("cut tail: %v %+v", err, rep.Problem)
	}

	// A whole chain rewritten and re-hashed verifies alone, not against the
	// checkpoint.
	var forged [][]byte
	prev := genesis
	for i := range 10 {
		r := rec(i)
		r.Target = "elsewhere"
		line := forge(t, r, uint64(i+1), prev)
		prev = hashOf(t, line)
		forged = append(forged, line)
	}
	writeLines(t, path, forged)
	mustVerify(t, path, nil)
	rep, err = VerifyLog(path, &cp)
	if !errors.Is(err, ErrTampered) || rep.Problem.Kind != KindEdited || rep.Problem.Line != 10 {
		t.Fatalf("rewritten chain: %v %+v", err, rep.Problem)
	}

	// The log grows past a checkpoint and still verifies against it.
	writeLines(t, path, orig)
	appendN(t, l, 3)
	rep = mustVerify(t, path, &cp)
	if rep.Records != 13 || rep.Head.Count != 13 {
		t.Fatalf("report %+v", rep)
	}

	// An empty log against a checkpoint of ten records.
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err = VerifyLog(path, &cp)
	if !errors.Is(err, ErrTampered) || rep.Problem.Kind != KindTruncated || rep.Problem.File != path || rep.Problem.Line != 1 {
		t.Fatalf("emptied log: %v %+v", err, rep.Problem)
	}
}

func TestVerifyEmptyAndMissing(t *testing.T) {
	dir := t.TempDir()
	rep, err := VerifyLog(filepath.Join(dir, "audit.log"), nil)
	if err != nil || rep.Records != 0 || rep.Head.Hash != genesis || len(rep.Files) != 0 {
		t.Fatalf("no log: %+v %v", rep, err)
	}
	if _, err := Verify([]string{filepath.Join(dir, "nope")}, nil); err == nil || errors.Is(err, ErrTampered) {
		t.Fatalf("a missing file must be an I/O error, got %v", err)
	}
}

func TestCheckpointParse(t *testing.T) {
	h := strings.Repeat("ab", 32)
	cp, err := ParseCheckpoint(" 12:" + h + "\n")
	if err != nil || cp != (Checkpoint{Count: 12, Hash: h}) || cp.String() != "12:"+h {
		t.Fatalf("%+v %v", cp, err)
	}
	if cp, err := ParseCheckpoint("0:" + genesis); err != nil || cp.Count != 0 {
		t.Fatalf("%+v %v", cp, err)
	}
	for _, bad := range []string{"", "12", "x:" + h, "-1:" + h, "12:" + strings.ToUpper(h), "12:abc", "0:" + h} {
		if _, err := ParseCheckpoint(bad); !errors.Is(err, ErrCheckpoint) {
			t.Errorf("ParseCheckpoint(%q) = %v, want ErrCheckpoint", bad, err)
		}
	}
}
