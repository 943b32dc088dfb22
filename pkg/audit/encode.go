package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// genesis is the prev of the first record of a log.
var genesis = strings.Repeat("0", 64)

// hashField ends every line: `,"hash":"<64 hex>"}`. The hash covers the
// line without it, which is itself a JSON object ending in "}".
const (
	hashFieldStart = `,"hash":"`
	hashFieldLen   = len(hashFieldStart) + 64 + len(`"}`)
)

// encodeLine writes r as one JSON line with its place in the chain and
// returns the line (with its newline) and its hash. params must be compact
// JSON (Redact's output) or nil.
func encodeLine(r Record, params []byte, seq uint64, prev string) ([]byte, string, error) {
	var buf bytes.Buffer
	lg := zerolog.New(&buf)
	ev := lg.Log().
		Str("time", r.Time.UTC().Format(time.RFC3339Nano)).
		Uint64("seq", seq).
		Str("phase", r.Phase).
		Str("correlation_id", r.CorrelationID).
		Str("operation", r.Operation).
		Str("class", r.Class)
	ev = optStr(ev, "target", r.Target)
	actor := zerolog.Dict()
	actor = optStr(actor, "user", r.Actor.User)
	actor = optStr(actor, "uid", r.Actor.UID)
	actor = optStr(actor, "host", r.Actor.Host)
	actor = optStr(actor, "name", r.Actor.Name)
	ev = ev.Dict("actor", actor)
	ev = optStr(ev, "mode", r.Mode)
	ev = optStr(ev, "token_id", r.TokenID)
	ev = optStr(ev, "approval_id", r.ApprovalID)
	if len(params) > 0 {
		ev = ev.RawJSON("params", params)
	}
	ev = ev.Bool("dry_run", r.DryRun)
	ev = optStr(ev, "transport", r.Transport)
	ev = optStr(ev, "outcome", r.Outcome)
	ev = optStr(ev, "error", r.Error)
	if r.DurationMS != 0 {
		ev = ev.Int64("duration_ms", r.DurationMS)
	}
	if len(r.Notes) > 0 {
		ev = ev.Strs("notes", r.Notes)
	}
	ev.Str("prev", prev).Send()

	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' || bytes.IndexByte(body, '\n') >= 0 {
		// zerolog writes nothing when its global level is Disabled.
		return nil, "", errors.New("the JSON encoder produced no single-line record")
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	line := make([]byte, 0, len(body)+hashFieldLen+1)
	line = append(line, body[:len(body)-1]...)
	line = append(line, hashFieldStart...)
	line = append(line, hash...)
	line = append(line, "\"}\n"...)
	return line, hash, nil
}

func optStr(ev *zerolog.Event, key, val string) *zerolog.Event {
	if val == "" {
		return ev
	}
	return ev.Str(key, val)
}

// lineHash returns the hash a line (without its newline) should carry,
// computed over the line without its hash field, and the hash it carries.
// ok is false when the line does not end with a hash field.
func lineHash(raw []byte) (computed, stored string, ok bool) {
	if len(raw) < hashFieldLen+2 {
		return "", "", false
	}
	tail := raw[len(raw)-hashFieldLen:]
	if !bytes.HasPrefix(tail, []byte(hashFieldStart)) || !bytes.HasSuffix(tail, []byte(`"}`)) {
		return "", "", false
	}
	stored = string(tail[len(hashFieldStart) : len(hashFieldStart)+64])
	if !isHex64(stored) {
		return "", "", false
	}
	h := sha256.New()
	h.Write(raw[:len(raw)-hashFieldLen])
	h.Write([]byte("}"))
	return hex.EncodeToString(h.Sum(nil)), stored, true
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
