package promtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Sample is one element of an instant vector.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// Query evaluates an instant query now and returns its vector (a scalar
// result is one sample without labels).
func (s *Server) Query(ctx context.Context, query string) ([]Sample, error) {
	u := s.URL + "/api/v1/query?" + url.Values{"query": {query}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", query, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", query, err)
	}
	return decode(query, resp.StatusCode, body)
}

// apiResponse is the envelope of Prometheus' query API.
type apiResponse struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

func decode(query string, code int, body []byte) ([]Sample, error) {
	var r apiResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("query %q: HTTP %d: %w: %.200s", query, code, err, body)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %q: %s: %s", query, r.ErrorType, r.Error)
	}
	switch r.Data.ResultType {
	case "vector":
		var raw []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(r.Data.Result, &raw); err != nil {
			return nil, fmt.Errorf("query %q: vector: %w", query, err)
		}
		out := make([]Sample, 0, len(raw))
		for _, v := range raw {
			f, err := value(v.Value)
			if err != nil {
				return nil, fmt.Errorf("query %q: %w", query, err)
			}
			out = append(out, Sample{Labels: v.Metric, Value: f})
		}
		return out, nil
	case "scalar":
		var v [2]any
		if err := json.Unmarshal(r.Data.Result, &v); err != nil {
			return nil, fmt.Errorf("query %q: scalar: %w", query, err)
		}
		f, err := value(v)
		if err != nil {
			return nil, fmt.Errorf("query %q: %w", query, err)
		}
		return []Sample{{Labels: map[string]string{}, Value: f}}, nil
	}
	return nil, fmt.Errorf("query %q: result type %q, want vector or scalar", query, r.Data.ResultType)
}

// value reads the [timestamp, "value"] pair of the API.
func value(v [2]any) (float64, error) {
	s, ok := v[1].(string)
	if !ok {
		return 0, fmt.Errorf("sample value %v is not a string", v[1])
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("sample value %q: %w", s, err)
	}
	return f, nil
}

// WaitFor queries every poll interval (a tenth of a second) until ok
// accepts the result, and returns that result; when ctx ends first it
// returns the last result and an error that shows it.
func (s *Server) WaitFor(ctx context.Context, query string, ok func([]Sample) bool) ([]Sample, error) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last []Sample
	var lastErr error
	for {
		last, lastErr = s.Query(ctx, query)
		if lastErr == nil && ok(last) {
			return last, nil
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("waiting for %q: %w (last result %v, error %v)", query, ctx.Err(), last, lastErr)
		case <-tick.C:
		}
	}
}

// OneValue accepts a result of exactly one sample equal to want, for
// WaitFor.
func OneValue(want float64) func([]Sample) bool {
	return func(s []Sample) bool { return len(s) == 1 && s[0].Value == want }
}
