package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// environment is a fake process environment.
type environment map[string]string

func (e environment) get(name string) string { return e[name] }

func mustBuild(t *testing.T, env environment) *triggers.Router {
	t.Helper()
	r, err := build(env.get)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return r
}

// The domain filters answer as Amplify's templates do, on every kind of sign-up.
func TestEmailFilters(t *testing.T) {
	t.Parallel()
	allow := mustBuild(t, environment{"MODULES": "email-filter-allowlist", "DOMAINALLOWLIST": "example.com, corp.example"})
	deny := mustBuild(t, environment{"MODULES": "email-filter-denylist", "DOMAINDENYLIST": "tempmail.test,example.com"})
	both := mustBuild(t, environment{"MODULES": "email-filter-allowlist,email-filter-denylist",
		"DOMAINALLOWLIST": "*.example.com", "DOMAINDENYLIST": "test.example.com"})
	tests := []struct {
		name    string
		router  *triggers.Router
		source  triggers.TriggerSource
		email   string
		wantErr string // "" admits the sign-up
	}{
		{"allowed", allow, triggers.PreSignUpSignUp, "ana@example.com", ""},
		{"not allowed", allow, triggers.PreSignUpSignUp, "eve@other.test", "Invalid email domain: other.test"},
		{"not allowed, by an administrator", allow, triggers.PreSignUpAdminCreateUser, "eve@other.test", "Invalid email domain: other.test"},
		{"not allowed, federated", allow, triggers.PreSignUpExternalProvider, "eve@other.test", "Invalid email domain: other.test"},
		{"denied", deny, triggers.PreSignUpSignUp, "ana@example.com", "Invalid email domain: example.com"},
		{"denied, by an administrator", deny, triggers.PreSignUpAdminCreateUser, "ana@example.com", "Invalid email domain: example.com"},
		{"not denied", deny, triggers.PreSignUpSignUp, "ana@corp.example", ""},
		{"both: allowed subdomain", both, triggers.PreSignUpSignUp, "ana@eu.example.com", ""},
		{"both: denied subdomain", both, triggers.PreSignUpSignUp, "ana@test.example.com", "Invalid email domain: test.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			event := triggertest.Payload(tt.source, triggertest.WithAttribute("email", tt.email))
			res := triggertest.Invoke(t, tt.router, event)
			if tt.wantErr != "" {
				res.RequireRejected(t, tt.wantErr)
				if res.ErrorMessage != tt.wantErr {
					t.Errorf("message %q, want exactly %q", res.ErrorMessage, tt.wantErr)
				}
				return
			}
			res.RequireNoOp(t)
		})
	}
}

// TestEvent runs the program once, as Amplify's mock function runs a template.
func TestEvent(t *testing.T) {
	t.Parallel()
	env := []string{"MODULES=email-filter-denylist", "DOMAINDENYLIST=example.com"}
	exampletest.RunEvent(t, env, triggertest.Payload(triggers.PreSignUpSignUp)).
		RequireFailure(t, "PreSignUp failed with error Invalid email domain: example.com.")
}

func TestAlterClaims(t *testing.T) {
	t.Parallel()
	r := mustBuild(t, environment{"MODULES": "alter-claims",
		"CLAIMS_TO_ADD_OR_OVERRIDE": `{"attribute_key1":"attribute_value1","attribute_key2":"attribute_value2"}`,
		"CLAIMS_TO_SUPPRESS":        "attribute_key3"})
	res := triggertest.Invoke(t, r, triggertest.Payload(triggers.TokenGenerationAuthentication))
	e := triggertest.EventAs[triggers.PreTokenGenerationEvent](res.RequireOK(t))
	got := e.Response.ClaimsOverrideDetails
	groups := e.Request.GroupConfiguration
	want := &triggers.ClaimsOverrideDetails{
		ClaimsToAddOrOverride: map[string]string{"attribute_key1": "attribute_value1", "attribute_key2": "attribute_value2"},
		ClaimsToSuppress:      []string{"attribute_key3"},
		GroupOverrideDetails:  &groups,
	}
	// Unlike the template, which replaces the whole response, the groups are kept: sent
	// back as the request carried them.
	if !reflect.DeepEqual(got, want) {
		t.Errorf("claimsOverrideDetails %+v, want %+v", got, want)
	}
}

