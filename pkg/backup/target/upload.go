package target

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/ceso/ceso/pkg/esxi/client"
)

// upload is a file streamed to the host with one HTTP PUT of unknown
// length (chunked), fed through a pipe by Write.
type upload struct {
	d       *Datastore
	p       string
	ctx     context.Context
	pw      *io.PipeWriter
	result  chan error
	cancel  context.CancelFunc
	written int64
	done    bool
}

func newUpload(ctx context.Context, d *Datastore, p string) *upload {
	reqCtx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	u := &upload{d: d, p: p, ctx: ctx, pw: pw, result: make(chan error, 1), cancel: cancel}
	go func() {
		err := d.put(reqCtx, tempName(p), pr)
		// Unblock a writer if the request ended before the body did.
		_ = pr.CloseWithError(errUploadEnded(err))
		u.result <- err
	}()
	return u
}

// put sends body to the file at p (relative to the target) and checks the
// answer's status.
func (d *Datastore) put(ctx context.Context, p string, body io.Reader) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, d.ds.NewURL(d.rel(p)).String(), body)
	if err != nil {
		return err
	}
	req.ContentLength = -1 // unknown: sent chunked
	req.Header.Set("Content-Type", "application/octet-stream")
	res, err := d.c.Vim().Client.Client.Do(req)
	if err != nil {
		return client.Classify(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK, http.StatusCreated, http.StatusNoContent:
		return nil
	case http.StatusInsufficientStorage, http.StatusRequestEntityTooLarge:
		return fmt.Errorf("%w: the host answered %s", ErrFull, res.Status)
	case http.StatusNotFound:
		return fmt.Errorf("%w: the host answered %s", ErrNotExist, res.Status)
	}
	return fmt.Errorf("the host answered %s", res.Status)
}

func errUploadEnded(err error) error {
	if err == nil {
		return errors.New("the host ended the upload early")
	}
	return err
}

func (u *upload) Write(p []byte) (int, error) {
	if u.done {
		return 0, ErrClosed
	}
	n, err := u.pw.Write(p)
	u.written += int64(n)
	if err != nil {
		return n, fmt.Errorf("writing %s: %w", u.d.dsPath(tempName(u.p)), err)
	}
	return n, nil
}

// Commit ends the request, checks the stored size and renames the file.
func (u *upload) Commit() error {
	if u.done {
		return ErrClosed
	}
	u.done = true
	defer u.cancel()
	_ = u.pw.Close()
	tmp := tempName(u.p)
	if err := <-u.result; err != nil {
		u.discard(tmp)
		return fmt.Errorf("storing %s: %w", u.d.dsPath(tmp), err)
	}
	st, err := u.d.Stat(u.ctx, tmp)
	if err != nil {
		return fmt.Errorf("checking %s: %w", u.d.dsPath(tmp), err)
	}
	if st.Size != u.written {
		u.discard(tmp)
		return fmt.Errorf("storing %s: %d bytes stored of %d written", u.d.dsPath(tmp), st.Size, u.written)
	}
	return u.d.Rename(u.ctx, tmp, u.p)
}

// Abort cancels the request and removes what was stored.
func (u *upload) Abort() error {
	if u.done {
		return nil
	}
	u.done = true
	u.cancel()
	_ = u.pw.CloseWithError(errors.New("upload aborted"))
	<-u.result
	return u.d.RemoveAll(context.WithoutCancel(u.ctx), tempName(u.p))
}

func (u *upload) discard(tmp string) { _ = u.d.RemoveAll(context.WithoutCancel(u.ctx), tmp) }
