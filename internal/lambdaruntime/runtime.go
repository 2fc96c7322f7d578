// Package lambdaruntime is a stand-in for the Lambda Runtime API on loopback, so that a
// built function binary (a bootstrap) can be run on a developer's machine exactly as Lambda
// runs it: the process polls for the next event, and posts a response or an error. It
// measures what a user feels on a cold start: the time from exec to the first response.
// The examples' cold-start tests and benchmarks use it.
package lambdaruntime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Result is what the function answered to one event.
type Result struct {
	// Response is the response body, nil on error.
	Response []byte
	// ErrorMessage and ErrorType are set when the function reported an error.
	ErrorMessage string
	ErrorType    string
	// Elapsed is the time from handing out the event (or from exec, for the first event of a
	// cold start) to the answer.
	Elapsed time.Duration
}

// Server is a Runtime API that hands out queued events one at a time.
type Server struct {
	// Addr is host:port, the value for AWS_LAMBDA_RUNTIME_API.
	Addr string

	ln      net.Listener
	srv     *http.Server
	events  chan invocation
	mu      sync.Mutex
	pending map[string]invocation
	seq     int
}

type invocation struct {
	payload []byte
	start   time.Time
	result  chan Result
}

// NewServer starts a Runtime API on a free 127.0.0.1 port.
func NewServer() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime api: %w", err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln, events: make(chan invocation, 16), pending: map[string]invocation{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", s.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", s.answer(false))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", s.answer(true))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	})
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server; a function still polling sees its connection close.
func (s *Server) Close() error { return s.srv.Close() }

// Invoke queues payload and waits for the function's answer, or for ctx to end. The clock
// starts at start, so that a cold start can count from exec.
func (s *Server) Invoke(ctx context.Context, payload []byte, start time.Time) (Result, error) {
	inv := invocation{payload: payload, start: start, result: make(chan Result, 1)}
	select {
	case s.events <- inv:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case r := <-inv.result:
		return r, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	var inv invocation
	select {
	case inv = <-s.events:
	case <-r.Context().Done():
		return
	}
	s.mu.Lock()
	s.seq++
	id := "req-" + strconv.Itoa(s.seq)
	s.pending[id] = inv
	s.mu.Unlock()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:local")
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(inv.payload)
}

func (s *Server) answer(isError bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		inv, ok := s.pending[r.PathValue("id")]
		delete(s.pending, r.PathValue("id"))
		s.mu.Unlock()
		if !ok {
			http.Error(w, "unknown request id", http.StatusBadRequest)
			return
		}
		res := Result{Elapsed: time.Since(inv.start)}
		if isError {
			var e struct {
				Message string `json:"errorMessage"`
				Type    string `json:"errorType"`
			}
			_ = json.Unmarshal(body, &e)
			res.ErrorMessage, res.ErrorType = e.Message, e.Type
		} else {
			res.Response = body
		}
		w.WriteHeader(http.StatusAccepted)
		inv.result <- res
	}
}

// ColdStart execs binary with the Runtime API pointed at a fresh server, hands it payload,
// and returns its answer with Elapsed measured from exec. The process is killed before
// ColdStart returns. env is added to a minimal Lambda-like environment.
func ColdStart(ctx context.Context, binary string, payload []byte, env ...string) (Result, error) {
	s, err := NewServer()
	if err != nil {
		return Result{}, err
	}
	defer s.Close()
	cmd := exec.Command(binary)
	cmd.Env = append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + s.Addr,
		"AWS_LAMBDA_FUNCTION_NAME=local",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_REGION=us-east-1",
		"LOG_LEVEL=error",
		"PATH=" + os.Getenv("PATH"),
	}, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("start %s: %w", binary, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}()
	type answer struct {
		r   Result
		err error
	}
	got := make(chan answer, 1)
	go func() {
		r, err := s.Invoke(ctx, payload, start)
		got <- answer{r, err}
	}()
	select {
	case a := <-got:
		return a.r, a.err
	case err := <-exited:
		exited <- err
		return Result{}, fmt.Errorf("%s exited before answering (%v): %s", binary, err, stderr.String())
	case <-ctx.Done():
		return Result{}, errors.Join(ctx.Err(), errors.New(stderr.String()))
	}
}

// limitedBuffer keeps the first 8 KiB of a process's output for error messages.
type limitedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := 8<<10 - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
