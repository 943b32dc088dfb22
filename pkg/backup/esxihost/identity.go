package esxihost

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// VM is a virtual machine of the host.
type VM = *object.VirtualMachine

// Same reports whether a and b are the same VM.
func Same(a, b VM) bool { return a != nil && b != nil && a.Reference() == b.Reference() }

// DescriptorFile names a file of an export for the host's descriptor.
type DescriptorFile struct {
	Key  string // the lease's device key
	Name string // the file name the descriptor refers to
	Size int64
}

// MACs lists the VM's adapters' MAC addresses in device order.
func (h *Host) MACs(ctx context.Context, v VM) ([]string, error) {
	devices, err := h.Devices(ctx, v)
	if err != nil {
		return nil, err
	}
	macs := []string{}
	for _, d := range devices.SelectByType((*types.VirtualEthernetCard)(nil)) {
		macs = append(macs, d.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard().MacAddress)
	}
	return macs, nil
}

// RenewIdentity gives the VM a new BIOS UUID if it has none or the one
// given, and a new generated MAC address on every adapter that has none or
// one of the given ones. An import normally assigns new ones; this makes
// sure a restored VM never shares them with its original.
func (h *Host) RenewIdentity(ctx context.Context, v VM, oldUUID string, oldMACs []string) error {
	st, err := h.State(ctx, v)
	if err != nil {
		return err
	}
	devices, err := h.Devices(ctx, v)
	if err != nil {
		return err
	}
	spec := types.VirtualMachineConfigSpec{}
	if st.UUID == "" || strings.EqualFold(st.UUID, oldUUID) {
		spec.Uuid = uuid.NewString()
	}
	for _, d := range devices.SelectByType((*types.VirtualEthernetCard)(nil)) {
		card := d.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
		if card.MacAddress == "" || slices.ContainsFunc(oldMACs, func(m string) bool { return strings.EqualFold(m, card.MacAddress) }) {
			card.AddressType = string(types.VirtualEthernetCardMacTypeGenerated)
			card.MacAddress = ""
			spec.DeviceChange = append(spec.DeviceChange, &types.VirtualDeviceConfigSpec{
				Operation: types.VirtualDeviceConfigSpecOperationEdit, Device: d,
			})
		}
	}
	if spec.Uuid == "" && len(spec.DeviceChange) == 0 {
		return nil
	}
	if err := h.Reconfigure(ctx, v, spec); err != nil {
		return fmt.Errorf("giving the VM a new UUID and MAC addresses: %w", err)
	}
	return nil
}

// SetExtraConfig writes extraConfig keys, in key order. On ESXi an empty
// value removes the key.
func (h *Host) SetExtraConfig(ctx context.Context, v VM, keys map[string]string) error {
	if len(keys) == 0 {
		return nil
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	spec := types.VirtualMachineConfigSpec{}
	for _, k := range names {
		spec.ExtraConfig = append(spec.ExtraConfig, &types.OptionValue{Key: k, Value: keys[k]})
	}
	return h.Reconfigure(ctx, v, spec)
}
