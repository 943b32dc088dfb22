package target

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
)

// upload is a file streamed to the host with one HTTP PUT of unknown
// length (chunked), fed through a pipe by Write.
//
// The request is never cut short while the host may still act on it:
// cutting it ends the client's side at once, but the host may not even
// have begun the PUT yet (its bytes wait in the connection) and creates
// the file after the client has removed it. So Commit, Abort and a
// cancelled context end the request's body instead, and the file is
// checked or removed only after the host has answered, that is, after
// it is done with the file. A host that does not answer within endWait
// of that end has its request cut.
type upload struct {
	d       *Datastore
	p       string
	ctx     context.Context
	pw      *io.PipeWriter
	result  chan error
	cancel  context.CancelFunc
	stop    func() bool
	written int64
	done    bool
}

// endWait bounds how long ending a file waits for the host's answer to
// its request once the body has ended, before cutting the request.
const endWait = 30 * time.Second

func newUpload(ctx context.Context, d *Datastore, p string) *upload {
	// The request outlives a cancelled ctx until its body has ended and
	// the host has answered; see upload.
	reqCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	pr, pw := io.Pipe()
	u := &upload{d: d, p: p, ctx: ctx, pw: pw, result: make(chan error, 1), cancel: cancel}
	u.stop = context.AfterFunc(ctx, func() { _ = pw.Close() })
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
	if err := u.ctx.Err(); err != nil {
		return 0, fmt.Errorf("writing %s: %w", u.d.dsPath(tempName(u.p)), err)
	}
	n, err := u.pw.Write(p)
	u.written += int64(n)
	if err != nil {
		if cerr := u.ctx.Err(); cerr != nil && errors.Is(err, io.ErrClosedPipe) {
			err = cerr // the body was ended because the context was cancelled
		}
		return n, fmt.Errorf("writing %s: %w", u.d.dsPath(tempName(u.p)), err)
	}
	return n, nil
}

// Commit ends the request, checks the stored size and renames the file.
func (u *upload) Commit() error {
	if u.done {
		return ErrClosed
	}
	tmp := tempName(u.p)
	if err := u.end(true); err != nil {
		u.discard(tmp)
		return fmt.Errorf("storing %s: %w", u.d.dsPath(tmp), err)
	}
	st, err := u.d.Stat(u.ctx, tmp)
	if err != nil {
		u.discard(tmp)
		return fmt.Errorf("checking %s: %w", u.d.dsPath(tmp), err)
	}
	if st.Size != u.written {
		u.discard(tmp)
		return fmt.Errorf("storing %s: %d bytes stored of %d written", u.d.dsPath(tmp), st.Size, u.written)
	}
	return u.d.Rename(u.ctx, tmp, u.p)
}

// Abort ends the request and, once the host has answered it, removes
// what was stored.
func (u *upload) Abort() error {
	if u.done {
		return nil
	}
	_ = u.end(false)
	return u.d.RemoveAll(context.WithoutCancel(u.ctx), tempName(u.p))
}

// end ends the request's body and waits for the host's answer, which
// tells that the host is done with the file. For a commit it waits as long
// as the context lives, and at most endWait after it ends; otherwise at
// most endWait. A request still unanswered then is cut. It returns the
// request's error.
func (u *upload) end(commit bool) error {
	u.done = true
	u.stop()
	_ = u.pw.Close()
	defer u.cancel()
	if commit {
		select {
		case err := <-u.result:
			return err
		case <-u.ctx.Done():
		}
	}
	t := time.NewTimer(endWait)
	defer t.Stop()
	select {
	case err := <-u.result:
		return err
	case <-t.C:
		u.cancel()
		return fmt.Errorf("the host did not answer within %s of the end of the upload: %w", endWait, <-u.result)
	}
}

func (u *upload) discard(tmp string) { _ = u.d.RemoveAll(context.WithoutCancel(u.ctx), tmp) }
