package stream

import (
	"fmt"
	"io"
	"runtime"

	"github.com/klauspost/compress/zstd"
)

// windowSize bounds the compressor's memory. A job of the parallel encoder
// is four windows, and each worker holds one job with its output, so memory
// grows with workers × 4 × window, not with the file.
const windowSize = 1 << 20

// maxDecoderWindow refuses frames claiming a window larger than any ceso
// writes, so a damaged header cannot make the decoder allocate gigabytes.
const maxDecoderWindow = 64 << 20

// newEncoder returns a zstd encoder writing to w. level is on zstd's scale
// (1 to 22) and is mapped to the nearest of the encoder's four levels:
// 1-2 fastest, 3-5 default, 6-9 better, 10 and up best. workers > 1
// compresses sections of the stream in parallel; the output is still one
// standard frame that "zstd -d" reads, with its content checksum.
func newEncoder(w io.Writer, level, workers int) (*zstd.Encoder, error) {
	if level < 1 {
		level = 3
	}
	workers = EncoderWorkers(workers)
	opts := []zstd.EOption{
		zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(level)),
		zstd.WithEncoderConcurrency(workers),
		zstd.WithWindowSize(windowSize),
		zstd.WithEncoderCRC(true),
	}
	if workers > 1 {
		opts = append(opts, zstd.WithConcurrentBlocks(true))
	}
	enc, err := zstd.NewWriter(w, opts...)
	if err != nil {
		return nil, fmt.Errorf("starting zstd: %w", err)
	}
	return enc, nil
}

// EncoderWorkers is the number of compressors Copy runs for a configured
// number: at most one less than the CPUs Go may use (GOMAXPROCS), since
// reading and hashing need a CPU of their own, and at least one. On two
// CPUs a second compressor only adds memory (a job of four windows each).
func EncoderWorkers(configured int) int {
	return max(1, min(configured, runtime.GOMAXPROCS(0)-1))
}

// newDecoder returns a zstd decoder reading r.
func newDecoder(r io.Reader, workers int) (*zstd.Decoder, error) {
	if workers < 1 {
		workers = 1
	}
	dec, err := zstd.NewReader(r,
		zstd.WithDecoderConcurrency(workers),
		zstd.WithDecoderMaxWindow(maxDecoderWindow),
	)
	if err != nil {
		return nil, fmt.Errorf("starting zstd: %w", err)
	}
	return dec, nil
}
