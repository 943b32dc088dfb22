// Package cli is ceso's command tree: Main runs it and maps errors to exit
// codes in one place (cmdutil.ExitCode). Each noun has a package (vm,
// backup, configcmd, ...) and each verb a file; commands turn flags into an
// options struct, the options into an ops.Op, and print the result as a
// table on a terminal or JSON with --json.
//
// Commands never call the ESXi layer around the ops runner.
package cli
