package storage

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Status is the state of a backup in the catalog.
type Status string

const (
	// StatusComplete: every byte of the backup is stored and checksummed.
	StatusComplete Status = "complete"
	// StatusFailed: the backup did not finish; its files may be partial.
	StatusFailed Status = "failed"
	// StatusDeleting: the backup's files are being removed; the entry goes
	// once they are.
	StatusDeleting Status = "deleting"
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusComplete, StatusFailed, StatusDeleting:
		return true
	}
	return false
}

// Entry is one backup in the catalog. Its JSON form is what
// "ceso backup list --json" prints: fields are never removed or renamed.
// Every field is always present: last_verified is null while the backup
// was never verified, metadata null when empty.
type Entry struct {
	// ID identifies the backup (see NewID).
	ID string `json:"id"`
	// VMName is the name of the VM the backup is of.
	VMName string `json:"vm_name"`
	// Host is the ESXi host the VM was on, as ceso was told to reach it
	// (esxi.host); "" for backups made before ceso recorded it.
	Host string `json:"host"`
	// Timestamp is when the backup was taken, in UTC.
	Timestamp time.Time `json:"timestamp"`
	// Size is the number of bytes stored on the target.
	Size int64 `json:"size"`
	// Target is the name of the backup target holding the files.
	Target string `json:"target"`
	// Location is where the files are: target name and path.
	Location string `json:"location"`
	// Checksum is the SHA-256 of the backup's manifest, lower-case hex.
	Checksum string `json:"checksum"`
	// Status is complete, failed or deleting.
	Status Status `json:"status"`
	// Metadata holds free-form facts (ceso version, ESXi build, disks…).
	Metadata map[string]string `json:"metadata"`
	// Description is the operator's note.
	Description string `json:"description"`
	// LastVerified is when the backup was last verified, in UTC.
	LastVerified time.Time `json:"last_verified"`
	// VerifyOK is the outcome of that verification.
	VerifyOK bool `json:"verify_ok"`
	// VerifyDetail says what the verification found.
	VerifyDetail string `json:"verify_detail"`
}

// MarshalJSON writes the entry with last_verified null while the backup
// was never verified.
func (e Entry) MarshalJSON() ([]byte, error) {
	type plain Entry
	var verified *time.Time
	if !e.LastVerified.IsZero() {
		verified = &e.LastVerified
	}
	return json.Marshal(struct {
		plain
		LastVerified *time.Time `json:"last_verified"`
	}{plain(e), verified})
}

// Verified reports whether the entry's last verification succeeded.
func (e Entry) Verified() bool { return !e.LastVerified.IsZero() && e.VerifyOK }

// Good reports whether the entry is a backup to rely on: complete, and not
// found damaged by its last verification.
func (e Entry) Good() bool {
	return e.Status == StatusComplete && (e.LastVerified.IsZero() || e.VerifyOK)
}

// Validate reports every problem that keeps e out of the catalog.
func (e Entry) Validate() error {
	var problems []string
	if err := validateID(e.ID); err != nil {
		problems = append(problems, err.Error())
	}
	if strings.TrimSpace(e.VMName) == "" {
		problems = append(problems, "vm_name is empty")
	}
	if e.Timestamp.IsZero() {
		problems = append(problems, "timestamp is not set")
	}
	if e.Size < 0 {
		problems = append(problems, fmt.Sprintf("size %d is negative", e.Size))
	}
	if strings.TrimSpace(e.Location) == "" {
		problems = append(problems, "location is empty")
	}
	if !isSHA256Hex(e.Checksum) {
		problems = append(problems, fmt.Sprintf("checksum %q is not a SHA-256 digest in hex", e.Checksum))
	}
	if !e.Status.Valid() {
		problems = append(problems, fmt.Sprintf("status %q is not one of complete, failed, deleting", e.Status))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w %q: %s", ErrInvalidEntry, e.ID, strings.Join(problems, "; "))
	}
	return nil
}

// normalized returns e as it is stored: times in UTC without a monotonic
// reading, checksum in lower case, no empty metadata map.
func (e Entry) normalized() Entry {
	if len(e.Metadata) == 0 {
		e.Metadata = nil
	}
	e.Timestamp = e.Timestamp.UTC().Round(0)
	if !e.LastVerified.IsZero() {
		e.LastVerified = e.LastVerified.UTC().Round(0)
	}
	e.Checksum = strings.ToLower(e.Checksum)
	return e
}

func validateID(id string) error {
	if id == "" {
		return fmt.Errorf("id is empty")
	}
	if len(id) > 128 {
		return fmt.Errorf("id is %d bytes long, at most 128 allowed", len(id))
	}
	for _, r := range id {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) || r == '/' || r == '\\' {
			return fmt.Errorf("id %q holds a space, a slash or an unprintable character", id)
		}
	}
	return nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// NewID returns a new backup ID: the UTC time to the second, then 8 random
// hex digits, e.g. "20261103T021500Z-3f9a1c2b". IDs of backups started in
// different seconds sort by time; the random part keeps IDs made in the same
// second apart.
func NewID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand.Read aborts the program instead
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
