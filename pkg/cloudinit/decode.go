package cloudinit

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxDecodedBytes bounds what one key may decompress to, so that reading a
// hostile VM's extraConfig cannot exhaust memory.
const maxDecodedBytes = 16 << 20

// emptyValue is what cloud-init writes over a redacted key; it reads it, or
// a blank value, as absent.
const emptyValue = "---"

// Problem is a guestinfo key that cloud-init would not read as intended.
type Problem struct {
	Key string
	Err error
	// Fatal problems make cloud-init drop all guestinfo data, not just the
	// key: its datasource fails as a whole.
	Fatal bool
}

func (p Problem) Error() string { return p.Key + ": " + p.Err.Error() }

// Decoded is a VM's guestinfo as cloud-init's VMware datasource reads it.
type Decoded struct {
	// Metadata is the parsed metadata without its network keys.
	Metadata map[string]any
	// MetadataText is the decoded metadata document.
	MetadataText string
	// Network is the network config; nil means cloud-init falls back to
	// DHCP on the first adapter.
	Network map[string]any
	// UserData and VendorData are the decoded documents.
	UserData   string
	VendorData string
	// Missing lists the documents that are not set (or blank, or "---").
	Missing []string
	// Problems lists keys cloud-init would not read as intended.
	Problems []Problem
}

// Err returns nil unless cloud-init would drop the guestinfo data; then it
// returns the fatal problems joined, wrapping ErrUndecodable.
func (d *Decoded) Err() error {
	var out []error
	for _, p := range d.Problems {
		if p.Fatal {
			out = append(out, fmt.Errorf("%w: %s", ErrUndecodable, p.Error()))
		}
	}
	return errors.Join(out...)
}

// Decode reads the guestinfo keys of a VM's extraConfig with the rules of
// cloud-init's VMware datasource: values and encodings are right-trimmed, a
// blank or "---" value is absent, "gzip+base64"/"gz+b64" and "base64"/"b64"
// are decoded and any other encoding is plain text; metadata is JSON, else
// YAML, and its "network" key is a mapping or a string encoded as given by
// "network.encoding".
func Decode(extraConfig map[string]string) *Decoded {
	d := &Decoded{}
	md, ok := d.value(extraConfig, KeyMetadata, extraConfig[KeyMetadataEncoding])
	if ok {
		d.MetadataText = md
		d.parseMetadata(md)
	}
	d.UserData, _ = d.value(extraConfig, KeyUserData, extraConfig[KeyUserDataEncoding])
	d.VendorData, _ = d.value(extraConfig, KeyVendorData, extraConfig[KeyVendorDataEncoding])
	if d.UserData != "" && !strings.HasPrefix(d.UserData, CloudConfigHeader) {
		d.Problems = append(d.Problems, Problem{Key: KeyUserData,
			Err: fmt.Errorf("user-data does not begin with %s; its users and keys cannot be shown", CloudConfigHeader)})
	}
	return d
}

// value decodes one key, recording it as missing or problematic.
func (d *Decoded) value(cfg map[string]string, key, enc string) (string, bool) {
	v := strings.TrimRight(cfg[key], " \t\r\n")
	if v == "" || v == emptyValue {
		d.Missing = append(d.Missing, key)
		return "", false
	}
	text, p := decodeText(key, strings.TrimRight(enc, " \t\r\n"), v)
	for _, pr := range p {
		d.Problems = append(d.Problems, pr)
		if pr.Fatal {
			return "", false
		}
	}
	return text, true
}

// decodeText decodes v per enc the way cloud-init's decode() does.
func decodeText(key, enc, v string) (string, []Problem) {
	var raw []byte
	var probs []Problem
	switch enc {
	case "gzip+base64", "gz+b64":
		b, err := pyBase64(v)
		if err != nil {
			return "", []Problem{{Key: key, Err: fmt.Errorf("invalid base64: %w", err), Fatal: true}}
		}
		raw, err = gunzip(b)
		if errors.Is(err, errDecodedTooLarge) {
			return "", []Problem{{Key: key, Err: err, Fatal: true}}
		}
		if err != nil {
			raw = b
			probs = append(probs, Problem{Key: key, Err: fmt.Errorf("encoding says gzip but the data is not gzip (%v): cloud-init reads the base64-decoded bytes as is", err)})
		}
	case "base64", "b64":
		b, err := pyBase64(v)
		if err != nil {
			return "", []Problem{{Key: key, Err: fmt.Errorf("invalid base64: %w", err), Fatal: true}}
		}
		raw = b
	case "", emptyValue:
		raw = []byte(v)
	default:
		raw = []byte(v)
		probs = append(probs, Problem{Key: key, Err: fmt.Errorf("encoding %q is not recognised: cloud-init reads the value as plain text", enc)})
	}
	if !utf8.Valid(raw) {
		return "", append(probs, Problem{Key: key, Err: errors.New("decoded data is not UTF-8 text"), Fatal: true})
	}
	return string(raw), probs
}

// pyBase64 decodes like Python's base64.b64decode without validation:
// characters outside the alphabet are discarded, padding is required.
func pyBase64(s string) ([]byte, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || c == '+' || c == '/' || c == '=' {
			b.WriteByte(c)
		}
	}
	return base64.StdEncoding.DecodeString(b.String())
}

var errDecodedTooLarge = fmt.Errorf("decompresses to more than %d bytes", maxDecodedBytes)

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxDecodedBytes+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxDecodedBytes {
		return nil, errDecodedTooLarge
	}
	return out, nil
}

// parseMetadata parses the metadata and takes its network config apart.
func (d *Decoded) parseMetadata(text string) {
	m, err := loadJSONOrYAML(text)
	if err != nil {
		d.Problems = append(d.Problems, Problem{Key: KeyMetadata, Err: err, Fatal: true})
		return
	}
	net, hasNet := m["network"]
	enc, _ := m["network.encoding"].(string)
	delete(m, "network")
	delete(m, "network.encoding")
	d.Metadata = m
	if !hasNet || isFalsy(net) {
		return
	}
	switch v := net.(type) {
	case map[string]any:
		d.Network = v
	case string:
		key := KeyMetadata + ":network"
		text, probs := decodeText(key, strings.TrimSpace(enc), v)
		d.Problems = append(d.Problems, probs...)
		for _, p := range probs {
			if p.Fatal {
				return
			}
		}
		n, err := loadJSONOrYAML(text)
		if err != nil {
			d.Problems = append(d.Problems, Problem{Key: key, Err: err, Fatal: true})
			return
		}
		d.Network = n
	default:
		d.Problems = append(d.Problems, Problem{Key: KeyMetadata + ":network",
			Err: fmt.Errorf("network is a %T, neither a mapping nor an encoded string", net), Fatal: true})
	}
}

// loadJSONOrYAML parses a mapping as JSON, falling back to YAML.
func loadJSONOrYAML(text string) (map[string]any, error) {
	if text == "" {
		return map[string]any{}, nil
	}
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&m); err == nil && !dec.More() {
		if m == nil {
			return nil, errors.New("not a mapping")
		}
		return m, nil
	}
	var y any
	if err := yaml.Unmarshal([]byte(text), &y); err != nil {
		return nil, fmt.Errorf("neither JSON nor YAML: %w", err)
	}
	m, ok := y.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a mapping but %T", y)
	}
	return m, nil
}

// isFalsy mirrors Python truthiness for parsed YAML/JSON values.
func isFalsy(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return x == ""
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}
