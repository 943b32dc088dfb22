package storage_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/internal/storage/storagetest"
)

var t0 = time.Date(2026, 11, 3, 2, 15, 0, 0, time.UTC)

func TestEntryValidate(t *testing.T) {
	good := storagetest.Entry("vm01", t0)
	tests := []struct {
		name   string
		change func(*storage.Entry)
		want   string // "" = valid
	}{
		{"valid", func(*storage.Entry) {}, ""},
		{"upper-case checksum", func(e *storage.Entry) { e.Checksum = strings.ToUpper(e.Checksum) }, ""},
		{"failed status", func(e *storage.Entry) { e.Status = storage.StatusFailed }, ""},
		{"no target", func(e *storage.Entry) { e.Target = "" }, ""},
		{"empty id", func(e *storage.Entry) { e.ID = "" }, "id is empty"},
		{"id with space", func(e *storage.Entry) { e.ID = "a b" }, "holds a space"},
		{"id with slash", func(e *storage.Entry) { e.ID = "../x" }, "holds a space, a slash"},
		{"id with control", func(e *storage.Entry) { e.ID = "a\x00b" }, "unprintable"},
		{"id too long", func(e *storage.Entry) { e.ID = strings.Repeat("x", 129) }, "at most 128"},
		{"empty vm", func(e *storage.Entry) { e.VMName = " " }, "vm_name is empty"},
		{"no timestamp", func(e *storage.Entry) { e.Timestamp = time.Time{} }, "timestamp is not set"},
		{"negative size", func(e *storage.Entry) { e.Size = -1 }, "size -1 is negative"},
		{"empty location", func(e *storage.Entry) { e.Location = "" }, "location is empty"},
		{"short checksum", func(e *storage.Entry) { e.Checksum = "abc" }, "not a SHA-256 digest"},
		{"non-hex checksum", func(e *storage.Entry) { e.Checksum = strings.Repeat("g", 64) }, "not a SHA-256 digest"},
		{"no status", func(e *storage.Entry) { e.Status = "" }, `status "" is not one of`},
		{"unknown status", func(e *storage.Entry) { e.Status = "running" }, `status "running"`},
		{"several problems", func(e *storage.Entry) { e.VMName, e.Location = "", "" }, "vm_name is empty; location is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := good
			tt.change(&e)
			err := e.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, storage.ErrInvalidEntry) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want ErrInvalidEntry mentioning %q", err, tt.want)
			}
		})
	}
}

func TestEntryGoodAndVerified(t *testing.T) {
	tests := []struct {
		name           string
		status         storage.Status
		verifiedAt     time.Time
		ok             bool
		good, verified bool
	}{
		{"complete, never verified", storage.StatusComplete, time.Time{}, false, true, false},
		{"complete, verified", storage.StatusComplete, t0, true, true, true},
		{"complete, verification failed", storage.StatusComplete, t0, false, false, false},
		{"failed", storage.StatusFailed, time.Time{}, false, false, false},
		{"deleting, verified", storage.StatusDeleting, t0, true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := storage.Entry{Status: tt.status, LastVerified: tt.verifiedAt, VerifyOK: tt.ok}
			if e.Good() != tt.good || e.Verified() != tt.verified {
				t.Errorf("Good, Verified = %v, %v; want %v, %v", e.Good(), e.Verified(), tt.good, tt.verified)
			}
		})
	}
}

func TestStatusValid(t *testing.T) {
	for s, want := range map[storage.Status]bool{
		storage.StatusComplete: true, storage.StatusFailed: true, storage.StatusDeleting: true,
		"": false, "Complete": false, "running": false,
	} {
		if s.Valid() != want {
			t.Errorf("Status(%q).Valid() = %v, want %v", s, !want, want)
		}
	}
}

func TestNewID(t *testing.T) {
	re := regexp.MustCompile(`^\d{8}T\d{6}Z-[0-9a-f]{8}$`)
	berlin := time.FixedZone("CET", 3600)
	seen := map[string]bool{}
	var ids []string
	for i := range 2000 {
		now := t0.Add(time.Duration(i/100) * time.Second).In(berlin)
		id := storage.NewID(now)
		if !re.MatchString(id) {
			t.Fatalf("NewID = %q, want the form 20261103T021500Z-0123abcd", id)
		}
		if seen[id] {
			t.Fatalf("NewID repeated %q", id)
		}
		seen[id] = true
		ids = append(ids, id)
	}
	if !strings.HasPrefix(ids[0], "20261103T021500Z-") {
		t.Errorf("NewID = %q, want the UTC time first", ids[0])
	}
	// IDs of different seconds sort by time.
	for i := 100; i < len(ids); i += 100 {
		if ids[i] <= ids[i-100] {
			t.Errorf("%q sorts before %q", ids[i], ids[i-100])
		}
	}
	e := storagetest.Entry("vm01", t0)
	e.ID = ids[0]
	if err := e.Validate(); err != nil {
		t.Errorf("NewID makes an ID that Validate refuses: %v", err)
	}
}

func TestEntryJSON(t *testing.T) {
	e := storagetest.Entry("vm01", t0)
	e.Description = "before upgrade"
	e.LastVerified = t0.Add(time.Hour)
	e.VerifyOK = true
	e.VerifyDetail = "3 files, sha256 match"
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"checksum", "description", "host", "id", "last_verified", "location", "metadata", "size",
		"status", "target", "timestamp", "verify_detail", "verify_ok", "vm_name"}
	if !slices.Equal(keys, want) {
		t.Errorf("JSON keys = %v, want %v", keys, want)
	}
	if fields["timestamp"] != "2026-11-03T02:15:00Z" || fields["last_verified"] != "2026-11-03T03:15:00Z" {
		t.Errorf("times = %v, %v; want RFC 3339 UTC", fields["timestamp"], fields["last_verified"])
	}

	e = storagetest.Entry("vm01", t0)
	e.Metadata = nil
	data, _ = json.Marshal(e)
	for _, present := range []string{`"last_verified":null`, `"metadata":null`, `"description":""`, `"verify_detail":""`, `"host":""`} {
		if !strings.Contains(string(data), present) {
			t.Errorf("%s lacks %s: fields are always present, null when empty", data, present)
		}
	}
	var back storage.Entry
	if err := json.Unmarshal(data, &back); err != nil || !back.LastVerified.IsZero() || back.ID != e.ID {
		t.Errorf("round trip: %+v %v", back, err)
	}
}
