package storage_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/internal/storage/storagetest"
)

func TestAddAndGetBackup(t *testing.T) {
	c := storagetest.Open(t)
	berlin := time.FixedZone("CET", 3600)
	stored := storagetest.Entry("vm01", t0)
	if err := c.AddBackup(stored); err != nil {
		t.Fatal(err)
	}

	local := storagetest.Entry("vm02", t0.In(berlin))
	local.ID = "local-time"
	local.Timestamp = t0.In(berlin)
	local.Checksum = strings.ToUpper(local.Checksum)
	local.LastVerified = t0.Add(time.Hour).In(berlin)
	local.VerifyOK = true

	invalid := storagetest.Entry("vm01", t0)
	invalid.ID = "bad"
	invalid.Checksum = "nope"

	tests := []struct {
		name    string
		e       storage.Entry
		wantErr error
		check   func(t *testing.T, got storage.Entry)
	}{
		{name: "new entry", e: storagetest.Entry("vm01", t0.Add(time.Hour)), check: func(t *testing.T, got storage.Entry) {
			if want := storagetest.Entry("vm01", t0.Add(time.Hour)); !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		}},
		{name: "times and checksum normalized", e: local, check: func(t *testing.T, got storage.Entry) {
			if got.Timestamp.Location() != time.UTC || !got.Timestamp.Equal(t0) {
				t.Errorf("Timestamp = %v, want %v in UTC", got.Timestamp, t0)
			}
			if got.LastVerified.Location() != time.UTC || !got.LastVerified.Equal(t0.Add(time.Hour)) {
				t.Errorf("LastVerified = %v, want UTC", got.LastVerified)
			}
			if got.Checksum != strings.ToLower(local.Checksum) {
				t.Errorf("Checksum = %q, want lower case", got.Checksum)
			}
		}},
		{name: "duplicate id", e: stored, wantErr: storage.ErrExists},
		{name: "invalid entry", e: invalid, wantErr: storage.ErrInvalidEntry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.AddBackup(tt.e)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("AddBackup() = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			got, err := c.GetBackup(tt.e.ID)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, got)
		})
	}

	if _, err := c.GetBackup("bad"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("an invalid entry was stored: GetBackup = %v", err)
	}
	if _, err := c.GetBackup("missing"); !errors.Is(err, storage.ErrNotFound) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("GetBackup(missing) = %v, want ErrNotFound naming the id", err)
	}
}

func TestListBackups(t *testing.T) {
	c := storagetest.Open(t)
	add := func(vm string, hours int, id string) {
		e := storagetest.Entry(vm, t0.Add(time.Duration(hours)*time.Hour))
		if id != "" {
			e.ID = id
		}
		if err := c.AddBackup(e); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := c.ListBackups(""); err != nil || len(got) != 0 {
		t.Fatalf("empty catalog lists %v, %v", got, err)
	}
	add("web", 0, "w-a")
	add("db", 5, "d-a")
	add("web", 10, "w-b")
	add("web", 10, "w-c") // same time as w-b
	add("db", -3, "d-b")
	add("web-2", 1, "x-a") // a name that starts like another

	tests := []struct {
		vm   string
		want []string
	}{
		{"", []string{"w-c", "w-b", "d-a", "x-a", "w-a", "d-b"}},
		{"web", []string{"w-c", "w-b", "w-a"}},
		{"db", []string{"d-a", "d-b"}},
		{"web-2", []string{"x-a"}},
		{"nope", nil},
	}
	for _, tt := range tests {
		t.Run("vm="+tt.vm, func(t *testing.T) {
			list, err := c.ListBackups(tt.vm)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range list {
				ids = append(ids, e.ID)
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("ListBackups(%q) = %v, want %v", tt.vm, ids, tt.want)
			}
		})
	}
}

func TestDeleteBackup(t *testing.T) {
	c := storagetest.Open(t)
	keep, gone := storagetest.Entry("vm01", t0), storagetest.Entry("vm01", t0.Add(time.Hour))
	for _, e := range []storage.Entry{keep, gone} {
		if err := c.AddBackup(e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		id      string
		wantErr error
	}{
		{"existing", gone.ID, nil},
		{"already deleted", gone.ID, storage.ErrNotFound},
		{"never there", "nope", storage.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.DeleteBackup(tt.id); !errors.Is(err, tt.wantErr) {
				t.Fatalf("DeleteBackup() = %v, want %v", err, tt.wantErr)
			}
		})
	}
	list, _ := c.ListBackups("")
	if len(list) != 1 || list[0].ID != keep.ID {
		t.Errorf("after deletion the catalog lists %v, want only %s", list, keep.ID)
	}
	// The ID can be used again once deleted.
	if err := c.AddBackup(gone); err != nil {
		t.Errorf("re-adding a deleted ID: %v", err)
	}
}

func TestSetStatus(t *testing.T) {
	c := storagetest.Open(t)
	e := storagetest.Entry("vm01", t0)
	if err := c.AddBackup(e); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		id      string
		status  storage.Status
		wantErr error
	}{
		{"to deleting", e.ID, storage.StatusDeleting, nil},
		{"to failed", e.ID, storage.StatusFailed, nil},
		{"back to complete", e.ID, storage.StatusComplete, nil},
		{"unknown status", e.ID, "gone", storage.ErrInvalidEntry},
		{"empty status", e.ID, "", storage.ErrInvalidEntry},
		{"missing entry", "nope", storage.StatusFailed, storage.ErrNotFound},
	}
	want := storage.StatusComplete
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.SetStatus(tt.id, tt.status); !errors.Is(err, tt.wantErr) {
				t.Fatalf("SetStatus() = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil {
				want = tt.status
			}
			got, err := c.GetBackup(e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != want {
				t.Errorf("Status = %q, want %q", got.Status, want)
			}
			got.Status = e.Status
			if !reflect.DeepEqual(got, e) {
				t.Errorf("SetStatus changed other fields: %+v", got)
			}
		})
	}
}

func TestUpdateVerification(t *testing.T) {
	c := storagetest.Open(t)
	e := storagetest.Entry("vm01", t0)
	if err := c.AddBackup(e); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(24 * time.Hour).In(time.FixedZone("EST", -5*3600))
	tests := []struct {
		name    string
		id      string
		ok      bool
		at      time.Time
		detail  string
		wantErr error
	}{
		{"success", e.ID, true, t0.Add(time.Hour), "3 files match", nil},
		{"later failure, local time", e.ID, false, later, "disk-1.vmdk.zst: sha256 mismatch", nil},
		{"no time", e.ID, true, time.Time{}, "", storage.ErrInvalidEntry},
		{"missing entry", "nope", true, t0, "", storage.ErrNotFound},
	}
	var want storage.Entry = e
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.UpdateVerification(tt.id, tt.ok, tt.at, tt.detail); !errors.Is(err, tt.wantErr) {
				t.Fatalf("UpdateVerification() = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil {
				want.LastVerified, want.VerifyOK, want.VerifyDetail = tt.at.UTC(), tt.ok, tt.detail
			}
			got, err := c.GetBackup(e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}
