package customauth_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/customauth/smsotp"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// readyFlows builds each ready flow with the flow settings password and maxWrong, and
// names its step.
func readyFlows(t *testing.T, password bool, maxWrong int) map[string]*customauth.Flow {
	t.Helper()
	srv := newSiteverify(t)
	flows := map[string]*customauth.Flow{}
	add := func(step string, f *customauth.Flow, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		flows[step] = f
	}
	f, err := customauth.EmailOTP(customauth.EmailOTPConfig{From: "sign-in@example.com", Key: testKey, Client: &mailbox{},
		Password: password, MaxWrongAnswers: maxWrong})
	add(customauth.EmailOTPStepName, f, err)
	f, err = customauth.Captcha(customauth.CaptchaConfig{Secret: captchaSecret, VerifyURL: srv.URL,
		Password: password, MaxWrongAnswers: maxWrong})
	add(customauth.CaptchaStepName, f, err)
	f, err = customauth.MagicLink(customauth.MagicLinkConfig{From: "sign-in@example.com", Signer: mustSigner(t), Store: newMemStore(),
		RedirectURL: appPage, DecoyKey: testKey, Client: &mailbox{}, Password: password, MaxWrongAnswers: maxWrong})
	add(customauth.MagicLinkStepName, f, err)
	f, err = customauth.StaticAnswer(customauth.StaticAnswerConfig{Answer: "open sesame", Password: password, MaxWrongAnswers: maxWrong})
	add(customauth.StaticAnswerStepName, f, err)
	f, err = smsotp.Flow(smsotp.Config{Key: testKey, Client: &phone{}, Password: password, MaxWrongAnswers: maxWrong})
	add(smsotp.StepName, f, err)
	return flows
}

// TestReadyFlowSettings checks that the flow settings of each ready flow's config take
// effect: Password asks for the password first, and MaxWrongAnswers ends the sign-in at
// the first wrong answer when it is 1, at the third by default.
func TestReadyFlowSettings(t *testing.T) {
	t.Parallel()
	passwordless := readyFlows(t, false, 0)
	withPassword := readyFlows(t, true, 1)
	for step := range passwordless {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			open := router(passwordless[step], &triggertest.Logs{})
			guarded := router(withPassword[step], &triggertest.Logs{})
			// A wrong answer that counts: the magic link's "sent" challenges do, its
			// "ask" ones do not.
			wrong := custom(false, step+":sent")
			for _, tt := range []struct {
				name    string
				r       *triggers.Router
				session []triggers.ChallengeResult
				want    triggers.DefineAuthChallengeResponse
			}{
				{"passwordless starts with the step", open, nil, askOwn},
				{"passwordless refuses SRP", open, []triggers.ChallengeResult{srpA}, fail},
				{"default limit allows two wrong answers", open, []triggers.ChallengeResult{wrong, wrong}, askOwn},
				{"default limit ends at the third", open, []triggers.ChallengeResult{wrong, wrong, wrong}, fail},
				{"Password asks for it after SRP_A", guarded, []triggers.ChallengeResult{srpA}, askPass},
				{"Password refuses a start without SRP_A", guarded, nil, fail},
				{"then the step", guarded, []triggers.ChallengeResult{srpA, pwRight}, askOwn},
				{"MaxWrongAnswers 1 ends at the first", guarded, []triggers.ChallengeResult{srpA, pwRight, wrong}, fail},
			} {
				if got := define(t, tt.r, tt.session, false); got != tt.want {
					t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
				}
			}
		})
	}
	if f := customauth.Must(customauth.PasswordThenCaptcha(customauth.CaptchaConfig{Secret: captchaSecret})); define(t,
		router(f, &triggertest.Logs{}), []triggers.ChallengeResult{srpA}, false) != askPass {
		t.Error("PasswordThenCaptcha does not ask for the password")
	}
}

