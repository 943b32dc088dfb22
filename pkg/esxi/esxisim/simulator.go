package esxisim

import (
	"context"
	"crypto/sha1" //nolint:gosec // ESXi shows the SHA-1 thumbprint; it identifies, it does not protect
	"crypto/sha256"
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

// Fixed values of every simulator.
const (
	// DefaultUser is the login user when Options.User is empty.
	DefaultUser = "root"
	// DefaultPassword is the login password when Options.Password is empty.
	DefaultPassword = "ceso-simulator"
	// TemplateName is the golden VM every simulator starts with.
	TemplateName = "ubuntu-24.04-template"
	// DefaultDatastore is the datastore name of a fresh ESXi install.
	DefaultDatastore = "datastore1"
	// DefaultTemplateDiskSize is the size of the template's flat disk.
	DefaultTemplateDiskSize int64 = 64 << 20
	// DefaultLeaseTimeout is how long an NFC lease lives without progress, as on ESXi.
	DefaultLeaseTimeout = 300 * time.Second
)

// Options configure Start. The zero value is a fresh host with the template.
type Options struct {
	// Listen is the TCP address to serve on; "127.0.0.1:0" (a free port) when
	// empty. The certificate names only 127.0.0.1 and ::1: on another address
	// trust the server by Thumbprint.
	Listen string
	// User and Password are the only credentials accepted; DefaultUser and
	// DefaultPassword when empty.
	User, Password string
	// TemplateDiskSize is the size in bytes of the template's flat disk
	// (DefaultTemplateDiskSize when 0). It is rounded up to a whole KiB.
	TemplateDiskSize int64
	// ExtraVMs seeds that many VMs after the template (see SeedVMs).
	ExtraVMs int
	// FreeLicence starts the host on the free licence (see SetFreeLicence).
	FreeLicence bool
	// Datastore names the datastore; DefaultDatastore when empty.
	Datastore string
	// LeaseTimeout is how long an NFC lease lives without HttpNfcLeaseProgress;
	// DefaultLeaseTimeout when 0.
	LeaseTimeout time.Duration
	// AutoGuest makes every VM report VMware Tools running, a host name and an
	// IPv4 address shortly after it powers on (see SetAutoGuest).
	AutoGuest bool
	// HostCPUThreads and HostMemoryMB size the host (DefaultHostCPUThreads
	// and DefaultHostMemoryMB when 0).
	HostCPUThreads int
	HostMemoryMB   int64
}

func (o Options) withDefaults() (Options, error) {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.User == "" {
		o.User = DefaultUser
	}
	if o.Password == "" {
		o.Password = DefaultPassword
	}
	if o.TemplateDiskSize == 0 {
		o.TemplateDiskSize = DefaultTemplateDiskSize
	}
	if o.Datastore == "" {
		o.Datastore = DefaultDatastore
	}
	if o.LeaseTimeout == 0 {
		o.LeaseTimeout = DefaultLeaseTimeout
	}
	if o.HostCPUThreads == 0 {
		o.HostCPUThreads = DefaultHostCPUThreads
	}
	if o.HostMemoryMB == 0 {
		o.HostMemoryMB = DefaultHostMemoryMB
	}
	switch {
	case o.TemplateDiskSize < diskHeaderSize:
		return o, fmt.Errorf("%w: template disk size %d is below %d bytes", ErrInvalidOptions, o.TemplateDiskSize, diskHeaderSize)
	case o.ExtraVMs < 0:
		return o, fmt.Errorf("%w: negative ExtraVMs %d", ErrInvalidOptions, o.ExtraVMs)
	case o.HostCPUThreads < 1 || o.HostCPUThreads > 4096 || o.HostMemoryMB < 0:
		return o, fmt.Errorf("%w: host of %d CPU threads and %d MiB", ErrInvalidOptions, o.HostCPUThreads, o.HostMemoryMB)
	case o.LeaseTimeout < 0:
		return o, fmt.Errorf("%w: negative LeaseTimeout", ErrInvalidOptions)
	case strings.ContainsAny(o.Datastore, "[]/"):
		return o, fmt.Errorf("%w: datastore name %q", ErrInvalidOptions, o.Datastore)
	}
	o.TemplateDiskSize = (o.TemplateDiskSize + 1023) &^ 1023
	return o, nil
}

// Simulator is a running ESXi-like host. It is safe for concurrent use.
type Simulator struct {
	opts   Options
	model  *simulator.Model
	server *simulator.Server
	reg    *simulator.Registry
	vim    *vim25.Client // in-process client, bypasses the corrections
	home   string
	dsDir  string
	caFile string

	thumb, thumb256 string

	requests  atomic.Int64
	free      atomic.Bool
	autoGuest atomic.Bool
	closed    atomic.Bool
	det       *detour
	session   *simulator.Session // of internalContext
	local     sync.Map           // keys of LocalClient sessions
	seedMu    sync.Mutex         // guards seedNext
	seedNext  int

	mu        sync.Mutex // guards everything below
	rules     []*faultRule
	taskRules []*taskRule
	delays    map[string]time.Duration
	leases    map[string]*nfcLease
	timers    map[*time.Timer]struct{}

	closeOnce sync.Once
	// closing ends when Close starts: injected delays end early then.
	closing  chan struct{}
	closeErr error
}

// createMu serialises building vcsim models: vcsim's LicenseManager init
// appends to a package-level variable (simulator.EvalLicense), which races
// when two models are created at once.
var createMu sync.Mutex

// Start builds the host, serves it over TLS and seeds the template (and
// Options.ExtraVMs VMs). Close it when done.
func Start(ctx context.Context, opts Options) (*Simulator, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Simulator{
		opts:    opts,
		delays:  make(map[string]time.Duration),
		leases:  make(map[string]*nfcLease),
		timers:  make(map[*time.Timer]struct{}),
		closing: make(chan struct{}),
	}
	if err := s.build(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	if err := s.seedTemplate(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("seeding template %s: %w", TemplateName, err)
	}
	if opts.ExtraVMs > 0 {
		if _, err := s.SeedVMs(ctx, opts.ExtraVMs, 0); err != nil {
			_ = s.Close()
			return nil, err
		}
	}
	s.autoGuest.Store(opts.AutoGuest)
	s.SetFreeLicence(opts.FreeLicence)
	return s, nil
}

// build creates the vcsim model, the datastore and the TLS server.
func (s *Simulator) build(ctx context.Context) error {
	m := simulator.ESX()
	m.Machine = 0   // no demo VMs: a fresh host
	m.Datastore = 0 // created below with the ESXi name
	m.Autostart = false
	m.ServiceContent.About = esx.HostConfigInfo.Product // ESXi 8, like the host itself

	createMu.Lock()
	err := m.Create()
	createMu.Unlock()
	if err != nil {
		return fmt.Errorf("creating host model: %w", err)
	}
	s.model = m
	s.reg = m.Map()
	s.home = modelHome(s.reg)
	if s.home == "" {
		return fmt.Errorf("%w: model has no home directory", ErrInternal)
	}
	s.vim, err = vim25.NewClient(ctx, m.Service)
	if err != nil {
		return fmt.Errorf("in-process client: %w", err)
	}
	if err := s.createDatastore(ctx); err != nil {
		return err
	}

	s.session = &simulator.Session{
		UserSession: types.UserSession{Key: uuid.NewString()},
		Registry:    simulator.NewRegistry(),
		Map:         s.reg,
	}
	if err := s.sizeHost(ctx); err != nil {
		return err
	}
	s.det = newDetour(s)
	s.reg.Handler = s.intercept
	s.reg.AddHandler(&watcher{sim: s})

	svc := m.Service
	svc.Listen = &url.URL{Host: s.opts.Listen, User: url.UserPassword(s.opts.User, s.opts.Password)}
	svc.TLS = new(tls.Config)
	svc.ServeMux = s.routes()
	if s.server, err = newServer(svc); err != nil {
		return fmt.Errorf("listening on %s: %w", s.opts.Listen, err)
	}
	return s.writeCertificate()
}

// newServer starts vcsim's server, turning its panic on a listen error into
// an error.
func newServer(svc *simulator.Service) (srv *simulator.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrListen, r)
		}
	}()
	return svc.NewServer(), nil
}

