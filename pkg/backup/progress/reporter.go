package progress

import "context"

// Reporter receives how far transfers are, for a front end that shows it
// elsewhere than on a terminal (the HTTP API's job state). Report is
// called from the bar's goroutine; implementations must be safe for
// concurrent use.
type Reporter interface {
	Report(label string, done, total int64)
}

type reporterKey struct{}

// WithReporter returns ctx whose bars (Start) report to r.
func WithReporter(ctx context.Context, r Reporter) context.Context {
	return context.WithValue(ctx, reporterKey{}, r)
}
