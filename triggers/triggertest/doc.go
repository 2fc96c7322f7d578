// Package triggertest is the kit for testing Cognito trigger modules and chains: fixture
// events for every trigger source, builders that make variants of them, helpers that
// invoke a function or a lone chain through the JSON boundary exactly as Lambda does, and
// [RunModuleTests], a conformance check every module should pass.
//
// The fixtures are events as Cognito sends them, quirks included: attribute values that
// are JSON booleans, null maps, null responses. [Fixture] returns one as JSON; the typed
// builders ([PreSignUp], [PreTokenGeneration], ...) return it decoded, changed by options
// that work on every event type ([WithAttribute], [WithClientMetadata], [Set], ...).
//
// [Invoke] runs a whole function, such as the [*triggers.Router] a Lambda main starts, on
// an event as JSON, and [InvokeEvent] on an event a builder made; [InvokeHandler] and
// [InvokeHandlerPayload] do the same for one chain alone. All go through the JSON
// boundary and return a [Result] holding the response JSON or the error as Lambda
// reports it (message and errorType), with Require checks; [EventAs] decodes the
// response. They take a [TB], which *testing.T satisfies. [NewAuthFlow] plays Cognito's
// side of a custom authentication flow against the define, create and verify triggers.
//
//	func TestSignUpChain(t *testing.T) {
//		chain := triggers.Chain(denyTempMail, autoConfirm)
//
//		res := triggertest.InvokeHandler(t, chain, triggertest.PreSignUp(triggers.PreSignUpSignUp,
//			triggertest.WithAttribute("email", "someone@tempmail.test")))
//		res.RequireRejected(t, "permanent email")
//
//		res = triggertest.InvokeHandlerPayload(t, chain, triggertest.Payload(triggers.PreSignUpSignUp))
//		if !triggertest.EventAs[triggers.PreSignUpEvent](res.RequireOK(t)).Response.AutoConfirmUser {
//			t.Error("user not confirmed")
//		}
//	}
//
//	func TestDenyTempMailConformance(t *testing.T) {
//		triggertest.RunModuleTests(t, denyTempMail, triggertest.RunConfig{Sources: triggers.Sources{triggers.PreSignUpSignUp}})
//	}
package triggertest
