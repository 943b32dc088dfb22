// Package client connects ceso to an ESXi host's SDK: HTTPS with the host
// certificate verified by a pinned thumbprint (SHA-1 or SHA-256) or a CA
// file, login, a session cache on disk that lets the next invocation reuse
// the session, transparent renewal of an expired session, keepalive during
// long operations, a bounded pool of sessions for parallel operations, and
// the one classification of vSphere faults into ceso's error kinds.
//
// It must not know about VMs, backups or the CLI; those packages receive a
// *Client and use its *vim25.Client.
package client
