package archive

import (
	"fmt"
	"path"
	"strings"
)

// Fixed file names inside a backup directory.
const (
	// ManifestName is the manifest, written last.
	ManifestName = "manifest.json"
	// ConfigName is the VM configuration record.
	ConfigName = "config.json"
	// TempSuffix marks a directory or file still being written. Anything
	// on a target whose name ends with it is incomplete.
	TempSuffix = ".partial"
	// ZstdSuffix is appended to the name of a compressed file.
	ZstdSuffix = ".zst"
)

// maxSafeName bounds a VM's directory name: VMFS allows 255 bytes a name,
// and the disk file names add a suffix.
const maxSafeName = 80

// SafeName turns a VM name into a name usable as a directory and file name
// on every target (a local file system, VMFS, NFS): ASCII letters, digits,
// '.', '_' and '-' are kept, anything else becomes '_'; a leading '.' or '-'
// becomes '_', a name ending in TempSuffix has its dot replaced, and the
// result is at most 80 bytes. Two VM names may give the same safe name;
// backups never collide, as each has its own ID.
func SafeName(vm string) string {
	var b strings.Builder
	for _, r := range vm {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= maxSafeName {
			break
		}
	}
	s := b.String()
	if len(s) > maxSafeName {
		s = s[:maxSafeName]
	}
	if s == "" {
		return "vm"
	}
	if s[0] == '.' || s[0] == '-' {
		s = "_" + s[1:]
	}
	if strings.HasSuffix(s, TempSuffix) {
		s = strings.TrimSuffix(s, TempSuffix) + "_" + TempSuffix[1:]
	}
	return s
}

// Dir is the directory, relative to the target's root, of the backup id of
// VM vm.
func Dir(vm, id string) string { return path.Join(SafeName(vm), id) }

// TempDir is the name Dir has while the backup is written.
func TempDir(vm, id string) string { return Dir(vm, id) + TempSuffix }

// IsTemp reports whether a file or directory name marks incomplete data.
func IsTemp(name string) bool { return strings.HasSuffix(name, TempSuffix) }

// DescriptorName is the OVF descriptor's file name for VM vm.
func DescriptorName(vm string) string { return SafeName(vm) + ".ovf" }

// OVFManifestName is the OVF manifest's file name for VM vm: the
// descriptor's name with .mf, as ovftool looks for it.
func OVFManifestName(vm string) string { return SafeName(vm) + ".mf" }

// DiskName is the name of disk i (from 0) of VM vm, once decompressed; the
// descriptor refers to the disk by this name.
func DiskName(vm string, i int) string { return fmt.Sprintf("%s-disk-%d.vmdk", SafeName(vm), i) }

// NVRAMName is the name of the VM's NVRAM file in a backup of VM vm.
func NVRAMName(vm string) string { return SafeName(vm) + ".nvram" }

// StoredName is the name a file is stored under with the given compression
// ("zstd" or "none").
func StoredName(name, compression string) string {
	if compression == CompressionZstd {
		return name + ZstdSuffix
	}
	return name
}
