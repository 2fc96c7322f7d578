package triggertest_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

func TestBuilderOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		build func() any
		got   func(e any) any
		want  any
	}{
		{"WithAttribute adds",
			func() any {
				return triggertest.PreSignUp(triggers.PreSignUpSignUp, triggertest.WithAttribute("email", "a@b.test"))
			},
			func(e any) any { return e.(*triggers.PreSignUpEvent).Request.UserAttributes["email"] }, "a@b.test"},
		{"WithAttribute on a null map",
			func() any {
				return triggertest.PostConfirmation(triggers.PostConfirmationConfirmSignUp,
					triggertest.Set("request.userAttributes", nil), triggertest.WithAttribute("sub", "x"))
			},
			func(e any) any { return e.(*triggers.PostConfirmationEvent).Request.UserAttributes },
			triggers.Attributes{"sub": "x"}},
		{"WithoutAttribute",
			func() any { return triggertest.PreAuthentication(triggertest.WithoutAttribute("email")) },
			func(e any) any {
				_, ok := e.(*triggers.PreAuthenticationEvent).Request.UserAttributes["email"]
				return ok
			}, false},
		{"WithClientMetadata on a missing map",
			func() any {
				return triggertest.PreSignUp(triggers.PreSignUpExternalProvider, triggertest.WithClientMetadata("k", "v"))
			},
			func(e any) any { return e.(*triggers.PreSignUpEvent).Request.ClientMetadata }, triggers.Attributes{"k": "v"}},
		{"WithValidationData on a null map",
			func() any {
				return triggertest.PreSignUp(triggers.PreSignUpAdminCreateUser, triggertest.WithValidationData("captcha", "tok"))
			},
			func(e any) any { return e.(*triggers.PreSignUpEvent).Request.ValidationData }, triggers.Attributes{"captcha": "tok"}},
		{"WithUserName",
			func() any { return triggertest.PostAuthentication(triggertest.WithUserName("bob")) },
			func(e any) any { return e.(*triggers.PostAuthenticationEvent).UserName }, "bob"},
		{"WithClientID",
			func() any { return triggertest.PostAuthentication(triggertest.WithClientID("app2")) },
			func(e any) any { return e.(*triggers.PostAuthenticationEvent).CallerContext.ClientID }, "app2"},
		{"WithPassword",
			func() any {
				return triggertest.UserMigration(triggers.UserMigrationForgotPassword, triggertest.WithPassword("pw-123456"))
			},
			func(e any) any { return e.(*triggers.UserMigrationEvent).Request.Password.Reveal() }, "pw-123456"},
		{"WithChallengeAnswer and WithPrivateChallengeParameter",
			func() any {
				return triggertest.VerifyAuthChallenge(triggertest.WithChallengeAnswer("42"),
					triggertest.WithPrivateChallengeParameter("answer", "43"))
			},
			func(e any) any {
				r := e.(*triggers.VerifyAuthChallengeEvent).Request
				return r.ChallengeAnswer.Reveal() + "/" + r.PrivateChallengeParameters["answer"]
			}, "42/43"},
		{"WithSession empty",
			func() any { return triggertest.DefineAuthChallenge(triggertest.WithSession()) },
			func(e any) any { return e.(*triggers.DefineAuthChallengeEvent).Request.Session }, []triggers.ChallengeResult{}},
		{"WithSession",
			func() any {
				return triggertest.CreateAuthChallenge(triggertest.WithSession(
					triggers.ChallengeResult{ChallengeName: "SRP_A", ChallengeResult: true},
					triggers.ChallengeResult{ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: "OTP"}))
			},
			func(e any) any { return e.(*triggers.CreateAuthChallengeEvent).Request.Session },
			[]triggers.ChallengeResult{{ChallengeName: "SRP_A", ChallengeResult: true},
				{ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: "OTP"}}},
		{"WithGroups on a null group configuration",
			func() any {
				return triggertest.PreTokenGeneration(triggers.TokenGenerationClientCredentials, "3", triggertest.WithGroups("g"))
			},
			func(e any) any {
				return e.(*triggers.PreTokenGenerationEvent).Request.GroupConfiguration.GroupsToOverride
			}, []string{"g"}},
		{"WithScopes",
			func() any {
				return triggertest.PreTokenGeneration(triggers.TokenGenerationAuthentication, "2", triggertest.WithScopes("a", "b"))
			},
			func(e any) any { return e.(*triggers.PreTokenGenerationEvent).Request.Scopes }, []string{"a", "b"}},
		{"PreTokenGeneration version",
			func() any { return triggertest.PreTokenGeneration(triggers.TokenGenerationRefreshTokens, "3") },
			func(e any) any {
				ev := e.(*triggers.PreTokenGenerationEvent)
				return fmt.Sprintf("%s %v %v", ev.Version, ev.IsV1(), len(ev.Request.Scopes) > 0)
			}, "3 false true"},
		{"WithCode",
			func() any {
				return triggertest.CustomEmailSender(triggers.CustomEmailSenderAccountTakeOverNotification, triggertest.WithCode("c0de"))
			},
			func(e any) any { return e.(*triggers.CustomEmailSenderEvent).Request.Code.Reveal() }, "c0de"},
		{"Set a JSON boolean decodes leniently",
			func() any {
				return triggertest.CustomMessage(triggers.CustomMessageSignUp,
					triggertest.Set("request.userAttributes.phone_number_verified", true))
			},
			func(e any) any {
				return e.(*triggers.CustomMessageEvent).Request.UserAttributes["phone_number_verified"]
			}, "true"},
		{"Set a response field",
			func() any {
				return triggertest.PreSignUp(triggers.PreSignUpSignUp, triggertest.Set("response.autoConfirmUser", true))
			},
			func(e any) any { return e.(*triggers.PreSignUpEvent).Response.AutoConfirmUser }, true},
		{"Unset",
			func() any {
				return triggertest.InboundFederation(triggertest.Unset("request.attributes.tokenResponse"))
			},
			func(e any) any { return e.(*triggers.InboundFederationEvent).Request.Attributes.TokenResponse == nil }, true},
		{"later options win",
			func() any {
				return triggertest.CustomSMSSender(triggers.CustomSMSSenderSignUp,
					triggertest.WithUserName("a"), triggertest.WithUserName("b"))
			},
			func(e any) any { return e.(*triggers.CustomSMSSenderEvent).UserName }, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.got(tt.build()); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestBuildersReturnFreshEvents(t *testing.T) {
	t.Parallel()
	a := triggertest.PreSignUp(triggers.PreSignUpSignUp)
	a.Request.UserAttributes["email"] = "changed@example.test"
	a.Response.AutoConfirmUser = true
	b := triggertest.PreSignUp(triggers.PreSignUpSignUp)
	if b.Request.UserAttributes["email"] == "changed@example.test" || b.Response.AutoConfirmUser {
		t.Fatal("a change to one built event shows in the next")
	}
}

func TestBuilderMisusePanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call func()
		want string
	}{
		{"source of another trigger", func() { triggertest.PreSignUp(triggers.PostConfirmationConfirmSignUp) },
			"not a PreSignUp trigger source"},
		{"password on pre sign-up", func() {
			triggertest.PreSignUp(triggers.PreSignUpSignUp, triggertest.WithPassword("x"))
		}, "WithPassword does not apply to PreSignUp"},
		{"attribute on inbound federation", func() { triggertest.InboundFederation(triggertest.WithAttribute("a", "b")) },
			"WithAttribute does not apply to InboundFederation"},
		{"validation data on post confirmation", func() {
			triggertest.PostConfirmation(triggers.PostConfirmationConfirmSignUp, triggertest.WithValidationData("a", "b"))
		}, "WithValidationData does not apply"},
		{"missing version", func() { triggertest.PreTokenGeneration(triggers.TokenGenerationClientCredentials, "1") },
			"no fixture"},
		{"unknown source", func() { triggertest.NewEvent("Nope_Nope") }, "unknown triggerSource"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), tt.want) {
					t.Errorf("recovered %v, want a panic about %q", v, tt.want)
				}
			}()
			tt.call()
		})
	}
}

