// Package cmdutil holds what every ceso command shares: the IO streams, the
// Factory that hands out lazy dependencies, and the helpers that print tables
// and JSON. It must not import any command package.
package cmdutil
