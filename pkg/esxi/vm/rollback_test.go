package vm

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/vmware/govmomi/vim25/types"
)

// rollbackCase fails one step of a create.
type rollbackCase struct {
	name    string
	inject  func() func()
	spec    func(CreateSpec) CreateSpec
	step    string
	want    error
	kind    errkind.Kind
	undone  []string
	noUndos bool
	// trace is every change the create made and the files in the VM's
	// folder after it (see watchedHost): the failed step, then each undo
	// step, must leave the datastore as said.
	trace []string
}

// The files in the new VM's folder once its disk is copied, once the
// template's NVRAM is, and once the VM is registered.
const (
	copiedFiles = "web01-flat.vmdk web01.vmdk"
	nvramFiles  = "web01-flat.vmdk web01.nvram web01.vmdk"
	vmFiles     = "vmware.log web01-flat.vmdk web01.nvram web01.vmdk web01.vmx"
)

// createTrace is the trace of a create whose steps before the step
// numbered failed (from 0) worked, then that step's line, then the undo
// steps.
func createTrace(failed int, line string, undo ...string) []string {
	all := []string{
		"MakeDir [datastore1] web01: (empty)",
		"CopyDisk [datastore1] web01/web01.vmdk: " + copiedFiles,
		"CopyFile [datastore1] web01/web01.nvram: " + nvramFiles,
		"CreateVM web01: " + vmFiles,
		"GrowDisk [datastore1] web01/web01.vmdk: " + vmFiles,
		"Power on web01: " + vmFiles,
	}
	out := append(append([]string(nil), all[:failed]...), line)
	return append(out, undo...)
}

// The undo steps once the VM is registered: destroying it removes its
// folder, so removing the disk and the folder then finds nothing.
var undoRegistered = []string{
	"Destroy web01: (no folder)",
	"DeleteDisk [datastore1] web01/web01.vmdk (failed): (no folder)",
	"DeleteDir [datastore1] web01 (failed): (no folder)",
}

// rollbackCases are the failures TestCreateRollsBack injects, one per step.
func rollbackCases(sim *esxisim.Simulator) []rollbackCase {
	return []rollbackCase{
		{
			name: "datastore full during the disk copy",
			inject: func() func() {
				return sim.FailTask("CopyVirtualDisk_Task", &types.NoDiskSpace{Datastore: "datastore1"}, 1)
			},
			step: "copying disk", want: client.ErrNoDiskSpace, kind: errkind.Refused,
			undone: []string{"folder [datastore1] web01"},
			trace: createTrace(1, "CopyDisk [datastore1] web01/web01.vmdk (failed): (empty)",
				"DeleteDir [datastore1] web01: (no folder)"),
		},
		{
			name:   "CreateVM_Task fails",
			inject: func() func() { return sim.FailTask("CreateVM_Task", &types.InvalidDeviceSpec{}, 1) },
			step:   "creating VM", kind: errkind.Unknown,
			undone: []string{"disk [datastore1] web01/web01.vmdk", "folder [datastore1] web01"},
			// The copied disk is removed on its own before its folder, which
			// takes the NVRAM with it.
			trace: createTrace(3, "CreateVM web01 (failed): "+nvramFiles,
				"DeleteDisk [datastore1] web01/web01.vmdk: web01.nvram", "DeleteDir [datastore1] web01: (no folder)"),
		},
		{
			name:   "ReconfigVM_Task fails",
			inject: func() func() { return sim.FailTask("ReconfigVM_Task", &types.NoDiskSpace{Datastore: "datastore1"}, 1) },
			step:   "growing disk", want: client.ErrNoDiskSpace, kind: errkind.Refused,
			undone: []string{"VM web01", "disk [datastore1] web01/web01.vmdk", "folder [datastore1] web01"},
			trace:  createTrace(4, "GrowDisk [datastore1] web01/web01.vmdk (failed): "+vmFiles, undoRegistered...),
		},
		{
			name: "power-on refused",
			inject: func() func() {
				return sim.AddFault(esxisim.FaultRule{Method: "PowerOnVM_Task", Fault: &types.InsufficientMemoryResourcesFault{}})
			},
			step: "powering on", kind: errkind.Unknown,
			undone: []string{"VM web01", "disk [datastore1] web01/web01.vmdk", "folder [datastore1] web01"},
			trace:  createTrace(5, "Power on web01 (failed): "+vmFiles, undoRegistered...),
		},
		{
			name:   "no IP address in time",
			inject: func() func() { return func() {} },
			spec:   func(s CreateSpec) CreateSpec { s.WaitIP = 300 * time.Millisecond; return s },
			step:   "waiting for the guest's IP address", want: ErrWaitTimeout, kind: errkind.Timeout,
			undone: []string{"power of web01", "VM web01", "disk [datastore1] web01/web01.vmdk", "folder [datastore1] web01"},
			trace: createTrace(5, "Power on web01: "+vmFiles,
				append([]string{"Power off web01: " + vmFiles}, undoRegistered...)...),
		},
		{
			name: "folder refused",
			inject: func() func() {
				return sim.AddFault(esxisim.FaultRule{Method: "MakeDirectory", Fault: &types.CannotCreateFile{}})
			},
			step: "making folder", kind: errkind.Unknown, noUndos: true,
			trace: []string{"MakeDir [datastore1] web01 (failed): (no folder)"},
		},
	}
}

