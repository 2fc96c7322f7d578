//go:build unix && !linux

package awslocal

import "syscall"

// dieWithParent has no portable equivalent outside Linux; Close and the test
// cleanups remain the only way the servers stop.
func dieWithParent(*syscall.SysProcAttr) {}
