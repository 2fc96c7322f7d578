package main

import (
	"regexp"
	"slices"
	"testing"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

const testKey = "OTP_HMAC_KEY=test-key-of-at-least-thirty-two-bytes-0123456789"

func TestDefine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      []string
		session  []triggers.ChallengeResult
		wantName string
	}{
		{"first round asks for the code", nil, nil, "CUSTOM_CHALLENGE"},
		{"password first", []string{"CUSTOM_AUTH_PASSWORD=true"},
			[]triggers.ChallengeResult{{ChallengeName: "SRP_A", ChallengeResult: true}}, "PASSWORD_VERIFIER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := append([]string{"OTP_FROM=sign-in@example.com", testKey}, tt.env...)
			var e triggers.DefineAuthChallengeEvent
			exampletest.RunEvent(t, env, triggertest.Payload(triggers.DefineAuthChallengeAuthentication,
				triggertest.WithSession(tt.session...))).RequireOK(t, &e)
			if e.Response.ChallengeName != tt.wantName || e.Response.IssueTokens || e.Response.FailAuthentication {
				t.Errorf("response %+v, want challenge %s", e.Response, tt.wantName)
			}
		})
	}
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "customauth: ", triggertest.Payload(triggers.DefineAuthChallengeAuthentication), []exampletest.StartupError{
		{Name: "no sender", Env: []string{testKey}, Want: "missing environment variable OTP_FROM"},
		{Name: "no key", Env: []string{"OTP_FROM=sign-in@example.com"}, Want: "missing environment variable OTP_HMAC_KEY"},
		{Name: "short key", Env: []string{"OTP_FROM=sign-in@example.com", "OTP_HMAC_KEY=tiny-secret-value"}, Want: "OTP_FROM, OTP_HMAC_KEY:"},
		{Name: "bad flag", Env: []string{"OTP_FROM=sign-in@example.com", testKey, "CUSTOM_AUTH_PASSWORD=sometimes"}, Want: "CUSTOM_AUTH_PASSWORD: want true or false"},
	}, "tiny-secret-value")
}

// TestIntegrationSignIn signs in by email code through the program, with Cognito's part
// played by the flow simulator, SES and DynamoDB local: the code arrives by email, a wrong
// answer is asked again without a second email, the right one gets tokens, and a code
// signs in only once.
func TestIntegrationSignIn(t *testing.T) {
	srv := localAWS.Servers(t)
	table := srv.CreateTable(t, "", "pk", "")
	env := append(srv.Env(), "OTP_FROM=sign-in@example.com", testKey, "OTP_TABLE="+table)
	email := awslocal.UniqueName("ana") + "@example.com"
	user := triggertest.AuthUser{UserName: email, Attributes: map[string]string{
		"sub": awslocal.UniqueName("sub"), "email": email, "email_verified": "true"}}
	flow := triggertest.NewAuthFlow(t, exampletest.Program(t, env), triggertest.AuthFlowConfig{User: user})

	step := flow.Start()
	if step.ChallengeName != "CUSTOM_CHALLENGE" || step.Public["step"] != "EMAIL_OTP" {
		t.Fatalf("first step %+v, want the email code challenge", step)
	}
	codes := codesTo(t, srv, email)
	if len(codes) != 1 {
		t.Fatalf("%d codes sent, want 1", len(codes))
	}
	if step = flow.Answer("000000" + codes[0]); step.ChallengeName != "CUSTOM_CHALLENGE" {
		t.Fatalf("after a wrong answer: %+v, want the challenge again", step)
	}
	if step = flow.Answer(codes[0]); !step.Tokens {
		t.Fatalf("after the right code: %+v, want tokens", step)
	}
	if n := len(codesTo(t, srv, email)); n != 1 {
		t.Errorf("%d emails for one sign-in, want 1", n)
	}

	// A new sign-in within the cooldown is asked for the code already sent, which has
	// signed in once already.
	flow.Start()
	if step = flow.Answer(codes[0]); step.Tokens {
		t.Error("a used code signed in again")
	}
}

var codePattern = regexp.MustCompile(`\b\d{6}\b`)

// codesTo returns the codes of the emails sent to address, oldest first.
func codesTo(t *testing.T, srv *awslocal.Servers, address string) []string {
	t.Helper()
	var codes []string
	for _, m := range srv.Emails(t) {
		if slices.Contains(m.To, address) {
			codes = append(codes, codePattern.FindString(m.Text))
		}
	}
	return codes
}

var localAWS = localaws.New(awslocal.Config{DynamoDB: true, SES: true})

func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }
