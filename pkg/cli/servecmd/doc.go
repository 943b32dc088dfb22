// Package servecmd is `ceso serve` (the daemon of pkg/server on the
// factory's App) and `ceso serve token new` (a new API token and its
// configuration entry). It holds no server logic of its own.
package servecmd
