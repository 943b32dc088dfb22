package archive

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vmware/govmomi/ovf"
)

// OVF resource types that matter to an import.
const (
	resourceEthernet = 10
	resourceDisk     = 17
)

// Descriptor is what an import needs to know of an OVF descriptor.
type Descriptor struct {
	// Name is the virtual system's name.
	Name string
	// Networks are the names of the NetworkSection, in order: each must be
	// mapped to a port group of the host on import.
	Networks []string
	// Disks are the disks of the DiskSection, in order.
	Disks []DescriptorDisk
}

// DescriptorDisk is one disk of a descriptor.
type DescriptorDisk struct {
	ID            string
	File          string // the referenced file's href
	CapacityBytes int64
}

// ParseDescriptor parses an OVF descriptor and checks that it describes one
// virtual system whose disks and networks an import can resolve: every disk
// refers to a file of References, has a capacity, and is used by a disk
// item; every network adapter names a network of the NetworkSection.
func ParseDescriptor(data []byte) (*Descriptor, error) {
	env, err := ovf.Unmarshal(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDescriptor, err)
	}
	vs := env.VirtualSystem
	if vs == nil || len(vs.VirtualHardware) == 0 {
		return nil, fmt.Errorf("%w: no virtual system with virtual hardware", ErrInvalidDescriptor)
	}
	d := &Descriptor{Name: vs.ID}
	if vs.Name != nil && *vs.Name != "" {
		d.Name = *vs.Name
	}
	if env.Network != nil {
		for _, n := range env.Network.Networks {
			d.Networks = append(d.Networks, n.Name)
		}
	}
	files := map[string]ovf.File{}
	for _, f := range env.References {
		files[f.ID] = f
	}
	var problems []string
	if env.Disk != nil {
		for _, disk := range env.Disk.Disks {
			dd, err := describeDisk(disk, files)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			d.Disks = append(d.Disks, dd)
		}
	}
	problems = append(problems, checkItems(vs.VirtualHardware[0].Item, d)...)
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidDescriptor, strings.Join(problems, "; "))
	}
	return d, nil
}

func describeDisk(disk ovf.VirtualDiskDesc, files map[string]ovf.File) (DescriptorDisk, error) {
	if disk.FileRef == nil {
		return DescriptorDisk{}, fmt.Errorf("disk %q refers to no file", disk.DiskID)
	}
	f, ok := files[*disk.FileRef]
	if !ok || f.Href == "" {
		return DescriptorDisk{}, fmt.Errorf("disk %q refers to file %q, which References does not list", disk.DiskID, *disk.FileRef)
	}
	capacity, err := strconv.ParseInt(disk.Capacity, 10, 64)
	if err != nil || capacity <= 0 {
		return DescriptorDisk{}, fmt.Errorf("disk %q has capacity %q", disk.DiskID, disk.Capacity)
	}
	unit := int64(1)
	if disk.CapacityAllocationUnits != nil && *disk.CapacityAllocationUnits != "" {
		unit = ovf.ParseCapacityAllocationUnits(*disk.CapacityAllocationUnits)
		if unit <= 0 {
			return DescriptorDisk{}, fmt.Errorf("disk %q has allocation units %q", disk.DiskID, *disk.CapacityAllocationUnits)
		}
	}
	if capacity > (1<<62)/unit {
		return DescriptorDisk{}, fmt.Errorf("disk %q capacity overflows", disk.DiskID)
	}
	return DescriptorDisk{ID: disk.DiskID, File: f.Href, CapacityBytes: capacity * unit}, nil
}

// checkItems checks that disk items use known disks, that every disk is
// used, and that network adapters name known networks.
func checkItems(items []ovf.ResourceAllocationSettingData, d *Descriptor) []string {
	var problems []string
	used := map[string]bool{}
	for _, item := range items {
		if item.ResourceType == nil {
			problems = append(problems, fmt.Sprintf("item %q has no resource type", item.InstanceID))
			continue
		}
		switch *item.ResourceType {
		case resourceDisk:
			if len(item.HostResource) == 0 {
				problems = append(problems, fmt.Sprintf("disk item %q has no host resource", item.InstanceID))
				continue
			}
			id := item.HostResource[0][strings.LastIndexByte(item.HostResource[0], '/')+1:]
			if !slices.ContainsFunc(d.Disks, func(x DescriptorDisk) bool { return x.ID == id }) {
				problems = append(problems, fmt.Sprintf("disk item %q uses unknown disk %q", item.InstanceID, item.HostResource[0]))
			}
			used[id] = true
		case resourceEthernet:
			for _, c := range item.Connection {
				if !slices.Contains(d.Networks, c) {
					problems = append(problems, fmt.Sprintf("network adapter %q is connected to %q, which NetworkSection does not list", item.InstanceID, c))
				}
			}
		}
	}
	for _, disk := range d.Disks {
		if !used[disk.ID] {
			problems = append(problems, fmt.Sprintf("disk %q is used by no item", disk.ID))
		}
	}
	return problems
}

// CheckDescriptor parses desc and checks it against a backup's manifest:
// the descriptor's disks are exactly the manifest's disks, in order, and
// References gives each file the size the manifest records. It returns the
// parsed descriptor.
func CheckDescriptor(desc []byte, m *Manifest) (*Descriptor, error) {
	d, err := ParseDescriptor(desc)
	if err != nil {
		return nil, err
	}
	disks := m.OfKind(KindDisk)
	if len(d.Disks) != len(disks) {
		return nil, fmt.Errorf("%w: %d disks in the descriptor, %d in the manifest", ErrInvalidDescriptor, len(d.Disks), len(disks))
	}
	for i, disk := range d.Disks {
		if disk.File != disks[i].Name {
			return nil, fmt.Errorf("%w: disk %d refers to %q, the manifest's disk %d is %q", ErrInvalidDescriptor, i, disk.File, i, disks[i].Name)
		}
	}
	if err := CheckReferenceSizes(desc, m); err != nil {
		return nil, err
	}
	return d, nil
}

// CheckReferenceSizes checks that the descriptor's References give each
// disk file the size the manifest records (ovftool refuses a file whose
// size differs from ovf:size). A reference without a size passes.
func CheckReferenceSizes(desc []byte, m *Manifest) error {
	env, err := ovf.Unmarshal(bytes.NewReader(desc))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidDescriptor, err)
	}
	for _, f := range env.References {
		mf, ok := m.Find(f.Href)
		if !ok {
			return fmt.Errorf("%w: References lists %q, which the backup does not hold", ErrInvalidDescriptor, f.Href)
		}
		if f.Size != 0 && int64(f.Size) != mf.Size {
			return fmt.Errorf("%w: %q has ovf:size %d, the file has %d bytes", ErrInvalidDescriptor, f.Href, f.Size, mf.Size)
		}
	}
	return nil
}
