package operations

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/ceso/ceso/internal/storage"
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

// schemaOptions maps ceso's own JSON types to their schemas: those whose
// JSON is not what reflection on their fields says.
func schemaOptions() *jsonschema.ForOptions {
	types := map[reflect.Type]*jsonschema.Schema{
		reflect.TypeFor[Duration](): {Type: "string", Description: `a duration such as "90s", "5m" or "1h30m"`, Pattern: `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$`},
	}
	if entry, err := jsonschema.For[storage.Entry](&jsonschema.ForOptions{TypeSchemas: types}); err == nil {
		// Entry.MarshalJSON writes last_verified null until a verification.
		if p := entry.Properties["last_verified"]; p != nil {
			p.Type, p.Types, p.Format = "", []string{"null", "string"}, "date-time"
		}
		types[reflect.TypeFor[storage.Entry]()] = entry
	}
	return &jsonschema.ForOptions{TypeSchemas: types}
}
