// Package vmdk reads and writes VMware's streamOptimized disk images while
// streaming, and parses and formats VMDK disk descriptors.
//
// An ESXi export lease serves each disk as a streamOptimized image; a
// restore by datastore file upload needs the raw (flat) data and a
// descriptor file instead. StreamReader turns the former into the latter
// front to back, without seeking and with bounded memory: Read gives the raw
// disk (zeros for unstored grains), Next gives only the stored grains so a
// caller can skip the holes. StreamWriter makes a streamOptimized image from
// raw data written in order, leaving out all-zero grains. ParseDescriptor
// and Descriptor.String read and write descriptors; VMFSDescriptor,
// MonolithicFlatDescriptor, MonolithicSparseDescriptor and
// StreamOptimizedDescriptor build the ones a restore needs.
//
// The package only transforms bytes: it opens no files, talks to no host
// and imports nothing else of ceso. Damaged input gives an error wrapping
// one of the sentinels of errors.go (naming the field or the byte offset at
// fault) and never a panic; no field makes it allocate more than about
// 13 MiB (see MaxGrainSize, MaxDescriptorSize; a grain directory read at
// the front keeps at most 2^21 entries, and only as many as the input
// holds).
//
// # Format facts relied on
//
// From VMware's "Virtual Disk Format 5.0" technical note, as implemented by
// qemu (block/vmdk.c), VMware's open-vmdk (vmdk/vmware_vmdk.h, sparse.c)
// and vmdktool (vmdktool.c):
//
//   - A sparse extent starts with a one-sector SparseExtentHeader, little
//     endian: magicNumber "KDMV" (0x564d444b) at 0, version at 4, flags at
//     8, capacity at 12, grainSize at 20, descriptorOffset at 28,
//     descriptorSize at 36, numGTEsPerGT at 44, rgdOffset at 48, gdOffset at
//     56, overHead at 64, uncleanShutdown at 72, the newline-detection bytes
//     '\n', ' ', '\r', '\n' at 73, compressAlgorithm at 77. Sizes and
//     offsets are in 512-byte sectors.
//   - Flags: bit 0 newline detection valid, bit 1 redundant grain
//     directory, bit 2 zeroed-grain table entries (entry 1 means zeros),
//     bit 16 compressed grains, bit 17 markers. streamOptimized sets bits 16
//     and 17 and compressAlgorithm 1 (deflate); version is 3 (qemu's
//     "Create streamOptimized as version 3", open-vmdk's
//     SPARSE_VERSION_INCOMPAT_FLAGS).
//   - A grain marker is lba (uint64, the grain's first sector), size
//     (uint32, the compressed length) and the compressed bytes, padded to a
//     sector. The compressed bytes are a zlib stream (RFC 1950): qemu
//     writes them with compress() and reads with uncompress(), open-vmdk
//     with deflateInit/inflateInit. The last grain of a capacity that is
//     not a multiple of the grain holds only the bytes up to the capacity
//     (qemu and open-vmdk); a full grain is accepted too.
//   - A metadata marker is one sector: val (uint64, the sectors of metadata
//     that follow), size 0 (uint32), type (uint32): 0 end of stream (val 0: an
//     all-zero sector), 1 grain table, 2 grain directory, 3 footer. Type
//     4 (progress, named in open-vmdk) is skipped as a lone sector, as
//     vmdktool skips unknown types.
//   - Grain table entries hold the sector of a grain's marker (0: not
//     stored); grain directory entries hold the sector of a grain table.
//   - gdOffset GD_AT_END (0xffffffffffffffff) says the tables follow the
//     grains: the image ends with the grain directory, a footer marker and
//     footer (the header again with the real gdOffset) and the end-of-stream
//     marker; qemu reads the footer 1536 bytes before the end of the file.
//     This is the layout of ESXi's export and of StreamWriter, which writes
//     a grain table for every 512 grains, stored or not, as vmdktool does.
//   - qemu and open-vmdk instead put the grain directory and tables at the
//     front, before overHead, and write neither table markers nor a footer;
//     qemu's file ends in zero sectors, read as an end-of-stream marker.
//     StreamReader reads those tables on its way to the first grain.
//   - Descriptor extent lines read `ACCESS SECTORS TYPE "FILE" [OFFSET]`
//     (qemu's vmdk_parse_extents), for example `RW 33554432 VMFS
//     "disk-flat.vmdk"`, the form ESXi uses beside a "-flat.vmdk" data file
//     (createType "vmfs", as vmkfstools -v reports: "vmfs, 33554432
//     sectors"). The geometry is 255 heads and 63 sectors for a non-IDE
//     adapter, 16 heads on IDE (qemu's vmdk_co_do_create).
//
// # What the reader checks
//
// Beyond the header's fields, StreamReader requires grains in ascending
// order within the capacity, each inflating to its length with a valid
// zlib checksum, and at the end that the grain tables list exactly as many
// stored grains as the stream held; with GD_AT_END also a grain directory
// and a footer that repeats the header and points at that directory. It
// does not check where each table entry points beyond that count.
package vmdk
