package sshtest

import (
	"context"
	"io"
)

// Handler plays the host's shell: it runs one command line and returns its
// exit status. ctx ends when the client closes the session, sends a signal,
// or the server closes.
type Handler interface {
	Exec(ctx context.Context, cmd string, stdout, stderr io.Writer) int
}

// StdinHandler is a Handler that also reads the command's standard input:
// what the client sends on the session until it closes its side.
type StdinHandler interface {
	Handler
	ExecStdin(ctx context.Context, cmd string, stdin io.Reader, stdout, stderr io.Writer) int
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, cmd string, stdout, stderr io.Writer) int

// Exec calls f.
func (f HandlerFunc) Exec(ctx context.Context, cmd string, stdout, stderr io.Writer) int {
	return f(ctx, cmd, stdout, stderr)
}

// Func adapts a function that returns a command's whole output at once.
func Func(fn func(cmd string) (stdout, stderr string, exit int)) Handler {
	return HandlerFunc(func(_ context.Context, cmd string, stdout, stderr io.Writer) int {
		out, errOut, exit := fn(cmd)
		_, _ = io.WriteString(stdout, out)
		_, _ = io.WriteString(stderr, errOut)
		return exit
	})
}

// Responses is a Handler answering fixed command lines with fixed results;
// any other command gets "sh: <cmd>: not found" on stderr and exit status
// 127.
type Responses map[string]Response

// Response is the output and exit status of one command.
type Response struct {
	Stdout string
	Stderr string
	Exit   int
}

// Exec answers cmd from the map.
func (r Responses) Exec(_ context.Context, cmd string, stdout, stderr io.Writer) int {
	resp, ok := r[cmd]
	if !ok {
		_, _ = io.WriteString(stderr, "sh: "+cmd+": not found\n")
		return 127
	}
	_, _ = io.WriteString(stdout, resp.Stdout)
	_, _ = io.WriteString(stderr, resp.Stderr)
	return resp.Exit
}

// notFound is the handler of a server started without one.
var notFound = Responses(nil)
