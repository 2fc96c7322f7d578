package awslocal_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"sync"

	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// A handler that must act once per event, however often it is delivered,
// is replayed with the same event; the first delivery does the work and
// the duplicates are recognised.
func ExampleReplay() {
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
	)
	errDuplicate := errors.New("duplicate delivery")
	handle := func(ctx context.Context, eventID string) error {
		mu.Lock()
		defer mu.Unlock()
		if seen[eventID] {
			return errDuplicate
		}
		seen[eventID] = true
		return nil
	}

	errs := awslocal.Replay(context.Background(), 3, func(ctx context.Context) error {
		return handle(ctx, "evt-1")
	})
	fmt.Println(errs)
	// Output: [<nil> duplicate delivery duplicate delivery]
}

// Tests of a package share one set of servers when TestMain starts them.
// Here run stands in for m.Run and shared for the package variable the tests
// read.
func ExampleStartServers() {
	var shared *awslocal.Servers
	run := func() int { return 0 }

	srv, err := awslocal.StartServers(context.Background(), awslocal.Config{})
	if errors.Is(err, awslocal.ErrUnavailable) && !awslocal.RequireCI() {
		// The integration tests see shared == nil and skip themselves.
		fmt.Fprintln(os.Stderr, "integration tests skipped:", err)
		os.Exit(run())
	}
	if err != nil {
		log.Fatal(err)
	}
	shared = srv
	// A program under test that runs as a child process finds the
	// servers through the standard AWS variables.
	cmd := exec.Command("./bootstrap", "-serve")
	cmd.Env = append(os.Environ(), shared.Env()...)

	code := run()
	if err := srv.Close(); err != nil {
		log.Print(err)
	}
	os.Exit(code)
}
