package federation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/lambda-triggers/cognito/federation"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// FuzzModules sends arbitrary provider answers through the router to every module:
// none may panic, a failure is a refusal or nothing, and a mapped answer never holds a
// value over the length limit.
func FuzzModules(f *testing.F) {
	seed, err := json.Marshal(oidc())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	saml, err := os.ReadFile("testdata/saml.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(saml)
	for _, attrs := range []string{
		`{"idToken":{"email_verified":{"x":[1,null]},"groups":[[],{},null,true,1e400],"address":"x"}}`,
		`{"userInfo":{"address":{"locality":{"a":[]}}},"samlResponse":{"groups":null}}`,
		`{"idToken":null,"userInfo":[],"samlResponse":"x","tokenResponse":{"access_token":1}}`,
	} {
		f.Add(fmt.Appendf(nil, `{"version":"1","triggerSource":"InboundFederation_ExternalProvider","userName":"u",`+
			`"request":{"providerName":"Okta","providerType":"OIDC","attributes":%s},"response":{}}`, attrs))
	}
	var panicked error
	chain := federation.Chain(
		federation.Must(federation.AllowProviders(federation.ProvidersConfig{Providers: []string{"Okta", "Google", "CorporateSAML"}})),
		federation.Must(federation.RequireVerifiedEmail(federation.VerifiedEmailConfig{VerifiedFrom: []federation.Source{
			federation.Claim("email_verified"), federation.From(federation.UserInfo, "address", "verified")}})),
		federation.Must(federation.MapAttributes(federation.MapConfig{
			PoolMapping: map[string]string{"email": "email", "name": "name"},
			Mapping: federation.Mapping{
				"custom:groups": federation.Claim("groups"),
				"custom:city":   federation.Claim("address", "locality"),
				"custom:saml":   federation.From(federation.SAML, samlGroups),
			},
			ListsAsJSON: true,
		})),
		federation.Must(federation.EnforceLimits(federation.LimitsConfig{OverLimit: federation.RefuseOverLimit})),
	)
	guarded := func(ctx context.Context, e *federation.Event) (err error) {
		defer func() {
			if v := recover(); v != nil {
				panicked = fmt.Errorf("panic: %v", v)
				err = panicked
			}
		}()
		return chain(ctx, e)
	}
	router := triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).InboundFederation(guarded)
	f.Fuzz(func(t *testing.T, payload []byte) {
		panicked = nil
		out, ierr := router.Handle(context.Background(), payload)
		if panicked != nil {
			t.Fatalf("%v for %s", panicked, payload)
		}
		if ierr != nil {
			if ierr.Type == triggers.ErrorTypeInternal {
				t.Fatalf("internal error %q for %s", ierr.Message, payload)
			}
			return
		}
		e := triggertest.EventAs[triggers.InboundFederationEvent](triggertest.InvokeHandlerPayload(t, func(context.Context, *federation.Event) error { return nil }, out).
			RequireOK(t))
		for k, v := range e.Response.UserAttributesToMap {
			if utf8.RuneCountInString(v) > federation.MaxValueLength {
				t.Fatalf("%s holds %d characters", k, utf8.RuneCountInString(v))
			}
		}
	})
}
