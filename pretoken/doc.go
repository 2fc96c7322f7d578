// Package pretoken holds modules for Cognito's pre token generation trigger: static
// claims, claims from user attributes, claims looked up in DynamoDB, scopes, and group
// and role overrides, for event versions 1, 2 and 3 alike.
//
// One set of calls writes every version's response. Modules and the helpers they share
// ([AddClaim], [SuppressClaim], [AddScope], [SuppressScope], [SetGroups], [AddGroups],
// [RemoveGroups], [SetIAMRoles], [SetPreferredRole]) merge into what earlier modules
// wrote and allocate the response only when they write, so a chain that changes nothing
// answers exactly as Cognito asked. As in Cognito, a suppressed claim or scope stays
// suppressed whatever a later module adds. Cognito reads an empty group override as "no
// groups", so a response with claim or scope changes also carries the request's groups,
// unchanged unless a module changed them on purpose.
//
// A version 1 event can change the ID token only, and its claim values are strings: a
// value that is not a string goes there as its JSON text (true as "true"). Versions 2
// and 3 also change the access token and its scopes, and take any JSON value. The
// machine-to-machine event (TokenGeneration_ClientCredentials, version 3) has no user
// and no ID token: modules that need a user do nothing there, and claims go to the
// access token. [Tokens] tells which tokens an event can change.
//
// Every constructor takes one config struct, named for the module, that holds all its
// settings, and returns (Handler, error): a claim Cognito would refuse to change (sub,
// iss, aud in the ID token, cognito:username, dev: claims other than suppressing
// them...) or a scope with white space is reported when the chain is built, never at
// sign-in. [Must] turns the error into a panic for package-level chains. The claim
// modules' Tokens field says which tokens they write to (zero: both, as far as each
// event allows); a nil Client means the process-wide default client.
//
//	static, err := pretoken.OverrideClaims(pretoken.ClaimsConfig{
//		Add: map[string]any{"plan": "pro"}, Suppress: []string{"email"}})
//	tenant, err := pretoken.ClaimsFromAttributes(pretoken.AttributesConfig{
//		Claims: map[string]string{"custom:tenant_id": "tenant"}})
//	perms, err := pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{
//		Table: "entitlements", KeyAttribute: "userId",
//		Claims: map[string]string{"permissions": "permissions"}, Tokens: pretoken.AccessToken,
//		MissingClaims: map[string]any{"permissions": []string{}}})
//	scopes, err := pretoken.OverrideScopes(pretoken.ScopesConfig{Add: []string{"api/read"}})
//
//	router := triggers.NewRouter(triggers.RouterConfig{}).PreTokenGeneration(pretoken.Chain(static, tenant, perms, scopes))
//	triggers.Start(router)
package pretoken
