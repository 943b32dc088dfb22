package esxisim

import (
	"context"
	"encoding/hex"
	"hash"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// nfcLease is an HttpNfcLease whose files are real datastore files: an
// export lease serves a VM's flat disks, an import lease writes the uploads
// into the new VM's flat disks. Its first field is the managed object, which
// vcsim's property collector reads.
type nfcLease struct {
	mo.HttpNfcLease

	sim    *Simulator
	id     string
	export bool

	mu      sync.Mutex // guards the fields below
	entity  types.ManagedObjectReference
	files   map[string]*leaseFile
	timer   *time.Timer
	ended   bool
	expired bool
}

// leaseFile is one device URL of a lease.
type leaseFile struct {
	path     string // the file served or written; for an export's disk, none
	desc     string // an export's disk: the descriptor of its newest file
	capacity int64  // an export's disk: its size
	key      string
	disk     bool // a VMDK: streamOptimized on the wire
	nvram    bool // an NVRAM file: uploaded with PUT only
	size     int64
	sha1     []byte
}

// newLease registers a lease in the initializing state.
func (s *Simulator) newLease(ctx *simulator.Context, export bool) *nfcLease {
	id := "52" + uuid.NewString()[2:]
	l := &nfcLease{sim: s, id: id, export: export, files: make(map[string]*leaseFile)}
	l.Self = types.ManagedObjectReference{Type: "HttpNfcLease", Value: id}
	l.State = types.HttpNfcLeaseStateInitializing
	l.Mode = string(types.HttpNfcLeaseModePushOrGet)
	l.Capabilities = types.HttpNfcLeaseCapabilities{CorsSupported: true, PullModeSupported: false}
	ctx.Map.Put(l)
	s.mu.Lock()
	s.leases[id] = l
	s.mu.Unlock()
	l.resetTimer()
	return l
}

// ready publishes the device URLs and moves the lease to the ready state.
func (l *nfcLease) ready(ctx *simulator.Context, entity types.ManagedObjectReference, urls []types.HttpNfcLeaseDeviceUrl, capacityKB int64) {
	info := &types.HttpNfcLeaseInfo{
		Lease:                 l.Self,
		Entity:                entity,
		DeviceUrl:             urls,
		TotalDiskCapacityInKB: capacityKB,
		LeaseTimeout:          int32(l.sim.opts.LeaseTimeout / time.Second),
	}
	l.mu.Lock()
	l.entity = entity
	l.mu.Unlock()
	ctx.WithLock(l, func() {
		ctx.Update(l, []types.PropertyChange{
			{Name: "initializeProgress", Val: int32(100)},
			{Name: "info", Val: info},
			{Name: "state", Val: types.HttpNfcLeaseStateReady},
		})
	})
}

// fail moves the lease to the error state and forgets it.
func (l *nfcLease) fail(ctx *simulator.Context, fault types.BaseMethodFault) {
	l.end()
	ctx.WithLock(l, func() {
		ctx.Update(l, []types.PropertyChange{
			{Name: "state", Val: types.HttpNfcLeaseStateError},
			{Name: "error", Val: &types.LocalizedMethodFault{Fault: fault, LocalizedMessage: faultMessage(fault)}},
		})
	})
}

// end stops the lease: its URLs stop working. It reports whether the lease
// was still live.
func (l *nfcLease) end() bool {
	l.mu.Lock()
	live := !l.ended
	l.ended = true
	if l.timer != nil {
		l.timer.Stop()
	}
	l.mu.Unlock()
	l.sim.mu.Lock()
	delete(l.sim.leases, l.id)
	l.sim.mu.Unlock()
	return live
}

// resetTimer restarts the countdown after which an idle lease times out.
func (l *nfcLease) resetTimer() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return
	}
	if l.timer != nil {
		l.timer.Stop()
	}
	l.timer = time.AfterFunc(l.sim.opts.LeaseTimeout, l.timeout)
}

func (l *nfcLease) timeout() {
	if l.sim.closed.Load() {
		return
	}
	l.mu.Lock()
	l.expired = !l.ended
	l.mu.Unlock()
	ctx := l.sim.internalContext(context.Background())
	if l.end() {
		l.abortImport(ctx)
		l.fail(ctx, new(types.Timedout))
	}
}

