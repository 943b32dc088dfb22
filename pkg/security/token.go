package security

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Token prefixes: the format and version, and what the token is for. The
// prefix is signed, so a token of one kind never passes for the other.
const (
	PromotionPrefix = "ceso-pt1."
	ApprovalPrefix  = "ceso-ap1."
	maxTokenLen     = 8 << 10
)

var b64 = base64.RawURLEncoding.Strict()

// sign returns prefix + base64url(JSON claims) + "." + base64url(signature
// over everything before the last dot).
func sign(prefix string, key ed25519.PrivateKey, claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrGrant, err)
	}
	signed := prefix + b64.EncodeToString(payload)
	return signed + "." + b64.EncodeToString(ed25519.Sign(key, []byte(signed))), nil
}

// parseToken decodes a token of the given prefix into claims, strictly (no
// unknown fields, no trailing data), and returns the signed bytes and the
// signature. It does not check the signature.
func parseToken(prefix, token string, claims any) (signed, sig []byte, err error) {
	token = strings.TrimSpace(token)
	if len(token) > maxTokenLen {
		return nil, nil, fmt.Errorf("%w: longer than %d bytes", ErrTokenMalformed, maxTokenLen)
	}
	rest, ok := strings.CutPrefix(token, prefix)
	if !ok {
		return nil, nil, fmt.Errorf("%w: want a token starting %q", ErrTokenMalformed, prefix)
	}
	body, sigText, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(sigText, ".") {
		return nil, nil, fmt.Errorf("%w: want PAYLOAD.SIGNATURE after %q", ErrTokenMalformed, prefix)
	}
	payload, err := b64.DecodeString(body)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: payload: %w", ErrTokenMalformed, err)
	}
	sig, err = b64.DecodeString(sigText)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, nil, fmt.Errorf("%w: signature is not %d bytes of base64url", ErrTokenMalformed, ed25519.SignatureSize)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(claims); err != nil {
		return nil, nil, fmt.Errorf("%w: payload: %w", ErrTokenMalformed, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("%w: data after the payload", ErrTokenMalformed)
	}
	return []byte(prefix + body), sig, nil
}

// newID returns 16 random bytes in hex: a token or approval ID.
func newID(rnd io.Reader) (string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	b := make([]byte, 16)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return "", fmt.Errorf("%w: token ID: %w", ErrGrant, err)
	}
	return hex.EncodeToString(b), nil
}
