// Package mcpcmd is `ceso mcp`: the catalog's operations as MCP tools for a
// local agent, over stdio. The tools themselves are pkg/mcp's; this
// package only reads the flags and the sandbox mode and connects stdin and
// stdout.
package mcpcmd
