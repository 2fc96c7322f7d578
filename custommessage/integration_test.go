package custommessage_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// TestIntegrationConfirmationLink runs the whole flow against cognito-local: SignUp
// invokes the custom message trigger (served by the library's router), whose email
// carries the link; following the link confirms the user through the real
// ConfirmSignUp API and redirects only to allowed targets.
//
// The confirm endpoint is given no client, so it uses the process-wide one from the
// default AWS configuration, pointed at cognito-local by the standard environment
// variables: the setup of a deployed function. Setting them rules out t.Parallel.
func TestIntegrationConfirmationLink(t *testing.T) {
	logs := &triggertest.Logs{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	defer func() {
		if t.Failed() {
			t.Logf("logs:\n%s", logs)
		}
	}()

	// The confirm endpoint must exist before the link that points at it.
	var confirm http.Handler
	confirmSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { confirm.ServeHTTP(w, r) }))
	defer confirmSrv.Close()
	link := must(custommessage.NewConfirmLink(confirmSrv.URL+"/confirm", "https://app.example.com/welcome?from=mail"))(t)

	// The trigger function: the verification link, then a recorder of what Cognito
	// is sent back, keyed by the user's email.
	var mu sync.Mutex
	sent := map[string]custommessage.Event{}
	record := func(_ context.Context, e *custommessage.Event) error {
		mu.Lock()
		defer mu.Unlock()
		sent[e.Request.UserAttributes.Get("email")] = *e
		return nil
	}
	verify := must(custommessage.VerificationLink(custommessage.VerificationLinkConfig{Link: link, FailOnInvalid: true}))(t)
	router := triggers.NewRouter(triggers.RouterConfig{Logger: logger}).CustomMessage(custommessage.Chain(verify, record))
	lambda := httptest.NewServer(triggers.InvokeServer(router))
	defer lambda.Close()

	srv := awslocal.Start(t, awslocal.Config{Cognito: &awslocal.CognitoConfig{
		LambdaEndpoint: lambda.URL,
		Triggers:       map[string]string{"CustomMessage": "customMessage"},
	}})
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	// User names of their own, not emails, so that characters a URL must escape
	// travel through the link and back to ConfirmSignUp. cognito-local merges a pool's
	// settings into its default of email user names, so an empty list would not do;
	// phone_number replaces it, and cognito-local's SignUp checks only the email case.
	pool := srv.CreateUserPool(t, func(in *cip.CreateUserPoolInput) {
		in.UsernameAttributes = []types.UsernameAttributeType{types.UsernameAttributeTypePhoneNumber}
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	})
	confirm = must(custommessage.ConfirmHandler(custommessage.ConfirmHandlerConfig{ClientID: pool.ClientID,
		AllowedRedirects: []string{"https://app.example.com/welcome"}, Logger: logger}))(t)

	// signUp registers a user and returns the link of the email Cognito would send,
	// with the code put in as Cognito does after the trigger returns.
	signUp := func(t *testing.T) (username, clicked string) {
		t.Helper()
		username = awslocal.UniqueName("jö+a&b=c/d")
		email := username[len(username)-12:] + "@example.com"
		if _, err := srv.Cognito.SignUp(t.Context(), &cip.SignUpInput{
			ClientId:       aws.String(pool.ClientID),
			Username:       aws.String(username),
			Password:       aws.String("Correct-horse-1"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
		}); err != nil {
			t.Fatalf("SignUp: %v", err)
		}
		mu.Lock()
		e, ok := sent[email]
		mu.Unlock()
		if !ok {
			t.Fatalf("SignUp did not invoke the custom message trigger for %s", email)
		}
		if e.TriggerSource != triggers.CustomMessageSignUp || e.CallerContext.ClientID != pool.ClientID || e.UserName != username {
			t.Fatalf("event: source %s client %q user %q", e.TriggerSource, e.CallerContext.ClientID, e.UserName)
		}
		m := regexp.MustCompile(`href="([^"]+)"`).FindStringSubmatch(e.Response.EmailMessage)
		if m == nil {
			t.Fatalf("no link in the email: %s", e.Response.EmailMessage)
		}
		href := html.UnescapeString(m[1])
		if !strings.HasSuffix(href, "&code="+e.Request.CodeParameter) {
			t.Fatalf("link %q does not end with the literal code placeholder %q", href, e.Request.CodeParameter)
		}
		if want := "username=" + url.QueryEscape(username) + "&"; !strings.Contains(href, want) {
			t.Fatalf("link %q lacks %q", href, want)
		}
		return username, strings.Replace(href, e.Request.CodeParameter, srv.CognitoCode, 1)
	}
	status := func(t *testing.T, username string) types.UserStatusType {
		t.Helper()
		out, err := srv.Cognito.AdminGetUser(t.Context(), &cip.AdminGetUserInput{
			UserPoolId: aws.String(pool.ID), Username: aws.String(username)})
		if err != nil {
			t.Fatalf("AdminGetUser: %v", err)
		}
		return out.UserStatus
	}
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	click := func(t *testing.T, u string) (int, string, string) {
		t.Helper()
		resp, err := browser.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(body)
	}
	withParam := func(t *testing.T, u, key, value string) string {
		t.Helper()
		p, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		q := p.Query()
		q.Set(key, value)
		p.RawQuery = q.Encode()
		return p.String()
	}

	t.Run("link confirms and redirects", func(t *testing.T) {
		user, clicked := signUp(t)
		if got := status(t, user); got != types.UserStatusTypeUnconfirmed {
			t.Fatalf("status before the click = %s", got)
		}
		code, loc, body := click(t, clicked)
		if code != http.StatusSeeOther || loc != "https://app.example.com/welcome?from=mail" {
			t.Fatalf("click: status %d, Location %q\n%s", code, loc, body)
		}
		if got := status(t, user); got != types.UserStatusTypeConfirmed {
			t.Fatalf("status after the click = %s, want CONFIRMED", got)
		}

		// Cognito answers a second ConfirmSignUp with NotAuthorizedException ("Current
		// status is CONFIRMED"), which redirects (see the unit tests); cognito-local
		// forgets the code on confirmation and answers ExpiredCodeException instead.
		code, loc, body = click(t, clicked)
		if code != http.StatusBadRequest || loc != "" || !strings.Contains(body, "This link has expired") {
			t.Errorf("second click: status %d, Location %q\n%s", code, loc, body)
		}
	})

	t.Run("tampered links confirm no one", func(t *testing.T) {
		user, clicked := signUp(t)
		for _, target := range []string{"https://evil.example/welcome", "//evil.example", "https://app.example.com.evil.example/welcome"} {
			code, loc, body := click(t, withParam(t, clicked, custommessage.ParamRedirect, target))
			if code != http.StatusBadRequest || loc != "" || !strings.Contains(body, "This link is not valid") {
				t.Errorf("redirect %q: status %d, Location %q", target, code, loc)
			}
		}
		code, loc, body := click(t, withParam(t, clicked, custommessage.ParamCode, "000000"))
		if code != http.StatusBadRequest || loc != "" || !strings.Contains(body, "This code is not valid") {
			t.Errorf("wrong code: status %d, Location %q\n%s", code, loc, body)
		}
		code, _, _ = click(t, withParam(t, clicked, custommessage.ParamUsername, "nobody"))
		if code != http.StatusBadRequest {
			t.Errorf("unknown user: status %d, want 400", code)
		}
		if got := status(t, user); got != types.UserStatusTypeUnconfirmed {
			t.Fatalf("status after tampered links = %s, want UNCONFIRMED", got)
		}

		// The genuine link still works afterwards.
		if code, loc, _ := click(t, clicked); code != http.StatusSeeOther || loc != "https://app.example.com/welcome?from=mail" {
			t.Fatalf("genuine link: status %d, Location %q", code, loc)
		}
		if got := status(t, user); got != types.UserStatusTypeConfirmed {
			t.Fatalf("status = %s, want CONFIRMED", got)
		}
	})

	if strings.Contains(logs.String(), `"`+srv.CognitoCode+`"`) {
		t.Errorf("the code appears in the logs:\n%s", logs)
	}
}
