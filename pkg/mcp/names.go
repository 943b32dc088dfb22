package mcp

import "strings"

// ToolName is the MCP tool name of a catalog operation: its name with
// "." replaced by "_" (vm.list is vm_list). The SDK accepts dots, but
// several clients' model APIs accept only [a-zA-Z0-9_-] in tool names.
// Catalog names have no "_", so the mapping is one to one.
func ToolName(operation string) string { return strings.ReplaceAll(operation, ".", "_") }

// OperationName is the catalog operation of an MCP tool name.
func OperationName(tool string) string { return strings.ReplaceAll(tool, "_", ".") }
