package triggertest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// autoConfirmSignUps acts on PreSignUp_SignUp only, as a well-behaved module does.
func autoConfirmSignUps(_ context.Context, e *triggers.PreSignUpEvent) error {
	if e.TriggerSource != triggers.PreSignUpSignUp {
		return nil
	}
	if strings.HasSuffix(e.Request.UserAttributes["email"], "@tempmail.test") {
		return triggers.Reject("Please sign up with a permanent email address")
	}
	e.Response.AutoConfirmUser = true
	return nil
}

func TestRunModuleTestsPassesGoodModules(t *testing.T) {
	t.Parallel()
	triggertest.RunModuleTests(t, autoConfirmSignUps, triggertest.RunConfig{Sources: triggers.Sources{triggers.PreSignUpSignUp}})
	triggertest.RunModuleTests(t, triggers.Chain[triggers.PreTokenGenerationEvent](), triggertest.RunConfig{})
	triggertest.RunModuleTests(t, func(ctx context.Context, e *triggers.VerifyAuthChallengeEvent) error {
		// Logging through the router's logger is fine as long as secrets stay out.
		triggers.Logger(ctx).Info("verifying", "user", e.UserName, "answerLength", len(e.Request.ChallengeAnswer.Reveal()))
		e.Response.AnswerCorrect = e.Request.ChallengeAnswer.Reveal() == e.Request.PrivateChallengeParameters["answer"]
		return nil
	}, triggertest.RunConfig{})
	triggertest.RunModuleTests(t, func(_ context.Context, e *triggers.PreSignUpEvent) error {
		if e.Request.ClientMetadata.Get("invitationCode") != "INV-1" {
			return triggers.Reject("An invitation is required")
		}
		return nil
	}, triggertest.RunConfig{
		Sources:      triggers.Sources{triggers.PreSignUpSignUp, triggers.PreSignUpAdminCreateUser, triggers.PreSignUpExternalProvider},
		EventOptions: []triggertest.Option{triggertest.WithClientMetadata("invitationCode", "INV-1")},
	})
}

func TestRunModuleTestsFindsFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		problem string // a substring of a reported problem
		check   func(t *testing.T) []string
	}{
		{"panic", "module panicked: runtime error: index out of range", func(t *testing.T) []string {
			return triggertest.CheckModule(t, func(_ context.Context, e *triggers.DefineAuthChallengeEvent) error {
				_ = e.Request.Session[len(e.Request.Session)-1] // fails on an empty session
				return nil
			}, triggers.DefineAuthChallengeAuthentication, "", triggertest.RunConfig{EventOptions: []triggertest.Option{triggertest.WithSession()}})
		}},
		{"panic on null maps", "sparse event: module panicked: assignment to entry in nil map",
			func(t *testing.T) []string {
				return triggertest.CheckModule(t, func(_ context.Context, e *triggers.PostConfirmationEvent) error {
					e.Request.ClientMetadata["seen"] = "yes"
					return nil
				}, triggers.PostConfirmationConfirmSignUp, "", triggertest.RunConfig{})
			}},
		{"password logged", "a log line reveals the password", func(t *testing.T) []string {
			return triggertest.CheckModule(t, func(ctx context.Context, e *triggers.UserMigrationEvent) error {
				triggers.Logger(ctx).Debug("legacy login", "password", e.Request.Password.Reveal())
				return nil
			}, triggers.UserMigrationAuthentication, "", triggertest.RunConfig{})
		}},
		{"generated code logged", "a log line reveals the private challenge parameter answer", func(t *testing.T) []string {
			return triggertest.CheckModule(t, func(ctx context.Context, e *triggers.CreateAuthChallengeEvent) error {
				code := "604218"
				e.Response.PrivateChallengeParameters = map[string]string{"answer": code}
				triggers.Logger(ctx).Info("sent code " + code)
				return nil
			}, triggers.CreateAuthChallengeAuthentication, "", triggertest.RunConfig{})
		}},
		{"token logged", "a log line reveals the provider's access_token", func(t *testing.T) []string {
			return triggertest.CheckModule(t, func(ctx context.Context, e *triggers.InboundFederationEvent) error {
				triggers.Logger(ctx).Warn("federated", "tokens", map[string]string(e.Request.Attributes.TokenResponse))
				return nil
			}, triggers.InboundFederationExternalProvider, "", triggertest.RunConfig{})
		}},
		{"sender code in an error", "log line reveals the code", func(t *testing.T) []string {
			return triggertest.CheckModule(t, func(_ context.Context, e *triggers.CustomEmailSenderEvent) error {
				return errors.New("send " + e.Request.Code.Reveal() + ": mailbox full")
			}, triggers.CustomEmailSenderSignUp, "", triggertest.RunConfig{})
		}},
		{"answer in a rejection", "the error text the end user sees reveals the challenge answer", func(t *testing.T) []string {
			return triggertest.CheckModule(t, func(_ context.Context, e *triggers.VerifyAuthChallengeEvent) error {
				return triggers.Rejectf("wrong answer %s", e.Request.ChallengeAnswer.Reveal())
			}, triggers.VerifyAuthChallengeResponseAuthentication, "", triggertest.RunConfig{})
		}},
		{"acts where it should not", "module does not act on PreSignUp_ExternalProvider but changed the response",
			func(t *testing.T) []string {
				return triggertest.CheckModule(t, func(_ context.Context, e *triggers.PreSignUpEvent) error {
					e.Response.AutoConfirmUser = true
					return nil
				}, triggers.PreSignUpExternalProvider, "", triggertest.RunConfig{Sources: triggers.Sources{triggers.PreSignUpSignUp}})
			}},
		{"drops groups where it should not", "claimsAndScopeOverrideDetails: sent nothing, got",
			func(t *testing.T) []string {
				return triggertest.CheckModule(t, func(_ context.Context, e *triggers.PreTokenGenerationEvent) error {
					e.Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{
						GroupOverrideDetails: &triggers.GroupConfiguration{},
					}
					return nil
				}, triggers.TokenGenerationRefreshTokens, "2", triggertest.RunConfig{Sources: triggers.Sources{triggers.TokenGenerationHostedAuth}})
			}},
		{"fails where it should not act", "module does not act on PostConfirmation_ConfirmForgotPassword but the invocation failed",
			func(t *testing.T) []string {
				return triggertest.CheckModule(t, func(context.Context, *triggers.PostConfirmationEvent) error {
					return triggers.MarkCritical(errors.New("welcome email: throttled"))
				}, triggers.PostConfirmationConfirmForgotPassword, "",
					triggertest.RunConfig{Sources: triggers.Sources{triggers.PostConfirmationConfirmSignUp}})
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			problems := tt.check(t)
			for _, p := range problems {
				if strings.Contains(p, tt.problem) {
					return
				}
			}
			t.Errorf("problems %q, want one containing %q", problems, tt.problem)
		})
	}
}

func TestCheckModuleQuietOnGoodModule(t *testing.T) {
	t.Parallel()
	for _, src := range []triggers.TriggerSource{triggers.PreSignUpSignUp, triggers.PreSignUpAdminCreateUser} {
		if problems := triggertest.CheckModule(t, autoConfirmSignUps, src, "",
			triggertest.RunConfig{Sources: triggers.Sources{triggers.PreSignUpSignUp}}); len(problems) > 0 {
			t.Errorf("%s: problems %q", src, problems)
		}
	}
}

func TestRunModuleTestsRefusesSourcesOfAnotherTrigger(t *testing.T) {
	t.Parallel()
	cfg := triggertest.RunConfig{Sources: triggers.Sources{triggers.PostConfirmationConfirmSignUp}}
	err := cfg.Check(triggers.TriggerPreSignUp)
	if err == nil || err.Error() != `triggertest.RunModuleTests: Sources: "PostConfirmation_ConfirmSignUp" is not a PreSignUp trigger source` {
		t.Errorf("error %v", err)
	}
	if err := cfg.Check(triggers.TriggerPostConfirmation); err != nil {
		t.Errorf("sources of the module's trigger: %v", err)
	}
}
