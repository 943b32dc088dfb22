package archive

import "errors"

var (
	// ErrInvalidManifest is returned when a manifest cannot be read or
	// breaks a rule of the format.
	ErrInvalidManifest = errors.New("invalid backup manifest")

	// ErrUnsupportedVersion is returned for a manifest or configuration
	// record written by a newer ceso in a format version this one does not
	// know.
	ErrUnsupportedVersion = errors.New("backup format version is newer than this ceso supports")

	// ErrInvalidConfig is returned when a configuration record cannot be
	// read or breaks a rule of the format.
	ErrInvalidConfig = errors.New("invalid VM configuration record")

	// ErrInvalidDescriptor is returned when an OVF descriptor cannot be
	// parsed or would not import cleanly.
	ErrInvalidDescriptor = errors.New("invalid OVF descriptor")
)
