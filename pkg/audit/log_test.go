package audit

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAppendWritesOneChainedLinePerRecord(t *testing.T) {
	l, path := newLog(t, Options{})
	start := Record{
		Phase: PhaseStart, CorrelationID: "c1", Operation: "vm.create", Class: "write", Target: "web01",
		Actor: Actor{Name: "agent-7"}, Mode: "standard", TokenID: "tok1", ApprovalID: "ap1",
		Params:  json.RawMessage(`{"cpu":2,"ssh":{"password":"hunter2"}}`),
		Secrets: []string{"password"}, DryRun: true, Transport: "ssh",
	}
	end := start
	end.Phase, end.Outcome, end.Error, end.DurationMS = PhaseEnd, "failure", "login with hunter2 refused", 1500
	end.Notes = []string{"done over SSH", "tried hunter2"}
	end.Time = testTime.Add(1500 * time.Millisecond)
	for _, r := range []Record{start, end} {
		if err := l.Append(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "hunter2") {
		t.Fatalf("a secret reached the log:\n%s", data)
	}
	if string(start.Params) != `{"cpu":2,"ssh":{"password":"hunter2"}}` {
		t.Fatal("the caller's params were changed")
	}
	ls, err := ReadRecords(strings.NewReader(string(data)))
	if err != nil || len(ls) != 2 {
		t.Fatalf("%d lines, %v", len(ls), err)
	}
	h := l.Key().HashSecret("hunter2")
	s, e := ls[0].Entry, ls[1].Entry
	wantStart := Record{
		Time: testTime, Phase: PhaseStart, CorrelationID: "c1", Operation: "vm.create", Class: "write", Target: "web01",
		Actor: Actor{User: "ops", UID: "1000", Host: "esx-admin", Name: "agent-7"}, Mode: "standard",
		TokenID: "tok1", ApprovalID: "ap1", DryRun: true, Transport: "ssh",
	}
	s.Params, s.Time = nil, s.Time.UTC()
	if s.Record.Actor != wantStart.Actor || s.Time != wantStart.Time || s.Phase != wantStart.Phase ||
		s.CorrelationID != "c1" || s.Operation != "vm.create" || s.Class != "write" || s.Target != "web01" ||
		s.Mode != "standard" || s.TokenID != "tok1" || s.ApprovalID != "ap1" || !s.DryRun || s.Transport != "ssh" {
		t.Fatalf("start record %+v", s)
	}
	if string(ls[0].Entry.Params) != `{"cpu":2,"ssh":{"password":"`+h+`"}}` {
		t.Fatalf("params %s", ls[0].Entry.Params)
	}
	if s.Seq != 1 || s.Prev != genesis || s.Hash != ls[0].Hash || e.Seq != 2 || e.Prev != s.Hash {
		t.Fatalf("chain fields: %d %s %s / %d %s", s.Seq, s.Prev, s.Hash, e.Seq, e.Prev)
	}
	if e.Outcome != "failure" || e.DurationMS != 1500 || e.Error != "login with "+h+" refused" ||
		len(e.Notes) != 2 || e.Notes[1] != "tried "+h || !e.Time.Equal(end.Time) {
		t.Fatalf("end record %+v", e.Record)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, KeyPath(path): 0o600, filepath.Dir(path): 0o700 | os.ModeDir} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode() != want {
			t.Fatalf("%s: mode %v, want %v (%v)", p, fi.Mode(), want, err)
		}
	}
	cp, err := l.Checkpoint(context.Background())
	if err != nil || cp.Count != 2 || cp.Hash != e.Hash {
		t.Fatalf("checkpoint %v %v", cp, err)
	}
	mustVerify(t, path, &cp)
}

func TestAppendFillsTheProcessActorAndTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	if err := l.Append(context.Background(), Record{Phase: PhaseStart, Operation: "vm.list", Class: "read"}); err != nil {
		t.Fatal(err)
	}
	ls := lines(t, path)
	e, _, err := parseLine(ls[0])
	if err != nil {
		t.Fatal(err)
	}
	me := CurrentActor("")
	if e.Actor != me || me.UID == "" || e.Time.Before(before.Add(-time.Second)) {
		t.Fatalf("actor %+v (want %+v), time %v", e.Actor, me, e.Time)
	}
	if l.Path() != path {
		t.Fatal(l.Path())
	}
}

func TestOpenTightensALooseLogFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, nil); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	if _, err := OpenWith("", Options{}); err == nil {
		t.Fatal("an empty path must be refused")
	}
}

func TestConcurrentWritersKeepOneChain(t *testing.T) {
	l, path := newLog(t, Options{MaxSize: 4096})
	// A second Log on the same file, as a second process would have: its
	// cached head goes stale whenever the first one writes.
	other, err := OpenWith(path, Options{Actor: &testActor, MaxSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			target := l
			if w%2 == 1 {
				target = other
			}
			for i := range 10 {
				if err := target.Append(context.Background(), rec(i)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	rep := mustVerify(t, path, nil)
	if rep.Records != 80 || len(rep.Files) < 2 {
		t.Fatalf("%d records in %d files, want 80 in several", rep.Records, len(rep.Files))
	}
}

func TestStaleHeadIsNoticedOnCoarseClocks(t *testing.T) {
	a, path := newLog(t, Options{})
	b, err := OpenWith(path, Options{Actor: &testActor})
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, a, 1)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// The other writer appends within the same clock tick of a file
	// system with coarse times: the modification time does not move.
	appendN(t, b, 1)
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	appendN(t, a, 1)
	if rep := mustVerify(t, path, nil); rep.Records != 3 {
		t.Fatalf("%+v", rep)
	}
	// A file put in its place (a new inode) with the same size and time
	// but another last record.
	ls := lines(t, path)
	fi, _ = os.Stat(path)
	e, _, err := parseLine(ls[2])
	if err != nil {
		t.Fatal(err)
	}
	other := e.Record
	other.Target = "web99"
	other.Params, other.Secrets = nil, nil
	line, _, err := encodeLine(other, e.Params, e.Seq, e.Prev)
	if err != nil {
		t.Fatal(err)
	}
	ls[2] = line[:len(line)-1]
	tmp := path + ".new"
	writeLines(t, tmp, ls)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if nfi, _ := os.Stat(path); nfi.Size() != fi.Size() {
		t.Fatalf("replacement is %d bytes, want %d", nfi.Size(), fi.Size())
	}
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	appendN(t, a, 1)
	if rep := mustVerify(t, path, nil); rep.Records != 4 {
		t.Fatalf("%+v", rep)
	}
}
