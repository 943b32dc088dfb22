package esxisim

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vmware/govmomi/simulator"
)

// TestDestroyEndsWithTheFolderGone holds back vcsim's own deletion of a
// destroyed VM's folder (a task delay; simulator.TaskDelay is process-wide,
// so this test must not run in parallel with others): the destroy task
// must still end with the folder gone, as on ESXi.
func TestDestroyEndsWithTheFolderGone(t *testing.T) {
	simulator.TaskDelay.MethodDelay = map[string]int{"DeleteDatastoreFile": 300}
	t.Cleanup(func() { simulator.TaskDelay.MethodDelay = nil }) // after the simulator is closed
	s := startSim(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	vm, err := createVM(t, s, c, spec(t, s, "web01"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(s.DatastoreDir(), "web01")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the new VM has no folder: %v", err)
	}
	task, err := vm.Destroy(ctx)
	if err == nil {
		err = task.Wait(ctx)
	}
	_, statErr := os.Stat(dir)
	// vcsim's deletion holds the file manager's lock until it is done:
	// wait for it before the delay is reset.
	ictx := s.internalContext(ctx)
	ictx.WithLock(ictx.Map.FileManager(), func() {})
	if err != nil {
		t.Fatal(err)
	}
	if !os.IsNotExist(statErr) {
		t.Fatalf("the destroy task ended with the VM's folder still there (%v)", statErr)
	}
}
