package vm

import (
	"context"
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/ops"
)

// DeleteOptions tune DeleteWith.
type DeleteOptions struct {
	// Force powers a running or suspended VM off first.
	Force bool
	// Host makes the changes; nil means over the API of the client.
	Host Host
}

// Delete removes the VM called name and its files. A powered-on or
// suspended VM is refused (ErrPoweredOn) unless force, which powers it off
// first. After Destroy_Task it checks that the VM's folder is gone and
// deletes what the host left in it, unless another VM lives there too.
func Delete(ctx context.Context, c *client.Client, name string, force bool) error {
	return DeleteWith(ctx, c, name, DeleteOptions{Force: force})
}

// DeleteWith is Delete with all its options.
func DeleteWith(ctx context.Context, c *client.Client, name string, opts DeleteOptions) error {
	unlock, err := lockVMs(ctx, c.Host(), nil, name)
	if err != nil {
		return err
	}
	defer unlock()
	return deleteVM(ctx, c, name, opts, nil)
}

// PlanDelete checks the request as Delete does and returns the calls it
// would make, changing nothing.
func PlanDelete(ctx context.Context, c *client.Client, name string, opts DeleteOptions) ([]ops.Step, error) {
	var steps []ops.Step
	if err := deleteVM(ctx, c, name, opts, func(s ops.Step) { steps = append(steps, s) }); err != nil {
		return nil, err
	}
	return steps, nil
}

func deleteVM(ctx context.Context, c *client.Client, name string, opts DeleteOptions, record func(ops.Step)) error {
	t, err := readPowerTarget(ctx, c, name)
	if err != nil {
		return err
	}
	dir := vmFolder(t.vmx)
	if t.power != PoweredOff && !opts.Force {
		return fmt.Errorf("%w: %q is %s; power it off first, or force the delete to power it off", ErrPoweredOn, name, t.power)
	}
	if err := checkNoTasks(ctx, c, name, t.tasks); err != nil {
		return err
	}
	j := newJob("delete "+name, hostFor(opts.Host, c, t.inv), record, 0)
	if t.power != PoweredOff {
		if err := j.do(ctx, "powering off "+name, func(ctx context.Context) error {
			return ignorePowerState(j.h.Power(ctx, t.ref, PowerOff))
		}, nil); err != nil {
			return err
		}
	}
	if err := j.do(ctx, "destroying "+name, func(ctx context.Context) error { return j.h.Destroy(ctx, t.ref) }, nil); err != nil {
		return err
	}
	if dir == "" {
		return nil
	}
	return j.read(ctx, ops.Step{Via: "api", Action: "HostDatastoreBrowser.SearchDatastore_Task " + dir,
		Detail: "then FileManager.DeleteDatastoreFile_Task " + dir + " if the host left files"},
		func(ctx context.Context) error { return removeLeftovers(ctx, c, j.h, t.inv, name, dir) })
}

// removeLeftovers deletes the folder of a destroyed VM if the host left it
// behind, unless another registered VM has its files there.
func removeLeftovers(ctx context.Context, c *client.Client, h Host, inv *inventory, name, dir string) error {
	files, exists, err := listFolder(ctx, c, inv, dir)
	if err != nil {
		return fmt.Errorf("VM %q was destroyed, but checking its folder failed: %w", name, err)
	}
	if !exists {
		return nil
	}
	for ref, p := range inv.vmPaths {
		if strings.HasPrefix(p, dir+"/") && inv.nameOf(ref) != name {
			ops.Note(ctx, "kept folder %s: VM %q lives there too", dir, inv.nameOf(ref))
			return nil
		}
	}
	if err := ignoreNotFound(h.DeleteDir(ctx, dir)); err != nil {
		return &StepError{Op: "delete " + name, Step: "removing the files the host left", Err: err,
			Left: []Leftover{{What: fmt.Sprintf("folder %s (%s)", dir, strings.Join(files, ", ")), Remove: removeDirHint(dir), Err: err}}}
	}
	if len(files) > 0 {
		ops.Note(ctx, "removed %d file(s) the host left in %s: %s", len(files), dir, strings.Join(files, ", "))
	}
	return nil
}
