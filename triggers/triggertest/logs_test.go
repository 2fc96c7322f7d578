package triggertest_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestLogs checks that Logs collects a router's lines from concurrent invocations and
// finds them by message.
func TestLogs(t *testing.T) {
	t.Parallel()
	var logs triggertest.Logs
	router := triggers.NewRouter(triggers.RouterConfig{Logger: logs.Logger()}).PreSignUp(
		func(ctx context.Context, e *triggers.PreSignUpEvent) error {
			triggers.Logger(ctx).DebugContext(ctx, "checked", slog.String("user", e.UserName))
			return errors.New("table not found")
		})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			triggertest.Invoke(t, router, triggertest.Payload(triggers.PreSignUpSignUp)).RequireInternalError(t)
		})
	}
	wg.Wait()

	if got := len(logs.Find(t, "checked")); got != 8 {
		t.Errorf("%d debug lines, want 8:\n%s", got, logs.String())
	}
	msgs := logs.Messages(t)
	if len(msgs) != len(logs.Lines(t)) || !slices.Contains(msgs, "checked") {
		t.Errorf("messages %q", msgs)
	}
	if len(logs.Find(t, "no such message")) != 0 {
		t.Error("Find matched a message nobody logged")
	}
}

// TestLogsBadLine checks that a line that is not JSON fails the test instead of being
// skipped.
func TestLogsBadLine(t *testing.T) {
	t.Parallel()
	var logs triggertest.Logs
	logs.Logger().Info("fine")
	slog.New(slog.NewTextHandler(&logs, nil)).Info("not json")
	for name, read := range map[string]func(triggertest.TB){
		"Lines":    func(tb triggertest.TB) { logs.Lines(tb) },
		"Find":     func(tb triggertest.TB) { logs.Find(tb, "fine") },
		"Messages": func(tb triggertest.TB) { logs.Messages(tb) },
	} {
		var f failureLog
		read(&f)
		if !f.failed {
			t.Errorf("%s accepted a line that is not JSON", name)
		}
	}
}
