package esxihost

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ceso/ceso/pkg/backup/rangeread"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/vmware/govmomi/object"
)

// The datastore's HTTPS file access: https://HOST/folder/PATH?dcPath=
// ha-datacenter&dsName=DS, with the session's cookie. It serves any file of
// a datastore, those of a running VM included (a snapshot's parent disks
// are read-only while the VM runs on the delta), answers Range requests
// with 206, and takes a PUT of a new file. Every licence allows it.

// fileURL is the /folder URL of the datastore path "[ds] dir/file".
func (h *Host) fileURL(ctx context.Context, dsPath string) (*url.URL, error) {
	var p object.DatastorePath
	if !p.FromString(dsPath) || p.Datastore == "" || p.Path == "" {
		return nil, fmt.Errorf("%q is not a datastore path of a file", dsPath)
	}
	f, err := h.find(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := f.Datastore(ctx, p.Datastore)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrDatastoreMissing, p.Datastore, client.Classify(err))
	}
	return ds.NewURL(p.Path), nil
}

// httpClient is the session's HTTP client.
func (h *Host) httpClient() *http.Client { return &h.c.Vim().Client.Client }

// Get reads a whole datastore file of at most limit bytes. A missing file
// is client.ErrNotFound. A dry run reads too: reading changes nothing.
func (h *Host) Get(ctx context.Context, dsPath string, limit int64) ([]byte, error) {
	u, err := h.fileURL(ctx, dsPath)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	res, err := h.httpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dsPath, client.Classify(err))
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, fmt.Errorf("reading %s: %w: the host answered %s", dsPath, client.ErrNotFound, res.Status)
	default:
		return nil, fmt.Errorf("reading %s: the host answered %s", dsPath, res.Status)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dsPath, client.Classify(err))
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("reading %s: larger than %d bytes", dsPath, limit)
	}
	return data, nil
}

// Put writes size bytes of body to a datastore file, replacing it if it
// exists. The folder is made by the host if missing.
func (h *Host) Put(ctx context.Context, dsPath string, body io.Reader, size int64) error {
	if h.dry() {
		h.record(ops.Step{Via: "api", Action: "PUT " + dsPath, Detail: fmt.Sprintf("%d bytes over the datastore's HTTPS file access", size)})
		return nil
	}
	u, err := h.fileURL(ctx, dsPath)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), body)
	if err != nil {
		return err
	}
	req.ContentLength = size
	if size == 0 {
		req.Body = http.NoBody
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	res, err := h.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("uploading %s: %w", dsPath, client.Classify(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK, http.StatusCreated, http.StatusNoContent:
		return nil
	case http.StatusInsufficientStorage, http.StatusRequestEntityTooLarge:
		return fmt.Errorf("uploading %s: %w: the host answered %s", dsPath, client.ErrNoDiskSpace, res.Status)
	}
	return fmt.Errorf("uploading %s: the host answered %s", dsPath, res.Status)
}

// Size is the size of a datastore file, from the host's answer to a
// one-byte Range request (Content-Range: bytes 0-0/SIZE, or the length of
// a whole answer). A missing file is client.ErrNotFound.
func (h *Host) Size(ctx context.Context, dsPath string) (int64, error) {
	u, err := h.fileURL(ctx, dsPath)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Range", "bytes=0-0")
	res, err := h.httpClient().Do(req)
	if err != nil {
		return 0, fmt.Errorf("reading the size of %s: %w", dsPath, client.Classify(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4<<10))
	_ = res.Body.Close()
	switch res.StatusCode {
	case http.StatusPartialContent:
		_, total, ok := strings.Cut(res.Header.Get("Content-Range"), "/")
		n, err := strconv.ParseInt(total, 10, 64)
		if !ok || err != nil || n < 0 {
			return 0, fmt.Errorf("reading the size of %s: the host sent Content-Range %q", dsPath, res.Header.Get("Content-Range"))
		}
		return n, nil
	case http.StatusOK:
		// The whole file instead of a range (an empty file has no byte 0):
		// its length says its size.
		if res.ContentLength >= 0 {
			return res.ContentLength, nil
		}
	case http.StatusRequestedRangeNotSatisfiable:
		return 0, nil // an empty file has no byte 0
	case http.StatusNotFound:
		return 0, fmt.Errorf("reading the size of %s: %w: the host answered %s", dsPath, client.ErrNotFound, res.Status)
	}
	return 0, fmt.Errorf("reading the size of %s: the host answered %s", dsPath, res.Status)
}

// RangeOptions say how ReadRanges reads.
type RangeOptions struct {
	// Size is the number of bytes to read from the start of the file.
	Size int64
	// InFlight is the number of Range requests at once (each on a
	// connection of its own); ChunkSize the size of each.
	InFlight  int
	ChunkSize int64
	// Progress receives the size of each chunk read.
	Progress func(int64)
}

// ReadRanges reads the first o.Size bytes of a datastore file with
// o.InFlight Range requests at once, over connections of their own that
// carry the session's cookie. Close the reader when done; it closes its
// connections.
func (h *Host) ReadRanges(ctx context.Context, dsPath string, o RangeOptions) (*Ranges, error) {
	u, err := h.fileURL(ctx, dsPath)
	if err != nil {
		return nil, err
	}
	inflight := max(o.InFlight, 1)
	// A transport of its own: as many idle connections as requests in
	// flight (the session's keeps two), with the session's TLS checks.
	t := h.c.Vim().Client.DefaultTransport().Clone()
	t.MaxIdleConnsPerHost = inflight
	hc := &http.Client{Transport: t, Jar: h.httpClient().Jar}
	r := rangeread.New(ctx, rangeread.HTTP(hc, u.String()), rangeread.Options{
		Size: o.Size, ChunkSize: o.ChunkSize, InFlight: inflight, Progress: o.Progress,
	})
	return &Ranges{Reader: r, t: t}, nil
}

// Ranges is an open ReadRanges.
type Ranges struct {
	*rangeread.Reader
	t *http.Transport
}

// Close stops the requests in flight and closes the connections.
func (r *Ranges) Close() error {
	err := r.Reader.Close()
	r.t.CloseIdleConnections()
	return err
}
