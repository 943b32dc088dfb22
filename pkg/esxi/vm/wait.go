package vm

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/types"
)

// WaitForIP waits up to timeout for the VM called name to report a usable
// IP address through VMware Tools (IPv4 preferred; loopback and link-local
// addresses do not count) and returns it. When the time is up the error
// wraps ErrWaitTimeout and names the timeout.
func WaitForIP(ctx context.Context, c *client.Client, name string, timeout time.Duration) (string, error) {
	inv, err := loadInventory(ctx, c)
	if err != nil {
		return "", err
	}
	ref, err := inv.vm(name)
	if err != nil {
		return "", err
	}
	return waitIP(ctx, c, ref, name, timeout)
}

func waitIP(ctx context.Context, c *client.Client, ref types.ManagedObjectReference, name string, timeout time.Duration) (string, error) {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var ip string
	err := property.Wait(wctx, property.DefaultCollector(c.Vim()), ref, []string{"guest.ipAddress", "guest.net"},
		func(changes []types.PropertyChange) bool {
			var primary string
			var nets []types.GuestNicInfo
			for _, ch := range changes {
				switch v := ch.Val.(type) {
				case string:
					primary = v
				case types.ArrayOfGuestNicInfo:
					nets = v.GuestNicInfo
				}
			}
			if a := pickIP(primary, nets); a != "" {
				ip = a
				return true
			}
			return false
		})
	if err == nil {
		return ip, nil
	}
	if wctx.Err() != nil && ctx.Err() == nil {
		return "", fmt.Errorf("%w: VM %q reported no IP address within %s (are VMware Tools installed and is the network up?)",
			ErrWaitTimeout, name, timeout)
	}
	return "", fmt.Errorf("waiting for the IP address of VM %q: %w", name, client.Classify(err))
}

// pickIP chooses the address to show: the first usable IPv4, else the
// first usable IPv6, among the primary address and the NICs' addresses.
func pickIP(primary string, nets []types.GuestNicInfo) string {
	all := []string{primary}
	for _, n := range nets {
		all = append(all, n.IpAddress...)
	}
	var v6 string
	for _, s := range all {
		a, err := netip.ParseAddr(s)
		if err != nil || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() {
			continue
		}
		if a.Is4() {
			return a.String()
		}
		if v6 == "" {
			v6 = a.String()
		}
	}
	return v6
}

// waitPowerState waits up to timeout for the VM to reach state.
func waitPowerState(ctx context.Context, c *client.Client, ref types.ManagedObjectReference, name, state string, timeout time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := ""
	err := property.Wait(wctx, property.DefaultCollector(c.Vim()), ref, []string{"runtime.powerState"},
		func(changes []types.PropertyChange) bool {
			for _, ch := range changes {
				if s, ok := ch.Val.(types.VirtualMachinePowerState); ok {
					last = string(s)
				}
			}
			return last == state
		})
	if err == nil {
		return nil
	}
	if wctx.Err() != nil && ctx.Err() == nil {
		return fmt.Errorf("%w: VM %q was still %s after %s", ErrWaitTimeout, name, last, timeout)
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("waiting for VM %q to be %s: %w", name, state, client.Classify(err))
}
