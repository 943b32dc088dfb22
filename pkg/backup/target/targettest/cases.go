package targettest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/ceso/ceso/pkg/backup/target"
)

func testCreateCommitOpen(t *testing.T, tg target.Target) {
	data := Data(1, 300_000)
	Put(t, tg, "web/b1/web-disk-0.vmdk.zst", data)
	if got := Get(t, tg, "web/b1/web-disk-0.vmdk.zst"); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, differing from the %d written", len(got), len(data))
	}
	st, err := tg.Stat(context.Background(), "web/b1/web-disk-0.vmdk.zst")
	if err != nil || st.Size != int64(len(data)) || st.Dir || st.Name != "web-disk-0.vmdk.zst" {
		t.Errorf("Stat = %+v, %v", st, err)
	}
	if st, err := tg.Stat(context.Background(), "web/b1"); err != nil || !st.Dir {
		t.Errorf("Stat(dir) = %+v, %v", st, err)
	}
	wantNames(t, tg, "", "web/")
	wantNames(t, tg, "web/b1", "web-disk-0.vmdk.zst")
}

func testNothingVisibleBeforeCommit(t *testing.T, tg target.Target) {
	ctx := context.Background()
	f, err := tg.Create(ctx, "web/b1/web.ovf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("<Envelope/>")); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.Stat(ctx, "web/b1/web.ovf"); !errors.Is(err, target.ErrNotExist) {
		t.Errorf("Stat before Commit: %v, want ErrNotExist", err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	wantNames(t, tg, "web/b1", "web.ovf")
}

func testCreateRefusesExisting(t *testing.T, tg target.Target) {
	Put(t, tg, "a/f", []byte("one"))
	if _, err := tg.Create(context.Background(), "a/f"); !errors.Is(err, target.ErrExist) {
		t.Errorf("Create over a file: %v, want ErrExist", err)
	}
	if got := Get(t, tg, "a/f"); string(got) != "one" {
		t.Errorf("file changed to %q", got)
	}
}

func testAbort(t *testing.T, tg target.Target) {
	f, err := tg.Create(context.Background(), "a/f")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(Data(2, 100_000)); err != nil {
		t.Fatal(err)
	}
	if err := f.Abort(); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	if err := f.Abort(); err != nil {
		t.Errorf("second Abort: %v", err)
	}
	wantNames(t, tg, "a")
}

// testAbortRightAway aborts files before the target may have begun to store
// them: whatever the target was still to do with a file must be over when
// Abort returns, not done after it.
func testAbortRightAway(t *testing.T, tg target.Target) {
	for i := range 10 {
		f, err := tg.Create(context.Background(), fmt.Sprintf("a/f%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			if _, err := f.Write([]byte("x")); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Abort(); err != nil {
			t.Fatalf("Abort: %v", err)
		}
	}
	wantNames(t, tg, "a")
}

// testAbortAfterCancel cancels the context a file was created with, as an
// interrupted backup does, then aborts the file: nothing is left.
func testAbortAfterCancel(t *testing.T, tg target.Target) {
	ctx, cancel := context.WithCancel(context.Background())
	f, err := tg.Create(ctx, "a/f")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(Data(3, 100_000)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := f.Abort(); err != nil {
		t.Errorf("Abort: %v", err)
	}
	wantNames(t, tg, "a")
}

func testClosedFile(t *testing.T, tg target.Target) {
	f, err := tg.Create(context.Background(), "a/f")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("x")); !errors.Is(err, target.ErrClosed) {
		t.Errorf("Write after Commit: %v, want ErrClosed", err)
	}
	if err := f.Commit(); !errors.Is(err, target.ErrClosed) {
		t.Errorf("second Commit: %v, want ErrClosed", err)
	}
	if err := f.Abort(); err != nil {
		t.Errorf("Abort after Commit: %v", err)
	}
	wantNames(t, tg, "a", "f")
}

func testLargeStream(t *testing.T, tg target.Target) {
	f, err := tg.Create(context.Background(), "big/disk")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.New()
	const chunks = 96
	for i := range chunks {
		chunk := Data(uint64(i), 64<<10)
		sum.Write(chunk)
		if _, err := f.Write(chunk); err != nil {
			t.Fatalf("chunk %d: %v", i, err)
		}
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	rc, err := tg.Open(context.Background(), "big/disk")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	back := sha256.New()
	n, err := io.Copy(back, rc)
	if err != nil || n != chunks*64<<10 || !bytes.Equal(back.Sum(nil), sum.Sum(nil)) {
		t.Fatalf("read back %d bytes (%v); digest equal: %v", n, err, bytes.Equal(back.Sum(nil), sum.Sum(nil)))
	}
}

func testEmptyFile(t *testing.T, tg target.Target) {
	Put(t, tg, "e", nil)
	if got := Get(t, tg, "e"); len(got) != 0 {
		t.Errorf("read %d bytes", len(got))
	}
}

func testRenameFile(t *testing.T, tg target.Target) {
	Put(t, tg, "a/f", []byte("data"))
	if err := tg.Rename(context.Background(), "a/f", "b/c/g"); err != nil {
		t.Fatal(err)
	}
	if got := Get(t, tg, "b/c/g"); string(got) != "data" {
		t.Errorf("renamed file holds %q", got)
	}
	wantNames(t, tg, "a")
}

func testRenameDirectory(t *testing.T, tg target.Target) {
	Put(t, tg, "web/b1.partial/one", []byte("1"))
	Put(t, tg, "web/b1.partial/two", []byte("22"))
	if err := tg.Rename(context.Background(), "web/b1.partial", "web/b1"); err != nil {
		t.Fatal(err)
	}
	wantNames(t, tg, "web", "b1/")
	wantNames(t, tg, "web/b1", "one", "two")
	if got := Get(t, tg, "web/b1/two"); string(got) != "22" {
		t.Errorf("two = %q", got)
	}
	// The target must not believe the old directory still exists.
	Put(t, tg, "web/b1.partial/three", []byte("3"))
	wantNames(t, tg, "web/b1.partial", "three")
}

func testRenameNeverReplaces(t *testing.T, tg target.Target) {
	ctx := context.Background()
	Put(t, tg, "d1/f", []byte("1"))
	Put(t, tg, "d2/f", []byte("2"))
	Put(t, tg, "d3/g", []byte("3"))
	if err := tg.Rename(ctx, "d1", "d2"); !errors.Is(err, target.ErrExist) {
		t.Errorf("directory onto directory: %v, want ErrExist", err)
	}
	if err := tg.Rename(ctx, "d1/f", "d3/g"); !errors.Is(err, target.ErrExist) {
		t.Errorf("file onto file: %v, want ErrExist", err)
	}
	if err := tg.Rename(ctx, "nope", "d4"); !errors.Is(err, target.ErrNotExist) {
		t.Errorf("missing source: %v, want ErrNotExist", err)
	}
	if got := Get(t, tg, "d3/g"); string(got) != "3" {
		t.Errorf("d3/g changed to %q", got)
	}
}

func testRemoveAll(t *testing.T, tg target.Target) {
	ctx := context.Background()
	Put(t, tg, "web/b1/one", []byte("1"))
	Put(t, tg, "web/b1/sub/two", []byte("2"))
	Put(t, tg, "web/b2/one", []byte("1"))
	if err := tg.RemoveAll(ctx, "web/b1"); err != nil {
		t.Fatal(err)
	}
	wantNames(t, tg, "web", "b2/")
	if err := tg.RemoveAll(ctx, "web/b1"); err != nil {
		t.Errorf("removing a missing directory: %v", err)
	}
	if err := tg.RemoveAll(ctx, "web/b2/one"); err != nil {
		t.Fatal(err)
	}
	wantNames(t, tg, "web/b2")
}

func testMissing(t *testing.T, tg target.Target) {
	ctx := context.Background()
	if _, err := tg.Open(ctx, "no/such"); !errors.Is(err, target.ErrNotExist) {
		t.Errorf("Open: %v", err)
	}
	if _, err := tg.Stat(ctx, "no/such"); !errors.Is(err, target.ErrNotExist) {
		t.Errorf("Stat: %v", err)
	}
	if _, err := tg.List(ctx, "no/such"); !errors.Is(err, target.ErrNotExist) {
		t.Errorf("List: %v", err)
	}
	wantNames(t, tg, "")
}

func testInvalidPaths(t *testing.T, tg target.Target) {
	ctx := context.Background()
	for _, p := range []string{"", ".", "..", "/abs", "a/../b", "a//b", "a/", "./a", `a\b`, "a/\x00b"} {
		t.Run(fmt.Sprintf("%q", p), func(t *testing.T) {
			check := func(op string, err error) {
				if !errors.Is(err, target.ErrInvalidPath) {
					t.Errorf("%s: %v, want ErrInvalidPath", op, err)
				}
			}
			_, err := tg.Create(ctx, p)
			check("Create", err)
			_, err = tg.Open(ctx, p)
			check("Open", err)
			_, err = tg.Stat(ctx, p)
			check("Stat", err)
			check("Rename from", tg.Rename(ctx, p, "x"))
			check("Rename to", tg.Rename(ctx, "x", p))
			check("RemoveAll", tg.RemoveAll(ctx, p))
			if p != "" {
				_, err = tg.List(ctx, p)
				check("List", err)
			}
		})
	}
}

func testListSorted(t *testing.T, tg target.Target) {
	for _, n := range []string{"c", "a", "b.partial", "B"} {
		Put(t, tg, "d/"+n, []byte(n))
	}
	Put(t, tg, "d/sub/x", nil)
	wantNames(t, tg, "d", "B", "a", "b.partial", "c", "sub/")
	list, err := tg.List(context.Background(), "d")
	if err != nil {
		t.Fatal(err)
	}
	if list[2].Size != int64(len("b.partial")) {
		t.Errorf("size of b.partial = %d", list[2].Size)
	}
}

func testConcurrent(t *testing.T, tg target.Target) {
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := tg.Create(context.Background(), fmt.Sprintf("vm%d/b/f", i%4)+fmt.Sprint(i))
			if err == nil {
				_, err = f.Write(Data(uint64(i), 50_000))
			}
			if err == nil {
				err = f.Commit()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for i := range 8 {
		if got := Get(t, tg, fmt.Sprintf("vm%d/b/f%d", i%4, i)); !bytes.Equal(got, Data(uint64(i), 50_000)) {
			t.Errorf("file %d differs", i)
		}
	}
}

func testLocation(t *testing.T, tg target.Target) {
	if loc := tg.Location("web/b1"); !strings.HasSuffix(loc, "web/b1") {
		t.Errorf("Location = %q", loc)
	}
}
