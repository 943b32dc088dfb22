package rangeread

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Defaults of Options.
const (
	DefaultChunkSize = 4 << 20
	DefaultInFlight  = 4
	DefaultRetries   = 2
)

// Fetch returns a body holding the n bytes at offset off of the file. The
// Reader reads exactly n bytes of it and closes it. An error wrapped with
// Permanent is not retried.
type Fetch func(ctx context.Context, off, n int64) (io.ReadCloser, error)

// Options say how a Reader reads.
type Options struct {
	// Size is the number of bytes to read, from offset 0.
	Size int64
	// ChunkSize is the size of one range request (DefaultChunkSize when
	// 0); InFlight is how many run at once (DefaultInFlight when 0).
	ChunkSize int64
	InFlight  int
	// Retries is how many times a failed range is asked for again
	// (DefaultRetries when 0; negative: never).
	Retries int
	// Backoff is the pause before the first retry, doubled for each next
	// one (100 ms when 0).
	Backoff time.Duration
	// Progress, when set, receives the size of each chunk as it is handed
	// out.
	Progress func(n int64)
}

func (o Options) withDefaults() Options {
	if o.ChunkSize <= 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.InFlight <= 0 {
		o.InFlight = DefaultInFlight
	}
	switch {
	case o.Retries == 0:
		o.Retries = DefaultRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.Backoff <= 0 {
		o.Backoff = 100 * time.Millisecond
	}
	return o
}

// permanent marks an error that a retry cannot cure.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks err as not worth retrying (a 404, a refused login).
func Permanent(err error) error { return permanent{err} }

// Reader reads a file in order through concurrent range requests. It is
// not safe for concurrent use.
type Reader struct {
	ctx    context.Context
	cancel context.CancelFunc
	fetch  Fetch
	o      Options
	wg     sync.WaitGroup
	free   chan []byte

	pending []*part // requested, in file order
	next    int64   // offset of the next chunk to request
	cur     *part   // being handed out
	pos     int
	err     error
}

// part is one chunk: requested, then filled by its fetcher.
type part struct {
	off  int64
	buf  []byte
	n    int
	done chan struct{}
	err  error
}

// New starts reading: InFlight range requests go out at once. Close the
// Reader when done with it.
func New(ctx context.Context, fetch Fetch, o Options) *Reader {
	o = o.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	r := &Reader{ctx: ctx, cancel: cancel, fetch: fetch, o: o, free: make(chan []byte, o.InFlight+1)}
	for range o.InFlight + 1 {
		r.free <- nil // allocated on first use: a small file needs few
	}
	r.fill()
	return r
}

// fill requests chunks until InFlight are pending or the file is covered.
func (r *Reader) fill() {
	for len(r.pending) < r.o.InFlight && r.next < r.o.Size {
		n := min(r.o.ChunkSize, r.o.Size-r.next)
		buf := <-r.free // never blocks: pending and cur hold at most InFlight+1
		if int64(cap(buf)) < n {
			buf = make([]byte, r.o.ChunkSize)
		}
		p := &part{off: r.next, buf: buf[:n], n: int(n), done: make(chan struct{})}
		r.pending = append(r.pending, p)
		r.next += n
		r.wg.Add(1)
		go r.get(p)
	}
}

// get fetches one part, retrying as the options say.
func (r *Reader) get(p *part) {
	defer r.wg.Done()
	defer close(p.done)
	wait := r.o.Backoff
	for attempt := 0; ; attempt++ {
		err := r.getOnce(p)
		if err == nil {
			return
		}
		var perm permanent
		if r.ctx.Err() != nil || errors.As(err, &perm) || attempt >= r.o.Retries {
			p.err = fmt.Errorf("reading bytes %d-%d: %w", p.off, p.off+int64(p.n)-1, err)
			return
		}
		select {
		case <-time.After(wait):
			wait *= 2
		case <-r.ctx.Done():
			p.err = r.ctx.Err()
			return
		}
	}
}

func (r *Reader) getOnce(p *part) error {
	body, err := r.fetch(r.ctx, p.off, int64(p.n))
	if err != nil {
		return err
	}
	defer body.Close()
	got, err := io.ReadFull(body, p.buf)
	if err != nil {
		return fmt.Errorf("%d of %d bytes arrived: %w", got, p.n, err)
	}
	return nil
}

// Next returns the next chunk and its offset; the bytes are valid until
// the next call of Next or Read. At the end it returns io.EOF.
func (r *Reader) Next() (int64, []byte, error) {
	if r.cur != nil && r.pos < r.cur.n {
		off, b := r.cur.off+int64(r.pos), r.cur.buf[r.pos:r.cur.n]
		r.pos = r.cur.n
		return off, b, nil
	}
	if err := r.advance(); err != nil {
		return 0, nil, err
	}
	r.pos = r.cur.n
	return r.cur.off, r.cur.buf[:r.cur.n], nil
}

// Read reads the file's bytes in order.
func (r *Reader) Read(p []byte) (int, error) {
	if r.cur == nil || r.pos == r.cur.n {
		if err := r.advance(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.cur.buf[r.pos:r.cur.n])
	r.pos += n
	return n, nil
}

// advance releases the current chunk and waits for the next one.
func (r *Reader) advance() error {
	if r.cur != nil {
		r.free <- r.cur.buf
		r.cur = nil
	}
	if r.err != nil {
		return r.err
	}
	if len(r.pending) == 0 {
		r.err = io.EOF
		return r.err
	}
	head := r.pending[0]
	select {
	case <-head.done:
	case <-r.ctx.Done():
		r.err = r.ctx.Err()
		return r.err
	}
	r.pending = r.pending[1:]
	if head.err != nil {
		r.err = head.err
		r.cancel()
		return r.err
	}
	r.cur, r.pos = head, 0
	r.fill()
	if r.o.Progress != nil {
		r.o.Progress(int64(head.n))
	}
	return nil
}

// Close stops the requests in flight and waits for them to end. Reading
// after Close fails.
func (r *Reader) Close() error {
	r.cancel()
	r.wg.Wait()
	if r.err == nil {
		r.err = errClosed
	}
	return nil
}

var errClosed = errors.New("rangeread: reader closed")
