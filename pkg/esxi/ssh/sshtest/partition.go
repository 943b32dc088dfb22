package sshtest

import (
	"net"
	"sync"
)

// gate holds the traffic of every connection while the server is
// partitioned.
type gate struct {
	mu      sync.Mutex
	cond    *sync.Cond
	blocked bool
	closed  bool
}

func newGate() *gate {
	g := &gate{}
	g.cond = sync.NewCond(&g.mu)
	return g
}

func (g *gate) set(blocked, closed bool) {
	g.mu.Lock()
	g.blocked, g.closed = blocked, g.closed || closed
	g.mu.Unlock()
	g.cond.Broadcast()
}

// wait returns when traffic may pass.
func (g *gate) wait() {
	g.mu.Lock()
	for g.blocked && !g.closed {
		g.cond.Wait()
	}
	g.mu.Unlock()
}

// gatedConn is a server-side connection whose reads and writes wait at the
// gate: what the client sends while partitioned is held, and nothing is
// answered.
type gatedConn struct {
	net.Conn
	g *gate
}

func (c gatedConn) Read(p []byte) (int, error) {
	c.g.wait()
	n, err := c.Conn.Read(p)
	c.g.wait()
	return n, err
}

func (c gatedConn) Write(p []byte) (int, error) {
	c.g.wait()
	return c.Conn.Write(p)
}

// Partition stops all traffic on the server's connections, as a network
// partition would: nothing the client sends is answered until Heal. New
// connections are accepted but do not get through the handshake.
func (s *Server) Partition() { s.gate.set(true, false) }

// Heal lets traffic through again after Partition.
func (s *Server) Heal() { s.gate.set(false, false) }
