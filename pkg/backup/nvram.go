package backup

import (
	"context"
	"crypto/sha1" //nolint:gosec // SHA-1 only to compare with the host's NFC manifest
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"

	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/esxi/client"
)

// maxNVRAM bounds an NVRAM file: ESXi's are 8 to a few hundred KiB.
const maxNVRAM = 16 << 20

// storeLeaseNVRAM stores the NVRAM file the export lease offers (ESXi
// lists an EFI VM's <vm>.nvram as an item that is not a disk) or, when it
// offers none, the one on the datastore.
func (b *backupRun) storeLeaseNVRAM(ctx context.Context, exp *esxihost.Export, tmp string, l esxihost.Layout) ([]storedDisk, error) {
	it, ok := exp.NVRAM()
	if !ok {
		return b.storeFolderNVRAM(ctx, tmp, l, "the export lease offers no NVRAM file")
	}
	body, _, err := exp.Open(ctx, it)
	if err != nil {
		return nil, fmt.Errorf("storing the NVRAM file: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(body, maxNVRAM+1))
	_ = body.Close()
	if err == nil && len(data) > maxNVRAM {
		err = fmt.Errorf("larger than %d bytes", maxNVRAM)
	}
	if err != nil {
		return nil, fmt.Errorf("storing the NVRAM file %s: %w", it.Name, err)
	}
	sum := sha1.Sum(data) //nolint:gosec // see import
	return b.putNVRAM(ctx, tmp, data, it.Key, hex.EncodeToString(sum[:]))
}

// storeFolderNVRAM stores the VM's NVRAM file read from the datastore
// (the hot path, or a lease without it). An EFI VM without one fails with
// ErrNoNVRAM; a BIOS VM without one is noted.
func (b *backupRun) storeFolderNVRAM(ctx context.Context, tmp string, l esxihost.Layout, why string) ([]storedDisk, error) {
	if l.NVRAM == "" {
		return b.noNVRAM(ctx, l, "the host names no NVRAM file")
	}
	if b.d.dry() {
		b.d.Plan(step("api", "GET "+l.NVRAM, "the VM's NVRAM file, over the datastore's HTTPS file access (%s)", why))
	}
	data, err := b.h.Get(ctx, l.NVRAM, maxNVRAM)
	if errors.Is(err, client.ErrNotFound) {
		return b.noNVRAM(ctx, l, fmt.Sprintf("%s does not exist", l.NVRAM))
	}
	if err != nil {
		return nil, fmt.Errorf("storing the NVRAM file: %w", err)
	}
	return b.putNVRAM(ctx, tmp, data, esxihost.NVRAMDeviceKey(b.v), "")
}

// noNVRAM decides about a VM without an NVRAM file.
func (b *backupRun) noNVRAM(ctx context.Context, l esxihost.Layout, why string) ([]storedDisk, error) {
	if l.Firmware == "efi" {
		return nil, fmt.Errorf("%w: %q: %s; a copy without its NVRAM may not boot and loses its boot entries and Secure Boot keys. "+
			"ESXi writes the file when the VM first powers on: power it on once, or check the VM's folder (%s)",
			ErrNoNVRAM, b.req.VM, why, path.Dir(l.VMX))
	}
	note(ctx, b.d, "%s has no NVRAM file (%s): its BIOS settings are the defaults", b.req.VM, why)
	return nil, nil
}

// putNVRAM stores the NVRAM file uncompressed.
func (b *backupRun) putNVRAM(ctx context.Context, tmp string, data []byte, key, sha1 string) ([]storedDisk, error) {
	name := archive.NVRAMName(b.req.VM)
	f, err := putFile(ctx, b.t, path.Join(tmp, name), data, b.d.observer())
	if err != nil {
		return nil, fmt.Errorf("storing the NVRAM file: %w", err)
	}
	f.Kind, f.DeviceKey = archive.KindNVRAM, key
	return []storedDisk{{file: f, key: key, sha1: sha1}}, nil
}
