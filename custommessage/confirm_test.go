package custommessage_test

import (
	"context"
	"errors"
	htemplate "html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// fakeConfirm records ConfirmSignUp calls and answers with err.
type fakeConfirm struct {
	mu    sync.Mutex
	calls []*cip.ConfirmSignUpInput
	err   error
}

func (f *fakeConfirm) ConfirmSignUp(_ context.Context, in *cip.ConfirmSignUpInput, _ ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, in)
	if f.err != nil {
		return nil, f.err
	}
	return &cip.ConfirmSignUpOutput{}, nil
}

func (f *fakeConfirm) Calls() []*cip.ConfirmSignUpInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*cip.ConfirmSignUpInput(nil), f.calls...)
}

const testClientID = "client-1"

var testAllowed = []string{"https://app.example.com/welcome", "http://localhost:3000/"}

// confirmURL is a link as a user clicks it, once Cognito has put the code in.
func confirmURL(params map[string]string) string {
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	return "https://confirm.example.com/confirm?" + q.Encode()
}

func linkParams(redirect string) map[string]string {
	return map[string]string{
		custommessage.ParamClientID: testClientID, custommessage.ParamUsername: "alice",
		custommessage.ParamCode: "123456", custommessage.ParamRedirect: redirect,
	}
}

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

// confirmConfig is the configuration of the tests' handler: client, the test app
// client and allow list, and a logger that discards.
func confirmConfig(client custommessage.ConfirmClient) custommessage.ConfirmHandlerConfig {
	return custommessage.ConfirmHandlerConfig{Client: client, ClientID: testClientID, AllowedRedirects: testAllowed,
		Logger: slog.New(slog.DiscardHandler)}
}

func TestConfirmHandlerConfirmsAndRedirects(t *testing.T) {
	t.Parallel()
	client := &fakeConfirm{}
	h := must(custommessage.ConfirmHandler(confirmConfig(client)))(t)

	params := linkParams("https://app.example.com/welcome?from=mail#top")
	params[custommessage.ParamUsername] = "jürgen+test@example.com"
	rec := get(t, h, confirmURL(params))

	if rec.Code != http.StatusSeeOther {
		t.Fatalf("status = %d, want 303\n%s", rec.Code, rec.Body)
	}
	if loc := rec.Header().Get("Location"); loc != "https://app.example.com/welcome?from=mail#top" {
		t.Errorf("Location = %q", loc)
	}
	if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers = %v, want no-store and no-referrer", rec.Header())
	}
	calls := client.Calls()
	if len(calls) != 1 {
		t.Fatalf("%d ConfirmSignUp calls, want 1", len(calls))
	}
	in := calls[0]
	if aws.ToString(in.ClientId) != testClientID || aws.ToString(in.Username) != "jürgen+test@example.com" ||
		aws.ToString(in.ConfirmationCode) != "123456" || in.SecretHash != nil {
		t.Errorf("ConfirmSignUp input = client %q user %q code %q secret hash %v",
			aws.ToString(in.ClientId), aws.ToString(in.Username), aws.ToString(in.ConfirmationCode), in.SecretHash)
	}
}