// modelHome returns vcsim's temporary directory for this model.
func modelHome(r *simulator.Registry) string {
	for _, o := range r.OptionManager().Setting {
		if v := o.GetOptionValue(); v.Key == "vcsim.home" {
			if dir, ok := v.Value.(string); ok {
				return dir
			}
		}
	}
	return ""
}

func (s *Simulator) writeCertificate() error {
	cert := s.server.Certificate()
	s.caFile = filepath.Join(s.home, "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	if err := os.WriteFile(s.caFile, data, 0o600); err != nil {
		return fmt.Errorf("writing certificate: %w", err)
	}
	s1 := sha1.Sum(cert.Raw) //nolint:gosec // see import
	s2 := sha256.Sum256(cert.Raw)
	s.thumb = colonHex(s1[:])
	s.thumb256 = colonHex(s2[:])
	return nil
}

func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}

// Close stops the server and removes every file the simulator made. It is
// idempotent.
func (s *Simulator) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		if s.closing != nil {
			close(s.closing)
		}
		s.mu.Lock()
		for t := range s.timers {
			t.Stop()
		}
		s.timers = nil
		leases := make([]*nfcLease, 0, len(s.leases))
		for _, l := range s.leases {
			leases = append(leases, l)
		}
		s.mu.Unlock()
		for _, l := range leases {
			l.end()
		}
		if s.server != nil {
			s.server.Close()
		}
		if s.model != nil {
			s.model.Remove()
		}
		if s.home != "" {
			if err := os.RemoveAll(s.home); err != nil {
				s.closeErr = fmt.Errorf("removing %s: %w", s.home, err)
			}
		}
	})
	return s.closeErr
}
