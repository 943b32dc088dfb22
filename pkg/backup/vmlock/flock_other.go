//go:build !unix

package vmlock

import "os"

func flock(*os.File, Mode) (bool, error) { return false, ErrUnsupported }

func funlock(*os.File) error { return nil }
