// Package federation holds modules for Cognito's inbound federation trigger, which runs
// when a user signs in through an external identity provider (OIDC, SAML or a social
// provider), before Cognito stores the user's attributes: map what the provider sent
// to user pool attributes ([MapAttributes]), refuse an unverified email address
// ([RequireVerifiedEmail]), allow only some providers ([AllowProviders]), and keep
// values within Cognito's limits ([EnforceLimits]).
//
// Providers send typed values: groups as an array, address as an object,
// email_verified as a boolean, a SAML attribute with several values as an array. The
// modules read them in that shape through triggers.ProviderValues, so a list or a
// nested value maps as itself rather than as JSON text.
//
// The provider's tokens (the event's tokenResponse) are secrets: no module here reads
// them, and the event logs their names only, never their values.
//
// Every module acts on InboundFederation_ExternalProvider, the trigger's only source.
// Each constructor takes one config struct and returns (Handler, error); [Must] turns
// the error into a panic.
//
//	check := federation.Must(federation.AllowProviders(federation.ProvidersConfig{Providers: []string{"Okta"}}))
//	verified := federation.Must(federation.RequireVerifiedEmail(federation.VerifiedEmailConfig{}))
//	attrs := federation.Must(federation.MapAttributes(federation.MapConfig{
//		PoolMapping: map[string]string{"email": "email", "given_name": "given_name"},
//		Mapping: federation.Mapping{
//			"custom:groups": federation.Claim("groups"),
//			"custom:city":   federation.Claim("address", "locality"),
//		},
//	}))
//	triggers.Start(triggers.NewRouter(triggers.RouterConfig{}).InboundFederation(federation.Chain(check, verified, attrs)))
package federation
