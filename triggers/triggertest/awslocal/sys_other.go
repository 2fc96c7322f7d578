//go:build !unix

package awslocal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
)

// errPlatform explains why nothing starts here: the install lock and the
// process-group handling rely on Unix system calls.
var errPlatform = fmt.Errorf("%w: %s is not supported; run integration tests on Linux or macOS", ErrUnavailable, runtime.GOOS)

func lockFile(context.Context, *os.File) error { return errPlatform }

func unlockFile(*os.File) error { return errors.ErrUnsupported }

func ownProcessGroup(*exec.Cmd) error { return errPlatform }

func killProcessGroup(int) error { return errors.ErrUnsupported }

func endedByKill(*os.ProcessState) bool { return true }
