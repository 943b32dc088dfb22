// Command covercheck reads a Go coverage profile (possibly written with
// -coverpkg by several test binaries, so blocks repeat), prints statement
// coverage per package and in total, and fails when a floor is not met.
//
// Floors come from a file with one "PACKAGE PERCENT" per line; a package
// ending in "/..." covers the package and everything below it, "total" the
// whole module. Lines starting with # are comments.
//
//	go run ./internal/tools/covercheck -profile coverage.txt -floors .ci/coverage-floors
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	profile := flag.String("profile", "coverage.txt", "coverage profile")
	floors := flag.String("floors", "", "file of coverage floors")
	flag.Parse()
	if err := run(*profile, *floors, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "covercheck:", err)
		os.Exit(1)
	}
}

func run(profilePath, floorsPath string, out io.Writer) error {
	f, err := os.Open(profilePath)
	if err != nil {
		return err
	}
	defer f.Close()
	blocks, err := parseProfile(f)
	if err != nil {
		return fmt.Errorf("%s: %w", profilePath, err)
	}
	cov := byPackage(blocks)
	var fl []floor
	if floorsPath != "" {
		ff, err := os.Open(floorsPath)
		if err != nil {
			return err
		}
		defer ff.Close()
		if fl, err = parseFloors(ff); err != nil {
			return fmt.Errorf("%s: %w", floorsPath, err)
		}
	}
	failed := report(out, cov, fl)
	if len(failed) > 0 {
		return fmt.Errorf("coverage below the floor: %v", failed)
	}
	return nil
}
