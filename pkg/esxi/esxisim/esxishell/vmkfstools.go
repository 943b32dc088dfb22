package esxishell

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vmdk"
)

// vmkfstoolsErrors are the texts vmkfstools prints for the faults of the
// disk operations, ending in its numeric code. The no-space text is from
// an ESXi 5 restore log; the others follow the same shape.
var vmkfstoolsErrors = map[string]string{
	"NoDiskSpace":              "There is not enough space on the file system for the selected operation (13).",
	"InsufficientStorageSpace": "There is not enough space on the file system for the selected operation (13).",
	"FileNotFound":             "Could not find the file (600).",
	"FileAlreadyExists":        "The file already exists (39).",
	"TaskInProgress":           "Failed to lock the file (16392).",
}

// vmkfstoolsError prints what vmkfstools prints when op failed with err.
func vmkfstoolsError(op string, err error) result {
	text := fmt.Sprintf("%v (1).", err)
	if f := faultOf(err); f != nil {
		if t, ok := vmkfstoolsErrors[faultName(f)]; ok {
			text = t
		} else {
			text = faultName(f) + " (1)."
		}
	}
	return failed(fmt.Sprintf("Failed to %s: %s\n", op, text), 1)
}

// vmkfstools runs vmkfstools -i SRC [-a TYPE] [-d FORMAT] DST, -U DISK or
// -X SIZE DISK.
func (s *Shell) vmkfstools(ctx context.Context, args []string) result {
	if len(args) == 0 {
		return failed("No valid command specified\n", 1)
	}
	switch args[0] {
	case "-i":
		return s.cloneDisk(ctx, args[1:])
	case "-U":
		if len(args) != 2 {
			return failed("vmkfstools: -U takes one disk\n", 1)
		}
		return s.diskTask(ctx, "delete virtual disk", args[1], func(vdm *object.VirtualDiskManager, dc *object.Datacenter, name string) (*object.Task, error) {
			return vdm.DeleteVirtualDisk(ctx, name, dc)
		}, "")
	case "-X":
		if len(args) != 3 {
			return failed("vmkfstools: -X takes a size and one disk\n", 1)
		}
		kb, err := sizeKB(args[1])
		if err != nil {
			return failed("vmkfstools: "+err.Error()+"\n", 1)
		}
		return s.diskTask(ctx, "extend disk", args[2], func(vdm *object.VirtualDiskManager, dc *object.Datacenter, name string) (*object.Task, error) {
			return vdm.ExtendVirtualDisk(ctx, name, dc, kb, nil)
		}, "Grow: 100% done.\n")
	}
	return failed("vmkfstools: unsupported option "+args[0]+"\n", 1)
}

// cloneDisk runs vmkfstools -i: CopyVirtualDisk_Task, thin unless -d says
// otherwise (-a is accepted and ignored, as on ESXi 6.7 and later).
func (s *Shell) cloneDisk(ctx context.Context, args []string) result {
	if len(args) == 0 {
		return failed("vmkfstools: -i needs a source disk\n", 1)
	}
	src, rest := args[0], args[1:]
	format, warn := "thin", ""
	for len(rest) > 1 && strings.HasPrefix(rest[0], "-") {
		switch rest[0] {
		case "-d":
			format = rest[1]
		case "-a":
			warn = "Option --adaptertype is deprecated and hence will be ignored\n"
		default:
			return failed("vmkfstools: unsupported option "+rest[0]+"\n", 1)
		}
		rest = rest[2:]
	}
	if len(rest) != 1 {
		return failed("vmkfstools: -i needs one destination disk\n", 1)
	}
	from, err := s.resolve(src)
	if err != nil {
		return failed(fmt.Sprintf("Failed to open '%s': Could not find the file (600).\n", src), 1)
	}
	words := map[string]string{"thin": "thin-provisioned", "zeroedthick": "zeroedthick", "eagerzeroedthick": "eagerzeroedthick"}
	banner := fmt.Sprintf("%sDestination disk format: VMFS %s\nCloning disk '%s'...\n", warn, words[format], src)
	r := s.diskTask(ctx, "clone disk", rest[0], func(vdm *object.VirtualDiskManager, dc *object.Datacenter, name string) (*object.Task, error) {
		// No spec: with one the simulator rewrites the copied data file as
		// a descriptor. The copy keeps the source's bytes, as vmkfstools does.
		return vdm.CopyVirtualDisk(ctx, from.ds, dc, name, dc, nil, false)
	}, "Clone: 100% done.\n")
	r.stdout = banner + r.stdout
	return r
}

// diskTask runs a VirtualDiskManager task on the disk at shell path p and
// prints done when it worked, vmkfstools' error otherwise.
func (s *Shell) diskTask(ctx context.Context, op, p string,
	start func(*object.VirtualDiskManager, *object.Datacenter, string) (*object.Task, error), done string) result {
	f, err := s.resolve(p)
	if err != nil || !strings.HasSuffix(f.ds, ".vmdk") {
		return failed(fmt.Sprintf("Failed to %s: Could not find the file (600).\n", op), 1)
	}
	vdm := object.NewVirtualDiskManager(s.vim())
	dc := object.NewDatacenter(s.vim(), esx.Datacenter.Reference())
	if err := wait(ctx)(start(vdm, dc, f.ds)); err != nil {
		return vmkfstoolsError(op, err)
	}
	return ok(done)
}

// sizeKB reads a vmkfstools size: a number with a k, m or g suffix (any
// case), in KiB.
func sizeKB(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("no size given")
	}
	mult := map[byte]int64{'k': 1, 'm': 1 << 10, 'g': 1 << 20}[s[len(s)-1]|0x20]
	if mult == 0 {
		return 0, fmt.Errorf("size %q has no k, m or g suffix", s)
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("size %q is not a positive number", s)
	}
	return n * mult, nil
}

// diskCapacity reads the capacity a disk's descriptor gives, in bytes.
func (s *Shell) diskCapacity(datastorePath string) (int64, error) {
	f, err := s.fromDatastorePath(datastorePath)
	if err != nil {
		return 0, err
	}
	r, err := os.Open(f.local)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	d, err := vmdk.ParseDescriptor(r)
	if err != nil {
		return 0, err
	}
	return d.Capacity(), nil
}
