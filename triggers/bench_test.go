package triggers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambda-triggers/cognito/triggers"
)

// benchPayload is the pre sign-up event every BenchmarkInvoke case runs: eight user
// attributes (one of them a boolean, in the string form aws-lambda-go's
// map[string]string can decode, so that the raw handler does the same work and
// succeeds), validation data and client metadata. It is compacted, as Lambda delivers
// Cognito's events.
func benchPayload(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/codec/bench_presignup.json")
	if err != nil {
		tb.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		tb.Fatal(err)
	}
	return compact.Bytes()
}

var benchDeniedDomains = map[string]bool{"mailinator.com": true, "tempmail.test": true, "guerrillamail.com": true}

// benchDeniedEmail is the deny-list check of the raw handler and of the first module.
func benchDeniedEmail(email string) bool {
	_, domain, _ := strings.Cut(email, "@")
	return benchDeniedDomains[strings.ToLower(domain)]
}

func benchDenyList(_ context.Context, e *triggers.PreSignUpEvent) error {
	if benchDeniedEmail(e.Request.UserAttributes["email"]) {
		return triggers.Reject("Please sign up with a permanent email address")
	}
	return nil
}

func codecNoop[E any](context.Context, *E) error { return nil }

// benchFiveModules is the deny-list check followed by four modules that leave the event as is.
func benchFiveModules() triggers.Handler[triggers.PreSignUpEvent] {
	noop := codecNoop[triggers.PreSignUpEvent]
	return triggers.Chain(benchDenyList, noop, noop, noop, noop)
}

func codecDiscardLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// codecEveryTrigger registers a one-module chain for every trigger but pre sign-up.
func codecEveryTrigger(r *triggers.Router) *triggers.Router {
	return r.
		PostConfirmation(triggers.Chain(codecNoop[triggers.PostConfirmationEvent])).
		PreAuthentication(triggers.Chain(codecNoop[triggers.PreAuthenticationEvent])).
		PostAuthentication(triggers.Chain(codecNoop[triggers.PostAuthenticationEvent])).
		DefineAuthChallenge(triggers.Chain(codecNoop[triggers.DefineAuthChallengeEvent])).
		CreateAuthChallenge(triggers.Chain(codecNoop[triggers.CreateAuthChallengeEvent])).
		VerifyAuthChallenge(triggers.Chain(codecNoop[triggers.VerifyAuthChallengeEvent])).
		PreTokenGeneration(triggers.Chain(codecNoop[triggers.PreTokenGenerationEvent])).
		UserMigration(triggers.Chain(codecNoop[triggers.UserMigrationEvent])).
		CustomMessage(triggers.Chain(codecNoop[triggers.CustomMessageEvent])).
		CustomEmailSender(triggers.Chain(codecNoop[triggers.CustomEmailSenderEvent])).
		CustomSMSSender(triggers.Chain(codecNoop[triggers.CustomSMSSenderEvent])).
		InboundFederation(triggers.Chain(codecNoop[triggers.InboundFederationEvent]))
}

// BenchmarkInvoke compares one warm invocation of the same pre sign-up event through a
// hand-written aws-lambda-go handler (raw), through a router with a five-module chain
// (chain-5), and through a router that has every trigger registered (router-5).
func BenchmarkInvoke(b *testing.B) {
	payload := benchPayload(b)
	ctx := context.Background()

	raw := lambda.NewHandler(func(_ context.Context, e events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		if benchDeniedEmail(e.Request.UserAttributes["email"]) {
			return e, errors.New("please sign up with a permanent email address")
		}
		return e, nil
	})
	chain := triggers.NewRouter(triggers.RouterConfig{Logger: codecDiscardLogger()}).PreSignUp(benchFiveModules())
	router := codecEveryTrigger(triggers.NewRouter(triggers.RouterConfig{Logger: codecDiscardLogger()}).PreSignUp(benchFiveModules()))

	for _, bc := range []struct {
		name string
		h    interface {
			Invoke(context.Context, []byte) ([]byte, error)
		}
	}{
		{"raw", raw},
		{"chain-5", chain},
		{"router-5", router},
		{"chain-5-named", triggers.NewRouter(triggers.RouterConfig{Logger: codecDiscardLogger()}).PreSignUp(benchFiveNamedModules())},
		{"chain-5-metrics", benchObserved(benchFiveModules(), false)},
		{"chain-5-named-metrics", benchObserved(benchFiveNamedModules(), false)},
		{"chain-5-metrics-tracing", benchObserved(benchFiveModules(), true)},
		{"chain-5-named-metrics-tracing", benchObserved(benchFiveNamedModules(), true)},
	} {
		if _, err := bc.h.Invoke(ctx, payload); err != nil {
			b.Fatalf("%s: %v", bc.name, err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := bc.h.Invoke(ctx, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestInvokeAllocatesNothingPerModule checks that a module costs no allocation: a
// ten-module chain allocates exactly what a one-module chain does per invocation.
func TestInvokeAllocatesNothingPerModule(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not exact under the race detector")
	}
	payload := benchPayload(t)
	ctx := context.Background()
	noop := codecNoop[triggers.PreSignUpEvent]
	ten := make([]triggers.Handler[triggers.PreSignUpEvent], 10)
	for i := range ten {
		ten[i] = noop
	}
	allocs := func(h triggers.Handler[triggers.PreSignUpEvent]) float64 {
		r := triggers.NewRouter(triggers.RouterConfig{Logger: codecDiscardLogger()}).PreSignUp(h)
		if _, ierr := r.Handle(ctx, payload); ierr != nil {
			t.Fatal(ierr)
		}
		return testing.AllocsPerRun(200, func() {
			if _, ierr := r.Handle(ctx, payload); ierr != nil {
				panic(ierr)
			}
		})
	}
	one, many := allocs(triggers.Chain(noop)), allocs(triggers.Chain(ten...))
	if one != many {
		t.Errorf("allocations per invocation: 1 module %v, 10 modules %v; want equal", one, many)
	}
	t.Logf("allocations per invocation: %v", one)
}
