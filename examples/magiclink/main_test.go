package main

import (
	"regexp"
	"slices"
	"testing"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

const (
	page    = "https://app.example.com/sign-in"
	hmacKey = "MAGIC_LINK_HMAC_KEY=link-signing-key-of-at-least-32-bytes-0123"
)

var base = []string{"MAGIC_LINK_FROM=sign-in@example.com", "MAGIC_LINK_REDIRECT=" + page, "MAGIC_LINK_TABLE=links", hmacKey}

func without(name string, env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(v string) bool { return len(v) > len(name) && v[:len(name)+1] == name+"=" })
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "magiclink: ", triggertest.Payload(triggers.DefineAuthChallengeAuthentication), []exampletest.StartupError{
		{Name: "no sender", Env: without("MAGIC_LINK_FROM", base), Want: "missing environment variable MAGIC_LINK_FROM"},
		{Name: "no page", Env: without("MAGIC_LINK_REDIRECT", base), Want: "missing environment variable MAGIC_LINK_REDIRECT"},
		{Name: "no table", Env: without("MAGIC_LINK_TABLE", base), Want: "missing environment variable MAGIC_LINK_TABLE"},
		{Name: "no signer", Env: without("MAGIC_LINK_HMAC_KEY", base), Want: "missing environment variable MAGIC_LINK_KMS_KEY_ID"},
		{Name: "two signers", Env: append(slices.Clone(base), "MAGIC_LINK_KMS_KEY_ID=alias/links"), Want: "MAGIC_LINK_KMS_KEY_ID and MAGIC_LINK_HMAC_KEY are both set"},
		{Name: "short key", Env: append(without("MAGIC_LINK_HMAC_KEY", base), "MAGIC_LINK_HMAC_KEY=tiny-secret-value"), Want: "MAGIC_LINK_HMAC_KEY: customauth"},
		{Name: "http page", Env: append(without("MAGIC_LINK_REDIRECT", base), "MAGIC_LINK_REDIRECT=http://app.example.com/"), Want: "MAGIC_LINK_FROM, MAGIC_LINK_REDIRECT, MAGIC_LINK_ALLOWED_REDIRECTS, MAGIC_LINK_TTL: customauth.MagicLink: AllowedRedirects: magic link"},
		{Name: "bad ttl", Env: append(slices.Clone(base), "MAGIC_LINK_TTL=soon"), Want: "MAGIC_LINK_TTL: want a duration"},
	}, "tiny-secret-value", "link-signing-key-of-at-least-32-bytes-0123")
}

// TestOTPKeyReference starts the program with OTP_HMAC_KEY naming a secret, as the other
// customauth examples allow: the reference is not taken for the decoy key (it would be
// refused as short), and decoy addresses get a key of the process instead.
func TestOTPKeyReference(t *testing.T) {
	t.Parallel()
	define := triggertest.Payload(triggers.DefineAuthChallengeAuthentication)
	exampletest.RunEvent(t, append(slices.Clone(base), "OTP_HMAC_KEY=secretsmanager:otp"), define).
		RequireOK(t, &triggers.DefineAuthChallengeEvent{})
}

var linkPattern = regexp.MustCompile(`#magic_link=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)`)

// TestIntegrationSignIn signs in by link through the program, with Cognito's part played
// by the flow simulator, SES and DynamoDB local: the first challenge sends nothing, a
// request sends one email whose link opens the configured page, another browser answers
// with its token at once and gets tokens, and the link does not work twice.
func TestIntegrationSignIn(t *testing.T) {
	srv := localAWS.Servers(t)
	table := srv.CreateTable(t, "", "pk", "")
	env := append(srv.Env(), append(without("MAGIC_LINK_TABLE", base), "MAGIC_LINK_TABLE="+table)...)
	email := awslocal.UniqueName("ana") + "@example.com"
	user := triggertest.AuthUser{UserName: email, Attributes: map[string]string{"email": email, "email_verified": "true"}}
	program := exampletest.Program(t, env)

	asking := triggertest.NewAuthFlow(t, program, triggertest.AuthFlowConfig{User: user})
	if step := asking.Start(); step.Public["step"] != "MAGIC_LINK" || step.Public["linkState"] != "none" || len(linksTo(t, srv, email)) != 0 {
		t.Fatalf("first step %+v, want the link challenge and no email", step)
	}
	step := asking.AnswerWithMetadata("send me a link", map[string]string{
		customauth.MagicLinkActionKey: customauth.MagicLinkRequest, customauth.MagicLinkRedirectKey: page})
	if step.Public["linkState"] != "sent" {
		t.Fatalf("after the request: %+v, want linkState sent", step)
	}
	links := linksTo(t, srv, email)
	if len(links) != 1 {
		t.Fatalf("%d links sent, want 1", len(links))
	}
	other := triggertest.NewAuthFlow(t, program, triggertest.AuthFlowConfig{User: user})
	other.Start()
	answer := map[string]string{customauth.MagicLinkActionKey: customauth.MagicLinkAnswer}
	if step := other.AnswerWithMetadata(links[0], answer); !step.Tokens {
		t.Fatalf("the link in another browser: %+v, want tokens", step)
	}
	if step := asking.AnswerWithMetadata(links[0], answer); step.Tokens {
		t.Fatal("the link signed in twice")
	}
}

// linksTo returns the tokens of the links emailed to address, oldest first.
func linksTo(t *testing.T, srv *awslocal.Servers, address string) []string {
	t.Helper()
	var tokens []string
	for _, m := range srv.Emails(t) {
		if slices.Contains(m.To, address) {
			if match := linkPattern.FindStringSubmatch(m.Text); match != nil {
				tokens = append(tokens, match[1])
			}
		}
	}
	return tokens
}

var localAWS = localaws.New(awslocal.Config{DynamoDB: true, SES: true})

func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }
