package cmdutil

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// sshConns holds each factory's SSH connection (a *sshhost.Lazy), made
// when a step first needs it and shared by every operation of the factory.
var sshConns sync.Map

// VMHost returns the vm.Host that makes the changes of an operation on c,
// for esxi.transport (or --transport):
//
//   - "api": the API only (sshhost.APIOnly); a write the licence refuses
//     says how to enable the SSH fallback;
//   - "auto": the API, and SSH for each write the licence refuses
//     (sshhost.FallbackHost), noted in the output and the audit record;
//   - "ssh": SSH for every change (sshhost.Host).
//
// The SSH connection is made only when a step needs it, from the ssh:
// section of the configuration; CloseSSH closes it.
func (f *Factory) VMHost(ctx context.Context, c *client.Client) (vm.Host, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	api := vm.NewAPIHost(c)
	if cfg.ESXi.Transport == config.TransportAPI {
		return sshhost.NewAPIOnly(api), nil
	}
	conn, _ := sshConns.LoadOrStore(f, sshhost.NewLazy(f.dialSSH))
	sh := sshhost.New(conn.(*sshhost.Lazy), sshhost.Options{Inventory: sshhost.APIInventory{C: c}})
	switch cfg.ESXi.Transport {
	case config.TransportSSH:
		return sh, nil
	case config.TransportAuto, "":
		return sshhost.NewFallback(api, sh, func(ctx context.Context) (bool, error) { return sshhost.FreeLicence(ctx, c) }), nil
	}
	return nil, fmt.Errorf("%w: esxi.transport %q: want auto, api or ssh", config.ErrInvalid, cfg.ESXi.Transport)
}

// CloseSSH closes the factory's SSH connection, if one was made. Close
// should call it.
func (f *Factory) CloseSSH() error {
	conn, ok := sshConns.LoadAndDelete(f)
	if !ok {
		return nil
	}
	return conn.(*sshhost.Lazy).Close()
}

// dialSSH connects to the host's SSH service as the configuration says.
func (f *Factory) dialSSH(ctx context.Context) (sshhost.RunCloser, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	sc, err := f.SSHConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	c, err := ssh.Dial(ctx, sc)
	if err != nil {
		return nil, err
	}
	if c.RecordedHostKey() {
		sshhost.Note(ctx, "recorded the SSH host key of %s in %s (--accept-new-host-key)", c.Addr(), sc.KnownHostsFile)
	}
	return c, nil
}

// SSHConfig turns the ssh: section into a connection configuration: the
// host of esxi.host on ssh.port; ssh.user; ssh.key_file; the password of
// ssh.password_file or ssh.password_command, or, when neither nor a key
// is set and ssh.user is esxi.user, the ESXi password (root's password is
// the same for both); the known_hosts file ssh.known_hosts
// (~/.config/ceso/known_hosts by default); and --accept-new-host-key.
func (f *Factory) SSHConfig(ctx context.Context, cfg *config.Config) (ssh.Config, error) {
	host, err := hostOnly(cfg.ESXi.Host)
	if err != nil {
		return ssh.Config{}, err
	}
	pw, err := cfg.SSH.ResolvePassword(ctx)
	if err != nil {
		return ssh.Config{}, err
	}
	if pw == "" && cfg.SSH.KeyFile == "" && cfg.SSH.User == cfg.ESXi.User {
		if pw, err = cfg.ESXi.ResolvePassword(ctx); err != nil {
			return ssh.Config{}, err
		}
	}
	known := cfg.SSH.KnownHosts
	if known == "" {
		known = "~/.config/ceso/known_hosts"
	}
	return ssh.Config{
		Host:             net.JoinHostPort(host, strconv.Itoa(cfg.SSH.Port)),
		User:             cfg.SSH.User,
		Password:         pw,
		KeyFile:          f.expandHome(cfg.SSH.KeyFile),
		KnownHostsFile:   f.expandHome(known),
		AcceptNewHostKey: f.Global.AcceptNewHostKey,
		Logger:           f.Logger(),
	}, nil
}

// hostOnly returns the host of "host", "host:port", "[v6]" or "[v6]:port".
func hostOnly(hostport string) (string, error) {
	h := strings.TrimSpace(hostport)
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if h == "" {
		return "", fmt.Errorf("%w: esxi.host is not set (ESXI_HOST): the SSH fallback connects to the same host", config.ErrInvalid)
	}
	return h, nil
}

// expandHome expands a leading ~/ with HOME from the factory's
// environment.
func (f *Factory) expandHome(p string) string {
	rest, ok := strings.CutPrefix(p, "~/")
	if !ok {
		return p
	}
	if home, set := f.Env("HOME"); set && home != "" {
		return filepath.Join(home, rest)
	}
	return config.ExpandHome(p)
}
