// Package progress draws the one-line progress of a transfer on a terminal:
// label, bytes done of the total, percent, rate and ETA, redrawn in place a
// few times a second. On anything that is not a terminal it writes nothing,
// so pipes and log files stay clean.
//
// It knows nothing of what is transferred.
package progress
