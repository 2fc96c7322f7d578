package customauth_test

import (
	"encoding/json"
	"testing"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// FuzzVerifyLinksAndAccessTokens sends any answer to the magic link step and any access
// token to the step-up step through the JSON boundary: no panic, no error, and never a
// right answer.
func FuzzVerifyLinksAndAccessTokens(f *testing.F) {
	env := newLinks(f, customauth.MagicLinkConfig{})
	stepUp := newStepUp(f, customauth.StepUpConfig{})
	links := router(env.flow, &triggertest.Logs{}, quietLogger())
	tokens := router(stepUp.flow, &triggertest.Logs{}, quietLogger())
	for _, seed := range []string{"", ".", "a.b", "eyJ2IjoxfQ.AAAA", "eyJ2IjoxLCJwb29sIjoidXMtZWFzdC0xX0VYQU1QTEUiLCJ1c2VyIjoiYWxpY2UifQ.c2ln",
		"eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIn0.e30.c2ln", "a.b.c.d"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tt := range []struct {
			r    *triggers.Router
			opts []triggertest.Option
		}{
			{links, []triggertest.Option{triggertest.WithChallengeAnswer(s),
				triggertest.WithPrivateChallengeParameter("step", customauth.MagicLinkStepName),
				triggertest.WithPrivateChallengeParameter("nonce", "n-1")}},
			{tokens, []triggertest.Option{triggertest.WithChallengeAnswer("x"), triggertest.WithClientMetadata(customauth.StepUpTokenKey, s),
				triggertest.WithPrivateChallengeParameter("step", customauth.StepUpStepName)}},
		} {
			out, ierr := tt.r.Handle(t.Context(), triggertest.Payload(triggers.VerifyAuthChallengeResponseAuthentication,
				append([]triggertest.Option{triggertest.WithUserName("alice")}, tt.opts...)...))
			if ierr != nil {
				t.Fatalf("Verify failed: %s", ierr.Text())
			}
			var e triggers.VerifyAuthChallengeEvent
			if err := json.Unmarshal(out, &e); err != nil {
				t.Fatal(err)
			}
			if e.Response.AnswerCorrect {
				t.Fatalf("answer %q was right", s)
			}
		}
	})
}
