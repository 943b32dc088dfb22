// Command ceso runs standalone VMware ESXi hosts. See the README.
package main

import (
	"os"

	"github.com/ceso/ceso/pkg/cli"
)

func main() { os.Exit(cli.Main()) }
