//go:build integration

package integration

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
)

// startHost connects to the real host named by the environment, or skips.
func startHost(t *testing.T) *host {
	t.Helper()
	env := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	addr, user, pass := os.Getenv("ESXI_HOST"), os.Getenv("ESXI_USER"), os.Getenv("ESXI_PASSWORD")
	if addr == "" || user == "" || pass == "" {
		t.Skip("set ESXI_HOST, ESXI_USER, ESXI_PASSWORD and ESXI_THUMBPRINT to run against a real host")
	}
	if os.Getenv("ESXI_THUMBPRINT") == "" {
		t.Fatal("ESXI_THUMBPRINT is required: the host's certificate is verified (see the host client's certificate page)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.Connect(ctx, client.Config{Host: addr, User: user, Password: pass, Thumbprint: os.Getenv("ESXI_THUMBPRINT")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Logout(context.Background()) })
	return &host{
		c:         c,
		template:  env("ESXI_TEMPLATE", "ubuntu-24.04-template"),
		datastore: env("ESXI_DATASTORE", "datastore1"),
		network:   env("ESXI_NETWORK", "VM Network"),
	}
}
