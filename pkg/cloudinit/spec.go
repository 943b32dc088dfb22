package cloudinit

// Spec is everything ceso may say about a guest's first boot. The zero value
// plus a Hostname is valid: the image's default user, DHCP on the first NIC
// (cloud-init's fallback) and a generated instance-id.
type Spec struct {
	// Hostname is a short host name ("web1") or a fully qualified name
	// ("web1.example.com"); the first label becomes the host name and the
	// whole name the FQDN. Required, RFC 1123.
	Hostname string

	// InstanceID is cloud-init's instance-id. Users, keys and network are
	// applied once per instance-id, so every create, clone and restore needs
	// a new one: leave it empty and Build generates one.
	InstanceID string

	// NoDefaultUser leaves the image's default user (ubuntu) out of the
	// user list. Then Users must not be empty.
	NoDefaultUser bool

	// Users are named accounts created besides the default user.
	Users []User

	// SSHKeys are authorized_keys lines granted to the default user (through
	// the metadata's public-keys-data) and to every named user.
	SSHKeys []string

	// NICs configure the guest's network adapters. Without any, cloud-init
	// falls back to DHCP on the first adapter.
	NICs []NIC

	// AdapterMACs are the MAC addresses of the VM's network adapters in
	// device order, when known. NICs[i] without a MAC or name is bound to
	// AdapterMACs[i], and a NIC naming a MAC not in the list is refused.
	AdapterMACs []string

	// Packages are installed on first boot (apt).
	Packages []string

	// RunCmd are shell commands run once at the end of the first boot.
	RunCmd []string

	// WriteFiles are written before packages are installed.
	WriteFiles []File

	// Timezone is a tz database name such as "Europe/Berlin" or "UTC".
	Timezone string

	// CloudConfig is a user-supplied document beginning with
	// "#cloud-config", merged over what the fields above produce; see
	// MergeCloudConfig for the rule.
	CloudConfig []byte
}

// SudoNoPassword is the sudo rule granting every command without a
// password. ceso-created accounts have no password to type, so this is the
// useful rule for them.
const SudoNoPassword = "ALL=(ALL) NOPASSWD:ALL"

// User is a named account.
type User struct {
	// Name is the login name: lower case letters, digits, '_' and '-',
	// starting with a letter or '_', at most 32 characters.
	Name string
	// Groups are supplementary groups; cloud-init creates missing ones.
	Groups []string
	// Sudo is a sudoers rule such as SudoNoPassword; empty grants nothing.
	Sudo string
	// Shell is the login shell, an absolute path; empty keeps the system's.
	Shell string
	// LockPasswd locks password login. Nil means true unless PasswordHash
	// is set.
	LockPasswd *bool
	// PasswordHash is a crypt(3) hash ($6$..., $y$..., ...). A clear-text
	// password is refused.
	PasswordHash string
	// SSHKeys are authorized_keys lines for this user only, in addition to
	// Spec.SSHKeys.
	SSHKeys []string
}

// NIC is the configuration of one network adapter.
type NIC struct {
	// MAC matches the adapter by MAC address (preferred).
	MAC string
	// Name matches the adapter by interface name ("ens192") or glob
	// ("en*") when the MAC is unknown.
	Name string
	// DHCP4 and DHCP6 ask for addresses by DHCP.
	DHCP4 bool
	DHCP6 bool
	// Addresses are static IPv4 and IPv6 addresses in CIDR form.
	Addresses []string
	// Gateway4 and Gateway6 become default routes; each must lie in the
	// subnet of a static address of its family (an IPv6 link-local gateway
	// is always on-link).
	Gateway4 string
	Gateway6 string
	// Routes are extra static routes.
	Routes []Route
	// MTU is the link MTU; 0 keeps the default.
	MTU int
	// DNS are name server addresses; Search are search domains.
	DNS    []string
	Search []string
}

// Route is a static route.
type Route struct {
	// To is the destination in CIDR form.
	To string
	// Via is the next hop; it must be reachable from a static address of
	// the NIC.
	Via string
	// Metric is the route metric; 0 keeps netplan's default.
	Metric int
}

// File is a file written on first boot.
type File struct {
	// Path is absolute.
	Path string
	// Content is written as is; content that is not UTF-8 is carried base64.
	Content string
	// Permissions is an octal mode such as "0644"; empty keeps cloud-init's
	// default (0644).
	Permissions string
	// Owner is "user" or "user:group"; empty keeps root:root.
	Owner string
	// Append appends to an existing file instead of replacing it.
	Append bool
	// Defer writes the file at the end of boot, after users and packages
	// exist.
	Defer bool
}
