package awslocal_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// Domains the flow's pre sign-up chain treats differently.
const (
	deniedDomain  = "blocked.example"
	brokenDomain  = "broken.example" // a module fails with an internal error
	trustedDomain = "trusted.example"
)

// Texts the flow's modules write, as the end user would read them.
const (
	denyText        = "Invalid email domain: " + deniedDomain
	signUpSubject   = "Welcome to Example"
	signUpMessage   = "Welcome! Your code is "
	resetMessage    = "Reset code: "
	addedClaim      = "plan"
	addedClaimValue = "pro"
	editorsGroup    = "editors"
)

// internalDetail is in the error a module returns for brokenDomain; the end
// user must never see it.
const internalDetail = "policy store 10.0.0.7 unreachable"

// flowFunctions names each Lambda function after its trigger. cognito-local
// words a failure as "<function> failed with error <message>.", Cognito as
// "<trigger> failed with error <message>."; with these names the client
// sees Cognito's exact text.
var flowFunctions = map[string]string{
	"PreSignUp":          "PreSignUp",
	"CustomMessage":      "CustomMessage",
	"PostConfirmation":   "PostConfirmation",
	"PostAuthentication": "PostAuthentication",
	"PreTokenGeneration": "PreTokenGeneration",
}

// TestIntegrationCognitoFlow runs a user's journey through cognito-local,
// which calls the library's triggers over the Lambda Invoke API, and checks
// through the Cognito API what the triggers did.
func TestIntegrationCognitoFlow(t *testing.T) {
	t.Parallel()
	ctx := t.Context()

	mods := newFlowModules()
	router := triggers.NewRouter(
		triggers.RouterConfig{Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))},
	).
		PreSignUp(triggers.Chain(mods.denyDomain, mods.failOnBroken, mods.autoConfirm)).
		CustomMessage(mods.message).
		PostConfirmation(triggers.Chain(mods.countConfirmations, mods.welcome)).
		PostAuthentication(func(context.Context, *triggers.PostAuthenticationEvent) error { return nil }).
		PreTokenGeneration(mods.addPlan)
	calls := &invocations{}
	endpoint := awslocal.ServeLambda(t, calls.record(triggers.InvokeServer(router)))

	began := time.Now()
	srv := awslocal.Start(t, awslocal.Config{Cognito: &awslocal.CognitoConfig{
		LambdaEndpoint: endpoint,
		Triggers:       flowFunctions,
	}})
	// cognito-local sends a sign-up code, and so calls CustomMessage, only
	// when the pool auto-verifies the attribute the code goes to.
	pool := srv.CreateUserPool(t, func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []ciptypes.VerifiedAttributeType{ciptypes.VerifiedAttributeTypeEmail}
	})
	signUp := func(email, password string) (*cip.SignUpOutput, error) {
		return srv.Cognito.SignUp(ctx, &cip.SignUpInput{
			ClientId:       aws.String(pool.ClientID),
			Username:       aws.String(email),
			Password:       aws.String(password),
			UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
		})
	}
	getUser := func(t *testing.T, email string) *cip.AdminGetUserOutput {
		t.Helper()
		u, err := srv.Cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(email)})
		if err != nil {
			t.Fatalf("AdminGetUser(%s): %v", email, err)
		}
		return u
	}
	signIn := func(email, password string) (*cip.InitiateAuthOutput, error) {
		return srv.Cognito.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId:       aws.String(pool.ClientID),
			AuthFlow:       ciptypes.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
		})
	}

	t.Run("RejectedSignUp", func(t *testing.T) {
		email := awslocal.UniqueName("denied") + "@" + deniedDomain
		_, err := signUp(email, "Correct-horse-1")
		var lve *ciptypes.UserLambdaValidationException
		if !errors.As(err, &lve) {
			t.Fatalf("SignUp(%s) = %v, want UserLambdaValidationException", email, err)
		}
		want := (&triggers.InvokeError{Trigger: triggers.TriggerPreSignUp, Message: denyText}).Text()
		if got := lve.ErrorMessage(); got != want {
			t.Errorf("client sees %q, want %q", got, want)
		}
		var notFound *ciptypes.UserNotFoundException
		if _, err := srv.Cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(email)}); !errors.As(err, &notFound) {
			t.Errorf("AdminGetUser after a rejected sign-up = %v, want UserNotFoundException", err)
		}
		got := calls.byEmail(email)
		if len(got) != 1 || got[0].Source != triggers.PreSignUpSignUp || got[0].ErrorType != triggers.ErrorTypeRejected {
			t.Errorf("invocations for %s = %v, want one PreSignUp_SignUp answered with errorType %s and no message sent",
				email, got, triggers.ErrorTypeRejected)
		}
	})

	t.Run("FailedModuleHidesInternals", func(t *testing.T) {
		email := awslocal.UniqueName("broken") + "@" + brokenDomain
		_, err := signUp(email, "Correct-horse-1")
		var lve *ciptypes.UserLambdaValidationException
		if !errors.As(err, &lve) {
			t.Fatalf("SignUp(%s) = %v, want UserLambdaValidationException", email, err)
		}
		want := (&triggers.InvokeError{Trigger: triggers.TriggerPreSignUp, Message: triggers.DefaultErrorMessage}).Text()
		if got := lve.ErrorMessage(); got != want || strings.Contains(got, internalDetail) {
			t.Errorf("client sees %q, want the generic %q", got, want)
		}
		if got := calls.byEmail(email); len(got) != 1 || got[0].ErrorType != triggers.ErrorTypeInternal {
			t.Errorf("invocations for %s = %v, want one answered with errorType %s", email, got, triggers.ErrorTypeInternal)
		}
	})

	t.Run("AutoConfirm", func(t *testing.T) {
		email := awslocal.UniqueName("trusted") + "@" + trustedDomain
		out, err := signUp(email, "Correct-horse-1")
		if err != nil {
			t.Fatalf("SignUp(%s): %v", email, err)
		}
		if !out.UserConfirmed {
			t.Errorf("SignUp reported UserConfirmed = false for a trusted domain")
		}
		u := getUser(t, email)
		if u.UserStatus != ciptypes.UserStatusTypeConfirmed {
			t.Errorf("status without ConfirmSignUp = %s, want CONFIRMED", u.UserStatus)
		}
		if v := attribute(u.UserAttributes, "email_verified"); v != "true" {
			t.Errorf("email_verified = %q, want true (AutoVerifyEmail)", v)
		}
		// cognito-local fires post confirmation for a user the pre sign-up
		// trigger confirmed, as it does for ConfirmSignUp, and only once.
		user := aws.ToString(u.Username)
		if n := mods.confirmations(triggers.PostConfirmationConfirmSignUp, user); n != 1 {
			t.Errorf("post confirmation ran %d times for the auto-confirmed user, want 1", n)
		}
		if _, err := signIn(email, "Correct-horse-1"); err != nil {
			t.Errorf("sign-in of the auto-confirmed user: %v", err)
		}
	})

	t.Run("Journey", func(t *testing.T) {
		email := awslocal.UniqueName("flow") + "@example.com"
		out, err := signUp(email, "Correct-horse-1")
		if err != nil {
			t.Fatalf("SignUp(%s): %v", email, err)
		}
		if out.UserConfirmed {
			t.Errorf("SignUp confirmed a user of an untrusted domain")
		}
		u := getUser(t, email)
		// An e-mail signed up as username is stored under an internal id,
		// which is the userName every trigger sees.
		user := aws.ToString(u.Username)
		if u.UserStatus != ciptypes.UserStatusTypeUnconfirmed {
			t.Errorf("status after SignUp = %s, want UNCONFIRMED", u.UserStatus)
		}

		// The custom message: the module saw the code placeholder and
		// answered with a message around it, and cognito-local filled in
		// the code and "sent" it. It sends nothing; it prints the message,
		// so its log is the only place the delivered text can be seen.
		msg, ok := calls.last(email, triggers.CustomMessageSignUp)
		if !ok {
			t.Fatalf("no CustomMessage_SignUp for %s; invocations: %v", email, calls.byEmail(email))
		}
		if msg.CodeParameter == "" || msg.EmailMessage != signUpMessage+msg.CodeParameter || msg.EmailSubject != signUpSubject {
			t.Errorf("CustomMessage_SignUp: codeParameter %q, answered subject %q message %q; want %q and %q followed by the placeholder",
				msg.CodeParameter, msg.EmailSubject, msg.EmailMessage, signUpSubject, signUpMessage)
		}
		waitForDelivery(t, srv, user, signUpSubject, signUpMessage+srv.CognitoCode)

		if n := mods.confirmations(triggers.PostConfirmationConfirmSignUp, user); n != 0 {
			t.Errorf("post confirmation ran %d times before ConfirmSignUp", n)
		}
		confirm := func() error {
			_, err := srv.Cognito.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
				ClientId: aws.String(pool.ClientID), Username: aws.String(email), ConfirmationCode: aws.String(srv.CognitoCode),
			})
			return err
		}
		if err := confirm(); err != nil {
			t.Fatalf("ConfirmSignUp: %v", err)
		}
		if n := mods.confirmations(triggers.PostConfirmationConfirmSignUp, user); n != 1 {
			t.Errorf("post confirmation ran %d times for one ConfirmSignUp, want 1", n)
		}
		// Cognito refuses to confirm a confirmed user (cognito-local with
		// ExpiredCodeException, Cognito with NotAuthorizedException), so
		// a repeated confirmation must not reach post confirmation.
		if err := confirm(); err == nil {
			t.Errorf("a second ConfirmSignUp succeeded")
		}
		if n := mods.confirmations(triggers.PostConfirmationConfirmSignUp, user); n != 1 {
			t.Errorf("post confirmation ran %d times after a refused second ConfirmSignUp, want 1", n)
		}

		if _, err := srv.Cognito.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool.ID), GroupName: aws.String(editorsGroup)}); err != nil {
			t.Fatalf("CreateGroup: %v", err)
		}
		if _, err := srv.Cognito.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
			UserPoolId: aws.String(pool.ID), Username: aws.String(user), GroupName: aws.String(editorsGroup),
		}); err != nil {
			t.Fatalf("AdminAddUserToGroup: %v", err)
		}
		groups, err := srv.Cognito.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(user)})
		if err != nil || len(groups.Groups) != 1 || aws.ToString(groups.Groups[0].GroupName) != editorsGroup {
			t.Fatalf("AdminListGroupsForUser = %+v, %v; want [%s]", groups, err, editorsGroup)
		}

		auth, err := signIn(email, "Correct-horse-1")
		if err != nil {
			t.Fatalf("InitiateAuth: %v", err)
		}
		claims := idTokenClaims(t, auth)
		if got := claims[addedClaim]; got != addedClaimValue {
			t.Errorf("ID token %s = %#v, want %q added by pre token generation", addedClaim, got, addedClaimValue)
		}
		// The token keeps the user's groups: the module adds claims and
		// leaves the groups alone. cognito-local puts cognito:groups in the
		// token itself, sends the trigger an empty groupConfiguration and
		// ignores groupOverrideDetails, so this shows that adding claims
		// does not drop the groups, not that the trigger could see or
		// change them; that needs Cognito.
		if got, want := claims["cognito:groups"], []any{editorsGroup}; !slices.Equal(anySlice(got), want) {
			t.Errorf("ID token cognito:groups = %#v, want %v", got, want)
		}
		if got := claims["email"]; got != email {
			t.Errorf("ID token email = %#v, want %s", got, email)
		}
		if tok, ok := calls.last(email, triggers.TokenGenerationAuthentication); ok {
			t.Logf("pre token generation saw groupConfiguration %s while the user is in %q", tok.GroupConfiguration, editorsGroup)
		}

		// Forgot password: its message and its post confirmation are told
		// apart from sign-up's.
		if _, err := srv.Cognito.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(pool.ClientID), Username: aws.String(email)}); err != nil {
			t.Fatalf("ForgotPassword: %v", err)
		}
		reset, ok := calls.last(email, triggers.CustomMessageForgotPassword)
		if !ok || reset.CodeParameter == "" || reset.EmailMessage != resetMessage+reset.CodeParameter {
			t.Errorf("CustomMessage_ForgotPassword (found %t): codeParameter %q, answered message %q; want %q followed by the placeholder",
				ok, reset.CodeParameter, reset.EmailMessage, resetMessage)
		}
		waitForDelivery(t, srv, user, "", resetMessage+srv.CognitoCode)
		if _, err := srv.Cognito.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
			ClientId: aws.String(pool.ClientID), Username: aws.String(email),
			ConfirmationCode: aws.String(srv.CognitoCode), Password: aws.String("Battery-staple-2"),
		}); err != nil {
			t.Fatalf("ConfirmForgotPassword: %v", err)
		}
		if n := mods.confirmations(triggers.PostConfirmationConfirmForgotPassword, user); n != 1 {
			t.Errorf("PostConfirmation_ConfirmForgotPassword ran %d times for one ConfirmForgotPassword, want 1", n)
		}
		if n := mods.confirmations(triggers.PostConfirmationConfirmSignUp, user); n != 1 {
			t.Errorf("PostConfirmation_ConfirmSignUp count = %d after a password reset, want still 1", n)
		}
		if n := mods.welcomes(user); n != 1 {
			t.Errorf("the sign-up-only welcome module ran %d times over a sign-up and a password reset, want 1", n)
		}
		// Cognito refuses a wrong password with NotAuthorizedException;
		// cognito-local answers InvalidPasswordException, which the SDK
		// does not model for InitiateAuth and so reports by code only.
		var apiErr smithy.APIError
		if _, err := signIn(email, "Correct-horse-1"); !errors.As(err, &apiErr) ||
			(apiErr.ErrorCode() != "NotAuthorizedException" && apiErr.ErrorCode() != "InvalidPasswordException") {
			t.Errorf("sign-in with the replaced password = %v, want it refused", err)
		}
		if _, err := signIn(email, "Battery-staple-2"); err != nil {
			t.Errorf("sign-in with the new password: %v", err)
		}

		want := []triggers.TriggerSource{
			triggers.PreSignUpSignUp, triggers.CustomMessageSignUp,
			triggers.PostConfirmationConfirmSignUp,
			triggers.PostAuthenticationAuthentication, triggers.TokenGenerationAuthentication,
			triggers.CustomMessageForgotPassword, triggers.PostConfirmationConfirmForgotPassword,
			triggers.PostAuthenticationAuthentication, triggers.TokenGenerationAuthentication,
		}
		if got := sources(calls.byEmail(email)); !slices.Equal(got, want) {
			t.Errorf("trigger sources for the journey:\n got %v\nwant %v", got, want)
		}
	})

	all := calls.all()
	seen := map[triggers.TriggerSource]int{}
	var notVersionOne []string
	for _, c := range all {
		seen[c.Source]++
		t.Logf("invocation: %-40s version %s user %s email %s errorType %q", c.Source, c.Version, c.UserName, c.Email, c.ErrorType)
		// cognito-local labels events version "0", which the library reads
		// as version 1, the shape whose answer cognito-local reads back.
		if c.Version != "0" && c.Version != "1" {
			notVersionOne = append(notVersionOne, fmt.Sprintf("%s as %q", c.Source, c.Version))
		}
		if c.ErrorType != "" && !strings.HasSuffix(c.Email, "@"+deniedDomain) && !strings.HasSuffix(c.Email, "@"+brokenDomain) {
			t.Errorf("%s for %s failed with errorType %s: %s", c.Source, c.Email, c.ErrorType, c.ErrorMessage)
		}
	}
	if len(notVersionOne) > 0 {
		t.Errorf("events reached the router with a version other than 0 or 1: %s", strings.Join(notVersionOne, ", "))
	}
	wantSeen := []triggers.TriggerSource{
		triggers.CustomMessageForgotPassword, triggers.CustomMessageSignUp,
		triggers.PostAuthenticationAuthentication,
		triggers.PostConfirmationConfirmForgotPassword, triggers.PostConfirmationConfirmSignUp,
		triggers.PreSignUpSignUp, triggers.TokenGenerationAuthentication,
	}
	if got := slices.Sorted(maps.Keys(seen)); !slices.Equal(got, wantSeen) {
		t.Errorf("trigger sources cognito-local sent = %v, want %v", got, wantSeen)
	}
	t.Logf("%d invocations of %d trigger sources in %s, servers included", len(all), len(seen), time.Since(began).Round(time.Millisecond))
}

