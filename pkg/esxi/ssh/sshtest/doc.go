// Package sshtest runs an in-process SSH server for tests of code that runs
// commands on an ESXi host over SSH.
//
// The server listens on 127.0.0.1 with a generated ed25519 host key, accepts
// password, keyboard-interactive (as ESXi's sshd does) and public-key logins,
// and hands every "exec" request to a Handler, which plays the host's shell.
// It records the commands it received, and Partition/Heal stop and resume
// all traffic as a network partition would. ClientConfig returns the
// ssh.Config a client needs, with a known_hosts file that already trusts the
// server.
//
// It owns no knowledge of vim-cmd or vmkfstools: a fake ESXi shell is a
// Handler built on top of it. It must only be used by tests and simulators,
// never to reach a real host.
package sshtest
