package esxisim

import (
	"crypto/sha1" //nolint:gosec // ESXi's NFC manifest is SHA-1
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/ceso/ceso/pkg/vmdk"
	"github.com/vmware/govmomi/simulator"
)

// serveNFC transfers the files of the simulator's leases; other lease URLs
// (vcsim's ExportSnapshot) go to vcsim.
func (s *Simulator) serveNFC(w http.ResponseWriter, r *http.Request) {
	id, name := r.PathValue("lease"), r.PathValue("file")
	s.mu.Lock()
	l := s.leases[id]
	s.mu.Unlock()
	if l == nil && strings.HasPrefix(id, "session[") {
		simulator.ServeNFC(w, r) // vcsim's own leases (ExportSnapshot)
		return
	}
	if l == nil {
		http.NotFound(w, r) // ended, aborted or timed out
		return
	}
	f := l.file(name)
	if f == nil {
		http.NotFound(w, r)
		return
	}
	var err error
	switch {
	case r.Method == http.MethodGet && l.export:
		err = l.download(w, r, name, f)
	case r.Method == http.MethodPost && f.nvram:
		// ESXi takes a non-disk file with PUT only (govmomi's nfc.Lease.Upload;
		// a POST of an NVRAM file got 405: pyvmomi-community-samples #540)
		_, _ = io.Copy(io.Discard, r.Body)
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	case r.Method != http.MethodGet && !l.export:
		err = l.upload(w, r, name, f)
	default:
		http.Error(w, "method not allowed on this lease", http.StatusMethodNotAllowed)
		return
	}
	var bad *badUpload
	switch {
	case errors.As(err, &bad):
		http.Error(w, err.Error(), http.StatusBadRequest)
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// badUpload is an upload whose content the host cannot take.
type badUpload struct{ err error }

func (b *badUpload) Error() string { return b.err.Error() }

// download serves a file of an export lease: a disk as a streamOptimized
// VMDK made as it is sent (no Content-Length, Range ignored, as the host
// compresses it on the fly), another file as it is (Range works). A
// complete transfer is hashed for the manifest.
func (l *nfcLease) download(w http.ResponseWriter, r *http.Request, name string, f *leaseFile) error {
	if f.disk {
		return l.streamDisk(w, name, f)
	}
	file, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", name, err)
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	if r.Header.Get("Range") != "" {
		http.ServeContent(w, r, name, st.ModTime(), file)
		return nil
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(st.Size()))
	sum := sha1.New() //nolint:gosec // see import
	n, err := io.Copy(io.MultiWriter(w, sum), file)
	if err == nil && n == st.Size() {
		l.recordSum(name, n, sum)
	}
	return nil
}

// streamDisk writes a disk's current state as a streamOptimized VMDK.
func (l *nfcLease) streamDisk(w http.ResponseWriter, name string, f *leaseFile) error {
	c, err := openChain(f.desc, f.capacity)
	if err != nil {
		return fmt.Errorf("opening %s: %w", name, err)
	}
	defer c.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	sum := sha1.New() //nolint:gosec // see import
	cw := &countWriter{w: io.MultiWriter(w, sum)}
	sw, err := vmdk.NewStreamWriter(cw, f.capacity, vmdk.WriterOptions{FileName: name, CID: contentID(f.desc)})
	if err != nil {
		return fmt.Errorf("streaming %s: %w", name, err)
	}
	buf := make([]byte, 1<<20)
	for off := int64(0); off < f.capacity; off += int64(len(buf)) {
		n, rerr := c.ReadAt(buf[:min(int64(len(buf)), f.capacity-off)], off)
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return fmt.Errorf("reading %s: %w", name, rerr)
		}
		if _, err := sw.Write(buf[:n]); err != nil {
			return nil // the client went away
		}
	}
	if err := sw.Close(); err != nil {
		return nil
	}
	l.recordSum(name, cw.n, sum)
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// upload takes an upload of an import lease: a disk as a streamOptimized
// VMDK, which is written into the VM's flat disk (holes left sparse); any
// other file as it is.
func (l *nfcLease) upload(w http.ResponseWriter, r *http.Request, name string, f *leaseFile) error {
	sum := sha1.New() //nolint:gosec // see import
	counted := &countReader{r: r.Body}
	body := io.TeeReader(counted, sum)
	var err error
	if f.disk {
		err = writeStreamOptimized(f.path, body)
	} else {
		err = writeFile(f.path, body)
	}
	if err != nil {
		// Read the rest before answering: a client still sending would
		// otherwise see the connection close under its request.
		_, _ = io.Copy(io.Discard, body)
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if _, err := io.Copy(io.Discard, body); err != nil { // what follows the end-of-stream marker
		return fmt.Errorf("reading %s: %w", name, err)
	}
	l.recordSum(name, counted.n, sum)
	w.WriteHeader(http.StatusOK)
	return nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func writeFile(path string, r io.Reader) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeStreamOptimized decodes a streamOptimized VMDK into a flat file of
// its capacity, writing only the stored grains.
func writeStreamOptimized(path string, r io.Reader) error {
	sr, err := vmdk.NewStreamReader(r)
	if err != nil {
		return &badUpload{fmt.Errorf("the upload is not a streamOptimized VMDK: %w", err)}
	}
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	for err == nil {
		var off int64
		var data []byte
		off, data, err = sr.Next()
		if err == nil {
			_, err = out.WriteAt(data, off)
		}
	}
	if errors.Is(err, io.EOF) {
		err = out.Truncate(sr.Capacity())
	} else if err != nil {
		err = &badUpload{fmt.Errorf("the upload is not a valid streamOptimized VMDK: %w", err)}
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
