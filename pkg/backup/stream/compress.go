package stream

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// Defaults of Options.
const (
	DefaultChunkSize = 1 << 20
	DefaultDepth     = 4
)

// Options say how Copy stores a stream.
type Options struct {
	// Compress compresses with zstd at Level (zstd's 1-22 scale) with
	// Workers parallel compressors; otherwise the bytes are stored as read.
	Compress bool
	Level    int
	Workers  int
	// ChunkSize is the size of a read (DefaultChunkSize when 0); Depth is
	// how many chunks may wait between the stages (DefaultDepth when 0).
	ChunkSize int
	Depth     int
	// SHA1 also computes the SHA-1 of the source.
	SHA1 bool
	// Progress, when set, is called from the reading stage with the size
	// of every chunk read.
	Progress func(n int64)
}

func (o Options) withDefaults() Options {
	if o.ChunkSize <= 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.Depth <= 0 {
		o.Depth = DefaultDepth
	}
	return o
}

// Result is what Copy read and what it stored.
type Result struct {
	Source Sum // the bytes read from the source
	Stored Sum // the bytes written to the destination
}

// chunk is a buffer read from the source, shared by the hashing and the
// storing stage; the last of the two to finish with it frees it.
type chunk struct {
	buf  []byte
	n    int
	refs atomic.Int32
}

func (c *chunk) done(free chan<- *chunk) {
	if c.refs.Add(-1) == 0 {
		free <- c
	}
}

// Copy reads src to its end and writes it to dst, compressed or not,
// hashing both sides. Three stages run at once: reading; hashing the
// source; compressing, hashing and writing the stored bytes (the
// compressor has its own workers). At most Depth+1 chunks are in use, so
// memory does not depend on the size of the stream. If a later stage fails
// while a read is blocked, src is closed when it is an io.Closer, so that a
// stalled network read does not hold Copy. Copy does not close dst.
func Copy(ctx context.Context, dst io.Writer, src io.Reader, opt Options) (Result, error) {
	opt = opt.withDefaults()
	free := make(chan *chunk, opt.Depth+1)
	for range opt.Depth + 1 {
		free <- &chunk{buf: make([]byte, opt.ChunkSize)}
	}
	toHash := make(chan *chunk, opt.Depth)
	toStore := make(chan *chunk, opt.Depth)
	source := newDigester(opt.SHA1)
	stored := newDigester(false)
	g, gctx := errgroup.WithContext(ctx)
	closeSrc := func(err error) error {
		if err != nil {
			// Returning cancels gctx, which wakes a reader waiting on a
			// channel; closing src wakes one blocked in a read.
			if c, ok := src.(io.Closer); ok {
				_ = c.Close()
			}
		}
		return err
	}
	g.Go(func() error {
		defer close(toHash)
		defer close(toStore)
		return readChunks(gctx, src, free, toHash, toStore, opt.Progress)
	})
	g.Go(func() error {
		for c := range toHash {
			_, _ = source.Write(c.buf[:c.n])
			c.done(free)
		}
		return nil
	})
	g.Go(func() error {
		return closeSrc(writeChunks(&teeWriter{w: dst, d: stored}, toStore, free, opt))
	})
	err := g.Wait()
	return Result{Source: source.sum(), Stored: stored.sum()}, err
}

// readChunks fills free chunks from src and hands each to both stages.
func readChunks(ctx context.Context, src io.Reader, free <-chan *chunk, toHash, toStore chan<- *chunk, progress func(int64)) error {
	for {
		var c *chunk
		select {
		case c = <-free:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		n, err := fill(src, c.buf)
		if n > 0 {
			if progress != nil {
				progress(int64(n))
			}
			c.n = n
			c.refs.Store(2)
			for _, ch := range []chan<- *chunk{toHash, toStore} {
				select {
				case ch <- c:
				case <-ctx.Done():
					return context.Cause(ctx)
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading: %w", err)
		}
	}
}

// fill reads into buf until it is full or src ends. Unlike io.ReadFull it
// keeps a source's own io.ErrUnexpectedEOF (a cut connection) apart from a
// clean end, which it returns as io.EOF.
func fill(src io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := src.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// writeChunks writes the chunks to w, through the compressor when asked.
// After a failure it returns at once: the group's context then stops the
// reader.
func writeChunks(w io.Writer, in <-chan *chunk, free chan<- *chunk, opt Options) error {
	out := w
	var closer io.Closer
	if opt.Compress {
		enc, err := newEncoder(w, opt.Level, opt.Workers)
		if err != nil {
			return err
		}
		out, closer = enc, enc
	}
	for c := range in {
		_, err := out.Write(c.buf[:c.n])
		c.done(free)
		if err != nil {
			if closer != nil {
				_ = closer.Close()
			}
			return fmt.Errorf("writing: %w", err)
		}
	}
	if closer != nil {
		if err := closer.Close(); err != nil {
			return fmt.Errorf("writing: %w", err)
		}
	}
	return nil
}
