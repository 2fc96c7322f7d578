package migrate_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/lambda-triggers/cognito/migrate"
	"github.com/lambda-triggers/cognito/triggers"
)

// event returns the JSON of a realistic migration event from testdata with the given
// username and, for sign-in, password.
func event(t testing.TB, fixture, username, password string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["userName"] = username
	if password != "" {
		m["request"].(map[string]any)["password"] = password
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func signIn(t testing.TB, username, password string) []byte {
	return event(t, "authentication.json", username, password)
}

func forgotPassword(t testing.TB, username string) []byte {
	return event(t, "forgot_password.json", username, "")
}

// router serves h; logs go to w (discarded when nil) at debug level.
func router(h migrate.Handler, w io.Writer) *triggers.Router {
	if w == nil {
		w = io.Discard
	}
	logger := slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return triggers.NewRouter(triggers.RouterConfig{Logger: logger}).UserMigration(h)
}

// result is one invocation through the JSON boundary.
type result struct {
	out      []byte
	response map[string]any
	request  map[string]any
	err      *triggers.InvokeError
}

func invoke(t testing.TB, r *triggers.Router, payload []byte) result {
	t.Helper()
	out, ierr := r.Handle(context.Background(), payload)
	res := result{out: out, err: ierr}
	if ierr != nil {
		return res
	}
	var e struct {
		Request  map[string]any `json:"request"`
		Response map[string]any `json:"response"`
	}
	if err := json.Unmarshal(out, &e); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, out)
	}
	res.request, res.response = e.Request, e.Response
	return res
}

func jsonText(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
