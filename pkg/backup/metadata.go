package backup

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/stream"
	"github.com/ceso/ceso/pkg/backup/target"
)

// storeMetadata stores the descriptor, the configuration record, the .mf
// and, last, the manifest. It returns the manifest and its digest.
func (b *backupRun) storeMetadata(ctx context.Context, tmp string, disks []storedDisk) (*archive.Manifest, stream.Sum, error) {
	m := &archive.Manifest{
		Format: archive.FormatName, Version: archive.Version, ID: b.id, VMName: b.req.VM,
		Created: b.taken, Compression: b.compression(),
	}
	for _, dk := range disks {
		m.Files = append(m.Files, dk.file)
	}
	desc, err := b.descriptor(ctx, m, disks)
	if err != nil {
		return nil, stream.Sum{}, err
	}
	record, err := b.record(disks).Encode()
	if err != nil {
		return nil, stream.Sum{}, err
	}
	small := []struct {
		name, kind string
		data       []byte
	}{
		{archive.DescriptorName(b.req.VM), archive.KindDescriptor, []byte(desc)},
		{archive.ConfigName, archive.KindConfig, record},
	}
	for _, s := range small {
		f, err := putFile(ctx, b.t, path.Join(tmp, s.name), s.data, b.d.observer())
		if err != nil {
			return nil, stream.Sum{}, err
		}
		f.Kind = s.kind
		m.Files = append(m.Files, f)
	}
	mf := archive.OVFManifest(m.Files)
	f, err := putFile(ctx, b.t, path.Join(tmp, archive.OVFManifestName(b.req.VM)), mf, b.d.observer())
	if err != nil {
		return nil, stream.Sum{}, err
	}
	f.Kind = archive.KindOVFManifest
	m.Files = append(m.Files, f)
	data, err := m.Encode()
	if err != nil {
		return nil, stream.Sum{}, err
	}
	if _, err := putFile(ctx, b.t, path.Join(tmp, archive.ManifestName), data, b.d.observer()); err != nil {
		return nil, stream.Sum{}, err
	}
	return m, stream.SumBytes(data), nil
}

// descriptor asks the host for the VM's OVF descriptor naming the stored
// files by their device keys. A host that does not match a key (a hot
// backup has no export lease, so its keys are ESXi's own naming) names the
// disks its own way: their references are then renamed to the backup's
// files. The descriptor must import cleanly before the backup is kept.
func (b *backupRun) descriptor(ctx context.Context, m *archive.Manifest, files []storedDisk) (string, error) {
	desc, err := b.h.Descriptor(ctx, b.v, b.req.VM, ovfFiles(files))
	if err != nil {
		return "", err
	}
	// A dry run's export has no lease, so no device keys for the host to
	// name the disks by: its descriptor is only a stand-in.
	if b.d.dry() {
		return desc, nil
	}
	if _, err := archive.CheckDescriptor([]byte(desc), m); err == nil {
		return desc, nil
	}
	var refs []archive.FileRef
	for _, f := range m.OfKind(archive.KindDisk) {
		refs = append(refs, archive.FileRef{Name: f.Name, Size: f.Size})
	}
	renamed, err := archive.RenameDiskReferences([]byte(desc), refs)
	if err == nil {
		_, err = archive.CheckDescriptor(renamed, m)
	}
	if err != nil {
		return "", fmt.Errorf("the host's descriptor would not import: %w", err)
	}
	return string(renamed), nil
}

