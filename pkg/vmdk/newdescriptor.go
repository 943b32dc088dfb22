package vmdk

import "strconv"

// Create types written by this package's constructors.
const (
	TypeStreamOptimized  = "streamOptimized"
	TypeMonolithicSparse = "monolithicSparse"
	TypeMonolithicFlat   = "monolithicFlat"
	TypeVMFS             = "vmfs"
)

// DiskInfo is what the descriptor constructors need to know of a disk.
type DiskInfo struct {
	// Capacity is the disk's size in bytes, a multiple of SectorSize.
	Capacity int64
	// AdapterType is ddb.adapterType: ide, buslogic, lsilogic or legacyESX
	// (VMware writes lsilogic for every SCSI controller, pvscsi included).
	// Empty means lsilogic.
	AdapterType string
	// HWVersion is ddb.virtualHWVersion; empty means "4", the value VMware
	// writes in exported disks for compatibility.
	HWVersion string
	// CID is the content ID.
	CID uint32
}

// StreamOptimizedDescriptor is the descriptor embedded in a streamOptimized
// image whose file is named file: one SPARSE extent.
func StreamOptimizedDescriptor(file string, info DiskInfo) Descriptor {
	return newDescriptor(TypeStreamOptimized, Extent{Type: "SPARSE", File: file}, info)
}

// MonolithicSparseDescriptor is the descriptor embedded in a hosted sparse
// (monolithicSparse) image named file: one SPARSE extent.
func MonolithicSparseDescriptor(file string, info DiskInfo) Descriptor {
	return newDescriptor(TypeMonolithicSparse, Extent{Type: "SPARSE", File: file}, info)
}

// MonolithicFlatDescriptor is the descriptor file of a hosted flat disk
// whose data is the raw file flatFile: one FLAT extent at offset 0.
func MonolithicFlatDescriptor(flatFile string, info DiskInfo) Descriptor {
	return newDescriptor(TypeMonolithicFlat, Extent{Type: "FLAT", File: flatFile}, info)
}

// VMFSDescriptor is the descriptor file ESXi keeps beside a disk's data
// file "<name>-flat.vmdk" on a datastore: createType "vmfs" and one VMFS
// extent. thin sets ddb.thinProvisioned, as ESXi does for a thin disk.
// Uploading it with the raw data file to a datastore gives ESXi a disk it
// can attach or clone (vmkfstools -i) without the vSphere API.
func VMFSDescriptor(flatFile string, info DiskInfo, thin bool) Descriptor {
	d := newDescriptor(TypeVMFS, Extent{Type: "VMFS", File: flatFile}, info)
	if thin {
		d.DDB["ddb.thinProvisioned"] = "1"
	}
	return d
}

func newDescriptor(createType string, e Extent, info DiskInfo) Descriptor {
	adapter := info.AdapterType
	if adapter == "" {
		adapter = "lsilogic"
	}
	hw := info.HWVersion
	if hw == "" {
		hw = "4"
	}
	e.Access = "RW"
	e.Sectors = info.Capacity / SectorSize
	c, h, s := Geometry(info.Capacity, adapter)
	return Descriptor{
		Version:    1,
		Encoding:   "UTF-8",
		CID:        info.CID,
		ParentCID:  NoParentCID,
		CreateType: createType,
		Extents:    []Extent{e},
		DDB: map[string]string{
			"ddb.adapterType":        adapter,
			"ddb.geometry.cylinders": strconv.FormatInt(c, 10),
			"ddb.geometry.heads":     strconv.FormatInt(h, 10),
			"ddb.geometry.sectors":   strconv.FormatInt(s, 10),
			"ddb.virtualHWVersion":   hw,
		},
	}
}

// Geometry is the legacy cylinder/head/sector geometry VMware records for
// a disk of capacity bytes: 16 heads on IDE, 255 otherwise, 63 sectors per
// track, and as many cylinders as fit (at least 1, at most 16383 on IDE and
// 65535 otherwise).
func Geometry(capacity int64, adapterType string) (cylinders, heads, sectors int64) {
	heads, sectors, most := int64(255), int64(63), int64(65535)
	if adapterType == "ide" {
		heads, most = 16, 16383
	}
	cylinders = capacity / SectorSize / (heads * sectors)
	return min(max(cylinders, 1), most), heads, sectors
}