// abortImport removes the VM an import lease was creating, as ESXi does.
func (l *nfcLease) abortImport(ctx *simulator.Context) {
	l.mu.Lock()
	entity := l.entity
	l.mu.Unlock()
	if l.export || entity.Value == "" {
		return
	}
	if _, ok := ctx.Map.Get(entity).(*simulator.VirtualMachine); !ok {
		return
	}
	// through the in-process client: vcsim's Destroy needs a full call context
	_, _ = object.NewVirtualMachine(l.sim.vim, entity).Destroy(ctx)
}

func (l *nfcLease) state() (live, expired bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.ended, l.expired
}

// leaseFault is the fault for a call on a lease that is over.
func (l *nfcLease) leaseFault() types.BaseMethodFault {
	if _, expired := l.state(); expired {
		return new(types.Timedout)
	}
	return &types.InvalidState{}
}

// HttpNfcLeaseProgress records progress and keeps the lease alive.
func (l *nfcLease) HttpNfcLeaseProgress(ctx *simulator.Context, req *types.HttpNfcLeaseProgress) soap.HasFault {
	if live, _ := l.state(); !live {
		return &methods.HttpNfcLeaseProgressBody{Fault_: faultOnly(l.leaseFault())}
	}
	l.resetTimer()
	ctx.Update(l, []types.PropertyChange{{Name: "transferProgress", Val: req.Percent}})
	return &methods.HttpNfcLeaseProgressBody{Res: new(types.HttpNfcLeaseProgressResponse)}
}

// HttpNfcLeaseComplete ends the lease; an import's VM keeps the uploads.
func (l *nfcLease) HttpNfcLeaseComplete(ctx *simulator.Context, _ *types.HttpNfcLeaseComplete) soap.HasFault {
	if !l.end() {
		return &methods.HttpNfcLeaseCompleteBody{Fault_: faultOnly(l.leaseFault())}
	}
	ctx.Update(l, []types.PropertyChange{
		{Name: "transferProgress", Val: int32(100)},
		{Name: "state", Val: types.HttpNfcLeaseStateDone},
	})
	return &methods.HttpNfcLeaseCompleteBody{Res: new(types.HttpNfcLeaseCompleteResponse)}
}

// HttpNfcLeaseAbort ends the lease in error; an import's VM is removed.
func (l *nfcLease) HttpNfcLeaseAbort(ctx *simulator.Context, req *types.HttpNfcLeaseAbort) soap.HasFault {
	if !l.end() {
		return &methods.HttpNfcLeaseAbortBody{Fault_: faultOnly(l.leaseFault())}
	}
	l.abortImport(ctx)
	var fault types.BaseMethodFault = new(types.RequestCanceled)
	if req.Fault != nil && req.Fault.Fault != nil {
		fault = req.Fault.Fault
	}
	ctx.Update(l, []types.PropertyChange{
		{Name: "state", Val: types.HttpNfcLeaseStateError},
		{Name: "error", Val: &types.LocalizedMethodFault{Fault: fault, LocalizedMessage: faultMessage(fault)}},
	})
	return &methods.HttpNfcLeaseAbortBody{Res: new(types.HttpNfcLeaseAbortResponse)}
}

// HttpNfcLeaseGetManifest lists the SHA-1 and size of every file fully
// transferred so far.
func (l *nfcLease) HttpNfcLeaseGetManifest(_ *simulator.Context, _ *types.HttpNfcLeaseGetManifest) soap.HasFault {
	l.mu.Lock()
	entries := []types.HttpNfcLeaseManifestEntry{}
	for _, f := range l.files {
		if f.sha1 != nil {
			entries = append(entries, types.HttpNfcLeaseManifestEntry{
				Key: f.key, Sha1: hex.EncodeToString(f.sha1), Size: f.size, Disk: f.disk,
			})
		}
	}
	l.mu.Unlock()
	sort.Slice(entries, func(i, j int) bool { return entries[i].Key < entries[j].Key })
	return &methods.HttpNfcLeaseGetManifestBody{Res: &types.HttpNfcLeaseGetManifestResponse{Returnval: entries}}
}

// addFile registers a device URL file of the lease.
func (l *nfcLease) addFile(name string, f *leaseFile) {
	l.mu.Lock()
	l.files[name] = f
	l.mu.Unlock()
}

func (l *nfcLease) file(name string) *leaseFile {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.files[name]
}

func (l *nfcLease) recordSum(name string, size int64, sum hash.Hash) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.files[name]; f != nil {
		f.size, f.sha1 = size, sum.Sum(nil)
	}
}
