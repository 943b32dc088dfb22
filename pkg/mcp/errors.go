package mcp

import "github.com/ceso/ceso/pkg/errkind"

var (
	// ErrIdempotencyConflict is returned when an idempotency key is used
	// again with other arguments, or for another tool.
	ErrIdempotencyConflict = errkind.New(errkind.Usage, "idempotency key reused with other arguments")
	// ErrArguments is returned for tool arguments that are not a JSON
	// object, or whose control fields have the wrong type.
	ErrArguments = errkind.New(errkind.Usage, "invalid tool arguments")
	// ErrSetup is returned when the tools cannot be made from the catalog
	// (a params field that collides with a control field, a schema that
	// cannot be made).
	ErrSetup = errkind.New(errkind.Config, "MCP tools cannot be made from the catalog")
)