func TestVerificationLink(t *testing.T) {
	t.Parallel()
	r := mustBuild(t, environment{"MODULES": "verification-link", "REDIRECTURL": "https://app.example.com/",
		"EMAILSUBJECT": "Verify your account", "EMAILMESSAGE": "Thanks for signing up!",
		"CONFIRM_URL": "https://confirm.example.com/"})
	e := triggertest.EventAs[triggers.CustomMessageEvent](triggertest.Invoke(t, r, triggertest.Payload(triggers.CustomMessageSignUp)).RequireOK(t))
	if e.Response.EmailSubject != "Verify your account" || !strings.Contains(e.Response.EmailMessage, "Thanks for signing up!") ||
		!strings.Contains(e.Response.EmailMessage, `href="https://confirm.example.com/?client_id=`) ||
		!strings.Contains(e.Response.EmailMessage, "code={####}") {
		t.Errorf("sign-up message %+v", e.Response)
	}
	triggertest.Invoke(t, r, triggertest.Payload(triggers.CustomMessageForgotPassword)).RequireNoOp(t)
}

// routers is a function made of one router per trigger, as Amplify deploys its custom
// auth modules: three functions, each with its own MODULES.
type routers map[triggers.Trigger]*triggers.Router

func (rs routers) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var h struct {
		TriggerSource triggers.TriggerSource `json:"triggerSource"`
	}
	if err := json.Unmarshal(payload, &h); err != nil {
		return nil, err
	}
	return rs[h.TriggerSource.Trigger()].Invoke(ctx, payload)
}

func TestCustomAuth(t *testing.T) {
	t.Parallel()
	verifyURL := captchaServer(t)
	user := triggertest.AuthUser{UserName: "ana", Attributes: map[string]string{"sub": "ana-sub", "email": "ana@example.com"}}
	captcha := environment{"MODULES": "captcha-define-challenge,captcha-create-challenge,captcha-verify",
		"RECAPTCHASECRET": "site-secret", "RECAPTCHA_VERIFY_URL": verifyURL}
	boilerplate := environment{"MODULES": "boilerplate-define-challenge,boilerplate-create-challenge,boilerplate-verify",
		"CHALLENGEANSWER": "open-sesame"}
	split := func(env environment) routers {
		rs := routers{}
		for _, m := range strings.Split(env["MODULES"], ",") {
			one := clone(env)
			one["MODULES"] = m
			rs[modules[m].trigger] = mustBuild(t, one)
		}
		return rs
	}
	tests := []struct {
		name       string
		function   triggers.Function
		right, bad string
	}{
		{"captcha", mustBuild(t, captcha), "human", "robot"},
		{"captcha, one function per trigger", split(captcha), "human", "robot"},
		{"boilerplate", mustBuild(t, boilerplate), "open-sesame", "open sesame"},
		{"boilerplate, one function per trigger", split(boilerplate), "open-sesame", ""},
		{"captcha define with boilerplate create and verify", mustBuild(t, environment{
			"MODULES":         "captcha-define-challenge,boilerplate-create-challenge,boilerplate-verify",
			"CHALLENGEANSWER": "open-sesame"}), "open-sesame", "wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			flow := triggertest.NewAuthFlow(t, tt.function, triggertest.AuthFlowConfig{User: user})
			// The password comes first (SRP_A, PASSWORD_VERIFIER), then one custom challenge.
			step := flow.StartWithPassword(true)
			if step.ChallengeName != "CUSTOM_CHALLENGE" || step.Public["trigger"] != "true" {
				t.Fatalf("after the password: %+v, want CUSTOM_CHALLENGE with trigger=true", step)
			}
			if step = flow.Answer(tt.right); !step.Tokens {
				t.Fatalf("after the right answer: %+v, want tokens", step)
			}
			// One wrong answer ends the sign-in.
			flow.StartWithPassword(true)
			if step = flow.Answer(tt.bad); !step.Failed {
				t.Fatalf("after a wrong answer: %+v, want the sign-in failed", step)
			}
			if step = flow.StartWithPassword(false); !step.Failed {
				t.Fatalf("after a wrong password: %+v, want the sign-in failed", step)
			}
			// A sign-in that skips the password fails, as the define templates decide.
			if step = flow.Start(); !step.Failed {
				t.Fatalf("without the password: %+v, want the sign-in failed", step)
			}
		})
	}
}