// flowModules are the inline modules the flow's router runs, with what they
// observed.
type flowModules struct {
	mu       sync.Mutex
	confirms map[string]int // by trigger source and userName
	welcomed map[string]int // by userName
}

func newFlowModules() *flowModules {
	return &flowModules{confirms: map[string]int{}, welcomed: map[string]int{}}
}

func emailDomain(attrs triggers.Attributes) string {
	_, domain, _ := strings.Cut(attrs.Get("email"), "@")
	return domain
}

// denyDomain rejects sign-ups from deniedDomain with a text the user sees.
func (m *flowModules) denyDomain(_ context.Context, e *triggers.PreSignUpEvent) error {
	if emailDomain(e.Request.UserAttributes) == deniedDomain {
		return triggers.Reject(denyText)
	}
	return nil
}

// failOnBroken stands for a module whose dependency is down: its error is
// logged, and the user sees the router's generic text.
func (m *flowModules) failOnBroken(_ context.Context, e *triggers.PreSignUpEvent) error {
	if d := emailDomain(e.Request.UserAttributes); d == brokenDomain {
		return fmt.Errorf("look up sign-up policy for %s: %w", d, errors.New(internalDetail))
	}
	return nil
}

// autoConfirm confirms users of trustedDomain and verifies their address.
func (m *flowModules) autoConfirm(_ context.Context, e *triggers.PreSignUpEvent) error {
	if e.TriggerSource == triggers.PreSignUpSignUp && emailDomain(e.Request.UserAttributes) == trustedDomain {
		e.Response.AutoConfirmUser = true
		e.Response.AutoVerifyEmail = true
	}
	return nil
}