// TestStepsRefuseFlowSettings checks that a step constructor given a ready flow's
// settings, which only a flow can apply, says so instead of ignoring them.
func TestStepsRefuseFlowSettings(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		make func() (customauth.Step, error)
	}{
		{"customauth.EmailOTPStep", func() (customauth.Step, error) {
			return customauth.EmailOTPStep(customauth.EmailOTPConfig{From: "a@example.com", Key: testKey, Password: true})
		}},
		{"customauth.CaptchaStep", func() (customauth.Step, error) {
			return customauth.CaptchaStep(customauth.CaptchaConfig{Secret: "s", MaxWrongAnswers: 2})
		}},
		{"customauth.MagicLinkStep", func() (customauth.Step, error) {
			return customauth.MagicLinkStep(customauth.MagicLinkConfig{From: "a@example.com", Signer: mustSigner(t),
				Store: newMemStore(), RedirectURL: appPage, Password: true})
		}},
		{"customauth.StaticAnswerStep", func() (customauth.Step, error) {
			return customauth.StaticAnswerStep(customauth.StaticAnswerConfig{Answer: "x", MaxWrongAnswers: 1})
		}},
		{"smsotp.Step", func() (customauth.Step, error) {
			return smsotp.Step(smsotp.Config{Key: testKey, Password: true})
		}},
	} {
		_, err := tt.make()
		if want := tt.name + ": Password and MaxWrongAnswers are settings of a flow"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, want)
		}
	}
	for _, tt := range []struct {
		name string
		err  error
	}{
		{"customauth.EmailOTP", second(customauth.EmailOTP(customauth.EmailOTPConfig{From: "a@example.com", Key: testKey, MaxWrongAnswers: -1}))},
		{"smsotp.Flow", second(smsotp.Flow(smsotp.Config{Key: testKey, MaxWrongAnswers: -2}))},
	} {
		if want := "MaxWrongAnswers must be at least 1"; tt.err == nil || !strings.Contains(tt.err.Error(), tt.name) || !strings.Contains(tt.err.Error(), want) {
			t.Errorf("%s with a negative limit: %v, want an error naming it and %q", tt.name, tt.err, want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// emfLines decodes the metric lines the router wrote.
func emfLines(t *testing.T, out *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for line := range strings.Lines(out.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		lines = append(lines, m)
	}
	return lines
}

// TestMetricsNameSteps signs in through a router that writes metrics, with a flow of two
// built-in steps: each step's Create and Verify are counted under its name as the
// Module, and the email sent under EMAIL_OTP.Sent.
func TestMetricsNameSteps(t *testing.T) {
	t.Parallel()
	mail := &mailbox{}
	pin, err := customauth.StaticAnswerStep(customauth.StaticAnswerConfig{Answer: "4321"})
	if err != nil {
		t.Fatal(err)
	}
	otp, err := customauth.EmailOTPStep(customauth.EmailOTPConfig{From: "sign-in@example.com", Key: testKey, Client: mail})
	if err != nil {
		t.Fatal(err)
	}
	flow := customauth.Must(customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{pin, otp}}))
	var out bytes.Buffer
	r := router(flow, &triggertest.Logs{}, triggers.RouterConfig{Metrics: &triggers.MetricsConfig{Output: &out, Service: "sign-in"}})
	sim := triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: alice})
	sim.Start()
	if step := sim.Answer("1111"); step.Public["step"] != customauth.StaticAnswerStepName {
		t.Fatalf("after a wrong PIN: %+v", step)
	}
	sim.Answer("4321")
	if step := sim.Answer(mail.lastCode(t)); !step.Tokens {
		t.Fatalf("after the code: %+v, want tokens", step)
	}

	type key struct{ trigger, module string }
	modules := map[key][]map[string]any{}
	sent := 0.0
	for _, m := range emfLines(t, &out) {
		if m["Service"] != "sign-in" {
			t.Errorf("line without the service: %v", m)
		}
		if name, ok := m["Module"].(string); ok {
			k := key{m["Trigger"].(string), name}
			modules[k] = append(modules[k], m)
		}
		if n, ok := m["EMAIL_OTP.Sent"].(float64); ok {
			if m["Trigger"] != string(triggers.TriggerCreateAuthChallenge) {
				t.Errorf("EMAIL_OTP.Sent on %v", m["Trigger"])
			}
			sent += n
		}
	}
	for _, tt := range []struct {
		trigger     triggers.Trigger
		module      string
		invocations int
	}{
		{triggers.TriggerCreateAuthChallenge, customauth.StaticAnswerStepName, 2}, // asked again after the wrong PIN
		{triggers.TriggerVerifyAuthChallenge, customauth.StaticAnswerStepName, 2},
		{triggers.TriggerCreateAuthChallenge, customauth.EmailOTPStepName, 1},
		{triggers.TriggerVerifyAuthChallenge, customauth.EmailOTPStepName, 1},
	} {
		lines := modules[key{string(tt.trigger), tt.module}]
		if len(lines) != tt.invocations {
			t.Errorf("%s Module=%s: %d lines, want %d", tt.trigger, tt.module, len(lines), tt.invocations)
		}
		for _, m := range lines {
			if m["Invocations"] != 1.0 || m["InternalErrors"] != 0.0 {
				t.Errorf("%s Module=%s: %v, want one invocation without an error", tt.trigger, tt.module, m)
			}
		}
	}
	if len(modules) != 4 {
		t.Errorf("modules %v, want the two steps on Create and Verify only", modules)
	}
	if sent != 1 || mail.count() != 1 {
		t.Errorf("EMAIL_OTP.Sent %v for %d emails, want 1", sent, mail.count())
	}
}
