package cloudinit

import (
	"errors"

	"github.com/ceso/ceso/pkg/errkind"
)

var (
	// ErrInvalidSpec is wrapped by every validation error of a Spec; the
	// message names the offending field.
	ErrInvalidSpec = errkind.New(errkind.Usage, "invalid cloud-init spec")

	// ErrPlainPassword is returned for a password that is not a crypt(3)
	// hash: ceso never writes a clear-text password into guestinfo.
	ErrPlainPassword = errkind.New(errkind.Usage, "password is not a crypt hash")

	// ErrSSHKey is returned for an SSH public key that cannot be parsed or
	// whose type or size ceso refuses.
	ErrSSHKey = errkind.New(errkind.Usage, "unsupported ssh public key")

	// ErrTooLarge is returned when an encoded guestinfo value exceeds
	// MaxValueBytes.
	ErrTooLarge = errkind.New(errkind.Usage, "guestinfo value too large")

	// ErrCloudConfig is returned for a user-supplied cloud-config file that
	// is not a #cloud-config YAML mapping.
	ErrCloudConfig = errkind.New(errkind.Usage, "invalid cloud-config")

	// ErrUndecodable is wrapped by Decoded.Err when a guestinfo key cannot be
	// decoded or parsed; cloud-init then ignores all guestinfo data.
	ErrUndecodable = errors.New("guestinfo undecodable")

	// ErrReaddress is returned when Readdress is asked to change more than
	// the identity and addresses of a VM.
	ErrReaddress = errkind.New(errkind.Usage, "cannot readdress")
)
