package archive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Config is the record of a VM's configuration at backup time (config.json):
// what the OVF descriptor leaves out (guestinfo, MAC addresses, UUIDs,
// the original power state and placement) and what a person restoring by
// hand wants to read. Its JSON field names are part of the format.
type Config struct {
	Format          string    `json:"format"`
	Version         int       `json:"version"`
	Name            string    `json:"name"`
	UUID            string    `json:"uuid"`
	InstanceUUID    string    `json:"instance_uuid"`
	GuestID         string    `json:"guest_id"`
	GuestFullName   string    `json:"guest_full_name,omitempty"`
	Firmware        string    `json:"firmware"`
	HardwareVersion string    `json:"hardware_version"`
	CPUs            int32     `json:"cpus"`
	MemoryMB        int32     `json:"memory_mb"`
	Annotation      string    `json:"annotation,omitempty"`
	PowerState      string    `json:"power_state"`
	VMPath          string    `json:"vm_path"`
	Datastore       string    `json:"datastore"`
	Disks           []Disk    `json:"disks"`
	NICs            []NIC     `json:"nics"`
	GuestInfo       GuestInfo `json:"guestinfo"`
	Host            Host      `json:"host"`
	TakenAt         time.Time `json:"taken_at"`
	// NVRAM is the backup's file of the VM's firmware variables (boot
	// entries, Secure Boot keys), "" when the VM had none.
	NVRAM string `json:"nvram,omitempty"`
	// Consistency says how the disks were captured: ConsistencyPoweredOff,
	// ConsistencyQuiesced or ConsistencyCrash ("" in a version 1 backup,
	// which was always taken powered off).
	Consistency string `json:"consistency,omitempty"`
}

// How a backup's disks were captured (Config.Consistency).
const (
	// ConsistencyPoweredOff: the VM was powered off (cold backup).
	ConsistencyPoweredOff = "powered-off"
	// ConsistencyQuiesced: the VM ran; its disks were read from a snapshot
	// VMware Tools quiesced (file systems flushed and frozen).
	ConsistencyQuiesced = "quiesced"
	// ConsistencyCrash: the VM ran; its disks were read from a snapshot
	// taken without the guest's help, as after a power cut.
	ConsistencyCrash = "crash-consistent"
)

// GuestInfo holds every extraConfig key of the VM beginning with
// "guestinfo.", with its value.
type GuestInfo map[string]string

// Disk is one virtual disk, in device order.
type Disk struct {
	Label         string `json:"label"`
	File          string `json:"file"` // the backup's file for it (decompressed name)
	Path          string `json:"path"` // on the host: "[datastore1] web/web.vmdk"
	CapacityBytes int64  `json:"capacity_bytes"`
	Thin          bool   `json:"thin"`
	Controller    string `json:"controller"`
}

// NIC is one network adapter, in device order.
type NIC struct {
	Label     string `json:"label"`
	Type      string `json:"type"`
	MAC       string `json:"mac"`
	Network   string `json:"network"`
	Connected bool   `json:"connected"`
}

// Host says which host the VM was backed up from.
type Host struct {
	Name    string `json:"name"`
	Product string `json:"product"`
	Version string `json:"version"`
	Build   string `json:"build"`
}

// Encode returns the record as indented JSON ending in a newline.
func (c *Config) Encode() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding configuration record: %w", err)
	}
	return append(data, '\n'), nil
}

// ParseConfig reads and validates a configuration record.
func ParseConfig(data []byte) (*Config, error) {
	var c Config
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if c.Format == FormatName && c.Version > Version {
		return nil, fmt.Errorf("%w: configuration record version %d, this ceso reads up to %d", ErrUnsupportedVersion, c.Version, Version)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks the record: format and version, a name, at least one
// disk, every disk named, only guestinfo keys in GuestInfo.
func (c *Config) Validate() error {
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	if c.Format != FormatName || c.Version < 1 {
		add("format %q version %d", c.Format, c.Version)
	}
	if strings.TrimSpace(c.Name) == "" {
		add("name is empty")
	}
	if len(c.Disks) == 0 {
		add("no disks")
	}
	for i, d := range c.Disks {
		if !safeFileName(d.File) || d.CapacityBytes < 0 {
			add("disk %d: file %q, capacity %d", i, d.File, d.CapacityBytes)
		}
	}
	if c.NVRAM != "" && !safeFileName(c.NVRAM) {
		add("nvram %q is not a plain file name", c.NVRAM)
	}
	switch c.Consistency {
	case "", ConsistencyPoweredOff, ConsistencyQuiesced, ConsistencyCrash:
	default:
		add("consistency %q: want %s, %s or %s", c.Consistency, ConsistencyPoweredOff, ConsistencyQuiesced, ConsistencyCrash)
	}
	for k := range c.GuestInfo {
		if !strings.HasPrefix(k, "guestinfo.") {
			add("key %q is not a guestinfo key", k)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, strings.Join(problems, "; "))
	}
	return nil
}

// MACs returns the adapters' MAC addresses in device order.
func (c *Config) MACs() []string {
	out := make([]string, 0, len(c.NICs))
	for _, n := range c.NICs {
		out = append(out, n.MAC)
	}
	return out
}
