// Command gen writes ceso's Grafana dashboard (package grafana) to a file:
// go generate ./deploy/grafana runs it.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/ceso/ceso/deploy/grafana"
)

func main() {
	out := flag.String("o", "ceso-dashboard.json", "file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	data, err := grafana.JSON()
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return fmt.Errorf("writing the dashboard: %w", err)
	}
	return nil
}
