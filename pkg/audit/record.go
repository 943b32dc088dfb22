package audit

import (
	"encoding/json"
	"os"
	"os/user"
	"strconv"
	"time"
)

// Phases of a record.
const (
	PhaseStart = "start"
	PhaseEnd   = "end"
)

// Record is one audit record: the start or the end of an operation. The
// start and end records of one operation share the CorrelationID.
type Record struct {
	// Time is when the record was made; Append sets it when zero.
	Time          time.Time `json:"time"`
	Phase         string    `json:"phase"`
	CorrelationID string    `json:"correlation_id"`
	Operation     string    `json:"operation"`
	Class         string    `json:"class"`
	Target        string    `json:"target,omitempty"`
	Actor         Actor     `json:"actor"`
	// Mode is the sandbox mode the operation ran under.
	Mode string `json:"mode,omitempty"`
	// TokenID and ApprovalID name the promotion token or plan approval that
	// lifted a restriction, when one did.
	TokenID    string `json:"token_id,omitempty"`
	ApprovalID string `json:"approval_id,omitempty"`
	// Params is the operation's parameters as a JSON object. Values named by
	// Secrets are replaced by their HMAC before the record is written.
	Params json.RawMessage `json:"params,omitempty"`
	// Secrets names the secret values of Params: a plain name matches an
	// object key at any depth, a name starting with "/" is a JSON pointer
	// (RFC 6901). It is not written.
	Secrets    []string `json:"-"`
	DryRun     bool     `json:"dry_run"`
	Transport  string   `json:"transport,omitempty"` // "api" or "ssh"
	Outcome    string   `json:"outcome,omitempty"`   // end: success, failure, refused, partial
	Error      string   `json:"error,omitempty"`
	DurationMS int64    `json:"duration_ms,omitempty"`
	Notes      []string `json:"notes,omitempty"`
}

// Actor is who ran an operation: the OS user and host of the process, and
// the API token's or agent's name when there is one.
type Actor struct {
	User string `json:"user,omitempty"`
	UID  string `json:"uid,omitempty"`
	Host string `json:"host,omitempty"`
	Name string `json:"name,omitempty"`
}

// CurrentActor returns the actor of this process, with name as its token or
// agent name. Fields that cannot be found stay empty.
func CurrentActor(name string) Actor {
	a := Actor{Name: name, UID: strconv.Itoa(os.Getuid())}
	if u, err := user.Current(); err == nil {
		a.User, a.UID = u.Username, u.Uid
	}
	if h, err := os.Hostname(); err == nil {
		a.Host = h
	}
	return a
}

// fill sets the fields of a left empty from d.
func (a Actor) fill(d Actor) Actor {
	if a.User == "" {
		a.User = d.User
	}
	if a.UID == "" {
		a.UID = d.UID
	}
	if a.Host == "" {
		a.Host = d.Host
	}
	if a.Name == "" {
		a.Name = d.Name
	}
	return a
}

// Entry is a record as stored: the record with its place in the chain.
type Entry struct {
	Record
	// Seq numbers the records of a log from 1, across rotated files.
	Seq uint64 `json:"seq"`
	// Prev is the hash of the record before (64 zeros for the first).
	Prev string `json:"prev"`
	// Hash is the SHA-256 of the line without its hash field.
	Hash string `json:"hash"`
}
