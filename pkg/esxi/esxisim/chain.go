package esxisim

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ceso/ceso/pkg/vmdk"
	"github.com/vmware/govmomi/simulator"
)

// deltaCreateType is the createType of a delta descriptor on VMFS6.
const deltaCreateType = "seSparse"

// maxChain bounds a disk chain, as ESXi does (255 delta disks).
const maxChain = 255

// diskLayer is one file of a disk chain: a delta, or the base disk whose
// data is its "-flat.vmdk".
type diskLayer struct {
	desc  string     // local path of the descriptor
	data  string     // local path of the data file
	delta *deltaFile // nil for the base
	cid   uint32
}

// diskChain is a virtual disk as the guest sees it: the newest delta first,
// the base last. Reads go down the chain to the first layer that holds a
// grain; writes go to the top. Close it when done.
type diskChain struct {
	layers   []diskLayer
	capacity int64
	base     *os.File
}

// readDescriptor reads a descriptor with pkg/vmdk. vcsim's own descriptors
// may not parse (a zero-sized extent): they describe a base disk.
func readDescriptor(desc string) (vmdk.Descriptor, bool, error) {
	text, err := os.ReadFile(desc)
	if err != nil {
		return vmdk.Descriptor{}, false, err
	}
	d, err := vmdk.ParseDescriptor(text)
	if err != nil {
		return vmdk.Descriptor{}, false, nil
	}
	return d, true, nil
}

// isDelta reports whether a descriptor is a delta of the simulator's.
func isDelta(d vmdk.Descriptor, parsed bool) bool {
	return parsed && d.CreateType == deltaCreateType && d.ParentFileNameHint != "" &&
		len(d.Extents) == 1 && d.Extents[0].Type == "SESPARSE"
}

// openChain opens the chain whose newest descriptor is desc, for a disk of
// capacity bytes.
func openChain(desc string, capacity int64) (*diskChain, error) {
	c := &diskChain{capacity: capacity}
	for len(c.layers) <= maxChain {
		d, parsed, err := readDescriptor(desc)
		if err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("reading disk descriptor %s: %w", filepath.Base(desc), err)
		}
		if !isDelta(d, parsed) {
			c.layers = append(c.layers, diskLayer{desc: desc, data: simulator.VirtualDiskBackingFileName(desc), cid: d.CID})
			f, err := os.OpenFile(c.layers[len(c.layers)-1].data, os.O_RDWR, 0)
			if err != nil {
				_ = c.Close()
				return nil, fmt.Errorf("opening disk data: %w", err)
			}
			c.base = f
			return c, nil
		}
		dir := filepath.Dir(desc)
		l := diskLayer{desc: desc, data: filepath.Join(dir, d.Extents[0].File), cid: d.CID}
		if l.delta, err = openDelta(l.data); err != nil {
			_ = c.Close()
			return nil, err
		}
		c.layers = append(c.layers, l)
		desc = parentPath(dir, d.ParentFileNameHint)
	}
	_ = c.Close()
	return nil, fmt.Errorf("disk chain of %s is longer than %d", filepath.Base(desc), maxChain)
}

// parentPath resolves a parentFileNameHint, relative to the delta's folder
// unless absolute.
func parentPath(dir, hint string) string {
	if filepath.IsAbs(hint) {
		return hint
	}
	return filepath.Join(dir, filepath.FromSlash(hint))
}

// Close closes every file of the chain.
func (c *diskChain) Close() error {
	var errs []error
	for _, l := range c.layers {
		if l.delta != nil {
			errs = append(errs, l.delta.Close())
		}
	}
	if c.base != nil {
		errs = append(errs, c.base.Close())
	}
	return errors.Join(errs...)
}

// top is the layer writes go to.
func (c *diskChain) top() diskLayer { return c.layers[0] }

// owner returns the index of the newest delta holding grain g, -1 for the
// base.
func (c *diskChain) owner(g int64) int {
	for i, l := range c.layers {
		if l.delta != nil && l.delta.has(g) {
			return i
		}
	}
	return -1
}

