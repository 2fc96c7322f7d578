package awslocal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// StartError reports a server that did not become ready. It carries the
// server's last log lines, because a bare timeout says nothing about a
// missing module or a port in use.
type StartError struct {
	// Server is the npm package that failed, such as "dynalite".
	Server string
	// Err is the cause: the process's exit status, a failed launch, or the
	// context error when the server never answered.
	Err error
	// Log holds the last lines the server wrote to stdout and stderr.
	Log []string
}

func (e *StartError) Error() string {
	return fmt.Sprintf("start %s: %v; %s", e.Server, e.Err, formatLog(e.Log))
}

func (e *StartError) Unwrap() error { return e.Err }

// serverSpec says how to run one server and how to tell that it is ready.
type serverSpec struct {
	name   string                  // npm package name, or the program's name
	script string                  // entry point inside the package
	binary string                  // a native program to run instead of node and script
	args   func(port int) []string // command-line arguments
	env    func(port int) []string // variables added to the inherited environment
	dir    string                  // working directory; empty for the install directory
	health string                  // path answered with 200 (or readyStatus) once the server is ready
	// readyStatus is the status the health path answers when it is not 200: local-kms
	// answers a GET with 405 once it listens, and it listens only after seeding.
	readyStatus int
	port        int             // fixed port, or 0 to pick a free one
	hidden      map[string]bool // inherited variables the server must not see
}

// process is one running server.
type process struct {
	name    string
	cmd     *exec.Cmd
	logs    *logTail
	url     string
	done    chan struct{} // closed when the process has exited and been reaped
	waitErr error         // valid once done is closed
}

// portAttempts bounds retries when a freshly picked port is taken by someone
// else between picking and binding.
const portAttempts = 3

// launch starts spec and waits until it answers its health check.
func launch(ctx context.Context, tc toolchain, installDir string, spec serverSpec) (*process, error) {
	var lastErr error
	for range portAttempts {
		port := spec.port
		if port == 0 {
			p, err := freePort()
			if err != nil {
				return nil, &StartError{Server: spec.name, Err: err}
			}
			port = p
		}
		p, err := launchOnce(ctx, tc, installDir, spec, port)
		if err == nil {
			return p, nil
		}
		lastErr = err
		if spec.port != 0 || !addressInUse(err) || ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func addressInUse(err error) bool {
	var se *StartError
	if !errors.As(err, &se) {
		return false
	}
	for _, l := range se.Log {
		if strings.Contains(l, "EADDRINUSE") || strings.Contains(l, "address already in use") {
			return true
		}
	}
	return false
}

// freePort asks the kernel for an unused loopback port. The servers take a
// port number rather than a listener, so the port is released before they
// bind it; launch retries if another process wins that race.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func launchOnce(ctx context.Context, tc toolchain, installDir string, spec serverSpec, port int) (*process, error) {
	logs := new(logTail)
	fail := func(err error) error { return &StartError{Server: spec.name, Err: err, Log: logs.Lines()} }

	cmd := exec.Command(tc.node, append([]string{filepath.Join(installDir, "node_modules", spec.name, spec.script)}, spec.args(port)...)...)
	if spec.binary != "" {
		cmd = exec.Command(spec.binary, spec.args(port)...)
	}
	cmd.Dir = spec.dir
	if cmd.Dir == "" {
		cmd.Dir = installDir
	}
	cmd.Env = childEnv(spec.hidden, spec.env(port))
	cmd.Stdout = logs
	cmd.Stderr = logs
	// A server that leaves a child holding its output pipe must not keep
	// Close waiting.
	cmd.WaitDelay = time.Second
	if err := ownProcessGroup(cmd); err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fail(err)
	}
	p := &process{
		name: spec.name,
		cmd:  cmd,
		logs: logs,
		url:  "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		done: make(chan struct{}),
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	if err := p.awaitReady(ctx, spec.health, spec.readyStatus); err != nil {
		p.stop()
		return nil, fail(err)
	}
	return p, nil
}

// childEnv returns the inherited environment without hidden variables, with
// add appended; exec keeps the last value of a repeated name.
func childEnv(hidden map[string]bool, add []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !hidden[name] {
			env = append(env, kv)
		}
	}
	return append(env, add...)
}

// loopbackClient never uses a proxy: the servers are on loopback, and an
// HTTP_PROXY from the environment must not see or break requests to them.
var loopbackClient = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
}

// probeTimeout bounds one readiness check, so that a server accepting
// connections before it can answer does not stall the polling loop.
const probeTimeout = 500 * time.Millisecond

func (p *process) awaitReady(ctx context.Context, path string, status int) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var probeErr error
	for {
		probeErr = probe(ctx, p.url+path, status)
		if probeErr == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("exited before it was ready: %w", p.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("not ready (last check: %v): %w", probeErr, ctx.Err())
		case <-tick.C:
		}
	}
}

func probe(ctx context.Context, url string, status int) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := loopbackClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && (status == 0 || resp.StatusCode != status) {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// stopTimeout bounds how long stop waits for the kernel to reap a killed
// server.
const stopTimeout = 5 * time.Second

// stop kills the server's process group and waits for it to be reaped. It
// reports a server that ended other than by this kill, since a server that
// died during a test explains that test's failures.
func (p *process) stop() error {
	killErr := killProcessGroup(p.cmd.Process.Pid)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		return fmt.Errorf("stop %s (pid %d): still running %s after SIGKILL: %v", p.name, p.cmd.Process.Pid, stopTimeout, killErr)
	}
	if !endedByKill(p.cmd.ProcessState) {
		return fmt.Errorf("%s exited while in use: %v; %s", p.name, p.waitErr, formatLog(p.logs.Lines()))
	}
	return nil
}
