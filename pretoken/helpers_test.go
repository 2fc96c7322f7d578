package pretoken_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/lambda-triggers/cognito/pretoken"
	"github.com/lambda-triggers/cognito/triggers"
)

// fixture returns the JSON of a realistic event from testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// handle runs h on the fixture through a router, as Lambda would, and returns the whole
// response event decoded as generic JSON, or the invocation error.
func handle(t testing.TB, h pretoken.Handler, name string) (map[string]any, *triggers.InvokeError) {
	t.Helper()
	router := triggers.NewRouter(triggers.RouterConfig{Logger: discard()}).PreTokenGeneration(h)
	out, ierr := router.Handle(context.Background(), fixture(t, name))
	if ierr != nil {
		return nil, ierr
	}
	var event map[string]any
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber() // keep large integers exact
	if err := dec.Decode(&event); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, out)
	}
	return event, nil
}

// response runs h like handle and returns the event's "response" object, without the
// group override when it is an exact copy of the request's groupConfiguration (what
// the codec sends beside claims to keep the user's groups); it fails the test on an
// invocation error. A group override that differs from the request stays in.
func response(t testing.TB, h pretoken.Handler, name string) map[string]any {
	t.Helper()
	resp, request := fullResponse(t, h, name)
	for _, details := range []string{"claimsOverrideDetails", "claimsAndScopeOverrideDetails"} {
		d, ok := resp[details].(map[string]any)
		if !ok {
			continue
		}
		if g, ok := d["groupOverrideDetails"]; ok && jsonText(t, g) == jsonText(t, request["groupConfiguration"]) {
			delete(d, "groupOverrideDetails")
		}
	}
	return resp
}

// fullResponse runs h like handle and returns the event's "response" and "request"
// objects as the router wrote them.
func fullResponse(t testing.TB, h pretoken.Handler, name string) (resp, request map[string]any) {
	t.Helper()
	event, ierr := handle(t, h, name)
	if ierr != nil {
		t.Fatalf("%s: %s (%s)", name, ierr.Text(), ierr.Type)
	}
	resp, ok := event["response"].(map[string]any)
	if !ok {
		t.Fatalf("%s: response = %#v, want an object", name, event["response"])
	}
	request, _ = event["request"].(map[string]any)
	return resp, request
}

// at walks a decoded JSON object along keys; it returns nil when a key is missing.
func at(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// has reports whether the object at keys[:len-1] has the key keys[len-1], null or not.
func has(v any, keys ...string) bool {
	m, ok := at(v, keys[:len(keys)-1]...).(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[keys[len(keys)-1]]
	return ok
}

// jsonText encodes v compactly, to compare decoded JSON with expectations.
func jsonText(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newEvent decodes a fixture into an event, for tests of the helpers.
func newEvent(t testing.TB, name string) *pretoken.Event {
	t.Helper()
	var e pretoken.Event
	if err := json.Unmarshal(fixture(t, name), &e); err != nil {
		t.Fatal(err)
	}
	return &e
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
