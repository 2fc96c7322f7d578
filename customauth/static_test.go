package customauth_test

import (
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

func TestAuthFlowStaticAnswer(t *testing.T) {
	t.Parallel()
	flow := customauth.Must(customauth.StaticAnswer(customauth.StaticAnswerConfig{Answer: "correct horse"}))
	r := router(flow, &triggertest.Logs{})
	tests := []struct {
		name    string
		answers []string
		tokens  bool
	}{
		{"right", []string{"correct horse"}, true},
		{"right after two wrong", []string{"wrong", "correct hors", "correct horse"}, true},
		{"prefix, suffix and case are wrong", []string{"correct", "correct horse ", "Correct horse"}, false},
		{"empty", []string{"", "", ""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim := triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: alice})
			step := sim.Start()
			if c := sim.Challenge(); c == nil || strings.Contains(c.Metadata+c.Private["step"]+step.Public["step"], "horse") {
				t.Fatalf("challenge %+v: the answer must stay in the function", c)
			}
			if len(sim.Challenge().Private) != 1 {
				t.Errorf("private parameters %v, want only the step", sim.Challenge().Private)
			}
			var out triggertest.AuthStep
			for _, a := range tt.answers {
				out = sim.Answer(a)
			}
			if out.Tokens != tt.tokens || (!tt.tokens && !out.Failed) {
				t.Errorf("outcome %+v, want tokens %v", out, tt.tokens)
			}
		})
	}
}

func TestStaticAnswerFromEnv(t *testing.T) {
	t.Setenv(customauth.StaticAnswerEnv, "from-env")
	r := router(customauth.Must(customauth.StaticAnswer(customauth.StaticAnswerConfig{Answer: ""})), &triggertest.Logs{})
	sim := triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: alice})
	sim.Start()
	if out := sim.Answer("from-env"); !out.Tokens {
		t.Fatalf("%+v, want tokens for the answer in %s", out, customauth.StaticAnswerEnv)
	}

	t.Setenv(customauth.StaticAnswerEnv, "")
	if _, err := customauth.StaticAnswer(customauth.StaticAnswerConfig{Answer: ""}); err == nil || !strings.Contains(err.Error(), customauth.StaticAnswerEnv) {
		t.Fatalf("StaticAnswer with no answer: error %v", err)
	}
}
