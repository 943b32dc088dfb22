package main

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// block is one coverage block, merged across test binaries.
type block struct {
	stmts   int
	covered bool
}

// parseProfile reads a profile and merges repeated blocks: a block is
// covered when any test binary ran it.
func parseProfile(r io.Reader) (map[string]*block, error) {
	blocks := map[string]*block{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if strings.HasPrefix(text, "mode:") || text == "" {
			continue
		}
		// name.go:12.34,15.2 3 1
		fields := strings.Fields(text)
		if len(fields) != 3 {
			return nil, fmt.Errorf("line %d: want 3 fields, got %q", line, text)
		}
		stmts, err1 := strconv.Atoi(fields[1])
		count, err2 := strconv.Atoi(fields[2])
		if err1 != nil || err2 != nil || !strings.Contains(fields[0], ":") {
			return nil, fmt.Errorf("line %d: malformed %q", line, text)
		}
		b := blocks[fields[0]]
		if b == nil {
			b = &block{stmts: stmts}
			blocks[fields[0]] = b
		}
		b.covered = b.covered || count > 0
	}
	return blocks, sc.Err()
}

// cover is the statements and covered statements of a package.
type cover struct{ stmts, covered int }

func (c cover) percent() float64 {
	if c.stmts == 0 {
		return 100
	}
	return 100 * float64(c.covered) / float64(c.stmts)
}

func byPackage(blocks map[string]*block) map[string]cover {
	out := map[string]cover{}
	for key, b := range blocks {
		file, _, _ := strings.Cut(key, ":")
		pkg := path.Dir(file)
		c := out[pkg]
		c.stmts += b.stmts
		if b.covered {
			c.covered += b.stmts
		}
		out[pkg] = c
	}
	return out
}

type floor struct {
	pkg     string
	percent float64
}

func parseFloors(r io.Reader) ([]floor, error) {
	var out []floor
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) != 2 {
			return nil, fmt.Errorf("line %d: want PACKAGE PERCENT, got %q", n, text)
		}
		p, err := strconv.ParseFloat(strings.TrimSuffix(fields[1], "%"), 64)
		if err != nil || p < 0 || p > 100 {
			return nil, fmt.Errorf("line %d: bad percent %q", n, fields[1])
		}
		out = append(out, floor{fields[0], p})
	}
	return out, sc.Err()
}

// sum adds up the packages a floor names.
func sum(cov map[string]cover, name string) (cover, bool) {
	var total cover
	found := false
	prefix, tree := strings.CutSuffix(name, "/...")
	for pkg, c := range cov {
		if name == "total" || pkg == prefix || (tree && strings.HasPrefix(pkg, prefix+"/")) {
			total.stmts += c.stmts
			total.covered += c.covered
			found = true
		}
	}
	return total, found
}

// report prints the table and returns the floors that were not met.
func report(w io.Writer, cov map[string]cover, floors []floor) []string {
	pkgs := make([]string, 0, len(cov))
	for p := range cov {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "package\tstatements\tcoverage")
	for _, p := range pkgs {
		fmt.Fprintf(tw, "%s\t%d\t%.1f%%\n", p, cov[p].stmts, cov[p].percent())
	}
	total, _ := sum(cov, "total")
	fmt.Fprintf(tw, "total\t%d\t%.1f%%\n", total.stmts, total.percent())
	tw.Flush()
	var failed []string
	for _, f := range floors {
		c, ok := sum(cov, f.pkg)
		status := "ok"
		switch {
		case !ok:
			status = "MISSING"
			failed = append(failed, f.pkg+" (no coverage data)")
		case c.percent() < f.percent:
			status = "BELOW"
			failed = append(failed, fmt.Sprintf("%s %.1f%% < %.1f%%", f.pkg, c.percent(), f.percent))
		}
		fmt.Fprintf(w, "floor %-45s %6.1f%% >= %5.1f%%  %s\n", f.pkg, c.percent(), f.percent, status)
	}
	return failed
}
