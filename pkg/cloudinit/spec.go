package cloudinit

// Spec is everything ceso may say about a guest's first boot. The zero
// value plus a Hostname is valid: the image's default user, DHCP on the
// first NIC (cloud-init's fallback) and a generated instance-id. Its JSON
// names are the names validation errors give fields (FieldError.Field).
type Spec struct {
	// Hostname is a short host name ("web1") or a fully qualified name
	// ("web1.example.com"); the first label becomes the host name and the
	// whole name the FQDN. Required, RFC 1123.
	Hostname string `json:"hostname,omitempty"`

	// InstanceID is cloud-init's instance-id. Users, keys and network are
	// applied once per instance-id, so every create, clone and restore needs
	// a new one: leave it empty and Build generates one.
	InstanceID string `json:"instance_id,omitempty"`

	// NoDefaultUser leaves the image's default user (ubuntu) out of the
	// user list. Then Users must not be empty.
	NoDefaultUser bool `json:"no_default_user,omitempty"`

	// Users are named accounts created besides the default user.
	Users []User `json:"users,omitempty"`

	// SSHKeys are authorized_keys lines granted to the default user (through
	// the metadata's public-keys-data) and to every named user.
	SSHKeys []string `json:"ssh_keys,omitempty" audit:"sshkeys"`

	// NICs configure the guest's network adapters. Without any, cloud-init
	// falls back to DHCP on the first adapter.
	NICs []NIC `json:"nics,omitempty"`

	// AdapterMACs are the MAC addresses of the VM's network adapters in
	// device order, when known. NICs[i] without a MAC or name is bound to
	// AdapterMACs[i], and a NIC naming a MAC not in the list is refused.
	AdapterMACs []string `json:"adapter_macs,omitempty"`

	// Packages are installed on first boot (apt).
	Packages []string `json:"packages,omitempty"`

	// RunCmd are shell commands run once at the end of the first boot.
	RunCmd []string `json:"runcmd,omitempty"`

	// WriteFiles are written before packages are installed.
	WriteFiles []File `json:"write_files,omitempty"`

	// Timezone is a tz database name such as "Europe/Berlin" or "UTC".
	Timezone string `json:"timezone,omitempty"`

	// CloudConfig is a user-supplied document beginning with
	// "#cloud-config", merged over what the fields above produce; see
	// MergeCloudConfig for the rule.
	CloudConfig []byte `json:"cloud_config,omitempty" secret:"true"`
}

// SudoNoPassword is the sudo rule granting every command without a
// password. ceso-created accounts have no password to type, so this is the
// useful rule for them.
const SudoNoPassword = "ALL=(ALL) NOPASSWD:ALL"

// User is a named account.
type User struct {
	// Name is the login name: lower case letters, digits, '_' and '-',
	// starting with a letter or '_', at most 32 characters.
	Name string `json:"name,omitempty"`
	// Groups are supplementary groups; cloud-init creates missing ones.
	Groups []string `json:"groups,omitempty"`
	// Sudo is a sudoers rule such as SudoNoPassword; empty grants nothing.
	Sudo string `json:"sudo,omitempty"`
	// Shell is the login shell, an absolute path; empty keeps the system's.
	Shell string `json:"shell,omitempty"`
	// LockPasswd locks password login. Nil means true unless PasswordHash
	// is set.
	LockPasswd *bool `json:"lock_passwd,omitempty"`
	// PasswordHash is a crypt(3) hash ($6$..., $y$..., ...). A clear-text
	// password is refused.
	PasswordHash string `json:"password_hash,omitempty" secret:"true"`
	// SSHKeys are authorized_keys lines for this user only, in addition to
	// Spec.SSHKeys.
	SSHKeys []string `json:"ssh_keys,omitempty" audit:"sshkeys"`
}

// NIC is the configuration of one network adapter.
type NIC struct {
	// MAC matches the adapter by MAC address (preferred).
	MAC string `json:"mac,omitempty"`
	// Name matches the adapter by interface name ("ens192") or glob
	// ("en*") when the MAC is unknown.
	Name string `json:"name,omitempty"`
	// DHCP4 and DHCP6 ask for addresses by DHCP.
	DHCP4 bool `json:"dhcp4,omitempty"`
	DHCP6 bool `json:"dhcp6,omitempty"`
	// Addresses are static IPv4 and IPv6 addresses in CIDR form.
	Addresses []string `json:"addresses,omitempty"`
	// Gateway4 and Gateway6 become default routes; each must lie in the
	// subnet of a static address of its family (an IPv6 link-local gateway
	// is always on-link).
	Gateway4 string `json:"gateway4,omitempty"`
	Gateway6 string `json:"gateway6,omitempty"`
	// Routes are extra static routes.
	Routes []Route `json:"routes,omitempty"`
	// MTU is the link MTU; 0 keeps the default.
	MTU int `json:"mtu,omitempty"`
	// DNS are name server addresses; Search are search domains.
	DNS    []string `json:"dns,omitempty"`
	Search []string `json:"search,omitempty"`
}

// Route is a static route.
type Route struct {
	// To is the destination in CIDR form.
	To string `json:"to,omitempty"`
	// Via is the next hop; it must be reachable from a static address of
	// the NIC.
	Via string `json:"via,omitempty"`
	// Metric is the route metric; 0 keeps netplan's default.
	Metric int `json:"metric,omitempty"`
}

// File is a file written on first boot.
type File struct {
	// Path is absolute.
	Path string `json:"path,omitempty"`
	// Content is written as is; content that is not UTF-8 is carried base64.
	Content string `json:"content,omitempty"`
	// Permissions is an octal mode such as "0644"; empty keeps cloud-init's
	// default (0644).
	Permissions string `json:"permissions,omitempty"`
	// Owner is "user" or "user:group"; empty keeps root:root.
	Owner string `json:"owner,omitempty"`
	// Append appends to an existing file instead of replacing it.
	Append bool `json:"append,omitempty"`
	// Defer writes the file at the end of boot, after users and packages
	// exist.
	Defer bool `json:"defer,omitempty"`
}
