// Package retention decides which backups a retention policy keeps and which
// it removes, and says why for every one of them.
//
// The rules follow restic's "forget": a policy keeps the newest backup of
// each of the last N calendar days, ISO weeks, months and years, plus the
// last N backups, and a backup is kept when any rule selects it. When a rule
// still has room after the newest backup of every bucket is taken, the oldest
// backup is kept as well, which stretches the history as far as the counts
// allow. A count of -1 (Unlimited) selects every bucket. Buckets are
// calendar periods in Policy.Location (UTC when nil), so a day is a local
// day even across daylight saving changes.
//
// ceso adds three rules to restic's:
//
//   - Backups are grouped by VM; each VM's backups are judged on their own.
//   - A backup that is not complete (OK false: failed, or known to be
//     corrupt) never fills a bucket nor a "last" slot, so it can never
//     displace a good backup. It is kept, for inspection, only while it is
//     the newest backup of its VM (the last run failed); any newer backup,
//     complete or not, supersedes it, so failed runs never pile up.
//   - The newest verified backup of each VM (complete and with a successful
//     verification) is never removed, whatever the policy says.
//
// Reasons follow restic's wording with "backup" for its "snapshot": "last
// backup #1", "daily backup 2026-11-03", "weekly backup 2026-W45", "oldest
// monthly backup 2026-01".
//
// A policy that would keep nothing is refused by Policy.Validate; Apply given
// such a policy removes nothing.
//
// The package only decides. It deletes nothing and imports no storage: the
// caller removes the files of the backups marked for removal, then their
// catalog entries.
package retention
