package app

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// VMHost returns the vm.Host that makes an operation's changes through the
// session c, for esxi.transport:
//
//   - "api": the API only (sshhost.APIOnly); a write the licence refuses
//     says how to enable the SSH fallback;
//   - "auto": the API, and SSH for each write the licence refuses
//     (sshhost.FallbackHost), noted in the output and the audit record;
//   - "ssh": SSH for every change (sshhost.Host).
//
// The Host is valid while c is borrowed (see WithSession). The SSH
// connection behind it is the App's one, made when a step first needs it
// and closed by Close.
func (a *App) VMHost(c *client.Client) (vm.Host, error) {
	api := vm.NewAPIHost(c)
	switch a.cfg.ESXi.Transport {
	case config.TransportAPI:
		return sshhost.NewAPIOnly(api), nil
	case config.TransportSSH, config.TransportAuto, "":
	default:
		return nil, fmt.Errorf("%w: esxi.transport %q: want auto, api or ssh", config.ErrInvalid, a.cfg.ESXi.Transport)
	}
	sh := sshhost.New(sshUse{a.sshConn()}, sshhost.Options{Inventory: sshhost.APIInventory{C: c}})
	if a.cfg.ESXi.Transport == config.TransportSSH {
		return sh, nil
	}
	fb := sshhost.NewFallback(api, sh, func(ctx context.Context) (bool, error) { return sshhost.FreeLicence(ctx, c) })
	fb.OnFallback = func(ctx context.Context) { a.opts.Metrics.SSHFallback(ops.Current(ctx)) }
	return fb, nil
}

// sshUse records, for the audit record, that an operation ran a command
// over SSH.
type sshUse struct{ r sshhost.Runner }

func (u sshUse) Run(ctx context.Context, cmd ssh.Command) (ssh.Result, error) {
	ops.UseTransport(ctx, config.TransportSSH)
	return u.r.Run(ctx, cmd)
}

// sshConn is the App's lazy SSH connection.
func (a *App) sshConn() *sshhost.Lazy {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ssh == nil {
		a.ssh = sshhost.NewLazy(a.dialSSH)
	}
	return a.ssh
}

// dialSSH connects to the host's SSH service as the configuration says.
func (a *App) dialSSH(ctx context.Context) (sshhost.RunCloser, error) {
	sc, err := a.SSHConfig(ctx)
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
// (~/.config/ceso/known_hosts by default); and AcceptNewHostKey.
func (a *App) SSHConfig(ctx context.Context) (ssh.Config, error) {
	cfg := a.cfg
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
	known := cfg.KnownHostsPath()
	return ssh.Config{
		Host:             net.JoinHostPort(host, strconv.Itoa(cfg.SSH.Port)),
		User:             cfg.SSH.User,
		Password:         pw,
		KeyFile:          a.ExpandHome(cfg.SSH.KeyFile),
		KnownHostsFile:   a.ExpandHome(known),
		AcceptNewHostKey: a.opts.AcceptNewHostKey,
		MaxSessions:      cfg.SSH.MaxSessions,
		Logger:           a.opts.Logger,
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

// ExpandHome expands a leading ~/ with HOME from the App's environment.
func (a *App) ExpandHome(p string) string {
	rest, ok := strings.CutPrefix(p, "~/")
	if !ok {
		return p
	}
	if home, set := a.opts.Env("HOME"); set && home != "" {
		return filepath.Join(home, rest)
	}
	return config.ExpandHome(p)
}
