package lambdaruntime

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// BuildFlags are the flags the README gives for a Lambda bootstrap: no RPC mode, stripped,
// reproducible paths.
var BuildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w"}

// Build compiles the main package at pkg (a path or import path) into dir/name with
// [BuildFlags], for the machine's own OS and architecture, and returns the binary's path.
func Build(dir, name, pkg string) (string, error) {
	out := filepath.Join(dir, name)
	args := append(append([]string{"build"}, BuildFlags...), "-o", out, pkg)
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, msg)
	}
	return out, nil
}
