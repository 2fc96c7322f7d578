package customauth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// printT stands in for the *testing.T a test function passes: it prints failures.
type printT struct{}

func (printT) Helper()                           {}
func (printT) Errorf(format string, args ...any) { fmt.Printf("FAIL: "+format+"\n", args...) }
func (printT) FailNow()                          {}

// inbox is an SES client that keeps the last code it was asked to send.
type inbox struct{ code string }

func (i *inbox) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	fmt.Printf("email to %s: %q\n", in.Destination.ToAddresses[0], *in.Content.Simple.Subject.Data)
	i.code = regexp.MustCompile(`\d{6}`).FindString(*in.Content.Simple.Body.Text.Data)
	return &sesv2.SendEmailOutput{}, nil
}

// Passwordless sign-in with a code sent by email, tried out with the flow simulator.
// In a Lambda main, the last lines would be
// triggers.Start(flow.Register(triggers.NewRouter(triggers.RouterConfig{}))), with the SES client and the hash
// key (OTP_HMAC_KEY) taken from the environment.
func ExampleEmailOTP() {
	mail := &inbox{}
	flow, err := customauth.EmailOTP(customauth.EmailOTPConfig{
		From:   "sign-in@example.com",
		Key:    []byte("an example key of at least 32 bytes, from a secret store"),
		Client: mail,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	router := flow.Register(triggers.NewRouter(quietLogger()))

	sim := triggertest.NewAuthFlow(printT{}, router, triggertest.AuthFlowConfig{User: triggertest.AuthUser{
		UserName:   "alice",
		Attributes: map[string]string{"email": "alice@example.com", "email_verified": "true"},
	}})
	step := sim.Start()
	fmt.Println("challenge:", step.Public["step"], "sent to", step.Public["email"])
	fmt.Println("wrong code, tokens:", sim.Answer("not-the-code").Tokens)
	fmt.Println("right code, tokens:", sim.Answer(mail.code).Tokens)
	// Output:
	// email to alice@example.com: "Your sign-in code"
	// challenge: EMAIL_OTP sent to a***@e***.com
	// wrong code, tokens: false
	// right code, tokens: true
}

// A flow of two steps of one's own after the password: a security question, then a
// one-time code. Define, Create and Verify all come from this one description.
func ExampleNewFlow() {
	question := customauth.Step{
		Name: "PET",
		Create: func(_ context.Context, c *customauth.Challenge) error {
			c.Public["question"] = "Name of your first pet?"
			return nil
		},
		Verify: func(_ context.Context, a *customauth.Answer) (bool, error) {
			want := a.Event.Request.UserAttributes["custom:first_pet"]
			return want != "" && strings.EqualFold(a.Value.Reveal(), want), nil
		},
	}
	pin, err := customauth.StaticAnswerStep(customauth.StaticAnswerConfig{Answer: "4321"}) // scaffolding only
	if err != nil {
		fmt.Println(err)
		return
	}
	flow := customauth.Must(customauth.NewFlow(customauth.FlowConfig{
		Steps:           []customauth.Step{question, pin},
		Password:        true,
		MaxWrongAnswers: 2,
	}))
	router := flow.Register(triggers.NewRouter(quietLogger()))

	sim := triggertest.NewAuthFlow(printT{}, router, triggertest.AuthFlowConfig{User: triggertest.AuthUser{
		UserName: "bob", Attributes: map[string]string{"custom:first_pet": "Rex"}}})
	fmt.Println(sim.StartWithPassword(true).Public["question"])
	fmt.Println("next:", sim.Answer("rex").Public["step"])
	fmt.Println("tokens:", sim.Answer("4321").Tokens)
	fmt.Println("wrong password:", triggertest.NewAuthFlow(printT{}, router, triggertest.AuthFlowConfig{User: triggertest.AuthUser{UserName: "bob"}}).
		StartWithPassword(false).Err)
	// Output:
	// Name of your first pet?
	// next: STATIC_ANSWER
	// tokens: true
	// wrong password: NotAuthorizedException: Incorrect username or password.
}

// The password, then a reCAPTCHA v3 token as the answer to the custom challenge. The
// verify endpoint here is a local stand-in; by default it is Google's.
func ExamplePasswordThenCaptcha() {
	verify := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok := r.PostFormValue("secret") == "site-secret" && r.PostFormValue("response") == "token-from-the-widget"
		fmt.Fprintf(w, `{"success":%v,"score":0.8,"action":"login","hostname":"app.example.com"}`, ok)
	}))
	defer verify.Close()

	flow := customauth.Must(customauth.PasswordThenCaptcha(customauth.CaptchaConfig{
		Secret:    "site-secret", // or RECAPTCHASECRET in the environment
		VerifyURL: verify.URL,
		MinScore:  0.5,
		Action:    "login",
		Hostnames: []string{"app.example.com"},
		SiteKey:   "6Lc-public-site-key",
	}))
	router := flow.Register(triggers.NewRouter(quietLogger()))

	sim := triggertest.NewAuthFlow(printT{}, router, triggertest.AuthFlowConfig{User: triggertest.AuthUser{UserName: "carol"}})
	step := sim.StartWithPassword(true)
	fmt.Println(step.Public["step"], step.Public["siteKey"])
	fmt.Println("forged token, tokens:", sim.Answer("forged").Tokens)
	fmt.Println("real token, tokens:", sim.Answer("token-from-the-widget").Tokens)
	// Output:
	// CAPTCHA 6Lc-public-site-key
	// forged token, tokens: false
	// real token, tokens: true
}

// GuardTokens keeps a hand-written Define from issuing tokens on a session that does not
// end with a passed custom challenge: here, right after SRP_A.
func ExampleGuardTokens() {
	lastResultWins := func(_ context.Context, e *customauth.DefineEvent) error {
		s := e.Request.Session
		if len(s) > 0 && s[len(s)-1].ChallengeResult {
			e.Response.IssueTokens = true // SRP_A has result true: tokens without a password
		} else {
			e.Response.ChallengeName = customauth.ChallengeCustom
		}
		return nil
	}
	flow := customauth.Must(customauth.StaticAnswer(customauth.StaticAnswerConfig{Answer: "scaffolding"}))
	router := flow.Register(triggers.NewRouter(quietLogger())).
		DefineAuthChallenge(customauth.GuardTokens(lastResultWins))

	out := triggertest.NewAuthFlow(printT{}, router, triggertest.AuthFlowConfig{User: triggertest.AuthUser{UserName: "dave"}}).StartWithPassword(false)
	fmt.Println("tokens:", out.Tokens, "error:", out.Err)
	// Output:
	// tokens: false error: NotAuthorizedException: Incorrect username or password.
}