func TestConfirmHandlerFollowsConfirmLink(t *testing.T) {
	t.Parallel()
	link := must(custommessage.NewConfirmLink("https://confirm.example.com/confirm", "https://app.example.com/welcome/next"))(t)
	e := newEvent("CustomMessage_SignUp")
	e.UserName = "a&b=c+d@example.com"
	e.CallerContext.ClientID = testClientID
	u := must(link.URL(e))(t)
	client := &fakeConfirm{}
	h := must(custommessage.ConfirmHandler(confirmConfig(client)))(t)

	rec := get(t, h, strings.Replace(u, "{####}", "654321", 1))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "https://app.example.com/welcome/next" {
		t.Fatalf("status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	if in := client.Calls()[0]; aws.ToString(in.Username) != e.UserName || aws.ToString(in.ConfirmationCode) != "654321" {
		t.Errorf("ConfirmSignUp got user %q code %q", aws.ToString(in.Username), aws.ToString(in.ConfirmationCode))
	}
}

func TestConfirmHandlerOpenRedirect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		target  string
		allowed bool
	}{
		{"https://app.example.com/welcome", true},
		{"https://app.example.com/welcome/", true},
		{"https://app.example.com/welcome/step-2?x=1&y=%2F#top", true},
		{"https://APP.Example.com/welcome", true},
		{"HTTPS://app.example.com/welcome", true},
		{"https://app.example.com:443/welcome", true},
		{"http://localhost:3000/", true},
		{"http://localhost:3000/any/path", true},
		{"http://localhost:3000", true},

		{"//evil.com", false},
		{"//app.example.com/welcome", false},
		{"///evil.com/welcome", false},
		{"/welcome", false},
		{"welcome", false},
		{"https://evil.com/welcome", false},
		{"https://app.example.com.evil.com/welcome", false},
		{"https://evilapp.example.com/welcome", false},
		{"https://app.example.com@evil.com/welcome", false},
		{"https://evil.com@app.example.com/welcome", false},
		{"https://app.example.com:pw@evil.com/welcome", false},
		{"https://app.example.com%40evil.com/welcome", false},
		{"javascript:alert(1)", false},
		{"JavaScript://app.example.com/welcome%0Aalert(1)", false},
		{"data:text/html,<script>alert(1)</script>", false},
		{`https:\\evil.com`, false},
		{`https://app.example.com\@evil.com/welcome`, false},
		{`https://app.example.com/welcome\..\..\admin`, false},
		{`/\evil.com`, false},
		{`https://app.example.com/welcome/\..\..\admin`, false},
		{"https://app.example.com/welcome/.\t./admin", false},
		{"https://app.example.com/welcome/.\n./admin", false},
		{"https://app.example.com/welcome/．．/admin", false},
		{"https:evil.com/welcome", false},
		{"https:/app.example.com/welcome", false},
		{"https://app.example.com/welcomes", false},
		{"https://app.example.com/admin", false},
		{"https://app.example.com/", false},
		{"https://app.example.com/welcome/../admin", false},
		{"https://app.example.com/welcome/./x", false},
		{"https://app.example.com/welcome/%2e%2e/admin", false},
		{"https://app.example.com/welcome%2f..%2fadmin", false},
		{"https://app.example.com/welcome%5C..%5Cadmin", false},
		{"http://app.example.com/welcome", false},
		{"https://app.example.com:8443/welcome", false},
		{"http://localhost:3001/", false},
		{"https://localhost:3000/", false},
		{" https://app.example.com/welcome", false},
		{"https://app.example.com/welcome ", false},
		{"https://app.example.com/welcome\t", false},
		{"https://app.example.com/wel\ncome", false},
		{"https://app.example.com\x00.evil.com/welcome", false},
		{"https://ａpp.example.com/welcome", false},
		{"https://app.example.com／evil.com/welcome", false},
		{"https://app.example.com./welcome", false},
		{"https://app.example.com/welcome/" + strings.Repeat("a", 2100), false},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			t.Parallel()
			client := &fakeConfirm{}
			h := must(custommessage.ConfirmHandler(confirmConfig(client)))(t)
			rec := get(t, h, confirmURL(linkParams(tt.target)))
			if tt.allowed {
				if rec.Code != http.StatusSeeOther {
					t.Fatalf("status = %d, want 303", rec.Code)
				}
				loc, err := url.Parse(rec.Header().Get("Location"))
				if err != nil || !strings.EqualFold(loc.Host, "app.example.com") && !strings.EqualFold(loc.Host, "app.example.com:443") && loc.Host != "localhost:3000" {
					t.Errorf("Location = %q", rec.Header().Get("Location"))
				}
				return
			}
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; Location %q", rec.Code, rec.Header().Get("Location"))
			}
			if loc := rec.Header().Get("Location"); loc != "" {
				t.Errorf("Location = %q on a refused link", loc)
			}
			if n := len(client.Calls()); n != 0 {
				t.Errorf("ConfirmSignUp called %d times for a refused link", n)
			}
		})
	}
}

func TestConfirmHandlerMissingParameters(t *testing.T) {
	t.Parallel()
	client := &fakeConfirm{}
	h := must(custommessage.ConfirmHandler(confirmConfig(client)))(t)
	full := linkParams("https://app.example.com/welcome")
	for _, p := range []string{custommessage.ParamClientID, custommessage.ParamUsername, custommessage.ParamCode, custommessage.ParamRedirect} {
		t.Run("without "+p, func(t *testing.T) {
			t.Parallel()
			params := map[string]string{}
			for k, v := range full {
				if k != p {
					params[k] = v
				}
			}
			assertInvalidLink(t, get(t, h, confirmURL(params)))
		})
		t.Run("empty "+p, func(t *testing.T) {
			t.Parallel()
			params := map[string]string{}
			for k, v := range full {
				params[k] = v
			}
			params[p] = ""
			assertInvalidLink(t, get(t, h, confirmURL(params)))
		})
		t.Run("repeated "+p, func(t *testing.T) {
			t.Parallel()
			assertInvalidLink(t, get(t, h, confirmURL(full)+"&"+p+"=other"))
		})
	}
	t.Run("no query", func(t *testing.T) {
		t.Parallel()
		assertInvalidLink(t, get(t, h, "https://confirm.example.com/confirm"))
	})
	t.Run("malformed query", func(t *testing.T) {
		t.Parallel()
		assertInvalidLink(t, get(t, h, confirmURL(full)+"&x=%zz"))
	})
	t.Run("another app client", func(t *testing.T) {
		t.Parallel()
		params := linkParams("https://app.example.com/welcome")
		params[custommessage.ParamClientID] = "client-2"
		assertInvalidLink(t, get(t, h, confirmURL(params)))
	})
	// Cleanup runs after the parallel subtests have finished.
	t.Cleanup(func() {
		if n := len(client.Calls()); n != 0 {
			t.Errorf("ConfirmSignUp called %d times for incomplete links", n)
		}
	})
}

