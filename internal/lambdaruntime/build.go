package lambdaruntime

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// BuildFlags are the flags the README gives for a Lambda bootstrap: no RPC mode, stripped,
// reproducible paths.
var BuildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w"}

// Build compiles the main package at pkg (a path or import path) into dir/name with
// [BuildFlags], for the machine's own OS and architecture, and returns the binary's path.
// It runs the go command found on PATH, which go test puts first.
func Build(dir, name, pkg string) (string, error) {
	return BuildFor(dir, name, pkg, "", "")
}

// BuildFor is [Build] for another operating system and architecture, such as linux and
// arm64 as deployed; empty values mean the machine's own.
func BuildFor(dir, name, pkg, goos, goarch string) (string, error) {
	out := filepath.Join(dir, name)
	args := append(append([]string{"build"}, BuildFlags...), "-o", out, pkg)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if goos != "" {
		cmd.Env = append(cmd.Env, "GOOS="+goos)
	}
	if goarch != "" {
		cmd.Env = append(cmd.Env, "GOARCH="+goarch)
	}
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, msg)
	}
	return out, nil
}
