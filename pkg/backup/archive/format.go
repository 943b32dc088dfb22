package archive

import "bytes"

// sparseMagic begins every sparse extent, streamOptimized ones among them:
// the SparseExtentHeader's magicNumber 0x564d444b ("KDMV") in little endian.
var sparseMagic = []byte("KDMV")

// SniffDiskFormat tells a disk's format from its first bytes: a sparse
// extent header is DiskStreamOptimized (the only sparse form a host or ceso
// writes into a backup), anything else is DiskFlat (raw data, as the
// simulator's export lease serves it).
func SniffDiskFormat(head []byte) string {
	if bytes.HasPrefix(head, sparseMagic) {
		return DiskStreamOptimized
	}
	return DiskFlat
}
