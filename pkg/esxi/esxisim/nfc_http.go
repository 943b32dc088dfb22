package esxisim

import (
	"crypto/sha1" //nolint:gosec // ESXi's NFC manifest is SHA-1
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

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
	case r.Method != http.MethodGet && !l.export:
		err = l.upload(w, r, name, f)
	default:
		http.Error(w, "method not allowed on this lease", http.StatusMethodNotAllowed)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// download serves a disk of an export lease. A request without Range is
// hashed for the manifest.
func (l *nfcLease) download(w http.ResponseWriter, r *http.Request, name string, f *leaseFile) error {
	file, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", name, err)
	}
	defer file.Close()
	if r.Header.Get("Range") != "" {
		st, err := file.Stat()
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
		http.ServeContent(w, r, name, st.ModTime(), file)
		return nil
	}
	st, err := file.Stat()
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
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

// upload writes an upload of an import lease into the VM's flat disk.
func (l *nfcLease) upload(w http.ResponseWriter, r *http.Request, name string, f *leaseFile) error {
	out, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("opening %s: %w", name, err)
	}
	sum := sha1.New() //nolint:gosec // see import
	n, err := io.Copy(out, io.TeeReader(r.Body, sum))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	l.recordSum(name, n, sum)
	w.WriteHeader(http.StatusOK)
	return nil
}
