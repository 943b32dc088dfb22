package cli

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/spf13/cobra"
)

// local are the runnable commands that are not catalog operations, and why.
var local = map[string]string{
	"ceso simulator":   "starts a simulated host on this machine",
	"ceso demo":        "walks through the operations on an embedded simulator",
	"ceso ops list":    "prints the catalog itself",
	"ceso config show": "prints the local configuration; no host, catalog or target",

	// The audit log and the operator's sandbox tools.
	"ceso audit verify":     "reads the local audit log and checks its hash chain",
	"ceso audit checkpoint": "prints the head of the local audit log",
	"ceso audit hash":       "hashes a value with the local audit key",
	"ceso sandbox keygen":   "makes the operator's key pair in local files",
	"ceso sandbox promote":  "signs a token with the operator's private key; no host",
	"ceso sandbox approve":  "signs a plan approval with the operator's private key; no host",
	"ceso sandbox revoke":   "records a revocation in the local sandbox state file",
	"ceso version":          "prints the binary's build information",
	"ceso serve":            "runs the daemon that serves the catalog's operations",
	"ceso serve token new":  "makes an API token; no host, catalog or target",
	"ceso mcp":              "serves every catalog operation as an MCP tool to an agent",
}

// TestEveryCommandIsOneOperation walks the cobra tree and the catalog:
// every runnable command runs exactly one catalog operation (or is listed
// in local with its reason), and every operation has exactly one command.
func TestEveryCommandIsOneOperation(t *testing.T) {
	io, _, _, _ := cmdutil.Test()
	root := NewCmdRoot(cmdutil.New(io, config.MapEnv(nil)))
	byOp := map[string][]string{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.Runnable() || c.Name() == "help" || strings.HasPrefix(c.CommandPath(), "ceso completion") {
			return
		}
		op, ok := c.Annotations[cmdutil.OperationAnnotation]
		if _, isLocal := local[c.CommandPath()]; isLocal {
			if ok {
				t.Errorf("%s is listed as local but runs %s", c.CommandPath(), op)
			}
			return
		}
		if !ok {
			t.Errorf("%s runs no catalog operation and is not listed as local", c.CommandPath())
			return
		}
		if _, found := operations.Lookup(op); !found {
			t.Errorf("%s names %q, which is not in the catalog", c.CommandPath(), op)
		}
		byOp[op] = append(byOp[op], c.CommandPath())
	}
	walk(root)
	for _, d := range operations.Catalog() {
		if cmds := byOp[d.Name()]; len(cmds) != 1 {
			t.Errorf("%s is run by %d commands %v, want exactly one", d.Name(), len(cmds), cmds)
		}
	}
}

// TestCLIStaysOffTheHost: no file of the CLI imports govmomi or the ESXi
// client; commands reach hosts only through the catalog. (Tests may look
// at the simulated host directly to check what a command did.)
func TestCLIStaysOffTheHost(t *testing.T) {
	err := filepath.Walk(".", func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/vmware/govmomi") || path == "github.com/ceso/ceso/pkg/esxi/client" {
				t.Errorf("%s imports %s", p, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
