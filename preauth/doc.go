// Package preauth holds modules for Cognito's pre authentication trigger, which runs
// when a user tries to sign in, before Cognito checks the password: block suspended
// users (by attribute, by a predicate or by a DynamoDB block list with optional end
// times), keep some users to given app clients, allow or deny networks, and require a
// verified email address or phone number.
//
// A module that refuses a sign-in returns a [triggers.Rejected], whose text the user
// sees as "PreAuthentication failed with error <text>."; [Chain] stops at the first one.
// Each constructor takes one config struct, whose zero fields mean the documented
// defaults (every one has a Message field for the text the user sees), and returns
// (Handler, error): a configuration mistake (a bad network, a missing table) is reported
// when the chain is built. [Must] turns it into a panic at start-up. Every module acts on PreAuthentication_Authentication, the
// trigger's one source, and does nothing on any other. A nil AWS client means the
// process-wide default client.
//
//	suspended := preauth.Must(preauth.BlockAttribute(preauth.BlockAttributeConfig{
//		Attribute: "custom:status", Values: []string{"suspended", "disabled"}}))
//	blocked := preauth.Must(preauth.BlockList(preauth.BlockListConfig{Table: "blocked-users"}))
//	admins, _ := preauth.AttributeIn("custom:role", "admin")
//	console := preauth.Must(preauth.RestrictClients(preauth.RestrictClientsConfig{
//		Who: admins, ClientIDs: []string{"5mq8console"}}))
//	office := preauth.Must(preauth.DenyNetworks(preauth.NetworksConfig{
//		Networks: []string{"203.0.113.0/24", "2001:db8:bad::/48"}}))
//	verified := preauth.Must(preauth.RequireVerifiedEmail(preauth.VerifiedConfig{}))
//	triggers.Start(triggers.NewRouter(triggers.RouterConfig{}).PreAuthentication(
//		preauth.Chain(suspended, console, office, verified, blocked)))
//
// # Users who do not exist
//
// With PreventUserExistenceErrors enabled on the app client, Cognito calls this trigger
// for user names it does not know too, with userNotFound true and no attributes. No
// module here looks at userNotFound: each answers such a request exactly as it answers
// a real user with the same attributes, user name, app client and request data, with
// the same text and error type, and [BlockList] makes the same DynamoDB lookup, so that
// neither the answer nor its timing tells whether the user exists. What the answer does
// reveal follows from the inputs: an unknown user has no attributes, so
// [RequireVerifiedEmail] refuses it as an unverified user, and [BlockAttribute] lets it
// through as a user without the attribute.
//
// Every answer comes before the password check, so it is given to anyone who types the
// user name. A module that refuses a real user tells that a user it applies to exists
// (a blocked user, an administrator on the wrong app client); and since most users are
// verified, the verification modules tell apart a real, verified user (who reaches
// Cognito's "Incorrect username or password") from an unknown name (refused with the
// module's text). Where user names must not be told apart at all, check verification
// after the password instead, in a pre token generation module.
package preauth
