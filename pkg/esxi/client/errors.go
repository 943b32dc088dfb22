package client

import "github.com/ceso/ceso/pkg/errkind"

// Connection and login errors. Each message says what to check.
var (
	// ErrInvalidLogin: the host refused the user name or password.
	ErrInvalidLogin = errkind.New(errkind.Auth, "the host refused the user name or password: check esxi.user (ESXI_USER) and the password source (ESXI_PASSWORD, esxi.password_file, esxi.password_command); repeated failures can lock the account")
	// ErrNotAuthenticated: the session is not (or no longer) logged in and could not be renewed.
	ErrNotAuthenticated = errkind.New(errkind.Auth, "the session is not authenticated")
	// ErrThumbprintMismatch: the certificate does not match the pinned thumbprint.
	ErrThumbprintMismatch = errkind.New(errkind.Connection, "the host certificate does not match the pinned thumbprint")
	// ErrCertUntrusted: no thumbprint is pinned and no CA vouches for the certificate.
	ErrCertUntrusted = errkind.New(errkind.Connection, "the host certificate is not trusted")
	// ErrConnectionRefused: nothing listens at the address.
	ErrConnectionRefused = errkind.New(errkind.Connection, "connection refused")
	// ErrHostNotFound: the host name does not resolve.
	ErrHostNotFound = errkind.New(errkind.Connection, "host name not found")
	// ErrUnreachable: any other network failure.
	ErrUnreachable = errkind.New(errkind.Connection, "host unreachable")
	// ErrTimeout: the deadline passed before the host answered.
	ErrTimeout = errkind.New(errkind.Timeout, "timed out")
	// ErrNoCachedSession: Config.CacheOnly is set and no usable cached
	// session exists (or it expired): nothing logs in.
	ErrNoCachedSession = errkind.New(errkind.Auth, "no cached session (cache-only: nothing logs in)")
	// ErrNotESXi: the address answers, but not as a vSphere SDK.
	ErrNotESXi = errkind.New(errkind.Connection, "the address does not answer as an ESXi SDK")
)

// vSphere faults, classified once here for every package.
var (
	// ErrRestrictedVersion: the licence (typically the free one) forbids API writes.
	ErrRestrictedVersion = errkind.New(errkind.Refused, "the host's licence forbids this operation over the API (RestrictedVersion)")
	// ErrNotSupported: the host does not support the call (CloneVM_Task on a standalone ESXi).
	ErrNotSupported = errkind.New(errkind.Refused, "the host does not support this operation")
	// ErrTaskInProgress: another task is running on the object.
	ErrTaskInProgress = errkind.New(errkind.Refused, "another task is in progress on this object")
	// ErrInvalidPowerState: the VM is not in a power state that allows the operation.
	ErrInvalidPowerState = errkind.New(errkind.Refused, "the VM's power state does not allow this operation")
	// ErrInvalidState: the object is in a state that does not allow the operation.
	ErrInvalidState = errkind.New(errkind.Refused, "the object's state does not allow this operation")
	// ErrNoDiskSpace: the datastore is full.
	ErrNoDiskSpace = errkind.New(errkind.Refused, "not enough space on the datastore")
	// ErrAlreadyExists: a VM or file of that name exists.
	ErrAlreadyExists = errkind.New(errkind.Refused, "already exists")
	// ErrNotFound: the object or file does not exist.
	ErrNotFound = errkind.New(errkind.NotFound, "not found")
	// ErrToolsUnavailable: the guest has no running VMware Tools.
	ErrToolsUnavailable = errkind.New(errkind.Refused, "VMware Tools are not running in the guest")
	// ErrNoPermission: the user lacks a privilege.
	ErrNoPermission = errkind.New(errkind.Auth, "the user lacks the privilege for this operation")
)
