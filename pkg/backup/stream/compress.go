package stream

import (
	"context"
	"fmt"
	"io"

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

// Copy reads src to its end and writes it to dst, compressed or not,
// hashing both sides. Reading and hashing run in one goroutine, compressing
// and writing in another (and in the compressor's workers), with at most
// Depth chunks between them. If writing fails while a read is blocked, src
// is closed when it is an io.Closer, so that a stalled network read does
// not hold Copy. Copy does not close dst.
func Copy(ctx context.Context, dst io.Writer, src io.Reader, opt Options) (Result, error) {
	opt = opt.withDefaults()
	free := make(chan []byte, opt.Depth+1)
	for range opt.Depth + 1 {
		free <- make([]byte, opt.ChunkSize)
	}
	full := make(chan []byte, opt.Depth)
	source := newDigester(opt.SHA1)
	stored := newDigester(false)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(full)
		return readChunks(gctx, src, source, free, full, opt.Progress)
	})
	g.Go(func() error {
		err := writeChunks(&teeWriter{w: dst, d: stored}, full, free, opt)
		if err != nil {
			// Returning cancels gctx, which wakes a reader waiting on a
			// channel; closing src wakes one blocked in a read.
			if c, ok := src.(io.Closer); ok {
				_ = c.Close()
			}
		}
		return err
	})
	err := g.Wait()
	return Result{Source: source.sum(), Stored: stored.sum()}, err
}

// readChunks fills free buffers from src and hands them on.
func readChunks(ctx context.Context, src io.Reader, d *digester, free <-chan []byte, full chan<- []byte, progress func(int64)) error {
	for {
		var buf []byte
		select {
		case buf = <-free:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		n, err := fill(src, buf)
		if n > 0 {
			_, _ = d.Write(buf[:n])
			if progress != nil {
				progress(int64(n))
			}
			select {
			case full <- buf[:n]:
			case <-ctx.Done():
				return context.Cause(ctx)
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
func writeChunks(w io.Writer, full <-chan []byte, free chan<- []byte, opt Options) error {
	out := w
	var closer io.Closer
	if opt.Compress {
		enc, err := newEncoder(w, opt.Level, opt.Workers)
		if err != nil {
			return err
		}
		out, closer = enc, enc
	}
	for buf := range full {
		_, err := out.Write(buf)
		free <- buf[:cap(buf)]
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
