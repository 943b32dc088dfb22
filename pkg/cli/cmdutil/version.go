package cmdutil

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version and Date override what the build info gives, when set at build
// time: -ldflags "-X github.com/ceso/ceso/pkg/cli/cmdutil.Version=v1.2.3
// -X github.com/ceso/ceso/pkg/cli/cmdutil.Date=2026-11-03T02:15:00Z".
var (
	Version = ""
	Date    = ""
)

// govmomiPath is the module whose version `ceso version` reports.
const govmomiPath = "github.com/vmware/govmomi"

// Build describes the running binary: what `ceso version` prints and what
// backups record.
type Build struct {
	// Version is the module version ("v1.2.3" for go install …@v1.2.3),
	// else "devel" with the commit ("devel+3f9a1c2b4d5e", "-dirty" for
	// uncommitted changes), else "devel".
	Version string `json:"version"`
	// Commit is the VCS revision; Date the commit's time (Go's build info
	// holds no build time: builds are reproducible) unless set with
	// -ldflags. Both are "" when the build was not made in a checkout.
	Commit string `json:"commit"`
	Date   string `json:"date"`
	// Modified says the checkout had uncommitted changes.
	Modified bool `json:"modified"`
	// Go is the toolchain; Govmomi the version of github.com/vmware/govmomi.
	Go      string `json:"go"`
	Govmomi string `json:"govmomi"`
	// Platform is GOOS/GOARCH.
	Platform string `json:"platform"`
}

// ReadBuild reads the binary's build information.
func ReadBuild() Build {
	b := Build{Version: "devel", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	info, ok := debug.ReadBuildInfo()
	if ok {
		b = fromBuildInfo(info, b)
	}
	if Version != "" {
		b.Version = Version
	}
	if Date != "" {
		b.Date = Date
	}
	return b
}

func fromBuildInfo(info *debug.BuildInfo, b Build) Build {
	if info.GoVersion != "" {
		b.Go = info.GoVersion
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.Date = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	for _, d := range info.Deps {
		if d.Path == govmomiPath {
			b.Govmomi = d.Version
			if d.Replace != nil {
				b.Govmomi = d.Replace.Version
			}
		}
	}
	switch v := info.Main.Version; {
	case v != "" && v != "(devel)":
		b.Version = v
	case b.Commit != "":
		b.Version = "devel+" + b.Commit[:min(12, len(b.Commit))]
		if b.Modified {
			b.Version += "-dirty"
		}
	}
	return b
}

// String is the one-line form of `ceso --version`.
func (b Build) String() string {
	var parts []string
	if b.Commit != "" {
		parts = append(parts, "commit "+b.Commit[:min(12, len(b.Commit))])
	}
	if b.Date != "" {
		parts = append(parts, "built "+b.Date)
	}
	parts = append(parts, b.Go, "govmomi "+orUnknown(b.Govmomi), b.Platform)
	return fmt.Sprintf("ceso %s (%s)", b.Version, strings.Join(parts, ", "))
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
