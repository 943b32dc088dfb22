package metrics

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteTextfile writes the metrics to path for node_exporter's textfile
// collector, atomically: the text goes to a temporary file in the same
// directory, is synced, and is renamed over path, so a reader sees the old
// file or the new one, never a part. On failure path is left as it was and
// the temporary file is removed.
func (m *Metrics) WriteTextfile(path string) error {
	text, err := m.Text()
	if err != nil {
		return fmt.Errorf("writing metrics textfile %s: %w", path, err)
	}
	if err := writeAtomic(path, text); err != nil {
		return fmt.Errorf("writing metrics textfile: %w", err)
	}
	return nil
}

func writeAtomic(path string, data []byte) (err error) {
	// A name node_exporter ignores (it reads *.prom only) while unfinished.
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
