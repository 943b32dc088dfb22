package esxisim

import (
	"bytes"
	"context"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/vmdk"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/ovf"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// refEnv is what the reference checks look at: one simulator, the export
// and an import of the template, snapshots and NVRAM files.
type refEnv struct {
	s                *Simulator
	export, imported []types.HttpNfcLeaseDeviceUrl
	disk, nvram      []byte // as the export served them
	desc             string // the export's descriptor, naming the NVRAM
	postNVRAM        error  // a POST of the NVRAM to the import lease
	deltas           []*types.VirtualDiskFlatVer2BackingInfo
	baseKept         bool   // the base disk did not change under a guest write
	biosNVRAM        int    // size of a BIOS VM's NVRAM after its first power-on
	recreated        bool   // an NVRAM file removed came back at power-on
	importedKey      string // the imported VM's nvram key
}

func newRefEnv(t *testing.T) *refEnv {
	t.Helper()
	s := startSim(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	r := &refEnv{s: s}
	tmpl := vmByName(t, c, TemplateName)
	lease, info := exportLease(t, tmpl)
	r.export = info.DeviceUrl
	var err error
	if r.disk, err = download(c, info.Items[0]); err != nil {
		t.Fatal(err)
	}
	if r.nvram, err = download(c, info.Items[1]); err != nil {
		t.Fatal(err)
	}
	r.desc = descriptor(t, c, tmpl, info, "imported")
	_ = lease.Complete(ctx)

	pool := object.NewResourcePool(c.Client, esx.ResourcePool.Self)
	ds := object.NewDatastore(c.Client, findDatastore(s.internalContext(ctx), s.Datastore()).Self)
	spec, err := ovf.NewManager(c.Client).CreateImportSpec(ctx, r.desc, pool, ds, &types.OvfCreateImportSpecParams{EntityName: "imported"})
	if err != nil {
		t.Fatal(err)
	}
	imp, err := pool.ImportVApp(ctx, spec.ImportSpec, object.NewFolder(c.Client, esx.Datacenter.VmFolder), nil)
	if err != nil {
		t.Fatal(err)
	}
	linfo, err := imp.Wait(ctx, spec.FileItem)
	if err != nil {
		t.Fatal(err)
	}
	r.imported = linfo.DeviceUrl
	updater := imp.StartUpdater(ctx, linfo)
	r.postNVRAM = postStatus(t, c, linfo.Items[1].URL.String(), r.nvram)
	for i, b := range [][]byte{r.disk, r.nvram} {
		if err := imp.Upload(ctx, linfo.Items[i], bytes.NewReader(b), soap.Upload{ContentLength: int64(len(b))}); err != nil {
			t.Fatalf("import upload %d: %v", i, err)
		}
	}
	updater.Done()
	if err := imp.Complete(ctx); err != nil {
		t.Fatal(err)
	}
	r.importedKey = extraOf(t, s, "imported")

	flat := filepath.Join(s.DatastoreDir(), TemplateName, TemplateName+"-flat.vmdk")
	before := readFile(t, flat)
	if err := powerOn(ctx, tmpl); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"one", "two"} {
		snapshot(t, tmpl, name)
		r.deltas = append(r.deltas, firstDisk(t, tmpl))
		if err := s.WriteGuestDisk(TemplateName, 0, 0, []byte(name)); err != nil {
			t.Fatal(err)
		}
	}
	r.baseKept = bytes.Equal(readFile(t, flat), before)

	bios := spec0(t, s, "bios", "bios")
	vm, err := createVM(t, s, c, bios)
	if err != nil {
		t.Fatal(err)
	}
	if err := powerOn(ctx, vm); err != nil {
		t.Fatal(err)
	}
	nv := filepath.Join(s.DatastoreDir(), "bios", "bios.nvram")
	r.biosNVRAM = len(readFile(t, nv))
	_ = os.Remove(nv)
	if err := powerOff(ctx, vm); err != nil {
		t.Fatal(err)
	}
	if err := powerOn(ctx, vm); err != nil {
		t.Fatal(err)
	}
	_, err = os.Stat(nv)
	r.recreated = err == nil
	return r
}

func spec0(t *testing.T, s *Simulator, name, firmware string) types.VirtualMachineConfigSpec {
	t.Helper()
	cs := spec(t, s, name)
	cs.Firmware = firmware
	return cs
}

func extraOf(t *testing.T, s *Simulator, name string) string {
	t.Helper()
	for _, m := range inventory(t, s) {
		if m.Name == name {
			v, _ := extraValue(m.Config.ExtraConfig, "nvram")
			return v
		}
	}
	t.Fatalf("no VM %s", name)
	return ""
}

var (
	sampleURL  = regexp.MustCompile(`url = '[^']*/(disk-[0-9]+\.[a-z]+)'`)
	sampleKey  = regexp.MustCompile(`key = '(/vm-[0-9]+/nvram)'`)
	sampleSize = regexp.MustCompile(`\.nvram" ovf:id="file[0-9]+" ovf:size="([0-9]+)"|\.nvram"[^>]*ovf:size="([0-9]+)"`)
	vmRefKey   = regexp.MustCompile(`^/vm-[0-9]+/nvram$`)
)

// referenceChecks tie each sample of testdata/esxi-reference to a check
// that the simulator does what the sample shows.
var referenceChecks = map[string]func(t *testing.T, r *refEnv, sample string){
	"lease.import.device-urls.esxi6.7.txt": func(t *testing.T, r *refEnv, sample string) {
		urls := sampleURL.FindAllStringSubmatch(sample, -1)
		if len(urls) != 2 || urls[0][1] != "disk-0.vmdk" || urls[1][1] != "disk-1.nvram" || sampleKey.FindString(sample) == "" {
			t.Fatalf("sample not as expected: %v", urls)
		}
		d, n := r.imported[0], r.imported[1]
		if path.Base(d.Url) != "disk-0.vmdk" || d.TargetId != "disk-0.vmdk" || !*d.Disk {
			t.Errorf("import disk URL %+v", d)
		}
		if path.Base(n.Url) != "disk-1.nvram" || !vmRefKey.MatchString(n.Key) || n.ImportKey != "/imported/nvram" || *n.Disk || n.TargetId != "" || n.FileSize != 0 {
			t.Errorf("import NVRAM URL %+v", n)
		}
	},
	"lease.export.disk-device-url.txt": func(t *testing.T, r *refEnv, sample string) {
		if !strings.Contains(sample, "/disk-0.vmdk") || !strings.Contains(sample, "Device URL Size: None") {
			t.Fatal("sample not as expected")
		}
		if d := r.export[0]; path.Base(d.Url) != "disk-0.vmdk" || d.FileSize != 0 {
			t.Errorf("export disk URL %+v", d)
		}
	},
	"api-reference.HttpNfcLeaseDeviceUrl.fileSize.txt": func(t *testing.T, r *refEnv, sample string) {
		if !strings.Contains(sample, "only set for non-disk file backings") {
			t.Fatal("sample not as expected")
		}
		if r.export[0].FileSize != 0 || r.export[1].FileSize != int64(len(r.nvram)) || *r.export[1].Disk {
			t.Errorf("fileSize: disk %d, NVRAM %d of %d bytes", r.export[0].FileSize, r.export[1].FileSize, len(r.nvram))
		}
	},
	"ovf.export-efi-nvram.txt":          checkOVFNVRAM(NVRAMSizeEFI, "file2"),
	"ovf.export-bios-nvram.vcenter.txt": checkOVFNVRAM(NVRAMSizeBIOS, "file3"),
	"api-reference.VirtualDiskFlatVer2BackingInfo.parent.txt": func(t *testing.T, r *refEnv, sample string) {
		if !strings.Contains(sample, "the type of the backing is consistent throughout the chain") {
			t.Fatal("sample not as expected")
		}
		checkDeltaChain(t, r)
	},
	"VirtualDisk.backing.delta-chain.txt": func(t *testing.T, r *refEnv, sample string) {
		if !strings.Contains(sample, "Parent: &types.VirtualDiskFlatVer2BackingInfo{") || !strings.Contains(sample, `DeltaDiskFormat: "redoLogFormat"`) {
			t.Fatal("sample not as expected")
		}
		checkDeltaChain(t, r)
	},
	"docs.vmfs6-delta-format.txt": func(t *testing.T, r *refEnv, sample string) {
		if !strings.Contains(sample, "SEsparse is a default format for all delta disks on the VMFS6 datastores") {
			t.Fatal("sample not as expected")
		}
		if r.deltas[0].DeltaDiskFormat != "seSparseFormat" || !r.baseKept {
			t.Errorf("delta format %q, base kept %v", r.deltas[0].DeltaDiskFormat, r.baseKept)
		}
	},
	"kb.snapshot-delta-names.txt": func(t *testing.T, r *refEnv, sample string) {
		if !strings.Contains(sample, "examplevm/examplevm-000002.vmdk") {
			t.Fatal("sample not as expected")
		}
		for i, d := range r.deltas {
			want := "[datastore1] " + TemplateName + "/" + TemplateName + []string{"-000001.vmdk", "-000002.vmdk"}[i]
			if d.FileName != want {
				t.Errorf("delta %d is %q, want %q", i+1, d.FileName, want)
			}
		}
	},
	"nfc.upload-non-disk-put.txt": func(t *testing.T, r *refEnv, sample string) {
		if !strings.Contains(sample, `opts.Method = "PUT"`) || !strings.Contains(sample, "405") {
			t.Fatal("sample not as expected")
		}
		if r.postNVRAM == nil || !strings.Contains(r.postNVRAM.Error(), "405") {
			t.Errorf("POST of the NVRAM: %v, want 405", r.postNVRAM)
		}
		got := readFile(t, filepath.Join(r.s.DatastoreDir(), "imported", "imported.nvram"))
		if !bytes.Equal(got, r.nvram) {
			t.Error("the NVRAM sent with PUT was not stored")
		}
	},
	"nvram.recreated-at-power-on.txt": func(t *testing.T, r *refEnv, sample string) {
		if !strings.Contains(sample, "automatically recreated when the virtual machine is powered back on") {
			t.Fatal("sample not as expected")
		}
		if !r.recreated {
			t.Error("a removed NVRAM file did not come back at power-on")
		}
	},
	"vmx.nvram-key.txt": func(t *testing.T, r *refEnv, sample string) {
		if !strings.Contains(sample, `nvram = "Windows12.nvram"`) {
			t.Fatal("sample not as expected")
		}
		if r.importedKey != "imported.nvram" {
			t.Errorf("the imported VM's nvram key is %q", r.importedKey)
		}
	},
	"export.stream-optimized.txt": func(t *testing.T, r *refEnv, sample string) {
		if !strings.Contains(sample, "stream optimized") {
			t.Fatal("sample not as expected")
		}
		if _, err := vmdk.NewStreamReader(bytes.NewReader(r.disk)); err != nil {
			t.Errorf("the export is not streamOptimized: %v", err)
		}
	},
}

// checkOVFNVRAM checks the NVRAM's size and the form of the nvram entry.
func checkOVFNVRAM(size int, id string) func(t *testing.T, r *refEnv, sample string) {
	return func(t *testing.T, r *refEnv, sample string) {
		m := sampleSize.FindStringSubmatch(sample)
		if m == nil || (m[1] != strconv.Itoa(size) && m[2] != strconv.Itoa(size)) {
			t.Fatalf("sample size %v, want %d", m, size)
		}
		line := `<vmw:ExtraConfig ovf:required="false" vmw:key="nvram" vmw:value="ovf:/file/` + id + `"/>`
		if !strings.Contains(sample, line) {
			t.Fatalf("sample has no line %s", line)
		}
		if size == NVRAMSizeEFI && len(r.nvram) != size || size == NVRAMSizeBIOS && r.biosNVRAM != size {
			t.Errorf("NVRAM sizes: EFI %d, BIOS %d", len(r.nvram), r.biosNVRAM)
		}
		want := strings.Replace(line, id, "file2", 1) // the template has one disk
		if !strings.Contains(r.desc, want) {
			t.Errorf("the descriptor has no line %s:\n%s", want, r.desc)
		}
	}
}

func checkDeltaChain(t *testing.T, r *refEnv) {
	t.Helper()
	two := r.deltas[1]
	if two.Parent == nil || two.Parent.FileName != r.deltas[0].FileName || two.Parent.Parent == nil ||
		two.Parent.Parent.Parent != nil || !strings.HasSuffix(two.Parent.Parent.FileName, TemplateName+".vmdk") {
		t.Errorf("chain: %q over %+v", two.FileName, two.Parent)
	}
}

// TestSimulatorFollowsTheReferenceSamples checks the simulator against
// each ESXi reference sample of testdata/esxi-reference, and that every
// sample has a check.
func TestSimulatorFollowsTheReferenceSamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "esxi-reference", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	r := newRefEnv(t)
	seen := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		seen[name] = true
		check, ok := referenceChecks[name]
		if !ok {
			t.Errorf("sample %s has no check", name)
			continue
		}
		data := string(readFile(t, f))
		if !strings.HasPrefix(data, "# command: ") || !strings.Contains(data, "\n# source: ") || !strings.Contains(data, "\n# relied on: ") {
			t.Errorf("sample %s lacks its header", name)
		}
		t.Run(name, func(t *testing.T) { check(t, r, data) })
	}
	for name := range referenceChecks {
		if !seen[name] {
			t.Errorf("checked sample %s is missing", name)
		}
	}
}
