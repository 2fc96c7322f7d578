package customauth_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/customauth/smsotp"
	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/triggers/secrets"
	"github.com/lambda-triggers/cognito/triggers/secrets/parameterstore"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// phone is a fake SNS: it keeps the messages it is asked to publish.
type phone struct {
	mu   sync.Mutex
	sent []*sns.PublishInput
	err  error
}

func (p *phone) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, p.err
	}
	p.sent = append(p.sent, in)
	return &sns.PublishOutput{}, nil
}

func (p *phone) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sent)
}

func (p *phone) lastCode(t *testing.T) string {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.sent) == 0 {
		t.Fatal("no SMS sent")
	}
	code := codeRE.FindString(*p.sent[len(p.sent)-1].Message)
	if code == "" {
		t.Fatal("no code in the SMS")
	}
	return code
}

var bob = triggertest.AuthUser{
	UserName: "bob",
	Attributes: map[string]string{"sub": "0002", "phone_number": "+15555550100", "phone_number_verified": "true",
		"email": "bob@example.com", "email_verified": "true"},
}

type smsEnv struct {
	clock *clock
	sms   *phone
	store *memStore
	flow  *customauth.Flow
	logs  *triggertest.Logs
}

func newSMS(t *testing.T, cfg smsotp.Config, withStore bool) *smsEnv {
	t.Helper()
	env := &smsEnv{clock: newClock(), sms: &phone{}, logs: &triggertest.Logs{}}
	if cfg.Key == nil {
		cfg.Key = testKey
	}
	cfg.Client, cfg.Now = env.sms, env.clock.Now
	if withStore {
		env.store = newMemStore()
		cfg.Store = env.store
	}
	flow, err := smsotp.Flow(cfg)
	if err != nil {
		t.Fatalf("smsotp.Flow: %v", err)
	}
	env.flow = flow
	return env
}

func (e *smsEnv) sim(t *testing.T, cfg triggertest.AuthFlowConfig) *triggertest.AuthFlow {
	cfg.Now, cfg.SessionValidity = e.clock.Now, 15*time.Minute
	return triggertest.NewAuthFlow(t, router(e.flow, e.logs), cfg)
}

func TestAuthFlowSMSOTPRightCode(t *testing.T) {
	t.Parallel()
	env := newSMS(t, smsotp.Config{SenderID: "Example"}, false)
	sim := env.sim(t, triggertest.AuthFlowConfig{User: bob})
	step := sim.Start()
	if got, want := keysOf(step.Public), []string{"USERNAME", "codeLength", "phone", "step"}; !slices.Equal(got, want) {
		t.Fatalf("public parameters %v, want %v", got, want)
	}
	if step.Public["phone"] != "+*******0100" || step.Public["step"] != smsotp.StepName {
		t.Errorf("public parameters %v", step.Public)
	}
	if env.sms.count() != 1 {
		t.Fatalf("%d messages, want 1", env.sms.count())
	}
	in := env.sms.sent[0]
	if *in.PhoneNumber != "+15555550100" || *in.MessageAttributes["AWS.SNS.SMS.SMSType"].StringValue != "Transactional" ||
		*in.MessageAttributes["AWS.SNS.SMS.SenderID"].StringValue != "Example" || in.TopicArn != nil {
		t.Errorf("published %+v", in)
	}
	code := env.sms.lastCode(t)
	ch := sim.Challenge()
	for name, s := range map[string]string{"public": fmt.Sprint(ch.Public), "private": fmt.Sprint(ch.Private), "metadata": ch.Metadata} {
		if containsCode(s, code) {
			t.Errorf("%s challenge data shows the code: %s", name, s)
		}
	}
	if out := sim.Answer(wrongCode(code)); out.ChallengeName != "CUSTOM_CHALLENGE" {
		t.Fatalf("wrong code: %+v, want another try", out)
	}
	if env.sms.count() != 1 {
		t.Errorf("a wrong answer sent another SMS")
	}
	if out := sim.Answer(code); !out.Tokens {
		t.Fatalf("right code: %+v, want tokens", out)
	}
	if logs := env.logs.String(); strings.Contains(logs, code) || strings.Contains(logs, string(testKey)) {
		t.Error("the logs show the code or the key")
	}
}

