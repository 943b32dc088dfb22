package esxisim

import (
	"net/url"

	"github.com/vmware/govmomi/vim25"
)

// URL is the SDK endpoint, https://127.0.0.1:PORT/sdk, without credentials.
func (s *Simulator) URL() *url.URL {
	return &url.URL{Scheme: "https", Host: s.Host(), Path: vim25.Path}
}

// Host is the "IP:PORT" the simulator listens on.
func (s *Simulator) Host() string { return s.server.URL.Host }

// User is the only accepted user name.
func (s *Simulator) User() string { return s.opts.User }

// Password is the only accepted password.
func (s *Simulator) Password() string { return s.opts.Password }

// Thumbprint is the SHA-1 thumbprint of the server certificate in the
// colon-separated upper-case hex form ESXi shows.
func (s *Simulator) Thumbprint() string { return s.thumb }

// ThumbprintSHA256 is the SHA-256 thumbprint of the server certificate, in
// the same form as Thumbprint.
func (s *Simulator) ThumbprintSHA256() string { return s.thumb256 }

// CAFile is a PEM file holding the server certificate; a client can trust it
// as a CA. It is removed by Close.
func (s *Simulator) CAFile() string { return s.caFile }

// Datastore is the name of the host's datastore.
func (s *Simulator) Datastore() string { return s.opts.Datastore }

// DatastoreDir is the local directory that holds the datastore's files.
func (s *Simulator) DatastoreDir() string { return s.dsDir }

// Requests is the number of SOAP requests served over HTTP so far.
func (s *Simulator) Requests() int64 { return s.requests.Load() }
