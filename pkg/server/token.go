package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
)

// TokenPrefix starts every API token, so a leaked one is easy to find.
const TokenPrefix = "ceso_"

// NewToken makes an API token from 32 bytes of rnd and returns it with its
// SHA-256 (lower-case hex), the only form the configuration keeps.
func NewToken(rnd io.Reader) (token, sum string, err error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return "", "", fmt.Errorf("making a token: %w", err)
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, TokenSHA256(token), nil
}

// TokenSHA256 is the SHA-256 of a token as the configuration holds it.
func TokenSHA256(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}
