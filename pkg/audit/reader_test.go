package audit

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReaderReportsDamagedLinesAndGoesOn(t *testing.T) {
	l, path := newLog(t, Options{})
	appendN(t, l, 2)
	good := lines(t, path)
	input := strings.Join([]string{
		string(good[0]),
		`not json`,
		`{"seq":1,"prev":"x","hash":"` + strings.Repeat("a", 64) + `"}`,
		strings.Replace(string(good[1]), `"seq":2`, `"seq":0`, 1),
		strings.Replace(string(good[1]), `"prev":"`, `"prev":"zz`, 1),
		strings.Replace(string(good[1]), `{"time"`, `{"hash":"`+strings.Repeat("b", 64)+`","time"`, 1),
		strings.Replace(string(good[1]), `"time":"2026`, `"time":"20x6`, 1),
		``,
		string(good[1]),
		`{"tail":`,
	}, "\n")
	ls, err := ReadRecords(strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	wantErr := []string{"", "no hash field", "prev is not", "no seq", "prev is not", "hash mismatch", "cannot parse", "no hash field", "", "no newline"}
	if len(ls) != len(wantErr) {
		t.Fatalf("%d lines, want %d", len(ls), len(wantErr))
	}
	for i, l := range ls {
		if l.Number != i+1 {
			t.Fatalf("line %d numbered %d", i+1, l.Number)
		}
		if wantErr[i] == "hash mismatch" { // an extra field: readable, but not what was hashed
			if l.Err != nil || l.Hash == l.Entry.Hash {
				t.Fatalf("line %d: %v", i+1, l.Err)
			}
			continue
		}
		if wantErr[i] == "" {
			if l.Err != nil || l.Hash != l.Entry.Hash {
				t.Fatalf("line %d: %v", i+1, l.Err)
			}
			continue
		}
		if !errors.Is(l.Err, ErrNotRecord) || !strings.Contains(l.Err.Error(), wantErr[i]) {
			t.Fatalf("line %d: %v, want %q", i+1, l.Err, wantErr[i])
		}
	}
}

func TestReaderSkipsOverlongLines(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(strings.Repeat("x", 300) + "\n")
	b.WriteString("short\n")
	rd := NewReader(&b)
	rd.max = 100
	l, err := rd.Next()
	if err != nil || !errors.Is(l.Err, ErrNotRecord) || !strings.Contains(l.Err.Error(), "longer than 100") || l.Raw != nil {
		t.Fatalf("%+v %v", l, err)
	}
	l, err = rd.Next()
	if err != nil || l.Number != 2 || string(l.Raw) != "short" {
		t.Fatalf("%+v %v", l, err)
	}
	if _, err := rd.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("got %v, want EOF", err)
	}
}

func TestReaderPassesReadErrorsOn(t *testing.T) {
	boom := errors.New("boom")
	_, err := ReadRecords(io.MultiReader(strings.NewReader("a\n"), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
}

// FuzzReader feeds damaged logs to the reader and to Verify: neither may
// panic, the reader returns every line in order with its bytes, and a line
// it accepts carries a well-formed chain.
func FuzzReader(f *testing.F) {
	var data []byte
	prev := genesis
	for i := range 3 {
		r := rec(i)
		r.Time = testTime
		line, hash, err := encodeLine(r, []byte(`{"cpu":1}`), uint64(i+1), prev)
		if err != nil {
			f.Fatal(err)
		}
		data, prev = append(data, line...), hash
	}
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add(bytes.ReplaceAll(data, []byte("\n"), []byte("\n\n")))
	f.Add([]byte(`{"seq":1,"prev":"` + genesis + `","hash":"` + genesis + `"}` + "\n"))
	f.Add([]byte("\n\n\x00\xff"))
	f.Fuzz(func(t *testing.T, in []byte) {
		ls, err := ReadRecords(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		var joined [][]byte
		for i, l := range ls {
			if l.Number != i+1 {
				t.Fatalf("line %d numbered %d", i+1, l.Number)
			}
			joined = append(joined, l.Raw)
			if l.Err == nil && (l.Entry.Seq == 0 || !isHex64(l.Entry.Prev) || !isHex64(l.Entry.Hash) || !isHex64(l.Hash)) {
				t.Fatalf("accepted a malformed record: %+v", l.Entry)
			}
		}
		if want := bytes.TrimSuffix(in, []byte("\n")); len(in) > 0 && !bytes.Equal(bytes.Join(joined, []byte("\n")), want) {
			t.Fatalf("lines do not add up to the input")
		}
		rep, err := verifyReaders([]string{"audit.log"}, func(string) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(in)), nil
		}, &Checkpoint{Count: 2, Hash: genesis})
		if err != nil && !errors.Is(err, ErrTampered) {
			t.Fatalf("verify: %v", err)
		}
		if (err == nil) != (rep.Problem == nil) {
			t.Fatalf("error %v but problem %+v", err, rep.Problem)
		}
	})
}
