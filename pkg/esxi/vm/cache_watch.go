package vm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// errRenewed ends a watch whose session was renewed: the collector and its
// filter belonged to the lost session.
var errRenewed = errors.New("the session was renewed: rebuilding the inventory cache")

// Run keeps the cache until ctx ends: it connects, makes a container view
// of every VM, a property collector and one filter on the view, reads
// everything once, then applies the changes WaitForUpdatesEx reports. When
// the session or the host is lost it starts again, waiting longer after
// each failure (up to 30s).
func (c *Cache) Run(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		start := time.Now()
		err := c.watch(ctx)
		c.mu.Lock()
		c.synced = false
		c.mu.Unlock()
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			backoff = time.Second
		}
		c.log.Warn().Err(err).Dur("retry_in", backoff).Msg("inventory cache lost its host; VM lists read the host meanwhile")
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// watch is one session of the cache.
func (c *Cache) watch(ctx context.Context) error {
	cl, err := c.connect(ctx)
	if err != nil {
		return err
	}
	defer func() {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = cl.Logout(lctx)
	}()
	vc := cl.Vim()
	v, err := view.NewManager(vc).CreateContainerView(ctx, vc.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		return client.Classify(err)
	}
	pc, err := property.DefaultCollector(vc).Create(ctx)
	if err != nil {
		return client.Classify(err)
	}
	spec := types.CreateFilter{Spec: types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{
			Obj: v.Reference(), Skip: types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ContainerView", Path: "view"}},
		}},
		PropSet: []types.PropertySpec{{Type: "VirtualMachine", PathSet: infoProps}},
	}}
	if _, err := pc.CreateFilter(ctx, spec); err != nil {
		return client.Classify(err)
	}
	logins := cl.Stats().Logins
	req := types.WaitForUpdatesEx{This: pc.Reference(), Options: &types.WaitOptions{MaxWaitSeconds: &c.maxWait}}
	first := true
	for {
		wanted := c.wanted.Load()
		res, err := methods.WaitForUpdatesEx(ctx, vc, &req)
		if err != nil {
			return fmt.Errorf("waiting for inventory changes: %w", client.Classify(err))
		}
		if cl.Stats().Logins != logins {
			return errRenewed
		}
		truncated := false
		if set := res.Returnval; set != nil {
			if err := c.apply(set, first); err != nil {
				return err
			}
			req.Version = set.Version
			truncated = set.Truncated != nil && *set.Truncated
		}
		if truncated {
			continue // more of the same version follows at once
		}
		c.mu.Lock()
		if first {
			c.log.Info().Int("vms", len(c.vms)).Msg("inventory cache synced")
		}
		c.synced, first = true, false
		c.rounds++
		c.mu.Unlock()
		c.applied.Store(wanted)
	}
}

// apply applies one update set; the first of a session replaces the whole
// inventory.
func (c *Cache) apply(set *types.UpdateSet, first bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if first || c.vms == nil {
		c.vms = map[types.ManagedObjectReference]*cachedVM{}
	}
	c.sorted = nil
	for _, fs := range set.FilterSet {
		for _, u := range fs.ObjectSet {
			if u.Kind == types.ObjectUpdateKindLeave {
				delete(c.vms, u.Obj)
				continue
			}
			v := c.vms[u.Obj]
			if v == nil {
				v = &cachedVM{props: map[string]any{}}
				c.vms[u.Obj] = v
			}
			for _, ch := range u.ChangeSet {
				switch ch.Op {
				case types.PropertyChangeOpRemove, types.PropertyChangeOpIndirectRemove:
					delete(v.props, ch.Name)
				default:
					v.props[ch.Name] = ch.Val
				}
			}
			if err := v.rebuild(u.Obj); err != nil {
				return err
			}
		}
	}
	return nil
}

// rebuild makes the VM's object and summary from its properties.
func (v *cachedVM) rebuild(ref types.ManagedObjectReference) error {
	oc := types.ObjectContent{Obj: ref}
	for name, val := range v.props {
		oc.PropSet = append(oc.PropSet, types.DynamicProperty{Name: name, Val: val})
	}
	obj, err := mo.ObjectContentToType(oc)
	if err != nil {
		return fmt.Errorf("inventory cache: VM %s: %w", ref.Value, err)
	}
	m, ok := obj.(mo.VirtualMachine)
	if !ok {
		return fmt.Errorf("inventory cache: %s is a %T, not a VM", ref.Value, obj)
	}
	v.obj, v.summary = m, summarize(&m)
	return nil
}
