package storage

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// FuzzDecodeEntry feeds arbitrary stored records to the decoder: it must fail
// with ErrCorrupt or return an entry that encodes and decodes to itself.
func FuzzDecodeEntry(f *testing.F) {
	f.Add([]byte(`{"id":"x","vm_name":"web01","timestamp":"2026-11-03T02:15:00Z","size":1,"status":"complete"}`))
	f.Add([]byte(`{"id":"x","last_verified":"2026-11-03T02:15:00+01:00","verify_ok":true,"metadata":{"a":"b"}}`))
	f.Add([]byte(`{"id":"y"}`))
	f.Add([]byte(`{"id":"x","timestamp":"not a time"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := decodeEntry("x", raw)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("decodeEntry error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		e = e.normalized()
		data, err := json.Marshal(e)
		if err != nil {
			return // a time outside what RFC 3339 can write; never stored by AddBackup
		}
		again, err := decodeEntry("x", data)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", data, err)
		}
		if !reflect.DeepEqual(again.normalized(), e) {
			t.Fatalf("round trip changed the entry:\n%+v\n%+v", e, again)
		}
	})
}

// FuzzUpgradeRecord0 feeds arbitrary version-0 records to the migration: it
// must fail with ErrCorrupt, leave a record with a status alone, or add the
// complete status and keep every other field.
func FuzzUpgradeRecord0(f *testing.F) {
	f.Add([]byte(`{"id":"a","vm_name":"web01","size":12}`))
	f.Add([]byte(`{"id":"a","status":"failed"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"id":"a","id":"b"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := upgradeRecord0(raw)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		var before map[string]any
		if err := json.Unmarshal(raw, &before); err != nil {
			t.Fatalf("accepted a record that is not JSON: %q", raw)
		}
		if out == nil {
			if _, ok := before["status"]; !ok {
				t.Fatalf("left a record without status unchanged: %q", raw)
			}
			return
		}
		var after map[string]any
		if err := json.Unmarshal(out, &after); err != nil {
			t.Fatalf("wrote a record that is not JSON: %q", out)
		}
		if after["status"] != string(StatusComplete) {
			t.Fatalf("status = %v, want complete", after["status"])
		}
		delete(after, "status")
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("other fields changed:\n%v\n%v", before, after)
		}
	})
}