func assertInvalidLink(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), "This link is not valid") {
		t.Errorf("body lacks the invalid-link page:\n%s", rec.Body)
	}
	if rec.Header().Get("Location") != "" {
		t.Errorf("Location = %q", rec.Header().Get("Location"))
	}
}

func TestConfirmHandlerCognitoErrors(t *testing.T) {
	t.Parallel()
	const internal = "internal detail 10.0.0.12"
	tests := []struct {
		name     string
		err      error
		status   int
		page     string // a phrase of the page; "" for a redirect
		redirect bool
	}{
		{"code mismatch", &types.CodeMismatchException{Message: aws.String(internal)}, 400, "This code is not valid", false},
		{"expired code", &types.ExpiredCodeException{Message: aws.String(internal)}, 400, "This link has expired", false},
		{"already confirmed", &types.NotAuthorizedException{Message: aws.String("User cannot be confirmed. Current status is CONFIRMED")}, 303, "", true},
		{"disabled user", &types.NotAuthorizedException{Message: aws.String("User is disabled. " + internal)}, 400, "This link is not valid", false},
		{"wrong secret hash", &types.NotAuthorizedException{Message: aws.String("Unable to verify secret hash for client " + internal)}, 400, "This link is not valid", false},
		{"unknown user", &types.UserNotFoundException{Message: aws.String(internal)}, 400, "This link is not valid", false},
		{"invalid parameter", &types.InvalidParameterException{Message: aws.String(internal)}, 400, "This link is not valid", false},
		{"alias taken", &types.AliasExistsException{Message: aws.String(internal)}, 409, "already in use", false},
		{"too many failed attempts", &types.TooManyFailedAttemptsException{Message: aws.String(internal)}, 429, "Too many attempts", false},
		{"limit exceeded", &types.LimitExceededException{Message: aws.String(internal)}, 429, "Too many attempts", false},
		{"throttled", &types.TooManyRequestsException{Message: aws.String(internal)}, 429, "Too many attempts", false},
		{"network failure", errors.New("dial tcp: " + internal), 500, "Something went wrong", false},
		{"wrapped mismatch", &wrapped{&types.CodeMismatchException{Message: aws.String(internal)}}, 400, "This code is not valid", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &triggertest.Logs{}
			client := &fakeConfirm{err: tt.err}
			cfg := confirmConfig(client)
			cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
			h := must(custommessage.ConfirmHandler(cfg))(t)
			params := linkParams("https://app.example.com/welcome")
			params[custommessage.ParamUsername] = `<script>alert("x")</script>`
			params[custommessage.ParamCode] = "987650"
			rec := get(t, h, confirmURL(params))

			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d\n%s", rec.Code, tt.status, rec.Body)
			}
			if strings.Contains(logs.String(), "987650") {
				t.Errorf("the code was logged:\n%s", logs)
			}
			if tt.redirect {
				if rec.Header().Get("Location") != "https://app.example.com/welcome" {
					t.Errorf("Location = %q", rec.Header().Get("Location"))
				}
				return
			}
			body := rec.Body.String()
			if !strings.Contains(body, tt.page) {
				t.Errorf("page lacks %q:\n%s", tt.page, body)
			}
			for _, leak := range []string{internal, "<script>", "alert", "987650", "Exception"} {
				if strings.Contains(body, leak) {
					t.Errorf("page shows %q:\n%s", leak, body)
				}
			}
			if rec.Header().Get("Location") != "" {
				t.Errorf("Location = %q on an error page", rec.Header().Get("Location"))
			}
			hdr := rec.Header()
			if hdr.Get("Content-Type") != "text/html; charset=utf-8" || hdr.Get("X-Content-Type-Options") != "nosniff" ||
				hdr.Get("Cache-Control") != "no-store" || !strings.Contains(hdr.Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("headers = %v", hdr)
			}
			if !strings.Contains(logs.String(), internal) {
				t.Errorf("the cause is not logged for operators:\n%s", logs)
			}
		})
	}
}