// ReadAt reads the disk's current content: each grain from the newest
// layer that holds it; the base's bytes past its end read as zeros.
func (c *diskChain) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("negative offset %d", off)
	}
	n := 0
	buf := make([]byte, deltaGrain)
	for n < len(p) && off+int64(n) < c.capacity {
		pos := off + int64(n)
		g, in := pos/deltaGrain, pos%deltaGrain
		want := min(int64(len(p)-n), c.capacity-pos)
		if i := c.owner(g); i >= 0 {
			if err := c.layers[i].delta.readGrain(g, buf); err != nil {
				return n, err
			}
			n += copy(p[n:int64(n)+min(want, deltaGrain-in)], buf[in:])
			continue
		}
		// a run of grains the base holds, read at once
		take := min(want, deltaGrain-in)
		for take < want && c.owner((pos+take)/deltaGrain) < 0 {
			take = min(want, take+deltaGrain)
		}
		if err := c.readBase(p[n:int64(n)+take], pos); err != nil {
			return n, err
		}
		n += int(take)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (c *diskChain) readBase(p []byte, off int64) error {
	m, err := c.base.ReadAt(p, off)
	if err == io.EOF {
		clear(p[m:])
		return nil
	}
	return err
}

// WriteAt writes as the guest does: into the top layer, copying a grain's
// current content into a delta before changing part of it.
func (c *diskChain) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > c.capacity {
		return 0, fmt.Errorf("write of %d bytes at %d outside a disk of %d bytes", len(p), off, c.capacity)
	}
	top := c.top()
	if top.delta == nil {
		return c.base.WriteAt(p, off)
	}
	buf := make([]byte, deltaGrain)
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		g, in := pos/deltaGrain, pos%deltaGrain
		take := min(int64(len(p)-n), deltaGrain-in)
		if take < deltaGrain {
			if _, err := c.ReadAt(buf, g*deltaGrain); err != nil && err != io.EOF {
				return n, err
			}
		}
		copy(buf[in:], p[n:int64(n)+take])
		if err := top.delta.writeGrain(g, buf); err != nil {
			return n, err
		}
		n += int(take)
	}
	return n, nil
}

// mergeInto writes the grains of layer i into layer j below it (i < j),
// as a snapshot removal consolidates a delta into an older disk.
func (c *diskChain) mergeInto(i, j int) error {
	if i < 0 || j <= i || j >= len(c.layers) || c.layers[i].delta == nil {
		return fmt.Errorf("no layer %d to merge into layer %d", i, j)
	}
	from, to := c.layers[i], c.layers[j]
	buf := make([]byte, deltaGrain)
	for _, g := range from.delta.stored() {
		if err := from.delta.readGrain(g, buf); err != nil {
			return err
		}
		var err error
		if to.delta != nil {
			err = to.delta.writeGrain(g, buf)
		} else {
			_, err = c.base.WriteAt(buf[:min(deltaGrain, c.capacity-g*deltaGrain)], g*deltaGrain)
		}
		if err != nil {
			return fmt.Errorf("merging %s into %s: %w", filepath.Base(from.desc), filepath.Base(to.desc), err)
		}
	}
	return nil
}

// copyFlat writes the disk's current content to a new flat data file at
// dst: the base's bytes, then each delta's grains from the oldest up, as
// CopyVirtualDisk_Task and vmkfstools -i consolidate a chain.
func (c *diskChain) copyFlat(dst string) error {
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err = io.Copy(out, io.NewSectionReader(c.base, 0, 1<<62)); err == nil {
		buf := make([]byte, deltaGrain)
		for i := len(c.layers) - 1; i >= 0 && err == nil; i-- {
			d := c.layers[i].delta
			if d == nil {
				continue
			}
			for _, g := range d.stored() {
				if err = d.readGrain(g, buf); err != nil {
					break
				}
				if _, err = out.WriteAt(buf[:min(deltaGrain, c.capacity-g*deltaGrain)], g*deltaGrain); err != nil {
					break
				}
			}
		}
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(dst)
	}
	return err
}

// deltaNames returns the descriptor and data file names of the next free
// delta of a disk whose base descriptor is base, in folder dir:
// "web-000001.vmdk" and "web-000001-sesparse.vmdk".
func deltaNames(dir, base string) (desc, data string) {
	stem := strings.TrimSuffix(filepath.Base(base), ".vmdk")
	for n := 1; ; n++ {
		desc = fmt.Sprintf("%s-%06d.vmdk", stem, n)
		if _, err := os.Stat(filepath.Join(dir, desc)); errors.Is(err, os.ErrNotExist) {
			return desc, fmt.Sprintf("%s-%06d-sesparse.vmdk", stem, n)
		}
	}
}
