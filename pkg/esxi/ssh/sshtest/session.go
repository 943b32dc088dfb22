package sshtest

import (
	"context"

	gossh "golang.org/x/crypto/ssh"
)

// session serves one session channel: the first "exec" request runs the
// handler; "signal" requests and the client closing the channel cancel the
// handler's context; anything else (pty-req, env, shell, subsystem) is
// refused.
func (s *Server) session(ch gossh.Channel, reqs <-chan *gossh.Request) {
	defer s.wg.Done()
	defer ch.Close()
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	for req := range reqs {
		if req.Type != "exec" {
			if req.WantReply {
				_ = req.Reply(false, nil)
			}
			continue
		}
		var payload struct{ Command string }
		if err := gossh.Unmarshal(req.Payload, &payload); err != nil {
			_ = req.Reply(false, nil)
			continue
		}
		_ = req.Reply(true, nil)
		s.mu.Lock()
		s.commands = append(s.commands, payload.Command)
		h := s.handler
		s.mu.Unlock()

		s.wg.Add(1)
		go s.afterExec(reqs, cancel)
		var status int
		if sh, ok := h.(StdinHandler); ok {
			status = sh.ExecStdin(ctx, payload.Command, ch, ch, ch.Stderr())
		} else {
			status = h.Exec(ctx, payload.Command, ch, ch.Stderr())
		}
		if status < 0 || status > 255 {
			status = 255
		}
		_ = ch.CloseWrite()
		_, _ = ch.SendRequest("exit-status", false, gossh.Marshal(struct{ Status uint32 }{uint32(status)}))
		return
	}
}

// afterExec watches the requests of a running command: a signal or the end
// of the channel cancels the handler.
func (s *Server) afterExec(reqs <-chan *gossh.Request, cancel context.CancelFunc) {
	defer s.wg.Done()
	defer cancel()
	for req := range reqs {
		if req.Type == "signal" {
			cancel()
		}
		if req.WantReply {
			_ = req.Reply(false, nil)
		}
	}
}
