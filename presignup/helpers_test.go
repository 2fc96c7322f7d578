package presignup_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// event returns a pre sign-up event of src with the given user attributes.
func event(src triggers.TriggerSource, attrs map[string]string) *presignup.Event {
	e := &presignup.Event{}
	e.Version = "1"
	e.TriggerSource = src
	e.Region = "us-east-1"
	e.UserPoolID = "us-east-1_TestPool"
	e.UserName = "alice"
	e.CallerContext.ClientID = "client-1"
	e.Request.UserAttributes = attrs
	return e
}

func withEmail(email string) *presignup.Event {
	return event(presignup.SignUp, map[string]string{"email": email})
}

// rejection returns the user-facing text of err, failing t when err is not a rejection.
func rejection(t testing.TB, err error) string {
	t.Helper()
	r, ok := triggers.AsRejection(err)
	if !ok {
		t.Fatalf("error = %v, want a rejection", err)
	}
	return r.Message
}

// outcome is "" for success, the rejection text for a rejection, and "error: ..." for
// any other error, so that one table column says what a user would see.
func outcome(err error) string {
	if err == nil {
		return ""
	}
	if r, ok := triggers.AsRejection(err); ok {
		return r.Message
	}
	return "error: " + err.Error()
}

// mustPredicate fails t when a predicate cannot be built.
func mustPredicate(t testing.TB) func(presignup.Predicate, error) presignup.Predicate {
	return func(p presignup.Predicate, err error) presignup.Predicate {
		t.Helper()
		if err != nil {
			t.Fatalf("predicate: %v", err)
		}
		return p
	}
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// logged returns a context whose triggers.Logger writes JSON at debug level to the
// returned buffer.
func logged(t testing.TB) (context.Context, *triggertest.Logs) {
	var buf triggertest.Logs
	logger := buf.Logger()
	return triggers.ContextWithLogger(t.Context(), logger), &buf
}

func unsetenv(t *testing.T, key string) {
	t.Helper()
	if err := os.Unsetenv(key); err != nil {
		t.Fatal(err)
	}
}

var errBoom = errors.New("boom: connection reset")
