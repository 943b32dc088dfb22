package backup

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/cloudinit"
)

// identity gives the imported VM a UUID and MAC addresses of its own and
// writes its guestinfo, then fills res with them.
func (r *restoreRun) identity(ctx context.Context, v esxihost.VM, res *RestoreResult) error {
	if err := r.h.RenewIdentity(ctx, v, r.l.config.UUID, r.l.config.MACs()); err != nil {
		return err
	}
	macs, err := r.h.MACs(ctx, v)
	if err != nil {
		return err
	}
	keys, instanceID, err := r.guestinfo(macs)
	if err != nil {
		return err
	}
	if err := r.h.SetExtraConfig(ctx, v, keys); err != nil {
		return fmt.Errorf("writing the guestinfo: %w", err)
	}
	st, err := r.h.State(ctx, v)
	if err != nil {
		return err
	}
	res.UUID, res.MACs, res.InstanceID = st.UUID, macs, instanceID
	return nil
}

// guestinfo returns the guestinfo keys to write for adapters with the
// given MACs, and the new instance-id. Keys of the backup that are not
// cloud-init's are carried over as they were. When the backup holds
// cloud-init metadata, its identity is renewed with cloudinit.Readdress;
// otherwise addresses cannot be set and a request for them is refused.
func (r *restoreRun) guestinfo(macs []string) (map[string]string, string, error) {
	src := map[string]string(r.l.config.GuestInfo)
	out := map[string]string{}
	for k, v := range src {
		if !slices.Contains(cloudinit.ManagedKeys, k) {
			out[k] = v
		}
	}
	if strings.TrimSpace(src[cloudinit.KeyMetadata]) == "" {
		if len(r.req.NICs) > 0 || r.req.Hostname != "" {
			return nil, "", fmt.Errorf("%w: the backup has no cloud-init guestinfo, so ceso cannot set the guest's host name or addresses; restore without them and configure the guest yourself",
				ErrInvalidRequest)
		}
		return out, "", nil
	}
	hostname := r.req.Hostname
	if hostname == "" && r.req.Replace {
		// The same machine again: keep its host name.
		sum := cloudinit.Decode(src).Summary()
		hostname = cmp.Or(sum.FQDN, sum.Hostname)
	}
	if hostname == "" {
		hostname = r.name
	}
	if err := cloudinit.ValidateHostname(hostname); err != nil {
		return nil, "", fmt.Errorf("%w: %q cannot be the guest's host name (%v); pass --hostname", ErrInvalidRequest, hostname, err)
	}
	nics := r.req.NICs
	if len(nics) == 0 && r.req.Replace {
		nics = rebindNICs(cloudinit.Decode(src).Summary().NICs, r.l.config.MACs(), macs)
	}
	id := cloudinit.NewInstanceID()
	if r.d.dry() {
		id = PlannedInstanceID // a plan is the same each time
	}
	spec := cloudinit.Spec{Hostname: hostname, InstanceID: id, NICs: nics, AdapterMACs: macs}
	keys, err := cloudinit.Readdress(src, spec)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	for k, v := range cloudinit.ForExtraConfig(keys) {
		out[k] = v
	}
	return out, spec.InstanceID, nil
}

// rebindNICs carries the backed-up VM's network configuration over to new
// adapters: a NIC matched by the MAC of the old adapter i is bound to the
// new adapter i; one matched by interface name keeps its name. Routes
// other than the default route and MTUs are not carried over.
func rebindNICs(old []cloudinit.NICSummary, oldMACs, newMACs []string) []cloudinit.NIC {
	var out []cloudinit.NIC
	for _, s := range old {
		n := cloudinit.NIC{DHCP4: s.DHCP4, DHCP6: s.DHCP6, Addresses: s.Addresses, DNS: s.DNS}
		for _, g := range s.Gateways {
			if a, err := netip.ParseAddr(g); err == nil && a.Is4() {
				n.Gateway4 = g
			} else {
				n.Gateway6 = g
			}
		}
		switch i := slices.IndexFunc(oldMACs, func(m string) bool { return strings.EqualFold(m, s.MAC) }); {
		case s.MAC != "" && i >= 0 && i < len(newMACs):
			n.MAC = newMACs[i]
		case s.MAC != "":
			continue // its adapter is gone
		default:
			n.Name = s.Name
		}
		out = append(out, n)
	}
	return out
}
