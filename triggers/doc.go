// Package triggers is the core of the library: typed events for every Cognito user pool
// trigger, ordered chains of modules, middleware written once for all triggers, the
// error model, a router that serves several triggers from one Lambda function, and
// [Start], which runs the function inside Lambda or, outside it, once on an event file
// or as a local Lambda Invoke API server.
//
// A module is a [Handler]: a function that reads the event's request and writes its
// response in place. [Chain] runs modules in order and stops at the first error.
// [Reject] is a deliberate denial whose text the end user sees; any other error is
// logged in full and the end user sees a generic text.
//
//	func main() {
//		blockTempMail := func(ctx context.Context, e *triggers.PreSignUpEvent) error {
//			if strings.HasSuffix(e.Request.UserAttributes["email"], "@tempmail.test") {
//				return triggers.Reject("Please sign up with a permanent email address")
//			}
//			return nil
//		}
//		autoConfirm := func(ctx context.Context, e *triggers.PreSignUpEvent) error {
//			e.Response.AutoConfirmUser = true
//			return nil
//		}
//		triggers.Start(triggers.NewRouter(triggers.RouterConfig{}).
//			PreSignUp(triggers.Chain(blockTempMail, autoConfirm)))
//	}
//
// Each trigger family has a package of ready modules (presignup, postconfirm, preauth,
// postauth, federation, pretoken, customauth, custommessage, migrate, customsender),
// most of which give the family's event and handler short names (presignup.Event is
// [PreSignUpEvent], presignup.Handler is Handler[PreSignUpEvent]).
package triggers
