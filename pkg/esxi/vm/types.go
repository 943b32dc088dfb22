package vm

// Power states as the API names them; JSON output uses these words.
const (
	PoweredOn  = "poweredOn"
	PoweredOff = "poweredOff"
	Suspended  = "suspended"
)

// Summary is one row of `ceso vm list`. Its JSON field names are an API:
// fields are never removed.
type Summary struct {
	Name       string `json:"name"`
	UUID       string `json:"uuid"`
	PowerState string `json:"power_state"`
	CPU        int32  `json:"cpu"`
	MemoryMB   int32  `json:"memory_mb"`
	IP         string `json:"ip"`
	GuestOS    string `json:"guest_os"`
	Template   bool   `json:"template"`
	ID         string `json:"id"` // the managed object id (vim-cmd's vmid on a standalone host)
	Path       string `json:"path"`
}

// Info is everything `ceso vm info` shows.
type Info struct {
	Summary
	GuestFullName   string            `json:"guest_full_name"`
	Firmware        string            `json:"firmware"`
	HardwareVersion string            `json:"hardware_version"`
	InstanceUUID    string            `json:"instance_uuid"`
	Annotation      string            `json:"annotation"`
	Disks           []Disk            `json:"disks"`
	NICs            []NIC             `json:"nics"`
	IPs             []string          `json:"ips"`
	Tools           Tools             `json:"tools"`
	GuestInfoKeys   []string          `json:"guestinfo_keys"`
	ExtraConfig     map[string]string `json:"-"`
}

// Disk is a virtual disk of a VM.
type Disk struct {
	Label         string `json:"label"`
	Path          string `json:"path"` // "[datastore1] web/web.vmdk"
	CapacityBytes int64  `json:"capacity_bytes"`
	Thin          bool   `json:"thin"`
	Controller    string `json:"controller"`
	Key           int32  `json:"key"`
}

// NIC is a network adapter of a VM.
type NIC struct {
	Label     string   `json:"label"`
	Type      string   `json:"type"` // vmxnet3, e1000e, ...
	MAC       string   `json:"mac"`
	Network   string   `json:"network"`
	Connected bool     `json:"connected"`
	IPs       []string `json:"ips"`
}

// Tools is the state of VMware Tools in the guest.
type Tools struct {
	RunningStatus string `json:"running_status"` // guestToolsRunning, guestToolsNotRunning
	Status        string `json:"status"`         // toolsOk, toolsNotInstalled, ...
	Version       string `json:"version"`
}
