package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/server/api"
)

// Error is an error answered by the server. Its kind is its code's, so
// errkind.Of and the CLI's exit codes see it as they would see the
// server's own error.
type Error struct {
	// Body is the server's error.
	Body api.Error
	// Status is the HTTP status of the answer (200 for a job that failed).
	Status int
}

func (e *Error) Error() string { return e.Body.Message }

// Kind implements errkind's classification.
func (e *Error) Kind() errkind.Kind { return api.KindOf(e.Body.Code) }

func answerError(status int, data []byte) error {
	var e api.Error
	if err := json.Unmarshal(data, &e); err != nil || e.Code == "" {
		msg := fmt.Sprintf("the ceso server answered %d %s", status, http.StatusText(status))
		switch {
		case status == http.StatusUnauthorized:
			e.Code = api.CodeAuth
		case status == http.StatusForbidden:
			e.Code = api.CodeRefused
		case status == http.StatusNotFound:
			e.Code, msg = api.CodeNotFound, msg+": is it a ceso server?"
		default:
			e.Code = api.CodeConnection
		}
		e.Message = msg
	}
	if status == http.StatusUnauthorized {
		e.Message = "the ceso server refused the token: " + e.Message
	}
	return &Error{Body: e, Status: status}
}

// Invoke runs operation op with params (JSON) on the server as call asks
// (a dry run, a timeout on the server, a lower mode, a confirmation, a
// promotion token or an approval). A job is followed until it ends; when
// ctx ends first, the job is cancelled. A batch that partly failed returns
// its result with the error; a refused write, its plan and plan ID.
func (c *Client) Invoke(ctx context.Context, op string, call api.Call, params json.RawMessage) (api.Outcome, error) {
	q := url.Values{}
	if call.DryRun {
		q.Set(api.DryRunParam, "true")
	}
	if call.Timeout > 0 {
		q.Set(api.TimeoutParam, call.Timeout.Round(time.Millisecond).String())
	}
	h := http.Header{}
	for k, v := range map[string]string{api.ModeHeader: call.Mode, api.PromotionTokenHeader: call.PromotionToken, api.ApprovalHeader: call.Approval} {
		if v != "" {
			h.Set(k, v)
		}
	}
	if call.Confirmed {
		h.Set(api.ConfirmedHeader, "true")
	}
	var raw json.RawMessage
	status, err := c.doWith(ctx, http.MethodPost, api.OpsPrefix+op, q, h, params, &raw)
	if err != nil {
		return outcomeOfError(err), err
	}
	if status == http.StatusAccepted {
		var j api.Job
		if err := json.Unmarshal(raw, &j); err != nil {
			return api.Outcome{}, errkind.Wrap(errkind.Connection, fmt.Errorf("the ceso server's job is not what the API says: %w", err))
		}
		return c.follow(ctx, j)
	}
	var out api.Outcome
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, errkind.Wrap(errkind.Connection, fmt.Errorf("the ceso server's outcome is not what the API says: %w", err))
	}
	return out, nil
}

func outcomeOfError(err error) api.Outcome {
	if e, ok := err.(*Error); ok {
		return api.Outcome{CorrelationID: e.Body.CorrelationID, Result: e.Body.Result, Plan: e.Body.Plan, PlanID: e.Body.PlanID}
	}
	return api.Outcome{}
}

// follow reads job j until it ends; if ctx ends first, it cancels it.
func (c *Client) follow(ctx context.Context, j api.Job) (api.Outcome, error) {
	abandon := func() (api.Outcome, error) {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_, _ = c.Cancel(cctx, j.ID)
		cancel()
		return api.Outcome{CorrelationID: j.ID}, fmt.Errorf("waiting for job %s (%s): %w; the job was cancelled", j.ID, j.Operation, ctx.Err())
	}
	wait := c.poll
	for !api.Terminal(j.State) {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return abandon()
		case <-t.C:
		}
		wait = min(2*wait, maxPoll)
		next, err := c.Job(ctx, j.ID)
		if err != nil {
			if ctx.Err() != nil {
				return abandon()
			}
			return api.Outcome{CorrelationID: j.ID}, err
		}
		j = next
	}
	out := api.Outcome{CorrelationID: j.CorrelationID, Result: j.Result, Notes: j.Notes}
	if j.State == api.StateSucceeded {
		return out, nil
	}
	e := &Error{Status: http.StatusOK}
	if j.Error != nil {
		e.Body = *j.Error
		out.Result, out.Plan, out.PlanID = j.Error.Result, j.Error.Plan, j.Error.PlanID
	} else {
		e.Body = api.Error{Code: api.CodeError, Message: "job " + j.ID + " ended " + j.State + " without an error", CorrelationID: j.ID}
	}
	return out, e
}

// Job reads job id.
func (c *Client) Job(ctx context.Context, id string) (api.Job, error) {
	var j api.Job
	_, err := c.do(ctx, http.MethodGet, api.JobsPath+"/"+url.PathEscape(id), nil, nil, &j)
	return j, err
}

// Cancel asks the server to cancel job id and returns it.
func (c *Client) Cancel(ctx context.Context, id string) (api.Job, error) {
	var j api.Job
	_, err := c.do(ctx, http.MethodDelete, api.JobsPath+"/"+url.PathEscape(id), nil, nil, &j)
	return j, err
}

// Jobs lists the token's jobs.
func (c *Client) Jobs(ctx context.Context) ([]api.Job, error) {
	var l api.JobList
	_, err := c.do(ctx, http.MethodGet, api.JobsPath, nil, nil, &l)
	return l.Jobs, err
}
