package federation_test

import (
	"context"
	"testing"

	"github.com/lambda-triggers/cognito/federation"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// BenchmarkInvoke measures a warm invocation of a three-module inbound federation chain
// through the router: decode, check the provider and the email, map a list and a nested
// value, encode.
func BenchmarkInvoke(b *testing.B) {
	chain := federation.Chain(
		federation.Must(federation.AllowProviders(federation.ProvidersConfig{Providers: []string{"Google"}})),
		federation.Must(federation.RequireVerifiedEmail(federation.VerifiedEmailConfig{})),
		federation.Must(federation.MapAttributes(federation.MapConfig{
			PoolMapping: map[string]string{"email": "email", "name": "name"},
			Mapping:     federation.Mapping{"custom:groups": federation.Claim("groups"), "custom:city": federation.Claim("address", "locality")},
		})),
	)
	router := triggers.NewRouter(triggers.RouterConfig{Budget: triggers.NoBudget}).InboundFederation(chain)
	payload := triggertest.Payload(triggers.InboundFederationExternalProvider,
		triggertest.Set("request.attributes.idToken.groups", []string{"staff", "sso"}),
		triggertest.Set("request.attributes.userInfo.address", map[string]string{"locality": "Sevilla"}))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, ierr := router.Handle(ctx, payload); ierr != nil {
			b.Fatal(ierr)
		}
	}
}
