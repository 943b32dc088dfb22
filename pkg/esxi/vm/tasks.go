package vm

import (
	"context"
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// waitTask waits for a task to end and returns its result, or its fault
// classified. A task that has already ended costs one round trip; a longer
// one is followed with the property collector's updates.
func waitTask(ctx context.Context, c *client.Client, ref types.ManagedObjectReference) (types.AnyType, error) {
	var t mo.Task
	if err := property.DefaultCollector(c.Vim()).RetrieveOne(ctx, ref, []string{"info"}, &t); err != nil {
		return nil, client.Classify(err)
	}
	info := &t.Info
	if info.State != types.TaskInfoStateSuccess && info.State != types.TaskInfoStateError {
		var err error
		info, err = object.NewTask(c.Vim(), ref).WaitForResult(ctx, nil)
		if err != nil {
			return nil, classifyTask(err)
		}
	}
	if info.State == types.TaskInfoStateError && info.Error != nil {
		return nil, classifyTask(task.Error{LocalizedMethodFault: info.Error, Description: info.Description})
	}
	return info.Result, nil
}

// classifyTask classifies a task's fault and names the task a TaskInProgress
// fault points to.
func classifyTask(err error) error {
	if err == nil {
		return nil
	}
	var tip *types.TaskInProgress
	_, busy := fault.As(err, &tip) // before Classify wraps err
	err = client.Classify(err)
	if busy && tip != nil && tip.Task.Value != "" {
		return fmt.Errorf("%w (task %s)", err, tip.Task.Value)
	}
	return err
}

// runTask starts a task with start, waits for it and classifies its fault.
func runTask(ctx context.Context, c *client.Client, start func(context.Context) (*object.Task, error)) (types.AnyType, error) {
	t, err := start(ctx)
	if err != nil {
		return nil, classifyTask(err)
	}
	return waitTask(ctx, c, t.Reference())
}

// checkNoTasks refuses a write on a VM while a task runs on it: another
// client (the host client, a backup tool, another ceso) is changing it.
// recent is the VM's recentTask property.
func checkNoTasks(ctx context.Context, c *client.Client, vmName string, recent []types.ManagedObjectReference) error {
	if len(recent) == 0 {
		return nil
	}
	var tasks []mo.Task
	err := property.DefaultCollector(c.Vim()).Retrieve(ctx, recent, []string{"info"}, &tasks)
	if err != nil {
		if !client.IsFault(err, &types.ManagedObjectNotFound{}) {
			return fmt.Errorf("reading the tasks of VM %q: %w", vmName, client.Classify(err))
		}
		tasks = retrieveEach(ctx, c, recent)
	}
	var busy []string
	for _, t := range tasks {
		if s := t.Info.State; s == types.TaskInfoStateQueued || s == types.TaskInfoStateRunning {
			busy = append(busy, describeTask(&t.Info))
		}
	}
	if len(busy) > 0 {
		return fmt.Errorf("%w: VM %q is busy with %s; wait for it to end or cancel it, then retry",
			client.ErrTaskInProgress, vmName, strings.Join(busy, ", "))
	}
	return nil
}

// retrieveEach reads tasks one by one, skipping those that vanished.
func retrieveEach(ctx context.Context, c *client.Client, refs []types.ManagedObjectReference) []mo.Task {
	var out []mo.Task
	for _, r := range refs {
		var t mo.Task
		if property.DefaultCollector(c.Vim()).RetrieveOne(ctx, r, []string{"info"}, &t) == nil {
			out = append(out, t)
		}
	}
	return out
}

func describeTask(info *types.TaskInfo) string {
	name := info.Name
	if name == "" {
		name = info.DescriptionId
	}
	s := fmt.Sprintf("task %s (%s, %s", name, info.Key, info.State)
	if info.Progress > 0 {
		s += fmt.Sprintf(", %d%%", info.Progress)
	}
	if r, ok := info.Reason.(*types.TaskReasonUser); ok && r.UserName != "" {
		s += ", started by " + r.UserName
	}
	return s + ")"
}
