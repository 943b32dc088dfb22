package retention

import (
	"fmt"
	"time"
)

// bucket is the running state of one counting rule while a VM's backups are
// walked newest first.
type bucket struct {
	kind string
	left int                    // buckets still to fill; Unlimited never runs out
	used int                    // backups taken so far
	last string                 // key of the newest bucket filled so far
	key  func(time.Time) string // nil: every backup is its own bucket ("last")
}

func newBuckets(p Policy) []bucket {
	return []bucket{
		{kind: "last", left: p.KeepLast},
		{kind: "daily", left: p.KeepDaily, key: dayKey},
		{kind: "weekly", left: p.KeepWeekly, key: weekKey},
		{kind: "monthly", left: p.KeepMonthly, key: monthKey},
		{kind: "yearly", left: p.KeepYearly, key: yearKey},
	}
}

// take offers the backup taken at t (already in the policy's time zone) to
// the rule. It is taken when the rule has room and t opens a bucket not yet
// filled, or, as restic does, when t is the oldest complete backup and the
// rule still has room. take returns the reason when it takes the backup.
func (b *bucket) take(t time.Time, oldest bool) (string, bool) {
	if b.left == 0 {
		return "", false
	}
	var reason string
	switch {
	case b.key == nil:
		reason = fmt.Sprintf("%s backup #%d", b.kind, b.used+1)
	case b.key(t) != b.last:
		b.last = b.key(t)
		reason = fmt.Sprintf("%s backup %s", b.kind, b.last)
	case oldest:
		reason = fmt.Sprintf("oldest %s backup %s", b.kind, b.last)
	default:
		return "", false
	}
	b.used++
	if b.left > 0 {
		b.left--
	}
	return reason, true
}

func dayKey(t time.Time) string { return t.Format(time.DateOnly) }

func weekKey(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

func monthKey(t time.Time) string { return t.Format("2006-01") }

func yearKey(t time.Time) string { return t.Format("2006") }
