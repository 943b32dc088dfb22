// Package opscmd assembles `ceso ops`: the catalog of operations, which an
// agent, the API documentation and the MCP tool list are made from.
package opscmd
