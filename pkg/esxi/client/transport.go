package client

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// transport sits between govmomi and the SOAP client: it counts round trips
// and, when a call fails with NotAuthenticated (the session expired or was
// terminated), logs in again once and repeats the call.
type transport struct{ c *Client }

func (t *transport) RoundTrip(ctx context.Context, req, res soap.HasFault) (err error) {
	c := t.c
	c.touch()
	c.roundTrips.Add(1)
	if o := c.cfg.Observer; o != nil {
		start := time.Now()
		defer func() { o.ObserveCall(methodName(req), time.Since(start), err) }()
	}
	gen := c.generation()
	err = c.soap.RoundTrip(ctx, req, res)
	if err == nil || isSessionCall(req) || !IsFault(err, &types.NotAuthenticated{}) {
		return err
	}
	if rerr := c.renew(ctx, gen); rerr != nil {
		return fmt.Errorf("%w: renewing the session: %w", ErrNotAuthenticated, rerr)
	}
	resetBody(res)
	c.roundTrips.Add(1)
	return c.soap.RoundTrip(ctx, req, res)
}

// methodName is the API method of a request body: *methods.PowerOnVM_TaskBody
// is "PowerOnVM_Task".
func methodName(req soap.HasFault) string {
	t := reflect.TypeOf(req)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return strings.TrimSuffix(t.Name(), "Body")
}

func isSessionCall(req soap.HasFault) bool {
	switch req.(type) {
	case *methods.LoginBody, *methods.LogoutBody:
		return true
	}
	return false
}

// resetBody zeroes a response body so that a retry does not see the fault of
// the first attempt.
func resetBody(res soap.HasFault) {
	v := reflect.ValueOf(res)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v.Elem().Set(reflect.Zero(v.Elem().Type()))
	}
}

func errkindKnown(err error) bool { return errkind.Of(err) != errkind.Unknown }
