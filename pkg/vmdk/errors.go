package vmdk

import "errors"

var (
	// ErrNotVMDK is returned when the data does not begin with a sparse
	// extent header (magic "KDMV"), for example a descriptor file or a raw
	// disk.
	ErrNotVMDK = errors.New("not a VMDK sparse extent")

	// ErrUnsupported is returned for a well-formed VMDK image this package
	// cannot read as a stream: not streamOptimized (grains not compressed or
	// without markers), an unknown incompatible flag or compression, or
	// tables placed where a sequential reader cannot reach them.
	ErrUnsupported = errors.New("unsupported VMDK image")

	// ErrCorrupt is returned for a damaged image: a header field out of
	// range, an unknown or malformed marker, a grain outside the capacity or
	// out of order, a grain that does not inflate to its size, a footer that
	// disagrees with the header, or grain tables that disagree with the
	// grains in the stream.
	ErrCorrupt = errors.New("damaged VMDK image")

	// ErrTruncated is returned when the image ends inside a structure or
	// before its end-of-stream marker.
	ErrTruncated = errors.New("truncated VMDK image")

	// ErrLimit is returned when a field asks for more than this package
	// allows (capacity, grain size, descriptor size, grain directory size,
	// compressed grain size): nothing is allocated for it.
	ErrLimit = errors.New("VMDK image exceeds a limit of this reader")

	// ErrDescriptor is returned when a disk descriptor cannot be parsed, or
	// holds a value its text form cannot carry.
	ErrDescriptor = errors.New("invalid VMDK descriptor")

	// ErrCapacity is returned for an invalid capacity given to the writer
	// and for a write past the capacity.
	ErrCapacity = errors.New("outside the disk's capacity")

	// ErrNotSequential is returned by StreamWriter.WriteAt for an offset
	// before data already written: a stream cannot go back.
	ErrNotSequential = errors.New("VMDK stream writes must be sequential")

	// ErrClosed is returned by a StreamWriter used after Close. (After a
	// failed write, every later call returns that failure again.)
	ErrClosed = errors.New("VMDK stream writer is closed")
)
