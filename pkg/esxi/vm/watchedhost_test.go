package vm

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// watchedHost is a Host that records, after every change it makes, the
// files in the new VM's folder on the simulator's datastore: a test then
// sees what each step, and each undo step, really left, not only what the
// rollback says it did.
type watchedHost struct {
	Host
	sim    *esxisim.Simulator
	folder string // "web01"

	mu    sync.Mutex
	trace []string
}

// note records one call: its name, whether it failed, and the folder's
// files after it.
func (h *watchedHost) note(call string, err error) {
	line := call + ": " + folderState(h.sim, h.folder)
	if err != nil {
		line = call + " (failed): " + folderState(h.sim, h.folder)
	}
	h.mu.Lock()
	h.trace = append(h.trace, line)
	h.mu.Unlock()
}

// Trace returns the calls recorded so far.
func (h *watchedHost) Trace() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.trace...)
}

// folderState lists the files under a folder of the datastore, sorted and
// space-separated; "(no folder)" when it does not exist, "(empty)" when
// it holds nothing.
func folderState(sim *esxisim.Simulator, folder string) string {
	root := filepath.Join(sim.DatastoreDir(), folder)
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "(no folder)"
	case err != nil:
		return fmt.Sprintf("(unreadable: %v)", err)
	case len(files) == 0:
		return "(empty)"
	}
	sort.Strings(files)
	return strings.Join(files, " ")
}

func (h *watchedHost) MakeDir(ctx context.Context, dir string) error {
	err := h.Host.MakeDir(ctx, dir)
	h.note("MakeDir "+dir, err)
	return err
}

func (h *watchedHost) DeleteDir(ctx context.Context, dir string) error {
	err := h.Host.DeleteDir(ctx, dir)
	h.note("DeleteDir "+dir, err)
	return err
}

func (h *watchedHost) CopyDisk(ctx context.Context, src, dst, controller string) error {
	err := h.Host.CopyDisk(ctx, src, dst, controller)
	h.note("CopyDisk "+dst, err)
	return err
}

func (h *watchedHost) CopyFile(ctx context.Context, src, dst string) error {
	err := h.Host.CopyFile(ctx, src, dst)
	h.note("CopyFile "+dst, err)
	return err
}

func (h *watchedHost) DeleteDisk(ctx context.Context, path string) error {
	err := h.Host.DeleteDisk(ctx, path)
	h.note("DeleteDisk "+path, err)
	return err
}

func (h *watchedHost) CreateVM(ctx context.Context, vm *NewVM) (VMRef, error) {
	ref, err := h.Host.CreateVM(ctx, vm)
	h.note("CreateVM "+vm.Name, err)
	return ref, err
}

func (h *watchedHost) GrowDisk(ctx context.Context, vm VMRef, path string, capacity int64) error {
	err := h.Host.GrowDisk(ctx, vm, path, capacity)
	h.note("GrowDisk "+path, err)
	return err
}

func (h *watchedHost) Power(ctx context.Context, vm VMRef, op PowerOp) error {
	err := h.Host.Power(ctx, vm, op)
	h.note(fmt.Sprintf("Power %s %s", op, vm.Name), err)
	return err
}

func (h *watchedHost) Destroy(ctx context.Context, vm VMRef) error {
	err := h.Host.Destroy(ctx, vm)
	h.note("Destroy "+vm.Name, err)
	return err
}
