package operations

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
)

// Duration is a time.Duration that reads and writes JSON as Go's duration
// text ("90s", "5m0s"), the form the CLI's flags take.
type Duration time.Duration

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"90s\" or \"5m\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// schemaOptions maps ceso's own JSON types to their schemas.
func schemaOptions() *jsonschema.ForOptions {
	opts := &jsonschema.ForOptions{TypeSchemas: map[reflect.Type]*jsonschema.Schema{
		reflect.TypeFor[Duration](): {Type: "string", Description: `a duration such as "90s", "5m" or "1h30m"`, Pattern: `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$`},
	}}
	// A catalog entry writes last_verified as null until the backup is
	// verified (storage.Entry.MarshalJSON): its schema must allow it.
	if entry, err := jsonschema.For[BackupEntry](opts); err == nil {
		if lv := entry.Properties["last_verified"]; lv != nil {
			lv.Types, lv.Type = []string{"null", lv.Type}, ""
		}
		opts.TypeSchemas[reflect.TypeFor[BackupEntry]()] = entry
	}
	return opts
}