// record is the VM's configuration record.
func (b *backupRun) record(files []storedDisk) *archive.Config {
	info, about := b.info, b.h.About()
	c := &archive.Config{
		Format: archive.FormatName, Version: archive.Version,
		Name: info.Name, UUID: info.UUID, InstanceUUID: info.InstanceUUID,
		GuestID: info.GuestOS, GuestFullName: info.GuestFullName, Firmware: info.Firmware,
		HardwareVersion: info.HardwareVersion, CPUs: info.CPU, MemoryMB: info.MemoryMB,
		Annotation: info.Annotation, PowerState: b.power, VMPath: info.Path, Datastore: datastoreOf(info.Path),
		GuestInfo: archive.GuestInfo{}, TakenAt: b.taken, Consistency: b.consistency,
		Host: archive.Host{Name: b.d.Client.Host(), Product: about.FullName, Version: about.Version, Build: about.Build},
	}
	var disks []archive.File
	for _, f := range files {
		switch f.file.Kind {
		case archive.KindDisk:
			disks = append(disks, f.file)
		case archive.KindNVRAM:
			c.NVRAM = f.file.Name
		}
	}
	for i, d := range info.Disks {
		file := ""
		if i < len(disks) {
			file = disks[i].Name
		}
		c.Disks = append(c.Disks, archive.Disk{Label: d.Label, File: file, Path: d.Path,
			CapacityBytes: d.CapacityBytes, Thin: d.Thin, Controller: d.Controller})
	}
	for _, n := range info.NICs {
		c.NICs = append(c.NICs, archive.NIC{Label: n.Label, Type: n.Type, MAC: n.MAC, Network: n.Network, Connected: n.Connected})
	}
	for _, k := range info.GuestInfoKeys {
		c.GuestInfo[k] = info.ExtraConfig[k]
	}
	return c
}

// entry is the catalog entry of the stored backup.
func (b *backupRun) entry(m *archive.Manifest, sum stream.Sum, final string) storage.Entry {
	meta := map[string]string{
		metaPath:         final,
		metaVersion:      b.d.Version,
		metaESXiVersion:  b.h.About().Version,
		metaESXiBuild:    b.h.About().Build,
		metaDisks:        itoa(int64(len(m.OfKind(archive.KindDisk)))),
		metaUncompressed: itoa(m.Size()),
		metaCompression:  m.Compression.Algorithm,
		metaVMUUID:       b.info.UUID,
		metaConsistency:  b.consistency,
	}
	if b.cold {
		meta[metaColdBackup] = "true"
	}
	for k, v := range meta {
		if v == "" {
			delete(meta, k)
		}
	}
	return storage.Entry{
		ID: b.id, VMName: b.req.VM, Host: b.d.Client.Host(), Timestamp: b.taken,
		Size:   m.StoredSize() + sum.Size,
		Target: b.t.Name(), Location: b.t.Location(final),
		Checksum: sum.SHA256, Status: storage.StatusComplete,
		Description: b.req.Description, Metadata: meta,
	}
}

// datastoreOf returns "datastore1" of "[datastore1] web/web.vmx".
func datastoreOf(p string) string {
	if strings.HasPrefix(p, "[") {
		if i := strings.IndexByte(p, ']'); i > 0 {
			return p[1:i]
		}
	}
	return ""
}

// putFile stores a small file uncompressed and describes it.
func putFile(ctx context.Context, t target.Target, p string, data []byte, obs Observer) (archive.File, error) {
	f, err := t.Create(ctx, p)
	if err != nil {
		return archive.File{}, err
	}
	if _, err := (&countingWriter{w: f, obs: obs}).Write(data); err != nil {
		_ = f.Abort()
		return archive.File{}, err
	}
	if err := f.Commit(); err != nil {
		return archive.File{}, err
	}
	s := stream.SumBytes(data)
	return archive.File{
		Name: path.Base(p), Size: s.Size, SHA256: s.SHA256, Compression: archive.CompressionNone,
		Stored: path.Base(p), StoredSize: s.Size, StoredSHA256: s.SHA256,
	}, nil
}

// checkStoredSizes checks that the directory holds exactly the manifest's
// files and the manifest, each with its recorded size.
func checkStoredSizes(ctx context.Context, t target.Target, dir string, m *archive.Manifest) error {
	list, err := t.List(ctx, dir)
	if err != nil {
		return fmt.Errorf("checking the stored files: %w", err)
	}
	have := map[string]int64{}
	for _, i := range list {
		have[i.Name] = i.Size
	}
	for _, f := range m.Files {
		size, ok := have[f.Stored]
		if !ok {
			return fmt.Errorf("checking the stored files: %s is missing", f.Stored)
		}
		if size != f.StoredSize {
			return fmt.Errorf("checking the stored files: %s has %d bytes, %d were written", f.Stored, size, f.StoredSize)
		}
		delete(have, f.Stored)
	}
	delete(have, archive.ManifestName)
	for name := range have {
		return fmt.Errorf("checking the stored files: %s is not part of the backup", name)
	}
	return nil
}

// countingWriter reports bytes written to a target.
type countingWriter struct {
	w   io.Writer
	obs Observer
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.obs.BytesWritten(int64(n))
	return n, err
}
