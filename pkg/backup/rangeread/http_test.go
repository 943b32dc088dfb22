package rangeread

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// server serves data with Range support (http.ServeContent), after delay
// per request; mode changes its answers.
func server(tb testing.TB, data []byte, delay time.Duration, mode func(w http.ResponseWriter, r *http.Request, n int32) bool) (*httptest.Server, *atomic.Int32) {
	tb.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := n.Add(1)
		if delay > 0 {
			time.Sleep(delay)
		}
		if mode != nil && mode(w, r, c) {
			return
		}
		http.ServeContent(w, r, "disk-flat.vmdk", time.Time{}, bytes.NewReader(data))
	}))
	tb.Cleanup(srv.Close)
	return srv, &n
}

func TestHTTP(t *testing.T) {
	data := randomBytes(10 << 10)
	tests := []struct {
		name    string
		mode    func(w http.ResponseWriter, r *http.Request, n int32) bool
		wantErr string
	}{
		{"ranges", nil, ""},
		{"one server error, retried", func(w http.ResponseWriter, r *http.Request, n int32) bool {
			if n == 2 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return true
			}
			return false
		}, ""},
		{"range ignored", func(w http.ResponseWriter, r *http.Request, n int32) bool {
			r.Header.Del("Range")
			return false
		}, "answered 200 OK to a Range request"},
		{"not found", func(w http.ResponseWriter, r *http.Request, n int32) bool {
			http.NotFound(w, r)
			return true
		}, "404 Not Found"},
		{"wrong range", func(w http.ResponseWriter, r *http.Request, n int32) bool {
			r.Header.Set("Range", "bytes=0-99")
			return false
		}, `sent Content-Range "bytes 0-99/10240"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := server(t, data, 0, tt.mode)
			r := New(context.Background(), HTTP(srv.Client(), srv.URL+"/folder/x"), Options{Size: int64(len(data)), ChunkSize: 4 << 10, InFlight: 2, Backoff: time.Millisecond})
			got, err := io.ReadAll(r)
			_ = r.Close()
			if tt.wantErr == "" {
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("read %d bytes, %v", len(got), err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	if err := checkContentRange("bytes 5-9/10", 5, 5); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "bytes 5-9", "items 5-9/10", "bytes x-9/10", "bytes 5-y/10", "bytes 5-8/10"} {
		if checkContentRange(bad, 5, 5) == nil {
			t.Errorf("Content-Range %q accepted", bad)
		}
	}
	fetch := HTTP(http.DefaultClient, "http://\x7f")
	if _, err := fetch(context.Background(), 0, 1); err == nil {
		t.Fatal("bad URL accepted")
	}
}
