package awslocal

import "syscall"

// dieWithParent asks the kernel to kill the server when the test binary dies
// without running its cleanups, as it does on a test timeout or a panic in
// TestMain.
func dieWithParent(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