// message words the sign-up and password reset e-mails around Cognito's
// code placeholder.
func (m *flowModules) message(_ context.Context, e *triggers.CustomMessageEvent) error {
	switch e.TriggerSource {
	case triggers.CustomMessageSignUp:
		e.Response.EmailSubject = signUpSubject
		e.Response.EmailMessage = signUpMessage + e.Request.CodeParameter
	case triggers.CustomMessageForgotPassword:
		e.Response.EmailMessage = resetMessage + e.Request.CodeParameter
	}
	return nil
}

// countConfirmations counts post confirmation events by source and user.
func (m *flowModules) countConfirmations(_ context.Context, e *triggers.PostConfirmationEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.confirms[string(e.TriggerSource)+" "+e.UserName]++
	return nil
}

// welcome stands for a welcome e-mail: it acts on a confirmed sign-up and
// is a no-op when a user confirms a forgotten password.
func (m *flowModules) welcome(_ context.Context, e *triggers.PostConfirmationEvent) error {
	if e.TriggerSource != triggers.PostConfirmationConfirmSignUp {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.welcomed[e.UserName]++
	return nil
}

// addPlan adds a claim to the ID token in the response member of the
// event's version, as a module written for Cognito does.
func (m *flowModules) addPlan(_ context.Context, e *triggers.PreTokenGenerationEvent) error {
	if e.IsV1() {
		e.Response.ClaimsOverrideDetails = &triggers.ClaimsOverrideDetails{
			ClaimsToAddOrOverride: map[string]string{addedClaim: addedClaimValue},
		}
		return nil
	}
	e.Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{
		IDTokenGeneration: &triggers.IDTokenGeneration{ClaimsToAddOrOverride: map[string]any{addedClaim: addedClaimValue}},
	}
	return nil
}

func (m *flowModules) confirmations(source triggers.TriggerSource, user string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.confirms[string(source)+" "+user]
}

func (m *flowModules) welcomes(user string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.welcomed[user]
}

// invocation is one call cognito-local made, as the router received and
// answered it.
type invocation struct {
	Source   triggers.TriggerSource
	Version  string
	UserName string
	// Email is the email attribute: the one name of a user known before
	// AdminGetUser reveals the stored userName, and the only one of a user
	// whose sign-up was rejected.
	Email string

	CodeParameter      string          // CustomMessage request
	GroupConfiguration json.RawMessage // PreTokenGeneration request

	EmailSubject, EmailMessage string // CustomMessage response

	ErrorType, ErrorMessage string // set when the invocation failed
}

func (c invocation) String() string {
	if c.ErrorType != "" {
		return fmt.Sprintf("%s(%s: %s)", c.Source, c.ErrorType, c.ErrorMessage)
	}
	return string(c.Source)
}

// invocations records every call that reaches the handler it wraps.
type invocations struct {
	mu   sync.Mutex
	list []invocation
}

func (iv *invocations) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)

		var in struct {
			Version       string                 `json:"version"`
			TriggerSource triggers.TriggerSource `json:"triggerSource"`
			UserName      string                 `json:"userName"`
			Request       struct {
				UserAttributes     map[string]any  `json:"userAttributes"`
				CodeParameter      string          `json:"codeParameter"`
				GroupConfiguration json.RawMessage `json:"groupConfiguration"`
			} `json:"request"`
		}
		_ = json.Unmarshal(body, &in)
		email, _ := in.Request.UserAttributes["email"].(string)
		c := invocation{
			Source: in.TriggerSource, Version: in.Version, UserName: in.UserName, Email: email,
			CodeParameter: in.Request.CodeParameter, GroupConfiguration: in.Request.GroupConfiguration,
		}
		if rec.Header().Get("X-Amz-Function-Error") != "" {
			var failure struct{ ErrorMessage, ErrorType string }
			_ = json.Unmarshal(rec.Body.Bytes(), &failure)
			c.ErrorType, c.ErrorMessage = failure.ErrorType, failure.ErrorMessage
		} else {
			var out struct {
				Response struct{ EmailSubject, EmailMessage string } `json:"response"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &out)
			c.EmailSubject, c.EmailMessage = out.Response.EmailSubject, out.Response.EmailMessage
		}
		iv.mu.Lock()
		iv.list = append(iv.list, c)
		iv.mu.Unlock()

		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

func (iv *invocations) all() []invocation {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	return slices.Clone(iv.list)
}

func (iv *invocations) byEmail(email string) []invocation {
	var out []invocation
	for _, c := range iv.all() {
		if c.Email == email {
			out = append(out, c)
		}
	}
	return out
}

func (iv *invocations) last(email string, source triggers.TriggerSource) (invocation, bool) {
	list := iv.byEmail(email)
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Source == source {
			return list[i], true
		}
	}
	return invocation{}, false
}

func sources(list []invocation) []triggers.TriggerSource {
	out := make([]triggers.TriggerSource, len(list))
	for i, c := range list {
		out[i] = c.Source
	}
	return out
}

func attribute(attrs []ciptypes.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

func anySlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// idTokenClaims decodes the payload of the ID token. The signature is not
// checked: the claims' content is what the triggers influence.
func idTokenClaims(t *testing.T, auth *cip.InitiateAuthOutput) map[string]any {
	t.Helper()
	if auth.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth returned no tokens but challenge %q", auth.ChallengeName)
	}
	parts := strings.Split(aws.ToString(auth.AuthenticationResult.IdToken), ".")
	if len(parts) != 3 {
		t.Fatalf("ID token has %d parts, want 3", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decode ID token payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatalf("parse ID token payload: %v", err)
	}
	return claims
}

// deliveryWait bounds how long a printed message takes to reach the log
// after the API call that sent it returned.
const deliveryWait = 5 * time.Second

// waitForDelivery waits until cognito-local's log shows a message to user
// with the given subject (unless empty) and text, as it prints each message
// in a box of "Field: value" lines under the user's name.
func waitForDelivery(t *testing.T, srv *awslocal.Servers, user, subject, text string) {
	t.Helper()
	deadline := time.Now().Add(deliveryWait)
	for {
		log := srv.Log(awslocal.CognitoServer)
		if delivered(log, user, subject, text) {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("cognito-local did not print a message to %s with subject %q and text %q; its log:\n%s",
				user, subject, text, strings.Join(log, "\n"))
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// delivered reports whether a box in log, after the line naming user and
// before the box's last line, holds the subject and text.
func delivered(log []string, user, subject, text string) bool {
	for i, line := range log {
		if !strings.Contains(line, "Username:") || !strings.Contains(line, user) {
			continue
		}
		gotSubject, gotText := subject == "", false
		for _, l := range log[i+1:] {
			if strings.Contains(l, "╰") {
				break
			}
			gotSubject = gotSubject || fieldIs(l, "Email Subject:", subject)
			gotText = gotText || fieldIs(l, "Email Message:", text)
		}
		if gotSubject && gotText {
			return true
		}
	}
	return false
}

// fieldIs reports whether a boxed line such as "│   Email Message: text   │"
// holds field with exactly value.
func fieldIs(line, field, value string) bool {
	_, rest, ok := strings.Cut(line, field)
	if !ok {
		return false
	}
	return strings.TrimSpace(strings.TrimRight(strings.TrimSpace(rest), "│")) == value
}
