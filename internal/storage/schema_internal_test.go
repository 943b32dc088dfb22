package storage

import "testing"

// TestMigrationTable keeps the table whole: one step per version, in order,
// ending at SchemaVersion.
func TestMigrationTable(t *testing.T) {
	if len(migrations) != SchemaVersion {
		t.Fatalf("%d migrations for schema version %d", len(migrations), SchemaVersion)
	}
	for i, m := range migrations {
		if m.from != i || m.apply == nil || m.what == "" {
			t.Errorf("migrations[%d] = {from %d, what %q}: want from %d, a description and a function", i, m.from, m.what, i)
		}
	}
}
