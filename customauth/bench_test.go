package customauth_test

import (
	"bytes"
	"testing"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// BenchmarkStepUpVerify is one Verify of a valid access token with the key set cached:
// the decode, an RSA-2048 signature check and the encode.
func BenchmarkStepUpVerify(b *testing.B) {
	env := newStepUp(b, customauth.StepUpConfig{})
	r := router(env.flow, &triggertest.Logs{}, quietLogger())
	payload := triggertest.Payload(triggers.VerifyAuthChallengeResponseAuthentication, triggertest.WithUserName("alice"),
		triggertest.WithAttribute("sub", "0001"), triggertest.WithClientID("exampleclientid"),
		triggertest.WithClientMetadata(customauth.StepUpTokenKey, env.token(b, nil)),
		triggertest.WithPrivateChallengeParameter("step", customauth.StepUpStepName))
	payload = inPool(payload)
	want := []byte(`"answerCorrect":true`)
	b.ReportAllocs()
	for b.Loop() {
		out, ierr := r.Handle(b.Context(), payload)
		if ierr != nil || !containsBytes(out, want) {
			b.Fatalf("Verify: %s %v", out, ierr)
		}
	}
}

// BenchmarkMagicLinkVerify is one Verify of a valid link signed with HMAC, against an
// in-memory store: the decode, the signature, the salted hash, the store's conditional
// update and the encode.
func BenchmarkMagicLinkVerify(b *testing.B) {
	env := newLinks(b, customauth.MagicLinkConfig{})
	sim := triggertest.NewAuthFlow(b, router(env.flow, &triggertest.Logs{}, quietLogger()), triggertest.AuthFlowConfig{User: alice})
	sim.Start()
	sim.AnswerWithMetadata("link", requestLink)
	_, token := env.mail.lastLink(b)
	r := router(env.flow, &triggertest.Logs{}, quietLogger())
	payload := triggertest.Payload(triggers.VerifyAuthChallengeResponseAuthentication, triggertest.WithUserName("alice"),
		triggertest.WithChallengeAnswer(token), triggertest.WithPrivateChallengeParameter("step", customauth.MagicLinkStepName),
		triggertest.WithPrivateChallengeParameter("nonce", "n-1"))
	payload = inPool(payload)
	want := []byte(`"answerCorrect":true`)
	b.ReportAllocs()
	for b.Loop() {
		out, ierr := r.Handle(b.Context(), payload)
		if ierr != nil || !containsBytes(out, want) {
			b.Fatalf("Verify: %s %v", out, ierr)
		}
	}
}

func containsBytes(s, sub []byte) bool { return bytes.Contains(s, sub) }

// inPool moves a fixture event to the simulator's user pool, which the steps' tokens name.
func inPool(payload []byte) []byte {
	return bytes.ReplaceAll(payload, []byte(`"eu-west-1_Xa7bC9dEf"`), []byte(`"us-east-1_EXAMPLE"`))
}
