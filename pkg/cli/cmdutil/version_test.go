package cmdutil

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuildFromBuildInfo(t *testing.T) {
	deps := []*debug.Module{{Path: "github.com/spf13/cobra", Version: "v1.9.1"}, {Path: govmomiPath, Version: "v0.56.0"}}
	vcs := []debug.BuildSetting{{Key: "vcs.revision", Value: "3f9a1c2b4d5e6f708192a3b4c5d6e7f801234567"},
		{Key: "vcs.time", Value: "2026-11-03T02:15:00Z"}, {Key: "vcs.modified", Value: "true"}}
	tests := []struct {
		name string
		info debug.BuildInfo
		want Build
	}{
		{"released", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Deps: deps},
			Build{Version: "v1.2.3", Go: "go1.26.8", Govmomi: "v0.56.0"}},
		{"checkout", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Deps: deps, Settings: vcs},
			Build{Version: "devel+3f9a1c2b4d5e-dirty", Commit: "3f9a1c2b4d5e6f708192a3b4c5d6e7f801234567", Date: "2026-11-03T02:15:00Z",
				Modified: true, Go: "go1.26.8", Govmomi: "v0.56.0"}},
		{"replaced govmomi", debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Deps: []*debug.Module{{Path: govmomiPath, Version: "v0.56.0", Replace: &debug.Module{Path: "../govmomi", Version: "v0.56.1-fix"}}}},
			Build{Version: "devel", Go: "go-default", Govmomi: "v0.56.1-fix"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fromBuildInfo(&tt.info, Build{Version: "devel", Go: "go-default"})
			if got != tt.want {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	b := Build{Version: "v1.2.3", Commit: "3f9a1c2b4d5e6f70", Date: "2026-11-03T02:15:00Z", Go: "go1.26.8", Govmomi: "v0.56.0", Platform: "linux/amd64"}
	if got := b.String(); got != "ceso v1.2.3 (commit 3f9a1c2b4d5e, built 2026-11-03T02:15:00Z, go1.26.8, govmomi v0.56.0, linux/amd64)" {
		t.Fatalf("String() = %q", got)
	}
	if r := ReadBuild(); r.Version == "" || r.Version == "dev" || !strings.HasPrefix(r.Go, "go") {
		t.Fatalf("ReadBuild() = %+v", r)
	}
}
