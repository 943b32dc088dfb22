package rangeread

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// HTTP fetches ranges of the file at url with GET requests carrying a
// Range header, through c (whose cookie jar holds the session). The server
// must answer 206 Partial Content with exactly the range asked for; a
// server that ignores Range (200) or answers 4xx fails at once, a 5xx or a
// broken connection is retried.
func HTTP(c *http.Client, url string) Fetch {
	return func(ctx context.Context, off, n int64) (io.ReadCloser, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, Permanent(err)
		}
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+n-1))
		res, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		if res.StatusCode == http.StatusPartialContent {
			if err := checkContentRange(res.Header.Get("Content-Range"), off, n); err != nil {
				_ = res.Body.Close()
				return nil, Permanent(err)
			}
			return res.Body, nil
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4<<10))
		_ = res.Body.Close()
		err = fmt.Errorf("the server answered %s to a Range request", res.Status)
		if res.StatusCode < 500 {
			return nil, Permanent(err)
		}
		return nil, err
	}
}

// checkContentRange checks that "bytes FIRST-LAST/TOTAL" is the range
// asked for.
func checkContentRange(h string, off, n int64) error {
	rest, ok := strings.CutPrefix(h, "bytes ")
	span, _, ok2 := strings.Cut(rest, "/")
	first, last, ok3 := strings.Cut(span, "-")
	a, err1 := strconv.ParseInt(first, 10, 64)
	b, err2 := strconv.ParseInt(last, 10, 64)
	if !ok || !ok2 || !ok3 || err1 != nil || err2 != nil || a != off || b != off+n-1 {
		return fmt.Errorf("asked for bytes %d-%d, the server sent Content-Range %q", off, off+n-1, h)
	}
	return nil
}