type wrapped struct{ err error }

func (w *wrapped) Error() string { return "operation ConfirmSignUp: " + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }

func TestConfirmHandlerMethods(t *testing.T) {
	t.Parallel()
	client := &fakeConfirm{}
	h := must(custommessage.ConfirmHandler(confirmConfig(client)))(t)
	for _, method := range []string{http.MethodPost, http.MethodHead, http.MethodPut, http.MethodDelete} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(method, confirmURL(linkParams("https://app.example.com/welcome")), nil))
			if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != http.MethodGet {
				t.Errorf("status %d, Allow %q; want 405 and GET", rec.Code, rec.Header().Get("Allow"))
			}
		})
	}
	t.Cleanup(func() {
		if n := len(client.Calls()); n != 0 {
			t.Errorf("ConfirmSignUp called %d times for other methods", n)
		}
	})
}

func TestConfirmHandlerSecretHash(t *testing.T) {
	t.Parallel()
	// Computed independently: printf aliceclient-1 | openssl dgst -sha256 -hmac s3cr3t -binary | base64
	const want = "StOPOzvJOvhNGK8k21eT0BuouuKO8uiz8BXaHdKV744="
	if got := custommessage.SecretHash("s3cr3t", "alice", "client-1"); got != want {
		t.Fatalf("SecretHash = %q, want %q", got, want)
	}
	client := &fakeConfirm{}
	cfg := confirmConfig(client)
	cfg.ClientSecret = "s3cr3t"
	h := must(custommessage.ConfirmHandler(cfg))(t)
	if rec := get(t, h, confirmURL(linkParams("https://app.example.com/welcome"))); rec.Code != http.StatusSeeOther {
		t.Fatalf("status = %d", rec.Code)
	}
	if got := aws.ToString(client.Calls()[0].SecretHash); got != want {
		t.Errorf("SecretHash sent = %q, want %q", got, want)
	}
}

func TestConfirmHandlerPageTemplate(t *testing.T) {
	t.Parallel()
	params := linkParams("https://app.example.com/welcome")
	t.Run("custom page", func(t *testing.T) {
		t.Parallel()
		page := htemplate.Must(htemplate.New("p").Parse(`<p class="{{.Outcome}}">{{.Status}} {{.Title}}</p>`))
		cfg := confirmConfig(&fakeConfirm{err: &types.ExpiredCodeException{}})
		cfg.PageTemplate = page
		h := must(custommessage.ConfirmHandler(cfg))(t)
		rec := get(t, h, confirmURL(params))
		if want := `<p class="code-expired">400 This link has expired</p>`; rec.Body.String() != want {
			t.Errorf("body = %q, want %q", rec.Body, want)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); csp != "" {
			t.Errorf("a custom page gets the default page's CSP %q", csp)
		}
	})
	t.Run("failing custom page falls back to the default", func(t *testing.T) {
		t.Parallel()
		page := htemplate.Must(htemplate.New("p").Parse(`<p>{{.Nope}}</p>`))
		cfg := confirmConfig(&fakeConfirm{err: &types.CodeMismatchException{}})
		cfg.PageTemplate = page
		h := must(custommessage.ConfirmHandler(cfg))(t)
		rec := get(t, h, confirmURL(params))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "This code is not valid") {
			t.Errorf("status %d body %q", rec.Code, rec.Body)
		}
	})
}

func TestConfirmHandlerConstruction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		clientID string
		allowed  []string
	}{
		{"no client ID", "", testAllowed},
		{"no allowed targets", testClientID, nil},
		{"http target", testClientID, []string{"http://app.example.com/"}},
		{"relative target", testClientID, []string{"/welcome"}},
		{"protocol-relative target", testClientID, []string{"//app.example.com/"}},
		{"target with a query", testClientID, []string{"https://app.example.com/welcome?x=1"}},
		{"target with a fragment", testClientID, []string{"https://app.example.com/welcome#x"}},
		{"target with user info", testClientID, []string{"https://u@app.example.com/"}},
		{"target with dot segments", testClientID, []string{"https://app.example.com/a/../b"}},
		{"target with a backslash", testClientID, []string{`https://app.example.com\@evil.com/`}},
		{"javascript target", testClientID, []string{"javascript:alert(1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := custommessage.ConfirmHandler(custommessage.ConfirmHandlerConfig{Client: &fakeConfirm{},
				ClientID: tt.clientID, AllowedRedirects: tt.allowed}); err == nil || !strings.HasPrefix(err.Error(), "custommessage.ConfirmHandler: ") {
				t.Fatalf("ConfirmHandler: %v, want an error from custommessage.ConfirmHandler", err)
			}
		})
	}
}
