package operations

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/ceso/ceso/pkg/cloudinit"
)

// auditParams is the params' JSON as the audit log records it: every field
// tagged `secret:"true"` replaced by hash(value), every field tagged
// `audit:"sshkeys"` (authorized_keys lines) reduced to the keys'
// fingerprints. Nothing is recorded by hand per operation.
func auditParams(p any, hash func(string) string) (json.RawMessage, error) {
	return json.Marshal(auditValue(reflect.ValueOf(p), hash))
}

func auditValue(v reflect.Value, hash func(string) string) any {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		if _, ok := v.Interface().(json.Marshaler); ok {
			return v.Interface()
		}
		out := map[string]any{}
		auditStruct(v, hash, out)
		return out
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 { // []byte: JSON's base64
			return v.Interface()
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = auditValue(v.Index(i), hash)
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[k.String()] = auditValue(v.MapIndex(k), hash)
		}
		return out
	}
	return v.Interface()
}

// auditStruct adds the fields of the struct v to out under their JSON names,
// embedded structs' fields inline.
func auditStruct(v reflect.Value, hash func(string) string, out map[string]any) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		fv := v.Field(i)
		if f.Anonymous && name == "" && fv.Kind() == reflect.Struct {
			auditStruct(fv, hash, out)
			continue
		}
		if name == "" {
			name = f.Name
		}
		switch {
		case f.Tag.Get("secret") == "true":
			out[name] = secretValue(fv, hash)
		case f.Tag.Get("audit") == "sshkeys":
			out[name] = fingerprints(fv)
		default:
			out[name] = auditValue(fv, hash)
		}
	}
}

// secretValue is the HMAC of a secret field's value, or null when unset.
func secretValue(v reflect.Value, hash func(string) string) any {
	if v.IsZero() {
		return nil
	}
	var s string
	switch v.Kind() {
	case reflect.String:
		s = v.String()
	default:
		b, _ := json.Marshal(v.Interface())
		s = string(b)
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			s = string(v.Bytes())
		}
	}
	return hash(s)
}

// fingerprints turns authorized_keys lines into their SHA256 fingerprints.
func fingerprints(v reflect.Value) any {
	if v.Kind() != reflect.Slice || v.IsNil() {
		return nil
	}
	out := make([]string, v.Len())
	for i := range out {
		line := v.Index(i).String()
		if k, err := cloudinit.ParseSSHKey(line); err == nil {
			out[i] = k.Fingerprint
		} else {
			out[i] = "unparsable key"
		}
	}
	return out
}
