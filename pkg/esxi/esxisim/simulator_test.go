package esxisim

import (
	"context"
	"testing"
	"time"

	"github.com/vmware/govmomi/fault"
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
