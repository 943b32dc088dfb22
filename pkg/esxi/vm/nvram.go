package vm

import (
	"context"
	"path"
	"slices"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/client"
)

// nvramKey is the .vmx key (and extraConfig key) naming a VM's NVRAM file.
const nvramKey = "nvram"

// sourceNVRAM returns the datastore path of the source's NVRAM file, ""
// when it has none. The file holds an EFI VM's boot entries and Secure Boot
// keys (Broadcom KB 320015: an EFI Linux VM deployed without its NVRAM can
// fail to boot); ESXi writes it at a VM's first power-on, so a source never
// powered on has none, and a copy then gets a fresh one at its first
// power-on too. The key nvram names it relative to the source's folder (or
// as a datastore path); without the key it is "<name>.nvram" there.
func sourceNVRAM(ctx context.Context, c *client.Client, inv *inventory, s *sourceVM) (string, error) {
	name := s.extra[nvramKey]
	if name == "" {
		name = s.name + ".nvram"
	}
	file := name
	if !strings.HasPrefix(name, "[") {
		ds, rel, ok := splitDSPath(s.vmx)
		if !ok || strings.HasPrefix(name, "/") {
			return "", nil // a shell path: not one a copy can name
		}
		file = dsPath(ds, path.Join(path.Dir(rel), name))
	}
	ds, rel, ok := splitDSPath(file)
	if !ok {
		return "", nil
	}
	dir := dsPath(ds, path.Dir(rel))
	if path.Dir(rel) == "." {
		dir = dsPath(ds, "")
	}
	names, exists, err := listFolder(ctx, c, inv, dir)
	if err != nil || !exists {
		return "", err
	}
	if !slices.Contains(names, path.Base(rel)) {
		return "", nil
	}
	return file, nil
}
