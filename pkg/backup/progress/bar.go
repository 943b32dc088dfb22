package progress

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Interval is how often a bar is redrawn.
const Interval = 250 * time.Millisecond

// Bar is the progress of one transfer. Its methods are safe for concurrent
// use; a Bar that does not draw costs one atomic add per Add.
type Bar struct {
	w     io.Writer
	draw  bool
	rep   Reporter // may be nil
	total atomic.Int64
	done  atomic.Int64
	start time.Time
	now   func() time.Time

	mu    sync.Mutex // guards label, width and writes to w
	label string
	width int

	stop     chan struct{}
	finished sync.WaitGroup
	once     sync.Once
}

// New starts a bar for total bytes (0 when unknown) that draws on w only
// when tty is true.
func New(w io.Writer, tty bool, label string, total int64) *Bar {
	return newBar(w, tty, label, total, nil)
}

// Start is New, and the bar also tells the Reporter of ctx (WithReporter),
// if any, how far it is every Interval and when it finishes.
func Start(ctx context.Context, w io.Writer, tty bool, label string, total int64) *Bar {
	r, _ := ctx.Value(reporterKey{}).(Reporter)
	return newBar(w, tty, label, total, r)
}

func newBar(w io.Writer, tty bool, label string, total int64, r Reporter) *Bar {
	b := &Bar{w: w, draw: tty && w != nil, rep: r, label: label, start: time.Now(), now: time.Now, stop: make(chan struct{})}
	b.total.Store(total)
	if b.draw || b.rep != nil {
		b.finished.Add(1)
		go b.loop()
	}
	return b
}

// Add counts n more bytes done.
func (b *Bar) Add(n int64) { b.done.Add(n) }

// Done is the number of bytes counted so far.
func (b *Bar) Done() int64 { return b.done.Load() }

// SetLabel changes the label, e.g. to the file being transferred.
func (b *Bar) SetLabel(label string) {
	b.mu.Lock()
	b.label = label
	b.mu.Unlock()
}

// SetTotal changes the total.
func (b *Bar) SetTotal(total int64) { b.total.Store(total) }

// Finish draws the last state and ends the line. Calling it again does
// nothing.
func (b *Bar) Finish() {
	b.once.Do(func() {
		if !b.draw && b.rep == nil {
			return
		}
		close(b.stop)
		b.finished.Wait()
		b.report()
		if !b.draw {
			return
		}
		b.render()
		b.mu.Lock()
		fmt.Fprintln(b.w)
		b.mu.Unlock()
	})
}

func (b *Bar) loop() {
	defer b.finished.Done()
	t := time.NewTicker(Interval)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.report()
			if b.draw {
				b.render()
			}
		}
	}
}

func (b *Bar) report() {
	if b.rep == nil {
		return
	}
	b.mu.Lock()
	label := b.label
	b.mu.Unlock()
	b.rep.Report(label, b.done.Load(), b.total.Load())
}

func (b *Bar) render() {
	b.mu.Lock()
	defer b.mu.Unlock()
	line := Format(b.label, b.done.Load(), b.total.Load(), b.now().Sub(b.start))
	pad := ""
	if n := b.width - len(line); n > 0 {
		pad = strings.Repeat(" ", n) // wipe the rest of a longer previous line
	}
	b.width = len(line) + len(pad) // what is on the line now
	fmt.Fprintf(b.w, "\r%s%s", line, pad)
}

// Format renders one progress line: "label  1.2 GiB / 4.0 GiB  30%
// 120.5 MiB/s  ETA 0:23". Without a total it leaves out the total, percent
// and ETA; before any time has passed it leaves out the rate.
func Format(label string, done, total int64, elapsed time.Duration) string {
	parts := []string{label}
	if total > 0 {
		pct := float64(done) * 100 / float64(total)
		parts = append(parts, fmt.Sprintf("%s / %s", Bytes(done), Bytes(total)), fmt.Sprintf("%3.0f%%", min(pct, 100)))
	} else {
		parts = append(parts, Bytes(done))
	}
	if secs := elapsed.Seconds(); secs > 0 && done > 0 {
		rate := float64(done) / secs
		parts = append(parts, Bytes(int64(rate))+"/s")
		if total > done {
			eta := time.Duration(float64(total-done) / rate * float64(time.Second))
			parts = append(parts, "ETA "+clock(eta))
		}
	}
	return strings.Join(parts, "  ")
}

// Bytes renders a byte count in binary units: "512 B", "1.5 KiB", "4.0 GiB".
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// clock renders a duration as h:mm:ss or m:ss.
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