func clone(env environment) environment {
	out := environment{}
	for k, v := range env {
		out[k] = v
	}
	return out
}

// captchaServer is a siteverify endpoint that accepts the token "human" for the secret
// "site-secret", sent in the form body.
func captchaServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok := r.URL.RawQuery == "" && r.PostFormValue("secret") == "site-secret" && r.PostFormValue("response") == "human"
		fmt.Fprintf(w, `{"success":%t}`, ok)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  environment
		want []string
	}{
		{"no modules", environment{}, []string{"missing environment variable MODULES"}},
		{"unknown module", environment{"MODULES": "email-filter-blocklist"},
			[]string{`MODULES: unknown module "email-filter-blocklist"; known modules: add-to-group, alter-claims,`}},
		{"missing variable", environment{"MODULES": "add-to-group"}, []string{"add-to-group: missing environment variable GROUP"}},
		{"every error at once", environment{"MODULES": "email-filter-denylist, captcha-verify, nope"}, []string{
			"email-filter-denylist: missing environment variable DOMAINDENYLIST",
			"captcha-verify: missing environment variable RECAPTCHASECRET",
			`unknown module "nope"`}},
		{"empty list", environment{"MODULES": "email-filter-allowlist", "DOMAINALLOWLIST": " , "},
			[]string{"email-filter-allowlist: DOMAINALLOWLIST holds no domain"}},
		{"bad domain", environment{"MODULES": "email-filter-denylist", "DOMAINDENYLIST": "not a domain"}, []string{"email-filter-denylist:"}},
		{"listed twice", environment{"MODULES": "add-to-group,add-to-group", "GROUP": "g"}, []string{"MODULES: add-to-group is listed twice"}},
		{"two verify modules", environment{"MODULES": "captcha-verify,boilerplate-verify", "RECAPTCHASECRET": "s", "CHALLENGEANSWER": "a"},
			[]string{"MODULES: captcha-verify and boilerplate-verify both answer VerifyAuthChallengeResponse; list one"}},
		{"claims not an object", environment{"MODULES": "alter-claims", "CLAIMS_TO_ADD_OR_OVERRIDE": `"plan"`},
			[]string{"alter-claims: CLAIMS_TO_ADD_OR_OVERRIDE: want a JSON object"}},
		{"no claims", environment{"MODULES": "alter-claims"}, []string{"alter-claims: missing environment variable CLAIMS_TO_ADD_OR_OVERRIDE"}},
		{"link without confirm URL", environment{"MODULES": "verification-link", "REDIRECTURL": "https://app.example.com/"},
			[]string{"verification-link: missing environment variable CONFIRM_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := build(tt.env.get)
			if err == nil {
				t.Fatal("built, want an error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
	t.Run("program", func(t *testing.T) {
		t.Parallel()
		exampletest.RunEvent(t, []string{"MODULES=add-to-group"}, triggertest.Payload(triggers.PostConfirmationConfirmSignUp)).
			RequireFailure(t, "amplify: add-to-group: missing environment variable GROUP")
	})
}

// TestServe runs one process with modules of several triggers behind the local Lambda
// Invoke API, as a local Cognito would call it.
func TestServe(t *testing.T) {
	t.Parallel()
	base := exampletest.Serve(t, []string{
		"MODULES=email-filter-denylist,alter-claims,boilerplate-define-challenge,boilerplate-create-challenge,boilerplate-verify",
		"DOMAINDENYLIST=tempmail.test", `CLAIMS_TO_ADD_OR_OVERRIDE={"plan":"free"}`, "CHALLENGEANSWER=open-sesame"})
	invoke := func(event []byte) (body map[string]any, functionError string) {
		t.Helper()
		resp, err := http.Post(base+"/2015-03-31/functions/amplify/invocations", "application/json", bytes.NewReader(event))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatalf("body %s: %v", raw, err)
		}
		return body, resp.Header.Get("X-Amz-Function-Error")
	}

	body, fnErr := invoke(triggertest.Payload(triggers.PreSignUpSignUp, triggertest.WithAttribute("email", "eve@tempmail.test")))
	if fnErr != "Unhandled" || body["errorMessage"] != "Invalid email domain: tempmail.test" {
		t.Errorf("denied sign-up: %q %v", fnErr, body)
	}
	if _, fnErr = invoke(triggertest.Payload(triggers.PreSignUpSignUp)); fnErr != "" {
		t.Errorf("allowed sign-up failed: %s", fnErr)
	}
	body, _ = invoke(triggertest.Payload(triggers.TokenGenerationAuthentication))
	claims, _ := body["response"].(map[string]any)["claimsOverrideDetails"].(map[string]any)
	if claims == nil || !reflect.DeepEqual(claims["claimsToAddOrOverride"], map[string]any{"plan": "free"}) {
		t.Errorf("token response %v", body["response"])
	}
	body, _ = invoke(triggertest.Payload(triggers.DefineAuthChallengeAuthentication,
		triggertest.WithSession(triggers.ChallengeResult{ChallengeName: "SRP_A", ChallengeResult: true})))
	if name := body["response"].(map[string]any)["challengeName"]; name != "PASSWORD_VERIFIER" {
		t.Errorf("define after SRP_A: challengeName %v", name)
	}
	// A trigger none of the modules belongs to is not served.
	if body, fnErr = invoke(triggertest.Payload(triggers.CustomMessageSignUp)); fnErr != "Unhandled" ||
		!strings.Contains(fmt.Sprint(body["errorMessage"]), "no chain registered for trigger CustomMessage") ||
		body["errorType"] != triggers.ErrorTypeConfiguration {
		t.Errorf("custom message: %q %v", fnErr, body)
	}
}

// TestIntegrationAddToGroup confirms users of a local pool through the program: the group
// is created on first use, and each confirmed user joins it, also after a password reset,
// as with Amplify's template.
func TestIntegrationAddToGroup(t *testing.T) {
	srv := localAWS.Servers(t)
	ctx := t.Context()
	pool := srv.CreateUserPool(t)
	group := awslocal.UniqueName("members")
	env := append(srv.Env(), "MODULES=add-to-group", "GROUP="+group)
	if _, err := srv.Cognito.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(pool.ID), GroupName: aws.String(group)}); err == nil {
		t.Fatalf("group %s exists before the first confirmation", group)
	}
	for _, src := range []triggers.TriggerSource{triggers.PostConfirmationConfirmSignUp, triggers.PostConfirmationConfirmForgotPassword} {
		email := awslocal.UniqueName("user") + "@example.com"
		if _, err := srv.Cognito.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool.ID),
			Username: aws.String(email), MessageAction: ciptypes.MessageActionTypeSuppress,
			UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}}}); err != nil {
			t.Fatal(err)
		}
		user, err := srv.Cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(email)})
		if err != nil {
			t.Fatal(err)
		}
		event := triggertest.Payload(src, triggertest.Set("userPoolId", pool.ID), triggertest.WithUserName(aws.ToString(user.Username)),
			triggertest.WithAttribute("email", email))
		if res := exampletest.RunEvent(t, env, event); res.Code != 0 {
			t.Fatalf("%s: exit %d: %s", src, res.Code, res.Stderr)
		}
		groups, err := srv.Cognito.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool.ID), Username: user.Username})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(groups.Groups, func(g ciptypes.GroupType) bool { return aws.ToString(g.GroupName) == group }) {
			t.Errorf("%s: user's groups %v lack %s", src, groups.Groups, group)
		}
	}
	// As in Amplify, a failure to add the user fails the trigger.
	event := triggertest.Payload(triggers.PostConfirmationConfirmSignUp, triggertest.Set("userPoolId", pool.ID),
		triggertest.WithUserName("nobody"))
	exampletest.RunEvent(t, env, event).RequireFailure(t, "PostConfirmation failed with error ")
}

var localAWS = localaws.New(awslocal.Config{Cognito: &awslocal.CognitoConfig{}})

func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }
