package awslocal

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The servers' versions are pinned by these two files; installing from the
// lock with npm ci makes every machine run the same code.
var (
	//go:embed package.json
	packageJSON []byte
	//go:embed package-lock.json
	packageLock []byte
)

// CacheDirEnv names the environment variable that overrides where the npm
// packages are installed. The default is a directory under
// [os.UserCacheDir]; CI systems can point it at a cached path.
const CacheDirEnv = "AWSLOCAL_CACHE_DIR"

// minNodeMajor is the oldest Node.js release the pinned packages were
// checked against.
const minNodeMajor = 20

// enableHint tells a reader of a skipped test what to install.
const enableHint = "install Node.js 20+ and npm to run integration tests against local AWS servers"

// completeMarker is written after npm ci succeeds. Its presence is what makes
// an install directory usable, so a run interrupted halfway is redone.
const completeMarker = ".awslocal-complete"

// toolchain is the Node.js installation the servers run on.
type toolchain struct {
	node string
	npm  string
}

var nodeVersions sync.Map // node path -> major version, since asking costs a process start

// findToolchain locates node and npm in PATH and checks the Node.js version.
// Errors wrap [ErrUnavailable] so that callers can turn them into skips.
func findToolchain(ctx context.Context) (toolchain, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return toolchain{}, fmt.Errorf("%w: node not found in PATH; %s", ErrUnavailable, enableHint)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return toolchain{}, fmt.Errorf("%w: npm not found in PATH; %s", ErrUnavailable, enableHint)
	}
	major, ok := nodeVersions.Load(node)
	if !ok {
		out, err := exec.CommandContext(ctx, node, "--version").Output()
		if err != nil {
			return toolchain{}, fmt.Errorf("%w: %s --version: %v; %s", ErrUnavailable, node, err, enableHint)
		}
		version := strings.TrimSpace(string(out))
		m, _, _ := strings.Cut(strings.TrimPrefix(version, "v"), ".")
		n, err := strconv.Atoi(m)
		if err != nil {
			return toolchain{}, fmt.Errorf("%w: unrecognised node version %q; %s", ErrUnavailable, version, enableHint)
		}
		major, _ = nodeVersions.LoadOrStore(node, n)
	}
	if major.(int) < minNodeMajor {
		return toolchain{}, fmt.Errorf("%w: node %d is too old; %s", ErrUnavailable, major, enableHint)
	}
	return toolchain{node: node, npm: npm}, nil
}

// installDir returns the directory the pinned packages live in. It is keyed
// by a hash of the manifests, so a version bump installs beside the old one
// instead of over it.
func installDir() string {
	root := os.Getenv(CacheDirEnv)
	if root == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		root = filepath.Join(base, "lambda-triggers-cognito", "awslocal")
	}
	h := sha256.New()
	h.Write(packageJSON)
	h.Write([]byte{0})
	h.Write(packageLock)
	return filepath.Join(root, hex.EncodeToString(h.Sum(nil))[:16])
}

// install makes sure the pinned packages are installed and returns their
// directory, and how long npm ci took (zero when an earlier run had
// installed them). Test binaries of several packages run at once under
// go test ./..., so the install is serialised with a lock file next to the
// directory.
func install(ctx context.Context, tc toolchain) (dir string, took time.Duration, err error) {
	dir = installDir()
	if installed(dir) {
		return dir, 0, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", 0, fmt.Errorf("create npm cache directory: %w", err)
	}
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", 0, fmt.Errorf("open install lock: %w", err)
	}
	defer lock.Close()
	if err := lockFile(ctx, lock); err != nil {
		return "", 0, fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	defer unlockFile(lock)

	if installed(dir) {
		return dir, 0, nil
	}
	start := time.Now()
	if err := npmCI(ctx, tc, dir); err != nil {
		return "", 0, err
	}
	return dir, time.Since(start), nil
}

func installed(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, completeMarker))
	return err == nil
}

// npmCI installs into dir from scratch. The caller holds the install lock.
func npmCI(ctx context.Context, tc toolchain, dir string) error {
	if err := os.RemoveAll(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove incomplete install: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create install directory: %w", err)
	}
	for name, data := range map[string][]byte{"package.json": packageJSON, "package-lock.json": packageLock} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	out := new(logTail)
	cmd := exec.CommandContext(ctx, tc.npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.WaitDelay = 5 * time.Second
	if err := ownProcessGroup(cmd); err != nil {
		return err
	}
	// npm runs install scripts in child processes; cancelling must stop them too.
	cmd.Cancel = func() error { return killProcessGroup(cmd.Process.Pid) }
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm ci in %s: %w; %s", dir, err, formatLog(out.Lines()))
	}
	if err := os.WriteFile(filepath.Join(dir, completeMarker), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		return fmt.Errorf("mark install complete: %w", err)
	}
	return nil
}

// formatLog renders kept log lines for the end of a message, one indented
// line each after a lead-in.
func formatLog(lines []string) string {
	if len(lines) == 0 {
		return "no output"
	}
	var b strings.Builder
	b.WriteString("last output:")
	for _, l := range lines {
		b.WriteString("\n\t")
		b.WriteString(l)
	}
	return b.String()
}
