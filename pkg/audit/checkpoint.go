package audit

import (
	"fmt"
	"strconv"
	"strings"
)

// Checkpoint is the head of a log: how many records it holds and the hash
// of the last one. Kept away from the host, it lets Verify detect a tail
// that was cut off and a chain that was rewritten and re-hashed.
type Checkpoint struct {
	Count uint64 `json:"count"`
	Hash  string `json:"hash"`
}

// String renders the checkpoint as "COUNT:HASH", the form ParseCheckpoint
// reads.
func (c Checkpoint) String() string { return strconv.FormatUint(c.Count, 10) + ":" + c.Hash }

// ParseCheckpoint reads a checkpoint written by String.
func ParseCheckpoint(s string) (Checkpoint, error) {
	count, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return Checkpoint{}, fmt.Errorf("%w: want COUNT:HASH, got %q", ErrCheckpoint, s)
	}
	n, err := strconv.ParseUint(count, 10, 64)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: count %q is not a number", ErrCheckpoint, count)
	}
	if !isHex64(hash) {
		return Checkpoint{}, fmt.Errorf("%w: hash %q is not 64 lower-case hex digits", ErrCheckpoint, hash)
	}
	if n == 0 && hash != genesis {
		return Checkpoint{}, fmt.Errorf("%w: an empty log's hash is 64 zeros", ErrCheckpoint)
	}
	return Checkpoint{Count: n, Hash: hash}, nil
}
