// Package apiclient is the client of ceso's HTTP API: it calls an
// operation, follows its job until it ends (cancelling it when its context
// ends), and turns the server's errors back into errors of the same kind,
// so the CLI exits with the same codes through a server as without one.
//
// It trusts an HTTPS server by the SHA-256 fingerprint it was given, or
// else by the system's roots, and refuses to send a token over plain HTTP
// to anything but a loopback address.
package apiclient