// TestCreateRollsBack fails each step of a create in turn and checks that
// the error names the step, what the failed step and each undo step left in
// the VM's folder (an undo that removes nothing shows, even when a later
// one removes the whole folder), and that nothing is left on the datastore
// or in the inventory.
func TestCreateRollsBack(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	spec := CreateSpec{Name: "web01", Template: esxisim.TemplateName, DiskSizeBytes: 2 * testDiskSize, PowerOn: true}
	for _, tt := range rollbackCases(sim) {
		t.Run(tt.name, func(t *testing.T) {
			remove := tt.inject()
			defer remove()
			s := spec
			if tt.spec != nil {
				s = tt.spec(s)
			}
			wh := &watchedHost{Host: NewAPIHost(c), sim: sim, folder: "web01"}
			s.Host = wh
			_, err := Create(testCtx(t), c, s)
			var se *StepError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is no *StepError", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if errkind.Of(err) != tt.kind {
				t.Errorf("kind %v, want %v (%v)", errkind.Of(err), tt.kind, err)
			}
			if !strings.HasPrefix(se.Step, tt.step) || se.Op != "create web01" {
				t.Errorf("step %q of %q, want %q", se.Step, se.Op, tt.step)
			}
			if got := wh.Trace(); strings.Join(got, "\n") != strings.Join(tt.trace, "\n") {
				t.Errorf("the steps left on the datastore:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.trace, "\n\t"))
			}
			if strings.Join(se.Undone, "|") != strings.Join(tt.undone, "|") || len(se.Left) > 0 || errors.Is(err, ErrLeftovers) {
				t.Errorf("undone %q left %+v, want %q", se.Undone, se.Left, tt.undone)
			}
			if tt.noUndos && !strings.Contains(err.Error(), "nothing was changed") {
				t.Errorf("message %q", err)
			}
			if !tt.noUndos && !strings.Contains(err.Error(), "rolled back: ") {
				t.Errorf("message %q", err)
			}
			assertOnlyTemplate(t, sim)
			if _, err := Find(testCtx(t), c, "web01"); !errors.Is(err, ErrNotFound) {
				t.Errorf("web01 still registered: %v", err)
			}
		})
	}
}

// TestRollbackKeepsWhatALateCreateNeeds loses the create request: the VM
// may still appear, so the rollback keeps its disk and folder and says
// so. When the host then creates it, the VM is whole, and deleting it
// leaves nothing.
func TestRollbackKeepsWhatALateCreateNeeds(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	h := &lostCreate{Host: NewAPIHost(c)}
	_, err := Create(ctx, c, CreateSpec{Name: "web01", Template: esxisim.TemplateName, Host: h, RollbackTimeout: 5 * time.Second})
	var se *StepError
	if !errors.As(err, &se) || !errors.Is(err, ErrLeftovers) || len(se.Undone) != 0 {
		t.Fatalf("error %v", err)
	}
	var left []string
	for _, l := range se.Left {
		left = append(left, l.What)
	}
	if strings.Join(left, "|") != "VM web01|disk [datastore1] web01/web01.vmdk|folder [datastore1] web01" ||
		!strings.Contains(err.Error(), "may still appear") || !strings.Contains(err.Error(), "kept for the VM that may still appear") {
		t.Fatalf("left %q: %v", left, err)
	}
	if got := strings.Join(folderFiles(t, sim, "web01"), " "); got != nvramFiles {
		t.Fatalf("the folder holds %q, want %q", got, nvramFiles)
	}
	if _, err := h.late(ctx); err != nil {
		t.Fatalf("the late create: %v", err)
	}
	if err := Delete(ctx, c, "web01", true); err != nil {
		t.Fatal(err)
	}
	assertOnlyTemplate(t, sim)
}

// TestCreateRollbackLeftovers makes the rollback itself fail and checks that
// the error says what is left and how to remove it.
func TestCreateRollbackLeftovers(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	defer sim.FailTask("CopyVirtualDisk_Task", &types.NoDiskSpace{Datastore: "datastore1"}, 1)()
	defer sim.FailTask("DeleteDatastoreFile_Task", &types.FileLocked{}, 0)()
	_, err := Create(ctx, c, CreateSpec{Name: "web01", Template: esxisim.TemplateName, RollbackTimeout: 5 * time.Second})
	var se *StepError
	if !errors.As(err, &se) || !errors.Is(err, ErrLeftovers) || !errors.Is(err, client.ErrNoDiskSpace) {
		t.Fatalf("error %v", err)
	}
	if len(se.Left) != 1 || se.Left[0].What != "folder [datastore1] web01" || !strings.Contains(se.Left[0].Remove, "rm -rf '/vmfs/volumes/datastore1/web01'") {
		t.Fatalf("left %+v", se.Left)
	}
	if !strings.Contains(err.Error(), "left on the host: folder [datastore1] web01") {
		t.Errorf("message %q", err)
	}
	assertOnlyTemplate(t, sim, "web01")
}

func TestStepErrorMessages(t *testing.T) {
	cause := client.ErrNoDiskSpace
	tests := []struct {
		err  *StepError
		want string
	}{
		{&StepError{Op: "create a", Step: "making folder x", Err: cause}, "create a: making folder x: not enough space on the datastore; nothing was changed"},
		{&StepError{Op: "create a", Step: "s", Err: cause, Undone: []string{"disk d", "folder f"}}, "create a: s: not enough space on the datastore; rolled back: disk d, folder f"},
		{&StepError{Op: "delete a", Step: "destroying a", Err: cause, Kept: []string{"powering off a"}}, "delete a: destroying a: not enough space on the datastore; done before the failure and kept: powering off a"},
		{&StepError{Op: "create a", Step: "s", Err: cause, Left: []Leftover{{What: "folder f", Remove: "rm -rf f", Err: errors.New("locked")}}},
			"create a: s: not enough space on the datastore; left on the host: folder f (locked); remove it with: rm -rf f"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
		if errors.Is(tt.err, ErrLeftovers) != (len(tt.err.Left) > 0) {
			t.Errorf("ErrLeftovers match wrong for %q", tt.want)
		}
	}
}
