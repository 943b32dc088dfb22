package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/errkind"
)

func TestCodesRoundTrip(t *testing.T) {
	for k := errkind.Unknown; k <= errkind.Canceled; k++ {
		err := errkind.Wrap(k, fmt.Errorf("boom"))
		code := Code(err)
		if code == "" {
			t.Fatalf("kind %s has no code", k)
		}
		if back := KindOf(code); back != k {
			t.Errorf("kind %s → %q → %s", k, code, back)
		}
	}
	if len(Codes()) != int(errkind.Canceled)+1 {
		t.Fatalf("Codes lists %d codes", len(Codes()))
	}
	if KindOf("martian") != errkind.Unknown {
		t.Fatal("an unknown code must be unknown")
	}
}

func TestContextErrorsHaveCodes(t *testing.T) {
	tests := []struct {
		err  error
		code string
	}{
		{fmt.Errorf("listing: %w", context.Canceled), CodeInterrupted},
		{fmt.Errorf("listing: %w", context.DeadlineExceeded), CodeTimeout},
		{errkind.Wrap(errkind.NotFound, context.Canceled), CodeNotFound},
		{fmt.Errorf("plain"), CodeError},
	}
	for _, tt := range tests {
		if got := Code(tt.err); got != tt.code {
			t.Errorf("Code(%v) = %q, want %q", tt.err, got, tt.code)
		}
	}
}

func TestStatus(t *testing.T) {
	want := map[string]int{
		CodeUsage: http.StatusBadRequest, CodeNotFound: http.StatusNotFound, CodeRefused: http.StatusForbidden,
		CodeConnection: http.StatusBadGateway, CodeAuth: http.StatusBadGateway, CodeTimeout: http.StatusGatewayTimeout,
		CodeInterrupted: http.StatusServiceUnavailable, CodePartial: http.StatusInternalServerError,
		CodeError: http.StatusInternalServerError, CodeConfig: http.StatusInternalServerError,
	}
	for code, status := range want {
		if got := Status(code); got != status {
			t.Errorf("Status(%q) = %d, want %d", code, got, status)
		}
	}
	for _, s := range []string{StateSucceeded, StateFailed, StateCanceled} {
		if !Terminal(s) {
			t.Errorf("%s is terminal", s)
		}
	}
	if Terminal(StateQueued) || Terminal(StateRunning) {
		t.Fatal("queued and running are not terminal")
	}
	if (&Error{Message: "m"}).Error() != "m" {
		t.Fatal("Error() is the message")
	}
}

func TestFingerprint(t *testing.T) {
	fp := Fingerprint([]byte("x"))
	if len(fp) != 95 || fp[:11] != "2D:71:16:42" || fp != strings.ToUpper(fp) {
		t.Fatalf("fingerprint %s", fp)
	}
}
