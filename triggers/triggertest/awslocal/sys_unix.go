//go:build unix

package awslocal

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// lockFile takes an exclusive flock on f. It polls with LOCK_NB rather than
// blocking so that a cancelled context releases the waiter; the kernel drops
// the lock when its holder exits, so a crashed install never wedges the next.
func lockFile(ctx context.Context, f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func unlockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

// ownProcessGroup makes the child lead a new process group so that stopping
// it also stops anything it spawned.
func ownProcessGroup(cmd *exec.Cmd) error {
	attr := &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(attr)
	cmd.SysProcAttr = attr
	return nil
}

// killProcessGroup sends SIGKILL to the group led by pid. The servers keep
// their state in memory or in a temporary directory that is removed anyway,
// so there is nothing a graceful shutdown would save.
func killProcessGroup(pid int) error {
	err := syscall.Kill(-pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// endedByKill reports whether the process died of the SIGKILL that
// killProcessGroup sends, rather than exiting or crashing by itself.
func endedByKill(state *os.ProcessState) bool {
	ws, ok := state.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}
