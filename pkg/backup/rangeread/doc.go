// Package rangeread reads a remote file front to back with several HTTP
// Range requests in flight, so that the round-trip time of each request
// overlaps the transfer of the others: a hot backup reads a running VM's
// disks this way over the datastore's HTTPS file access (/folder URLs),
// where one request at a time leaves the link idle for a round trip per
// chunk.
//
// A Reader hands the bytes out in order (Read, or Next by whole chunks so
// that a caller can skip all-zero ones), holds at most InFlight+1 chunks in
// memory whatever the file's size, retries a failed range a few times (a
// range request is idempotent) and stops every request when its context
// ends or it is closed.
//
// The package knows nothing of hosts or of what it reads: the caller gives
// the function that fetches one range.
package rangeread
