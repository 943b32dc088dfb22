package esxihost

import "github.com/ceso/ceso/pkg/errkind"

var (
	// ErrNetworkMissing: a network of the OVF descriptor has no port group
	// of that name on the host and no mapping was given.
	ErrNetworkMissing = errkind.New(errkind.NotFound, "the host has no port group for a network of the backup")
	// ErrDatastoreMissing: the datastore to import to does not exist.
	ErrDatastoreMissing = errkind.New(errkind.NotFound, "no such datastore on the host")
	// ErrImportSpec: the host refused the OVF descriptor.
	ErrImportSpec = errkind.New(errkind.Refused, "the host refused the OVF descriptor")
	// ErrTransferCheck: the host's NFC manifest disagrees with the bytes
	// sent or received.
	ErrTransferCheck = errkind.New(errkind.Unknown, "the host's transfer manifest does not match the data")
)
