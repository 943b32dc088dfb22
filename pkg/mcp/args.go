package mcp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"unicode"
)

// control is what a call asks for beside the operation's params.
type control struct {
	key      string // idempotency key
	dryRun   bool
	approval string
	token    string // promotion token
}

// splitArgs takes the control fields out of a tool's arguments when the
// tool has them, and returns the rest: the operation's params.
func splitArgs(raw json.RawMessage, changes bool) (json.RawMessage, control, error) {
	var c control
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return json.RawMessage("{}"), c, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, c, fmt.Errorf("%w: the arguments must be a JSON object", ErrArguments)
	}
	if changes {
		for name, dst := range map[string]any{fieldIdempotencyKey: &c.key, fieldDryRun: &c.dryRun, fieldApproval: &c.approval, fieldPromotionToken: &c.token} {
			v, ok := fields[name]
			if !ok {
				continue
			}
			if err := json.Unmarshal(v, dst); err != nil {
				return nil, c, fmt.Errorf("%w: %s: %w", ErrArguments, name, err)
			}
			delete(fields, name)
		}
		if err := checkKey(c.key); err != nil {
			return nil, c, err
		}
	}
	params, err := json.Marshal(fields)
	if err != nil {
		return nil, c, fmt.Errorf("%w: %w", ErrArguments, err)
	}
	return params, c, nil
}

func checkKey(k string) error {
	if len(k) > maxKeyLength {
		return fmt.Errorf("%w: %s is longer than %d bytes", ErrArguments, fieldIdempotencyKey, maxKeyLength)
	}
	for _, r := range k {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("%w: %s has a control character", ErrArguments, fieldIdempotencyKey)
		}
	}
	return nil
}

// argsDigest names a call's params for the idempotency store: their JSON
// with the keys of every object sorted, numbers as written.
func argsDigest(params json.RawMessage) string {
	canon := []byte(params)
	dec := json.NewDecoder(bytes.NewReader(params))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) == nil {
		if b, err := json.Marshal(v); err == nil {
			canon = b
		}
	}
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:])
}
