package awslocal_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

func TestUniqueName(t *testing.T) {
	valid := regexp.MustCompile(`^orders-[a-z0-9]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		n := awslocal.UniqueName("orders")
		if !valid.MatchString(n) {
			t.Fatalf("UniqueName = %q, want orders- and 12 lower-case letters or digits", n)
		}
		if seen[n] {
			t.Fatalf("UniqueName repeated %q", n)
		}
		seen[n] = true
	}
}

func TestLogTailKeepsLastLines(t *testing.T) {
	var l awslocal.LogTail
	for i := range 100 {
		fmt.Fprintf(&l, "line %d\n", i)
	}
	fmt.Fprint(&l, "\x1b[32mINFO\x1b[39m: part")
	fmt.Fprint(&l, "ial")
	got := l.Lines()
	if len(got) != 65 {
		t.Fatalf("kept %d lines, want 64 complete lines and the partial one", len(got))
	}
	if got[0] != "line 36" || got[63] != "line 99" {
		t.Errorf("kept lines from %q to %q, want line 36 to line 99", got[0], got[63])
	}
	if got[64] != "INFO: partial" {
		t.Errorf("last line = %q, want the unterminated line without colour codes", got[64])
	}

	var long awslocal.LogTail
	fmt.Fprintf(&long, "%s\nnext\n", strings.Repeat("x", 10000))
	if got := long.Lines(); len(got) != 2 || len(got[0]) > 4096 || got[1] != "next" {
		t.Errorf("a 10000-byte line was kept as %d lines, first %d bytes", len(got), len(got[0]))
	}
}

func TestReplayCallsInOrder(t *testing.T) {
	var calls []int
	errFirst := errors.New("first")
	errs := awslocal.Replay(t.Context(), 3, func(context.Context) error {
		calls = append(calls, len(calls))
		if len(calls) == 1 {
			return errFirst
		}
		return nil
	})
	if len(calls) != 3 {
		t.Fatalf("invoke called %d times, want 3", len(calls))
	}
	if len(errs) != 3 || !errors.Is(errs[0], errFirst) || errs[1] != nil || errs[2] != nil {
		t.Errorf("errs = %v, want [first <nil> <nil>]", errs)
	}
}

func TestReplayStopsCallingWhenContextDone(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	calls := 0
	errs := awslocal.Replay(ctx, 4, func(context.Context) error {
		calls++
		if calls == 2 {
			cancel()
		}
		return nil
	})
	if calls != 2 {
		t.Errorf("invoke called %d times after cancel at the second, want 2", calls)
	}
	if errs[1] != nil || !errors.Is(errs[2], context.Canceled) || !errors.Is(errs[3], context.Canceled) {
		t.Errorf("errs = %v, want the calls not made to report context.Canceled", errs)
	}
}

func TestReplayConcurrentOverlapsCalls(t *testing.T) {
	const n = 8
	var (
		inFlight atomic.Int32
		arrived  sync.WaitGroup
	)
	arrived.Add(n)
	allIn := make(chan struct{})
	go func() { arrived.Wait(); close(allIn) }()
	errs := awslocal.ReplayConcurrent(t.Context(), n, func(ctx context.Context) error {
		inFlight.Add(1)
		arrived.Done()
		// Every call waits for all others to have started, which only
		// returns if they really run at the same time.
		select {
		case <-allIn:
			return nil
		case <-time.After(5 * time.Second):
			return fmt.Errorf("only %d of %d calls were in flight together", inFlight.Load(), n)
		}
	})
	if len(errs) != n {
		t.Fatalf("got %d errors, want %d", len(errs), n)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
}

// recordingTB captures how Start gives up, without ending the real test.
type recordingTB struct {
	testing.TB
	skipped, fatal string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func startWith(t *testing.T) *recordingTB {
	r := &recordingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		awslocal.Start(r, awslocal.Config{})
		t.Error("Start returned without node in PATH")
	}()
	<-done
	return r
}

func TestStartWithoutNode(t *testing.T) {
	t.Setenv("PATH", t.TempDir())

	t.Setenv("CI", "")
	r := startWith(t)
	if r.fatal != "" || !strings.Contains(r.skipped, "install Node.js 20+ and npm to run integration tests against local AWS servers") {
		t.Errorf("without CI: skipped %q, failed %q; want a skip saying what to install", r.skipped, r.fatal)
	}
	if strings.Contains(r.skipped, "\n") {
		t.Errorf("skip message spans lines: %q", r.skipped)
	}

	t.Setenv("CI", "true")
	r = startWith(t)
	if r.skipped != "" || !strings.Contains(r.fatal, "install Node.js 20+") {
		t.Errorf("with CI=true: skipped %q, failed %q; want a failure", r.skipped, r.fatal)
	}
}

func TestHelpersNameTheMissingServer(t *testing.T) {
	var s awslocal.Servers
	if _, err := s.SentEmails(t.Context()); err == nil || !strings.Contains(err.Error(), "Config.SES") {
		t.Errorf("SentEmails without SES = %v, want it to name Config.SES", err)
	}
	if err := s.CreateTableContext(t.Context(), "t", "pk", ""); err == nil || !strings.Contains(err.Error(), "Config.DynamoDB") {
		t.Errorf("CreateTableContext without DynamoDB = %v, want it to name Config.DynamoDB", err)
	}
	if _, err := s.CreateUserPoolContext(t.Context()); err == nil || !strings.Contains(err.Error(), "Config.Cognito") {
		t.Errorf("CreateUserPoolContext without Cognito = %v, want it to name Config.Cognito", err)
	}
}

func TestStartServersRefusesBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg  awslocal.Config
		want string
	}{
		{awslocal.Config{StartTimeout: -time.Second}, "awslocal.StartServers: StartTimeout is negative"},
		{awslocal.Config{Cognito: &awslocal.CognitoConfig{Triggers: map[string]string{"PreSignUp": "PreSignUp"}}},
			"cognito-local: CognitoConfig.Triggers needs a LambdaEndpoint"},
	}
	for _, tt := range tests {
		if _, err := awslocal.StartServers(t.Context(), tt.cfg); err == nil || err.Error() != tt.want {
			t.Errorf("%+v: error %v, want %q", tt.cfg, err, tt.want)
		}
	}
}
