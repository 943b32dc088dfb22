package esxishell

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// vmPrefix is the simulator's prefix of VM references: vm-12 is vmid 12.
const vmPrefix = "vm-"

// vmids returns the vmid of a VM reference.
func vmidOf(ref types.ManagedObjectReference) string { return strings.TrimPrefix(ref.Value, vmPrefix) }

// vms reads every VM with props, sorted by vmid in string order, as hostd
// lists them.
func (s *Shell) vms(ctx context.Context, props ...string) ([]mo.VirtualMachine, error) {
	m := view.NewManager(s.vim())
	v, err := m.CreateContainerView(ctx, s.vim().ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		return nil, err
	}
	defer func() { _ = v.Destroy(context.WithoutCancel(ctx)) }()
	var vms []mo.VirtualMachine
	if err := v.Retrieve(ctx, []string{"VirtualMachine"}, props, &vms); err != nil {
		return nil, err
	}
	sort.Slice(vms, func(i, j int) bool { return vmidOf(vms[i].Self) < vmidOf(vms[j].Self) })
	return vms, nil
}

// vm finds the VM of a vmid argument. A vmid that names no VM is the
// NotFound fault vim-cmd prints.
func (s *Shell) vm(ctx context.Context, vmid string, props ...string) (*mo.VirtualMachine, *result) {
	if _, err := strconv.ParseUint(vmid, 10, 32); err != nil || strings.HasPrefix(vmid, "0") {
		r := faultResult("", &types.NotFound{}, fmt.Sprintf("Unable to find a VM corresponding to %q", vmid))
		return nil, &r
	}
	vms, err := s.vms(ctx, append([]string{"name"}, props...)...)
	if err != nil {
		r := failed(err.Error()+"\n", 1)
		return nil, &r
	}
	for i := range vms {
		if vmidOf(vms[i].Self) == vmid {
			return &vms[i], nil
		}
	}
	r := faultResult("", &types.NotFound{}, fmt.Sprintf("Unable to find a VM corresponding to %q", vmid))
	return nil, &r
}

// getAllVMs prints vim-cmd vmsvc/getallvms: a column is as wide as its
// longest value or its label, columns are 3 blanks apart, every line is
// padded to the full width, and the labels are centred over their columns.
func (s *Shell) getAllVMs(ctx context.Context) result {
	vms, err := s.vms(ctx, "name", "config.files.vmPathName", "config.guestId", "config.version", "config.annotation")
	if err != nil {
		return failed(err.Error()+"\n", 1)
	}
	rows := [][]string{{"Vmid", "Name", "File", "Guest OS", "Version", "Annotation"}}
	for _, v := range vms {
		row := []string{vmidOf(v.Self), v.Name, "", "", "", ""}
		if c := v.Config; c != nil {
			row[2], row[3], row[4], row[5] = c.Files.VmPathName, c.GuestId, c.Version, c.Annotation
		}
		rows = append(rows, row)
	}
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len(cell))
		}
	}
	var b strings.Builder
	for n, row := range rows {
		cells := make([]string, len(row))
		for i, cell := range row {
			left := 0
			if n == 0 {
				left = (widths[i] - len(cell)) / 2
			}
			cells[i] = strings.Repeat(" ", left) + cell + strings.Repeat(" ", widths[i]-len(cell)-left)
		}
		b.WriteString(strings.Join(cells, "   "))
		b.WriteString("\n")
	}
	return ok(b.String())
}
