package vm

import (
	"context"
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/ops"
)

// apiPlan is the dry run of APIHost: each call records the API method it
// would call, with its arguments, and changes nothing.
type apiPlan struct{ record func(ops.Step) }

var _ Host = apiPlan{}

func (p apiPlan) step(format string, a ...any) {
	p.record(ops.Step{Via: "api", Action: fmt.Sprintf(format, a...)})
}

func (p apiPlan) MakeDir(_ context.Context, dir string) error {
	p.step("FileManager.MakeDirectory %s", dir)
	return nil
}

func (p apiPlan) DeleteDir(_ context.Context, dir string) error {
	p.step("FileManager.DeleteDatastoreFile_Task %s", dir)
	return nil
}

func (p apiPlan) CopyDisk(_ context.Context, src, dst, _ string) error {
	p.step("VirtualDiskManager.CopyVirtualDisk_Task %s -> %s (thin)", src, dst)
	return nil
}

func (p apiPlan) CopyFile(_ context.Context, src, dst string) error {
	p.step("FileManager.CopyDatastoreFile_Task %s -> %s", src, dst)
	return nil
}

func (p apiPlan) DeleteDisk(_ context.Context, path string) error {
	p.step("VirtualDiskManager.DeleteVirtualDisk_Task %s", path)
	return nil
}

func (p apiPlan) CreateVM(_ context.Context, vm *NewVM) (VMRef, error) {
	p.step("Folder.CreateVM_Task %s (%s)", vm.Name, vm.Describe())
	return VMRef{Name: vm.Name}, nil
}

func (p apiPlan) GrowDisk(_ context.Context, vm VMRef, path string, capacity int64) error {
	p.step("VirtualMachine.ReconfigVM_Task %s: grow %s to %s", vm.Name, path, FormatBytes(capacity))
	return nil
}

func (p apiPlan) Power(_ context.Context, vm VMRef, op PowerOp) error {
	p.step("VirtualMachine.%s %s", op.apiMethod(), vm.Name)
	return nil
}

func (p apiPlan) Destroy(_ context.Context, vm VMRef) error {
	p.step("VirtualMachine.Destroy_Task %s", vm.Name)
	return nil
}

func (p apiPlan) CreateSnapshot(_ context.Context, vm VMRef, name string) (string, error) {
	p.step("VirtualMachine.CreateSnapshot_Task %s %q (disks only, no memory, no quiescing)", vm.Name, name)
	return name, nil
}

func (p apiPlan) RemoveSnapshot(_ context.Context, vm VMRef, id string) error {
	p.step("VirtualMachineSnapshot.RemoveSnapshot_Task %s %q (consolidate)", vm.Name, id)
	return nil
}

func (p apiPlan) DryRun(record func(ops.Step)) Host { return apiPlan{record: record} }

// Describe summarises the VM's hardware for plans:
// `2 vCPU, 2048 MiB, efi, vmxnet3 on "VM Network"`.
func (vm *NewVM) Describe() string {
	parts := []string{fmt.Sprintf("%d vCPU", vm.CPU), fmt.Sprintf("%d MiB", vm.MemoryMB)}
	if vm.Firmware != "" {
		parts = append(parts, vm.Firmware)
	}
	for _, n := range vm.NICs {
		parts = append(parts, fmt.Sprintf("%s on %q", n.Kind, n.Network))
	}
	if len(vm.Disks) > 0 {
		parts = append(parts, fmt.Sprintf("%d disk(s)", len(vm.Disks)))
	}
	return strings.Join(parts, ", ")
}

// FormatBytes renders a size in binary units: "64 MiB", "20 GiB", "1.5 GiB".
func FormatBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v := float64(n)
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %s", int64(v), units[i])
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}
