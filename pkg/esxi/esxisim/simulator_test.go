package esxisim

import (
	"context"
	"crypto/sha1" //nolint:gosec // thumbprint
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func TestStartIsStandaloneESXi(t *testing.T) {
	begin := time.Now()
	s := startSim(t, Options{TemplateDiskSize: DefaultTemplateDiskSize})
	t.Logf("Start took %v", time.Since(begin))
	c := connect(t, s)
	about := c.ServiceContent.About
	if about.ApiType != "HostAgent" {
		t.Errorf("ApiType = %q, want HostAgent", about.ApiType)
	}
	if about.Version[:2] != "8." {
		t.Errorf("Version = %q, want ESXi 8", about.Version)
	}
	if got := s.URL().String(); got != "https://"+s.Host()+"/sdk" {
		t.Errorf("URL = %s", got)
	}
}

func TestWrongPasswordIsInvalidLogin(t *testing.T) {
	s := startSim(t, Options{})
	_, err := dial(context.Background(), s, s.User(), "wrong")
	if !fault.Is(err, &types.InvalidLogin{}) {
		t.Fatalf("err = %v, want InvalidLogin", err)
	}
	t.Log(err)
}

func TestCAFileVerifiesTheServer(t *testing.T) {
	s := startSim(t, Options{})
	sc := soap.NewClient(s.URL(), false)
	if err := sc.SetRootCAs(s.CAFile()); err != nil {
		t.Fatal(err)
	}
	vc, err := vim25.NewClient(context.Background(), sc)
	if err != nil {
		t.Fatalf("client trusting the CA file: %v", err)
	}
	if vc.ServiceContent.About.ApiType != "HostAgent" {
		t.Errorf("ApiType = %s", vc.ServiceContent.About.ApiType)
	}
	// an unverified client must be refused
	if _, err := vim25.NewClient(context.Background(), soap.NewClient(s.URL(), false)); err == nil {
		t.Error("a client without trust connected")
	}
}

func TestThumbprints(t *testing.T) {
	s := startSim(t, Options{})
	cert, err := os.ReadFile(s.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(cert)
	sum1, sum256 := sha1.Sum(block.Bytes), sha256.Sum256(block.Bytes) //nolint:gosec // thumbprint
	for _, tt := range []struct{ got, want string }{
		{s.Thumbprint(), colonHex(sum1[:])},
		{s.ThumbprintSHA256(), colonHex(sum256[:])},
	} {
		if tt.got != tt.want || strings.ToUpper(tt.got) != tt.got || strings.Count(tt.got, ":") != len(tt.got)/3 {
			t.Errorf("thumbprint %q, want %q", tt.got, tt.want)
		}
	}
	x, _ := x509.ParseCertificate(block.Bytes)
	if len(x.IPAddresses) == 0 || !x.IPAddresses[0].Equal(net.ParseIP("127.0.0.1")) {
		t.Errorf("certificate IPs = %v", x.IPAddresses)
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want error
	}{
		{"tiny disk", Options{TemplateDiskSize: 10}, ErrInvalidOptions},
		{"negative VMs", Options{ExtraVMs: -1}, ErrInvalidOptions},
		{"negative lease timeout", Options{LeaseTimeout: -1}, ErrInvalidOptions},
		{"bracket in datastore", Options{Datastore: "a]b"}, ErrInvalidOptions},
		{"bad listen address", Options{Listen: "256.0.0.1:1"}, ErrListen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Start(context.Background(), tt.opts)
			if !errors.Is(err, tt.want) {
				if s != nil {
					_ = s.Close()
				}
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCustomCredentialsDatastoreAndPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	s := startSim(t, Options{Listen: addr, User: "admin", Password: "pw", Datastore: "ssd"})
	if s.Host() != addr || s.User() != "admin" || s.Password() != "pw" || s.Datastore() != "ssd" {
		t.Fatalf("host %s user %s password %s datastore %s", s.Host(), s.User(), s.Password(), s.Datastore())
	}
	c := connect(t, s)
	vm := inventory(t, s)[0]
	if !strings.HasPrefix(vm.Config.Files.VmPathName, "[ssd] ") {
		t.Errorf("template path %s", vm.Config.Files.VmPathName)
	}
	_ = c
	if _, err := dial(context.Background(), s, DefaultUser, DefaultPassword); !fault.Is(err, &types.InvalidLogin{}) {
		t.Errorf("default credentials: %v", err)
	}
}
