package operations

import (
	"context"
	"sort"
	"strings"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// Completion kinds: what a shell completes a word with.
const (
	CompleteVMs       = "vms"       // VM names, templates excluded
	CompleteTemplates = "templates" // templates, and defaults.template
	CompleteAnyVM     = "any-vm"    // every VM name
)

// CompleteVMNames lists VM names starting with prefix, for shell
// completion. It is not an operation: it reads the host through the App's
// session without the runner (nothing is audited on each Tab), so the App
// should be made with Options.CacheOnly, and an error means "complete
// nothing".
func CompleteVMNames(ctx context.Context, a *app.App, kind, prefix string) ([]string, error) {
	list, err := app.WithSession(ctx, a, func(c *client.Client) ([]vm.Summary, error) {
		return vm.List(ctx, c, vm.Filter{})
	})
	if err != nil {
		return nil, err
	}
	tmpl := a.Config().Defaults.Template
	var out []string
	for _, s := range list {
		isTemplate := s.Template || s.Name == tmpl
		switch {
		case !strings.HasPrefix(s.Name, prefix):
		case kind == CompleteVMs && isTemplate, kind == CompleteTemplates && !isTemplate:
		default:
			out = append(out, s.Name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// CompleteBackupIDs lists the IDs of the catalog's backups starting with
// prefix, newest first, each with its VM and time as a description. It
// reads the local catalog only (and never creates it).
func CompleteBackupIDs(a *app.App, prefix string) ([][2]string, error) {
	entries, err := backup.FileCatalog{Path: a.Config().CatalogPath()}.ListBackups("")
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for _, e := range entries {
		if strings.HasPrefix(e.ID, prefix) {
			out = append(out, [2]string{e.ID, e.VMName + " " + e.Timestamp.Local().Format("2006-01-02 15:04")})
		}
	}
	return out, nil
}

// CompleteBackupVMs lists the VM names the catalog holds backups of.
func CompleteBackupVMs(a *app.App, prefix string) ([]string, error) {
	entries, err := backup.FileCatalog{Path: a.Config().CatalogPath()}.ListBackups("")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.VMName, prefix) && !seen[e.VMName] {
			seen[e.VMName] = true
			out = append(out, e.VMName)
		}
	}
	sort.Strings(out)
	return out, nil
}

// CompleteTargets lists the backup target names: the configured ones and
// the built-in local and datastore.
func CompleteTargets(a *app.App, prefix string) []string {
	targets, _ := a.BackupTargets()
	names := []string{config.TargetDatastore}
	for _, t := range targets {
		if t.Name != config.TargetDatastore {
			names = append(names, t.Name)
		}
	}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
