package esxisim

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Delta data files. On VMFS6 a snapshot moves each disk onto a new SEsparse
// delta ("<disk>-000001.vmdk", data in "<disk>-000001-sesparse.vmdk") that
// holds the grains written since, copy on write in 4 KiB grains. The
// simulator keeps the same structure with a data file of its own making
// (not SEsparse's on-disk layout, which no client reads):
//
//   - a 4 KiB text header: deltaMagic, then "capacity: N" and "grain: 4096";
//   - a bitmap, one bit per grain (bit i%8 of byte i/8), set once the grain
//     is in this file;
//   - from deltaDataOffset(capacity), grain i at i*deltaGrain, in a sparse
//     file: grains never written take no room.
const (
	deltaMagic      = "CESO ESXISIM SESPARSE DELTA v1\n"
	deltaGrain      = 4096
	deltaHeaderSize = 4096
)

// deltaFile is an open delta data file. It is not safe for concurrent use:
// the VM's lock serialises its users.
type deltaFile struct {
	f        *os.File
	capacity int64
	bitmap   []byte
}

func grains(capacity int64) int64 { return (capacity + deltaGrain - 1) / deltaGrain }

// deltaDataOffset is where grain 0 is stored: after the header and the
// bitmap, rounded up to a MiB.
func deltaDataOffset(capacity int64) int64 {
	end := deltaHeaderSize + (grains(capacity)+7)/8
	return (end + (1<<20 - 1)) &^ (1<<20 - 1)
}

// createDelta writes an empty delta data file for a disk of capacity bytes.
// It refuses to overwrite a file.
func createDelta(path string, capacity int64) error {
	if capacity <= 0 {
		return fmt.Errorf("delta %s: capacity %d", path, capacity)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	h := make([]byte, deltaHeaderSize)
	copy(h, fmt.Sprintf("%scapacity: %d\ngrain: %d\n", deltaMagic, capacity, deltaGrain))
	_, err = f.Write(h)
	if err == nil {
		err = f.Truncate(deltaDataOffset(capacity) + grains(capacity)*deltaGrain)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}

// openDelta opens a delta data file for reading and writing.
func openDelta(path string) (*deltaFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	d, err := readDeltaHeader(f)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("delta %s: %w", path, err)
	}
	return d, nil
}

func readDeltaHeader(f *os.File) (*deltaFile, error) {
	h := make([]byte, deltaHeaderSize)
	if _, err := io.ReadFull(f, h); err != nil {
		return nil, fmt.Errorf("reading the header: %w", err)
	}
	text, ok := bytes.CutPrefix(h, []byte(deltaMagic))
	if !ok {
		return nil, fmt.Errorf("not a simulator delta file")
	}
	var capacity, grain int64
	for _, line := range strings.Split(string(bytes.TrimRight(text, "\x00")), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "capacity":
			capacity = n
		case "grain":
			grain = n
		}
	}
	if capacity <= 0 || grain != deltaGrain {
		return nil, fmt.Errorf("header says capacity %d, grain %d", capacity, grain)
	}
	d := &deltaFile{f: f, capacity: capacity, bitmap: make([]byte, (grains(capacity)+7)/8)}
	if _, err := f.ReadAt(d.bitmap, deltaHeaderSize); err != nil {
		return nil, fmt.Errorf("reading the grain bitmap: %w", err)
	}
	return d, nil
}

func (d *deltaFile) Close() error { return d.f.Close() }

// has reports whether grain g is stored in this delta.
func (d *deltaFile) has(g int64) bool {
	return g >= 0 && g < grains(d.capacity) && d.bitmap[g/8]&(1<<(g%8)) != 0
}

// stored returns the stored grains in ascending order.
func (d *deltaFile) stored() []int64 {
	var out []int64
	for i, b := range d.bitmap {
		for bit := range 8 {
			if b&(1<<bit) != 0 {
				out = append(out, int64(i)*8+int64(bit))
			}
		}
	}
	return out
}

// readGrain reads stored grain g into buf (deltaGrain bytes).
func (d *deltaFile) readGrain(g int64, buf []byte) error {
	_, err := d.f.ReadAt(buf[:deltaGrain], deltaDataOffset(d.capacity)+g*deltaGrain)
	return err
}

// writeGrain stores a whole grain and marks it in the bitmap.
func (d *deltaFile) writeGrain(g int64, buf []byte) error {
	if g < 0 || g >= grains(d.capacity) {
		return fmt.Errorf("grain %d outside a disk of %d bytes", g, d.capacity)
	}
	if _, err := d.f.WriteAt(buf[:deltaGrain], deltaDataOffset(d.capacity)+g*deltaGrain); err != nil {
		return err
	}
	if d.has(g) {
		return nil
	}
	d.bitmap[g/8] |= 1 << (g % 8)
	_, err := d.f.WriteAt(d.bitmap[g/8:g/8+1], deltaHeaderSize+g/8)
	return err
}