func TestPayload(t *testing.T) {
	t.Parallel()
	// Without options the payload is the fixture byte for byte, quirks included.
	if got := triggertest.Payload(triggers.PostAuthenticationAuthentication); !bytes.Equal(got,
		triggertest.Fixture(triggers.PostAuthenticationAuthentication)) {
		t.Error("payload without options differs from the fixture")
	}
	got := string(triggertest.Payload(triggers.PostAuthenticationAuthentication, triggertest.WithUserName("zoe")))
	for _, want := range []string{`"userName":"zoe"`, `"custom:login_count":41`, `"email_verified":true`} {
		if !strings.Contains(got, want) {
			t.Errorf("payload lacks %s: %s", want, got)
		}
	}
	if got := string(triggertest.Payload(triggers.TokenGenerationHostedAuth, triggertest.WithVersion("2"))); !strings.Contains(got, `"version": "2"`) {
		t.Errorf("WithVersion did not pick version 2: %s", got)
	}
}

func TestNewEventType(t *testing.T) {
	t.Parallel()
	for _, src := range triggers.TriggerSources {
		e := triggertest.NewEvent(src)
		if e.Trigger() != src.Trigger() {
			t.Errorf("%s: event of trigger %s", src, e.Trigger())
		}
	}
}

func TestWithEncryptedCode(t *testing.T) {
	t.Parallel()
	var gotPool string
	enc := func(pool, code string) string { gotPool = pool; return "ciphertext-of-" + code }
	e := triggertest.CustomSMSSender(triggers.CustomSMSSenderSignUp,
		triggertest.Set("userPoolId", "eu-west-1_Other0000"), triggertest.WithEncryptedCode(enc, "424242"))
	if e.Request.Code.Reveal() != "ciphertext-of-424242" || gotPool != "eu-west-1_Other0000" {
		t.Errorf("code %q encrypted for %q", e.Request.Code.Reveal(), gotPool)
	}
	defer func() {
		if recover() == nil {
			t.Error("WithEncryptedCode on a pre sign-up event did not panic")
		}
	}()
	triggertest.PreSignUp(triggers.PreSignUpSignUp, triggertest.WithEncryptedCode(enc, "1"))
}
