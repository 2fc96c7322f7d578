// Package custommessage writes the messages Cognito sends: verification emails with a
// one-click confirmation link, and localised email and SMS templates for every custom
// message trigger source. It also provides the HTTP endpoint such a link opens.
//
// A chain runs its modules in order, each seeing the messages the ones before it wrote:
//
//	link, err := custommessage.NewConfirmLink(
//		"https://confirm.example.com/", "https://app.example.com/welcome")
//	verify, err := custommessage.VerificationLink(custommessage.VerificationLinkConfig{
//		Link: link, Subject: "Welcome! Please verify your email"})
//	texts, err := custommessage.Templates(custommessage.TemplatesConfig{Catalog: custommessage.Catalog{
//		"":   {triggers.CustomMessageForgotPassword: {SMS: "Your reset code: {{.Code}}"}},
//		"de": {triggers.CustomMessageForgotPassword: {SMS: "Ihr Code: {{.Code}}"}},
//	}})
//	router := triggers.NewRouter(triggers.RouterConfig{}).CustomMessage(custommessage.Chain(verify, texts))
//	triggers.Start(router)
//
// and, in a second function behind a Lambda function URL at https://confirm.example.com/:
//
//	h, err := custommessage.ConfirmHandler(custommessage.ConfirmHandlerConfig{
//		ClientID: clientID, AllowedRedirects: []string{"https://app.example.com/welcome"}})
//	lambda.Start(custommessage.FunctionURL(h))
//
// # Modules and errors
//
// Each constructor takes one config struct and returns (Handler, error) or
// (http.Handler, error): a bad URL, a template
// that does not parse or can never contain the code, a subject over 140 characters is a
// construction error, reported once at start-up. Each module documents the trigger
// sources it acts on and is a no-op on the others. A field a module does not set stays
// unset in the response (not ""), so Cognito keeps its own text for it.
//
// A message that turns out invalid at run time (a template error, a missing
// placeholder, over Cognito's length limits) is by default logged at error level and
// left out, so that Cognito sends its default message and the user's sign-up or
// password reset still works; with FailOnInvalid in the module's config the trigger fails instead.
//
// # Placeholders
//
// Cognito sends placeholders, not codes: codeParameter ("{####}"), usernameParameter
// ("{username}", for AdminCreateUser) and linkParameter ("{##Click Here##}", which it
// turns into its own link only in pools that verify by link). It finds them by their literal text in the returned message and
// substitutes the code after the trigger returns. So the modules never escape them:
// [ConfirmLink] appends "code={####}" to the otherwise URL-encoded link as is, and
// [Templates] keeps the placeholders intact even where html/template would
// percent-encode braces (inside href attributes).
//
// # Pool settings
//
// Cognito accepts a custom email subject and body only from a pool that sends email
// through Amazon SES (email sending account DEVELOPER); otherwise it fails the request
// with InvalidLambdaResponseException. [VerificationLink] needs the pool to verify by
// code: it builds the link itself.
//
// # The confirmation endpoint
//
// [ConfirmHandler] confirms the user and redirects only to targets on its allow list
// (scheme, host and port exact, path by prefix). It refuses anything a browser could
// read differently from Go's URL parser: protocol-relative "//host", backslashes,
// control characters and spaces, non-ASCII, user info ("https://allowed@evil"),
// look-alike hosts ("https://allowed.com.evil.com"), dot segments and encoded slashes in
// the path, and non-http schemes such as javascript:. A link it refuses has no effect.
package custommessage
