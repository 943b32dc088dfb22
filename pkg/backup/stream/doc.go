// Package stream moves backup data without ever holding a whole file: a
// source is read in fixed-size chunks, hashed (SHA-256, and SHA-1 for the
// host's NFC manifest), compressed with zstd and written to the target by
// concurrent stages, so that the transfer, the hashing and the compression
// overlap and memory stays bounded by the chunks in flight and the
// compressor's windows, whatever the file size.
//
// The other way, a stored file is decompressed and checked on the fly:
// Verify checks a stored file against its manifest record, and
// NewCheckedReader hands out the decompressed bytes while hashing them and
// withholds the last chunk when the size or the SHA-256 is wrong, so a
// consumer (an upload to the host) never receives a whole wrong file.
//
// The package knows nothing of hosts, targets or the catalog.
package stream
