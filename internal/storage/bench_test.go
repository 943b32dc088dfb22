package storage_test

import (
	"testing"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/internal/storage/storagetest"
	"github.com/ceso/ceso/pkg/backup/retention"
)

// BenchmarkAddBackup measures one durable commit (an fsync per entry).
func BenchmarkAddBackup(b *testing.B) {
	c := storagetest.Open(b)
	i := 0
	for b.Loop() {
		if err := c.AddBackup(numbered(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// fill adds n entries in one transaction per entry, as ceso does.
func fill(b *testing.B, n int) *storage.Catalog {
	b.Helper()
	c := storagetest.Open(b)
	for i := range n {
		e := numbered(i)
		e.Metadata = map[string]string{"esxi": "8.0.3"}
		if err := c.AddBackup(e); err != nil {
			b.Fatal(err)
		}
	}
	return c
}

// BenchmarkListBackups5000 lists one VM of a 5000-entry catalog.
func BenchmarkListBackups5000(b *testing.B) {
	c := fill(b, 5000)
	for b.Loop() {
		if _, err := c.ListBackups("vm03"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyRetention5000 judges every VM of a 5000-entry catalog.
func BenchmarkApplyRetention5000(b *testing.B) {
	c := fill(b, 5000)
	p := retention.Policy{KeepLast: 3, KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 12}
	for b.Loop() {
		if _, err := c.ApplyRetention(p, ""); err != nil {
			b.Fatal(err)
		}
	}
}
