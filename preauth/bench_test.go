package preauth_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/lambda-triggers/cognito/preauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// BenchmarkInvoke runs a sign-in that passes every module but the block list through
// the router: decode, five modules, encode.
func BenchmarkInvoke(b *testing.B) {
	admins, err := preauth.AttributeIn("custom:role", "admin")
	if err != nil {
		b.Fatal(err)
	}
	router := triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.DiscardHandler)}).PreAuthentication(preauth.Chain(
		preauth.Must(preauth.BlockAttribute(preauth.BlockAttributeConfig{
			Attribute: "custom:status",
			Values:    []string{"suspended", "disabled"},
		})),
		preauth.Must(preauth.RestrictClients(preauth.RestrictClientsConfig{Who: admins, ClientIDs: []string{"console"}})),
		preauth.Must(preauth.AllowNetworks(preauth.NetworksConfig{Networks: []string{"10.0.0.0/8", "2001:db8::/32"}})),
		preauth.Must(preauth.DenyNetworks(preauth.NetworksConfig{Networks: []string{"10.66.0.0/16"}})),
		preauth.Must(preauth.RequireVerifiedEmail(preauth.VerifiedConfig{})),
	))
	payload := triggertest.Payload(triggers.PreAuthenticationAuthentication, triggertest.WithValidationData("ipAddress", "10.1.2.3"))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := router.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}
