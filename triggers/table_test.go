package triggers_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestEveryTriggerHasItsSources checks the table of triggers from the outside: every
// trigger has documented sources, each of them maps back to it, and no source belongs to
// two triggers.
func TestEveryTriggerHasItsSources(t *testing.T) {
	t.Parallel()
	if len(triggers.Triggers) == 0 {
		t.Fatal("Triggers is empty")
	}
	seen := map[triggers.TriggerSource]triggers.Trigger{}
	for _, trigger := range triggers.Triggers {
		srcs := trigger.Sources()
		if len(srcs) == 0 {
			t.Errorf("%s.Sources() is empty", trigger)
		}
		for _, src := range srcs {
			if got := src.Trigger(); got != trigger {
				t.Errorf("%s.Trigger() = %q, listed under %s", src, got, trigger)
			}
			if other, ok := seen[src]; ok {
				t.Errorf("%s listed under %s and %s", src, other, trigger)
			}
			seen[src] = trigger
		}
	}
	if len(seen) != len(triggers.TriggerSources) {
		t.Errorf("the triggers list %d sources, TriggerSources %d", len(seen), len(triggers.TriggerSources))
	}
	for _, src := range triggers.TriggerSources {
		if seen[src] == "" {
			t.Errorf("%s is in TriggerSources but no trigger lists it", src)
		}
	}
	srcs := triggers.TriggerPreSignUp.Sources()
	srcs[0] = "changed"
	if triggers.TriggerPreSignUp.Sources()[0] == "changed" {
		t.Error("Sources returns the table's own list")
	}
	if got := triggers.Trigger("Nope").Sources(); got != nil {
		t.Errorf(`Trigger("Nope").Sources() = %v, want nil`, got)
	}
}

func TestTriggerSourcePrefixes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		src  triggers.TriggerSource
		want triggers.Trigger
	}{
		{"VerifyAuthChallengeResponse_Authentication", triggers.TriggerVerifyAuthChallenge},
		{"VerifyAuthChallenge_Authentication", triggers.TriggerVerifyAuthChallenge},
		{"TokenGeneration_SomethingNew", triggers.TriggerPreTokenGeneration},
		{"PreTokenGeneration_HostedAuth", ""},
		{"PreSignUp_Future", triggers.TriggerPreSignUp},
		{"PreSignUp", ""},
		{"_SignUp", ""},
		{"", ""},
	} {
		if got := tt.src.Trigger(); got != tt.want {
			t.Errorf("%q.Trigger() = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestErrorPolicy(t *testing.T) {
	t.Parallel()
	for _, trigger := range triggers.Triggers {
		want := triggers.FailTrigger
		if trigger == triggers.TriggerPostConfirmation || trigger == triggers.TriggerPostAuthentication {
			want = triggers.BestEffort
		}
		if got := trigger.ErrorPolicy(); got != want {
			t.Errorf("%s.ErrorPolicy() = %v, want %v", trigger, got, want)
		}
	}
	if got := triggers.Trigger("Nope").ErrorPolicy(); got != triggers.FailTrigger {
		t.Errorf("unknown trigger's policy = %v, want FailTrigger", got)
	}
}

// TestRegister registers every trigger's chain with the generic entry point and runs each
// trigger's fixture through the JSON boundary: the event reaches its chain typed, and
// the chain's write comes back.
func TestRegister(t *testing.T) {
	t.Parallel()
	ran := map[triggers.Trigger]int{}
	r := triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.DiscardHandler)})
	note := func(e triggers.Event) { ran[e.Trigger()]++; e.EventHeader().UserName = "seen-by-chain" }
	triggers.Register(r, func(_ context.Context, e *triggers.PreSignUpEvent) error { note(e); return nil })
	triggers.Register(r, func(_ context.Context, e *triggers.CustomMessageEvent) error { note(e); return nil })
	triggers.Register(r, func(_ context.Context, e *triggers.PostConfirmationEvent) error { note(e); return nil })
	triggers.Register(r, func(_ context.Context, e *triggers.UserMigrationEvent) error { note(e); return nil })
	triggers.Register(r, func(_ context.Context, e *triggers.PreAuthenticationEvent) error { note(e); return nil })
	triggers.Register(r, func(_ context.Context, e *triggers.DefineAuthChallengeEvent) error { note(e); return nil })
	triggers.Register(r, func(_ context.Context, e *triggers.CreateAuthChallengeEvent) error { note(e); return nil })
	triggers.Register(r, func(_ context.Context, e *triggers.VerifyAuthChallengeEvent) error { note(e); return nil })
	triggers.Register(r, func(_ context.Context, e *triggers.PostAuthenticationEvent) error { note(e); return nil })
	triggers.Register(r, func(_ context.Context, e *triggers.PreTokenGenerationEvent) error { note(e); return nil })
	triggers.Register(r, func(_ context.Context, e *triggers.CustomEmailSenderEvent) error { note(e); return nil })
	triggers.Register(r, func(_ context.Context, e *triggers.CustomSMSSenderEvent) error { note(e); return nil })
	triggers.Register(r, func(_ context.Context, e *triggers.InboundFederationEvent) error { note(e); return nil })
	if got := r.Registered(); len(got) != len(triggers.Triggers) {
		t.Fatalf("Registered() = %v, want every trigger", got)
	}
	for _, src := range triggers.TriggerSources {
		out, ierr := r.Handle(context.Background(), triggertest.Fixture(src))
		if ierr != nil {
			t.Errorf("%s: %v", src, ierr)
			continue
		}
		var head struct {
			UserName      string `json:"userName"`
			TriggerSource string `json:"triggerSource"`
		}
		if err := json.Unmarshal(out, &head); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if head.UserName != "seen-by-chain" || head.TriggerSource != string(src) {
			t.Errorf("%s: answered userName %q triggerSource %q", src, head.UserName, head.TriggerSource)
		}
	}
	for _, trigger := range triggers.Triggers {
		if want := len(trigger.Sources()); ran[trigger] != want {
			t.Errorf("%s chain ran %d times, want %d", trigger, ran[trigger], want)
		}
	}
}

// notAnEvent satisfies triggers.Event without being one of the package's event types.
type notAnEvent struct{ triggers.Header }

func (*notAnEvent) Trigger() triggers.Trigger { return triggers.TriggerPreSignUp }
func (notAnEvent) LogValue() slog.Value       { return slog.Value{} }

func TestRegisterRefusesForeignEventTypes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		reg  func(r *triggers.Router)
		want string
	}{
		{"foreign type", func(r *triggers.Router) {
			triggers.Register(r, func(context.Context, *notAnEvent) error { return nil })
		}, "is not the event type of a trigger"},
		{"nil handler", func(r *triggers.Router) {
			triggers.Register[triggers.PreSignUpEvent](r, nil)
		}, "nil handler"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if p := recover(); p == nil || !strings.Contains(p.(string), tt.want) {
					t.Errorf("panic %v, want one that says %q", p, tt.want)
				}
			}()
			tt.reg(triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.DiscardHandler)}))
		})
	}
}
