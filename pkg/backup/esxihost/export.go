package esxihost

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/vmware/govmomi/nfc"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/ovf"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Item is one file of a lease: a disk to download or upload.
type Item struct {
	// Key is the lease's device key ("/vm-12/VirtualLsiLogicController0:0").
	Key string
	// Name is the file name: the host's target id on export, the
	// descriptor's file name on import.
	Name string
	// Size is the file size when known, else 0.
	Size int64
	// Disk is true for a disk (false for an ISO image or the like).
	Disk bool

	url  *url.URL
	item nfc.FileItem
}

// Export is an open export lease of a powered-off VM.
type Export struct {
	h        *Host
	lease    *nfc.Lease
	info     *nfc.LeaseInfo
	keeper   *keeper
	items    []Item
	Capacity int64 // total disk capacity in bytes
}

// Export asks the host to export the VM (ExportVm) and waits for the lease.
// The host refuses a VM that is not powered off. The caller must end the
// lease with Complete or Abort.
func (h *Host) Export(ctx context.Context, v *object.VirtualMachine) (*Export, error) {
	if h.dry() {
		return h.dryExport(ctx, v)
	}
	lease, err := v.Export(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting the export: %w", client.Classify(err))
	}
	info, err := lease.Wait(ctx, nil)
	if err != nil {
		abortLease(lease, err)
		return nil, fmt.Errorf("waiting for the export lease: %w", client.Classify(err))
	}
	e := &Export{h: h, lease: lease, info: info, Capacity: info.TotalDiskCapacityInKB * 1024}
	for i, d := range info.DeviceUrl {
		it := info.Items[i]
		e.items = append(e.items, Item{
			Key: d.Key, Name: it.Path, Size: d.FileSize, Disk: d.Disk != nil && *d.Disk,
			url: it.URL, item: it,
		})
	}
	e.keeper = startKeeper(lease, e.Capacity, keepInterval(time.Duration(info.LeaseTimeout)*time.Second))
	return e, nil
}

// Items lists the files of the export, disks in device order.
func (e *Export) Items() []Item { return e.items }

// Disks lists the disks of the export, in device order.
func (e *Export) Disks() []Item {
	var out []Item
	for _, it := range e.items {
		if it.Disk || strings.HasSuffix(it.Name, ".vmdk") {
			out = append(out, it)
		}
	}
	return out
}

// NVRAM is the export's NVRAM file, when the host offers it: ESXi lists an
// EFI VM's <vm>.nvram as a lease item that is not a disk, with a device key
// ending in "/nvram".
func (e *Export) NVRAM() (Item, bool) {
	for _, it := range e.items {
		if !it.Disk && (strings.HasSuffix(it.Key, "/nvram") || strings.HasSuffix(it.Name, ".nvram")) {
			return it, true
		}
	}
	return Item{}, false
}

// Open starts the download of one file. Bytes read are counted towards the
// lease's progress.
func (e *Export) Open(ctx context.Context, it Item) (io.ReadCloser, int64, error) {
	if e.h.dry() {
		e.h.record(ops.Step{Via: "api", Action: "GET " + it.Name, Detail: "from the export lease, streamed"})
		return emptyBody(), 0, nil
	}
	res, err := e.h.c.Vim().Client.DownloadRequest(ctx, it.url, &soap.DefaultDownload)
	if err != nil {
		return nil, 0, fmt.Errorf("downloading %s: %w", it.Name, e.leaseErr(err))
	}
	if res.StatusCode != http.StatusOK {
		_ = res.Body.Close()
		// An expired lease's URLs answer 404: say why it expired.
		return nil, 0, fmt.Errorf("downloading %s: %w", it.Name, e.leaseErr(fmt.Errorf("the host answered %s", res.Status)))
	}
	return &countingBody{ReadCloser: res.Body, k: e.keeper}, res.ContentLength, nil
}

// Manifest returns the host's SHA-1 of each file downloaded in full, by
// device key. A host that keeps no manifest returns an empty map.
func (e *Export) Manifest(ctx context.Context) (map[string]string, error) {
	if e.h.dry() {
		e.h.record(ops.Step{Via: "api", Action: "HttpNfcLeaseGetManifest", Detail: "compare the host's SHA-1 of each disk"})
		return map[string]string{}, nil
	}
	return leaseManifest(ctx, e.lease)
}

// leaseManifest reads a lease's manifest: the SHA-1 of each file
// transferred in full, by device key, in lower case.
func leaseManifest(ctx context.Context, lease *nfc.Lease) (map[string]string, error) {
	entries, err := lease.GetManifest(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the lease manifest: %w", client.Classify(err))
	}
	out := map[string]string{}
	for _, m := range entries {
		out[m.Key] = strings.ToLower(m.Sha1)
	}
	return out, nil
}

// Reports is how many progress reports the lease's keeper made.
func (e *Export) Reports() int64 { return e.keeper.reports.Load() }

// Complete ends the lease successfully.
func (e *Export) Complete(ctx context.Context) error {
	if e.h.dry() {
		e.h.record(ops.Step{Via: "api", Action: "HttpNfcLeaseComplete"})
		return nil
	}
	e.keeper.halt()
	if err := e.lease.Complete(ctx); err != nil {
		return fmt.Errorf("completing the export lease: %w", e.leaseErr(err))
	}
	return nil
}

// Abort ends the lease in error. It uses its own deadline, so it works
// after ctx is cancelled.
func (e *Export) Abort(cause error) {
	if e.h.dry() {
		return
	}
	e.keeper.halt()
	abortLease(e.lease, cause)
}

// leaseErr classifies err, adding why progress reports failed if they did.
func (e *Export) leaseErr(err error) error {
	err = client.Classify(err)
	if kerr := e.keeper.err(); kerr != nil {
		return fmt.Errorf("%w (lease progress reports failed: %v)", err, kerr)
	}
	return err
}

// Descriptor asks the host for the VM's OVF descriptor, naming the files
// as the export stored them.
func (h *Host) Descriptor(ctx context.Context, v VM, name string, files []DescriptorFile) (string, error) {
	if h.dry() {
		h.step("CreateDescriptor", v, "OVF descriptor naming the stored disks")
	}
	cdp := types.OvfCreateDescriptorParams{Name: name}
	for _, f := range files {
		cdp.OvfFiles = append(cdp.OvfFiles, types.OvfFile{DeviceId: f.Key, Path: f.Name, Size: f.Size})
	}
	res, err := ovf.NewManager(h.c.Vim()).CreateDescriptor(ctx, v, cdp)
	if err != nil {
		return "", fmt.Errorf("creating the OVF descriptor: %w", client.Classify(err))
	}
	if len(res.Error) > 0 {
		return "", fmt.Errorf("creating the OVF descriptor: %s", res.Error[0].LocalizedMessage)
	}
	return res.OvfDescriptor, nil
}

// abortLease aborts a lease, giving the host the cause.
func abortLease(lease *nfc.Lease, cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	msg := "aborted by ceso"
	if cause != nil {
		msg = cause.Error()
	}
	_ = lease.Abort(ctx, &types.LocalizedMethodFault{Fault: &types.SystemError{Reason: msg}, LocalizedMessage: msg})
}

// countingBody counts downloaded bytes towards the lease's progress.
type countingBody struct {
	io.ReadCloser
	k *keeper
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.k.add(int64(n))
	return n, err
}
