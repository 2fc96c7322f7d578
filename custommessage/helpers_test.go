package custommessage_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// fixture reads testdata/name and applies edits to its decoded JSON, so that variants
// of a realistic Cognito event stay realistic in every other field.
func fixture(t *testing.T, name string, edits ...func(map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) == 0 {
		return data
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, edit := range edits {
		edit(m)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func source(src triggers.TriggerSource) func(map[string]any) {
	return func(m map[string]any) { m["triggerSource"] = string(src) }
}

func clientID(id string) func(map[string]any) {
	return func(m map[string]any) { m["callerContext"].(map[string]any)["clientId"] = id }
}

// invoke runs h through a router, as Cognito's invocation would, and returns the
// response object of the event JSON it answers with.
func invoke(t *testing.T, h custommessage.Handler, payload []byte) (map[string]any, *triggers.InvokeError, *triggertest.Logs) {
	t.Helper()
	logs := &triggertest.Logs{}
	router := triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.NewJSONHandler(logs, nil))}).CustomMessage(h)
	out, ierr := router.Handle(context.Background(), payload)
	if ierr != nil {
		return nil, ierr, logs
	}
	var m struct {
		Response map[string]any `json:"response"`
	}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, out)
	}
	return m.Response, nil, logs
}

// must returns v, or fails the test given to the returned function on a construction
// error: must(custommessage.Templates(custommessage.TemplatesConfig{Catalog: c}))(t).
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// newEvent returns a custom message event as Cognito sends it for src.
func newEvent(src triggers.TriggerSource) *custommessage.Event {
	e := &custommessage.Event{}
	e.Version = "1"
	e.TriggerSource = src
	e.UserPoolID = "eu-central-1_AbCdEfGhI"
	e.UserName = "alice"
	e.CallerContext.ClientID = "client-1"
	e.Request.UserAttributes = triggers.Attributes{"email": "alice@example.com", "name": "Alice"}
	e.Request.CodeParameter = "{####}"
	e.Request.LinkParameter = "{##Click Here##}"
	if src == triggers.CustomMessageAdminCreateUser {
		e.Request.UsernameParameter = "{username}"
	}
	return e
}