func TestAuthFlowSMSOTPWrongCodesEndTheSignIn(t *testing.T) {
	t.Parallel()
	for _, withStore := range []bool{false, true} {
		t.Run(fmt.Sprint("store=", withStore), func(t *testing.T) {
			t.Parallel()
			env := newSMS(t, smsotp.Config{}, withStore)
			sim := env.sim(t, triggertest.AuthFlowConfig{User: bob})
			sim.Start()
			code := env.sms.lastCode(t)
			sim.Answer(wrongCode(code))
			sim.Answer("")
			if out := sim.Answer(wrongCode(code)); !out.Failed {
				t.Fatalf("third wrong answer: %+v, want failure", out)
			}
			if out := sim.Answer(code); out.Tokens {
				t.Fatal("the right code signed in after the sign-in failed")
			}
		})
	}
}

func TestAuthFlowSMSOTPStore(t *testing.T) {
	t.Parallel()
	t.Run("cooldown, single use, retries", func(t *testing.T) {
		t.Parallel()
		env := newSMS(t, smsotp.Config{}, true)
		sim := env.sim(t, triggertest.AuthFlowConfig{User: bob, Retries: 2})
		sim.Start()
		if env.sms.count() != 1 {
			t.Fatalf("%d messages with retried invocations, want 1", env.sms.count())
		}
		code := env.sms.lastCode(t)
		sim.Start() // within the cooldown: asked for the same code
		if env.sms.count() != 1 {
			t.Fatalf("%d messages within the cooldown, want 1", env.sms.count())
		}
		if out := sim.Answer(code); !out.Tokens {
			t.Fatalf("right code: %+v", out)
		}
		sim.Start() // the code is used: a new one goes out
		if env.sms.count() != 2 {
			t.Fatalf("%d messages after the code was used, want 2", env.sms.count())
		}
		if out := sim.Answer(code); out.Tokens {
			t.Fatal("a used code signed in again")
		}
	})
	t.Run("expired", func(t *testing.T) {
		t.Parallel()
		env := newSMS(t, smsotp.Config{CodeTTL: time.Minute, MaxWrongAnswers: 1}, true)
		sim := env.sim(t, triggertest.AuthFlowConfig{User: bob})
		sim.Start()
		code := env.sms.lastCode(t)
		env.clock.Advance(time.Minute)
		if out := sim.Answer(code); out.Tokens {
			t.Fatal("an expired code signed in")
		}
	})
	t.Run("shared with the email step", func(t *testing.T) {
		t.Parallel()
		clk, sms, mail, store := newClock(), &phone{}, &mailbox{}, newMemStore()
		email, err := customauth.EmailOTPStep(customauth.EmailOTPConfig{From: "s@example.com", Key: testKey, Client: mail, Store: store, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		text, err := smsotp.Step(smsotp.Config{Key: testKey, Client: sms, Store: store, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		flow := customauth.Must(customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{email, text}}))
		sim := triggertest.NewAuthFlow(t, router(flow, &triggertest.Logs{}), triggertest.AuthFlowConfig{User: bob, Now: clk.Now})
		sim.Start()
		if out := sim.Answer(mail.lastCode(t)); out.Public["step"] != smsotp.StepName {
			t.Fatalf("after the email code: %+v, want the SMS step", out)
		}
		if sms.count() != 1 {
			t.Fatalf("%d messages, want 1: the email code's record must not stand for the SMS code", sms.count())
		}
		if out := sim.Answer(sms.lastCode(t)); !out.Tokens {
			t.Fatalf("both codes: %+v, want tokens", out)
		}
	})
}

func TestAuthFlowSMSOTPNoCodeLooksTheSame(t *testing.T) {
	t.Parallel()
	unverified := triggertest.AuthUser{UserName: "carol", Attributes: map[string]string{"phone_number": "+15555550111"}}
	noPhone := triggertest.AuthUser{UserName: "dave", Attributes: map[string]string{"phone_number": "555-0100", "phone_number_verified": "true"}}
	ghostPhone := triggertest.AuthUser{UserName: "ghost", NotFound: true}
	env := newSMS(t, smsotp.Config{}, true)
	ref := env.sim(t, triggertest.AuthFlowConfig{User: bob})
	refStep := ref.Start()
	ref.Answer("000000")
	ref.Answer("000000")
	ref.Answer("000000")
	for _, user := range []triggertest.AuthUser{unverified, noPhone, ghostPhone} {
		t.Run(user.UserName, func(t *testing.T) {
			sim := env.sim(t, triggertest.AuthFlowConfig{User: user})
			step := sim.Start()
			if !slices.Equal(keysOf(step.Public), keysOf(refStep.Public)) || !strings.HasPrefix(step.Public["phone"], "+*******") {
				t.Errorf("public parameters %v, want the shape of %v", step.Public, refStep.Public)
			}
			if again := env.sim(t, triggertest.AuthFlowConfig{User: user}).Start(); again.Public["phone"] != step.Public["phone"] {
				t.Errorf("masked number changed between sign-ins: %q, %q", step.Public["phone"], again.Public["phone"])
			}
			for range 3 {
				sim.Answer("000000")
			}
			if !slices.Equal(sim.Trace(), ref.Trace()) {
				t.Errorf("trace\n%v\nwant\n%v", sim.Trace(), ref.Trace())
			}
		})
	}
	if env.sms.count() != 1 {
		t.Errorf("%d messages, want only bob's", env.sms.count())
	}

	t.Run("unverified allowed", func(t *testing.T) {
		env := newSMS(t, smsotp.Config{AllowUnverifiedPhone: true}, false)
		sim := env.sim(t, triggertest.AuthFlowConfig{User: unverified})
		sim.Start()
		if out := sim.Answer(env.sms.lastCode(t)); !out.Tokens {
			t.Fatalf("unverified number allowed: %+v, want tokens", out)
		}
	})
}

func TestAuthFlowSMSOTPSendFails(t *testing.T) {
	t.Parallel()
	env := newSMS(t, smsotp.Config{}, true)
	env.sms.err = fmt.Errorf("sns: throttled")
	sim := env.sim(t, triggertest.AuthFlowConfig{User: bob})
	if out := sim.Start(); !out.Failed || out.Err.Code != triggertest.AuthUserLambdaValidation || strings.Contains(out.Err.Message, "throttled") {
		t.Fatalf("failed send: %+v, want a generic trigger error", out)
	}
	env.sms.err = nil
	sim.Start()
	if env.sms.count() != 1 {
		t.Fatalf("%d messages after a failed send, want a new code at once", env.sms.count())
	}
}

func TestSMSOTPConfigErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		cfg  smsotp.Config
		want string
	}{
		{"short key", smsotp.Config{Key: []byte("short")}, "hash key of at least 32 bytes"},
		{"length", smsotp.Config{Key: testKey, CodeLength: 3}, "CodeLength must be 4 to 12"},
		{"ttl", smsotp.Config{Key: testKey, CodeTTL: time.Millisecond}, "CodeTTL"},
		{"no code", smsotp.Config{Key: testKey, Text: "Sign in now"}, "does not show {{.Code}}"},
		{"bad template", smsotp.Config{Key: testKey, Text: "{{.Code"}, "SMS message template"},
		{"unknown field", smsotp.Config{Key: testKey, Text: "{{.Link}} {{.Code}}"}, "SMS message template"},
		{"too long", smsotp.Config{Key: testKey, Text: strings.Repeat("x", 140) + "{{.Code}}"}, "more than 140"},
		{"too many bytes", smsotp.Config{Key: testKey, Text: strings.Repeat("ä", 70) + "{{.Code}}"}, "146 bytes long, more than 140"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := smsotp.Step(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("smsotp.Step: %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestCodeStepNeedsASender(t *testing.T) {
	t.Parallel()
	send := func(context.Context, string, string) error { return nil }
	for _, cfg := range []customauth.CodeConfig{
		{Key: testKey, Recipient: func(*customauth.CreateEvent) (string, bool) { return "", false }, Public: func(*customauth.Challenge, string) {}, Send: send},
		{Key: testKey, Name: "PIGEON", Public: func(*customauth.Challenge, string) {}, Send: send},
		{Key: testKey, Name: "PIGEON", Recipient: func(*customauth.CreateEvent) (string, bool) { return "", false }, Send: send},
		{Key: testKey, Name: "PIGEON", Recipient: func(*customauth.CreateEvent) (string, bool) { return "", false }, Public: func(*customauth.Challenge, string) {}},
	} {
		if _, err := customauth.CodeStep(cfg); err == nil || !strings.Contains(err.Error(), "customauth.CodeStep: Name, Recipient") {
			t.Errorf("CodeStep accepted sender %+v: %v", cfg, err)
		}
	}
}

// TestAuthFlowSMSOTPKeyFromParameterStore signs in by SMS with the hash key kept in
// Parameter Store: it is read when the first code is issued, not when the step is built;
// a user Cognito did not find is shown the number the same key makes up; and a key that
// cannot be read fails the step with no message sent.
func TestAuthFlowSMSOTPKeyFromParameterStore(t *testing.T) {
	t.Parallel()
	params := fakeaws.NewSSM()
	params.Put("/cognito/otp-key", string(testKey), true)
	key := secrets.MustParse(secrets.Config{Value: "ssm:/cognito/otp-key", Reader: parameterstore.Reader(params)})
	env := newSMS(t, smsotp.Config{Key: []byte{}, KeySource: key.Get}, true)
	if params.Calls("") != 0 {
		t.Fatal("the key was read when the step was built")
	}
	sim := env.sim(t, triggertest.AuthFlowConfig{User: bob})
	sim.Start()
	if out := sim.Answer(env.sms.lastCode(t)); !out.Tokens {
		t.Fatalf("right code: %+v, want tokens", out)
	}
	if n := params.Calls("GetParameter"); n != 1 {
		t.Errorf("%d reads of the key over a sign-in, want 1", n)
	}

	ghost := triggertest.AuthUser{UserName: "ghost", NotFound: true}
	direct := newSMS(t, smsotp.Config{}, false) // Key: testKey
	if got, want := env.sim(t, triggertest.AuthFlowConfig{User: ghost}).Start().Public["phone"], direct.sim(t, triggertest.AuthFlowConfig{User: ghost}).Start().Public["phone"]; got != want {
		t.Errorf("made-up number %q with the key from Parameter Store, %q with the same key given directly", got, want)
	}

	missing := secrets.MustParse(secrets.Config{Value: "ssm:/cognito/missing", Reader: parameterstore.Reader(params)})
	env = newSMS(t, smsotp.Config{Key: []byte{}, KeySource: missing.Get}, false)
	out := env.sim(t, triggertest.AuthFlowConfig{User: bob}).Start()
	if !out.Failed || out.Err.Code != triggertest.AuthUserLambdaValidation || env.sms.count() != 0 {
		t.Fatalf("missing key: %+v with %d messages, want the trigger to fail and no message", out, env.sms.count())
	}
	if _, err := smsotp.Step(smsotp.Config{Key: testKey, KeySource: key.Get}); err == nil || !strings.Contains(err.Error(), "Key or KeySource") {
		t.Errorf("Key and KeySource together: %v, want an error", err)
	}
}

func TestCodeStepTakesOneRecipient(t *testing.T) {
	t.Parallel()
	_, err := customauth.CodeStep(customauth.CodeConfig{
		Key:            testKey,
		Name:           "PIGEON",
		Recipient:      func(*customauth.CreateEvent) (string, bool) { return "", false },
		KeyedRecipient: func([]byte, *customauth.CreateEvent) (string, bool) { return "", false },
		Public:         func(*customauth.Challenge, string) {},
		Send:           func(context.Context, string, string) error { return nil },
	})
	if err == nil {
		t.Error("CodeStep accepted a sender with both Recipient and KeyedRecipient")
	}
}
