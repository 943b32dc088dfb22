package esxisim

import (
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // the NFC manifest is SHA-1
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/vmdk"
	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/nfc"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/ovf"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// exportLease exports a VM and waits for its lease.
func exportLease(t *testing.T, vm *object.VirtualMachine) (*nfc.Lease, *nfc.LeaseInfo) {
	t.Helper()
	ctx := context.Background()
	lease, err := vm.Export(ctx)
	if err != nil {
		t.Fatalf("ExportVm: %v", err)
	}
	info, err := lease.Wait(ctx, nil)
	if err != nil {
		t.Fatalf("lease: %v", err)
	}
	return lease, info
}

func download(c *govmomi.Client, item nfc.FileItem) ([]byte, error) {
	rc, _, err := c.Client.Download(context.Background(), item.URL, &soap.DefaultDownload)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// rawDisk decodes a streamOptimized image into the disk it holds.
func rawDisk(t *testing.T, image []byte) []byte {
	t.Helper()
	sr, err := vmdk.NewStreamReader(bytes.NewReader(image))
	if err != nil {
		t.Fatalf("the export is not streamOptimized: %v", err)
	}
	raw, err := io.ReadAll(sr)
	if err != nil {
		t.Fatalf("reading the streamOptimized export: %v", err)
	}
	return raw
}

// streamImage encodes raw (padded to a sector) as a streamOptimized image.
func streamImage(t *testing.T, raw []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := vmdk.NewStreamWriter(&out, int64(len(raw)+511)&^511, vmdk.WriterOptions{})
	if err == nil {
		_, err = w.Write(raw)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestExportVmServesStreamOptimizedDisksAndTheNVRAM(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	vm := vmByName(t, c, TemplateName)
	lease, info := exportLease(t, vm)
	if len(info.Items) != 2 {
		t.Fatalf("%d device URLs, want a disk and the NVRAM", len(info.Items))
	}
	disk, nv := info.DeviceUrl[0], info.DeviceUrl[1]
	if disk.TargetId != "disk-0.vmdk" || !*disk.Disk || disk.FileSize != 0 || !strings.HasSuffix(disk.Url, "/disk-0.vmdk") {
		t.Errorf("disk device URL = %+v", disk)
	}
	wantKey := "/" + vm.Reference().Value + "/nvram"
	if nv.Key != wantKey || *nv.Disk || nv.TargetId != "" || nv.FileSize != NVRAMSizeEFI || !strings.HasSuffix(nv.Url, "/disk-1.nvram") {
		t.Errorf("NVRAM device URL = %+v", nv)
	}
	served, err := download(c, info.Items[0])
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(s.DatastoreDir(), TemplateName, TemplateName+"-flat.vmdk"))
	if got := rawDisk(t, served); !bytes.Equal(got, want) || len(got) != testDiskSize {
		t.Fatalf("the export holds %d bytes, the flat disk %d; equal=%v", len(got), len(want), bytes.Equal(got, want))
	}
	if len(served) >= len(want) {
		t.Errorf("the export (%d bytes) is not compressed", len(served))
	}
	nvram, err := download(c, info.Items[1])
	if err != nil || !bytes.Equal(nvram, NVRAMContent(TemplateName, "efi")) || info.Items[1].Path != "disk-1.nvram" {
		t.Fatalf("NVRAM item %q: %d bytes, %v", info.Items[1].Path, len(nvram), err)
	}
	if info.TotalDiskCapacityInKB != testDiskSize/1024 || info.LeaseTimeout != 300 {
		t.Errorf("capacity %d KB, timeout %d s", info.TotalDiskCapacityInKB, info.LeaseTimeout)
	}
	if err := lease.Progress(ctx, 50); err != nil {
		t.Fatalf("progress: %v", err)
	}
	manifest, err := lease.GetManifest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(served) //nolint:gosec // see import
	nsum := sha1.Sum(nvram) //nolint:gosec // see import
	if len(manifest) != 2 || manifest[0].Key != info.DeviceUrl[0].Key || manifest[0].Sha1 != hex.EncodeToString(sum[:]) ||
		manifest[0].Size != int64(len(served)) || !manifest[0].Disk ||
		manifest[1].Key != wantKey || manifest[1].Sha1 != hex.EncodeToString(nsum[:]) || manifest[1].Disk {
		t.Errorf("manifest = %+v", manifest)
	}
	if err := lease.Complete(ctx); err != nil {
		t.Fatalf("complete: %v", err)
	}
	if _, err := download(c, info.Items[0]); err == nil {
		t.Error("download after Complete worked")
	}
	if err := lease.Complete(ctx); !fault.Is(err, &types.InvalidState{}) {
		t.Errorf("second Complete: %v, want InvalidState", err)
	}
}

// TestExportVmRangeRequest: the NVRAM file is served as a file (Range
// works); a disk is made as it is sent, so a Range request gets it whole.
func TestExportVmRangeRequest(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	_, info := exportLease(t, vmByName(t, c, TemplateName))
	get := func(item nfc.FileItem) (*http.Response, []byte) {
		req, err := http.NewRequest(http.MethodGet, item.URL.String(), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Range", "bytes=4096-4105")
		res, err := c.Client.Client.Client.Do(req) // the soap client's TLS-verifying http.Client
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, body
	}
	res, got := get(info.Items[1])
	if res.StatusCode != http.StatusPartialContent || !bytes.Equal(got, NVRAMContent(TemplateName, "efi")[4096:4106]) {
		t.Errorf("NVRAM range: %s, %x", res.Status, got)
	}
	res, got = get(info.Items[0])
	if res.StatusCode != http.StatusOK || len(rawDisk(t, got)) != testDiskSize {
		t.Errorf("disk range: %s, %d bytes", res.Status, len(got))
	}
}

func TestExportVmRefusesPoweredOnVM(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	vm := vmByName(t, c, TemplateName)
	if err := powerOn(context.Background(), vm); err != nil {
		t.Fatal(err)
	}
	_, err := vm.Export(context.Background())
	var ips *types.InvalidPowerState
	if _, ok := fault.As(err, &ips); !ok || ips.ExistingState != types.VirtualMachinePowerStatePoweredOn {
		t.Fatalf("err = %v, want InvalidPowerState", err)
	}
	if !strings.Contains(err.Error(), "(Powered on)") {
		t.Errorf("faultstring = %q", err)
	}
}

func TestExportAbort(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	lease, info := exportLease(t, vmByName(t, c, TemplateName))
	if err := lease.Abort(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := download(c, info.Items[0]); err == nil {
		t.Error("download after Abort worked")
	}
	if err := lease.Progress(ctx, 10); !fault.Is(err, &types.InvalidState{}) {
		t.Errorf("progress after abort: %v", err)
	}
	if err := lease.Abort(ctx, nil); !fault.Is(err, &types.InvalidState{}) {
		t.Errorf("second abort: %v", err)
	}
}

func TestLeaseTimesOutWithoutProgress(t *testing.T) {
	s := startSim(t, Options{LeaseTimeout: 300 * time.Millisecond})
	c := connect(t, s)
	ctx := context.Background()
	lease, info := exportLease(t, vmByName(t, c, TemplateName))
	for range 3 { // progress keeps it alive past the timeout
		time.Sleep(150 * time.Millisecond)
		if err := lease.Progress(ctx, 10); err != nil {
			t.Fatalf("progress: %v", err)
		}
	}
	time.Sleep(600 * time.Millisecond)
	if err := lease.Progress(ctx, 20); !fault.Is(err, &types.Timedout{}) {
		t.Fatalf("progress after timeout: %v, want Timedout", err)
	}
	if _, err := download(c, info.Items[0]); err == nil {
		t.Error("download after timeout worked")
	}
	props, err := lease.Properties(ctx, "state", "error")
	if err != nil || props.State != types.HttpNfcLeaseStateError || props.Error == nil {
		t.Errorf("lease = %+v, %v", props, err)
	}
}

// descriptor exports vm's OVF descriptor naming the lease's files.
func descriptor(t *testing.T, c *govmomi.Client, vm *object.VirtualMachine, info *nfc.LeaseInfo, name string) string {
	t.Helper()
	var files []types.OvfFile
	for _, item := range info.Items {
		files = append(files, types.OvfFile{DeviceId: item.DeviceId, Path: item.Path, Size: item.Size})
	}
	res, err := ovf.NewManager(c.Client).CreateDescriptor(context.Background(), vm, types.OvfCreateDescriptorParams{Name: name, OvfFiles: files})
	if err != nil {
		t.Fatalf("CreateDescriptor: %v", err)
	}
	return res.OvfDescriptor
}

// importOVF imports desc as entity, uploading files (the disks as
// streamOptimized images, then the NVRAM) and returns the lease error.
func importOVF(t *testing.T, s *Simulator, c *govmomi.Client, desc, entity string, disks [][]byte, finish func(*nfc.Lease) error) error {
	t.Helper()
	ctx := context.Background()
	pool := object.NewResourcePool(c.Client, esx.ResourcePool.Self)
	ds := object.NewDatastore(c.Client, findDatastore(s.internalContext(ctx), s.Datastore()).Self)
	cisp := types.OvfCreateImportSpecParams{EntityName: entity, DiskProvisioning: "thin"}
	spec, err := ovf.NewManager(c.Client).CreateImportSpec(ctx, desc, pool, ds, &cisp)
	if err != nil {
		return err
	}
	if len(spec.Error) > 0 {
		t.Fatalf("import spec errors: %+v", spec.Error)
	}
	folder := object.NewFolder(c.Client, esx.Datacenter.VmFolder)
	lease, err := pool.ImportVApp(ctx, spec.ImportSpec, folder, nil)
	if err != nil {
		return err
	}
	info, err := lease.Wait(ctx, spec.FileItem)
	if err != nil {
		return err
	}
	if len(info.Items) != len(disks) {
		t.Fatalf("%d upload URLs for %d files", len(info.Items), len(disks))
	}
	updater := lease.StartUpdater(ctx, info) // consumes the upload progress, as clients do
	defer updater.Done()
	for i, item := range info.Items {
		err := lease.Upload(ctx, item, bytes.NewReader(disks[i]), soap.Upload{ContentLength: int64(len(disks[i]))})
		if err != nil {
			t.Fatalf("upload: %v", err)
		}
	}
	return finish(lease)
}

func complete(l *nfc.Lease) error { return l.Complete(context.Background()) }

// TestVcsimSnapshotExportStillWorks checks that the NFC routes hand vcsim's
// own leases (ExportSnapshot) to vcsim.
func TestVcsimSnapshotExportStillWorks(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	vm := vmByName(t, c, TemplateName)
	task, err := vm.CreateSnapshot(ctx, "s1", "", false, false)
	if err != nil {
		t.Fatal(err)
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := methods.ExportSnapshot(ctx, c.Client, &types.ExportSnapshot{This: info.Result.(types.ManagedObjectReference)})
	if err != nil {
		t.Fatalf("ExportSnapshot: %v", err)
	}
	lease := nfc.NewLease(c.Client, res.Returnval)
	linfo, err := lease.Wait(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(linfo.Items) == 0 {
		t.Fatal("no device URLs")
	}
	if _, err := download(c, linfo.Items[0]); err != nil {
		t.Errorf("download of a vcsim lease: %v", err)
	}
	if err := lease.Complete(ctx); err != nil {
		t.Error(err)
	}
}

func TestCapacityUnits(t *testing.T) {
	tests := []struct {
		in          int64
		value, unit string
	}{
		{3 << 30, "3", "byte * 2^30"},
		{64 << 20, "64", "byte * 2^20"},
		{4096 + 1<<20, "1052672", "byte"},
		{0, "0", "byte"},
	}
	for _, tt := range tests {
		v, u := capacityUnits(tt.in)
		if v != tt.value || u != tt.unit {
			t.Errorf("capacityUnits(%d) = %s %s, want %s %s", tt.in, v, u, tt.value, tt.unit)
		}
	}
	if got := diskCapacity(&types.VirtualDisk{CapacityInKB: 2}); got != 2048 {
		t.Errorf("capacity from KB = %d", got)
	}
}
