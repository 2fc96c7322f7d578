package triggers_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// A pre sign-up chain: the first module refuses disposable addresses with a text the end
// user sees, the second confirms everyone else.
func ExampleChain() {
	blockTempMail := func(_ context.Context, e *triggers.PreSignUpEvent) error {
		if strings.HasSuffix(e.Request.UserAttributes["email"], "@tempmail.test") {
			return triggers.Reject("Please sign up with a permanent email address")
		}
		return nil
	}
	autoConfirm := func(_ context.Context, e *triggers.PreSignUpEvent) error {
		e.Response.AutoConfirmUser = true
		return nil
	}
	chain := triggers.Chain(blockTempMail, autoConfirm)

	for _, email := range []string{"ana@example.com", "bob@tempmail.test"} {
		e := &triggers.PreSignUpEvent{Request: triggers.PreSignUpRequest{
			UserAttributes: triggers.Attributes{"email": email}}}
		err := chain(context.Background(), e)
		fmt.Printf("%s: confirmed=%t err=%v\n", email, e.Response.AutoConfirmUser, err)
	}
	// Output:
	// ana@example.com: confirmed=true err=<nil>
	// bob@tempmail.test: confirmed=false err=Please sign up with a permanent email address
}

// A router serves several triggers from one function and answers Cognito in its own
// words: the response event, or the error text the end user sees.
func ExampleRouter_Handle() {
	router := triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.DiscardHandler)}).
		PreSignUp(func(_ context.Context, e *triggers.PreSignUpEvent) error {
			if strings.HasSuffix(e.Request.UserAttributes["email"], "@tempmail.test") {
				return triggers.Reject("Invalid email domain: tempmail.test")
			}
			return nil
		}).
		PreTokenGeneration(func(_ context.Context, e *triggers.PreTokenGenerationEvent) error {
			return fmt.Errorf("entitlements table: %w", context.DeadlineExceeded)
		})

	_, err := router.Handle(context.Background(), []byte(`{"version":"1","triggerSource":"PreSignUp_SignUp",
		"userName":"bob","request":{"userAttributes":{"email":"bob@tempmail.test"}},"response":{}}`))
	fmt.Println(err.Type, "|", err.Text())

	_, err = router.Handle(context.Background(), []byte(`{"version":"1","triggerSource":"TokenGeneration_Authentication",
		"userName":"ana","request":{"userAttributes":{}},"response":{"claimsOverrideDetails":null}}`))
	fmt.Println(err.Type, "|", err.Text())

	out, _ := router.Handle(context.Background(), []byte(`{"version":"1","triggerSource":"PreSignUp_SignUp",
		"userName":"ana","request":{"userAttributes":{"email":"ana@example.com","email_verified":true}},"response":{}}`))
	fmt.Println(string(out))
	// Output:
	// Rejected | PreSignUp failed with error Invalid email domain: tempmail.test.
	// InternalError | PreTokenGeneration failed with error The request could not be completed, please try again later.
	// {"version":"1","triggerSource":"PreSignUp_SignUp","region":"","userPoolId":"","userName":"ana","callerContext":{"awsSdkVersion":"","clientId":""},"request":{"userAttributes":{"email":"ana@example.com","email_verified":"true"},"validationData":null,"clientMetadata":null},"response":{"autoConfirmUser":false,"autoVerifyEmail":false,"autoVerifyPhone":false}}
}

// withAuditLog registers h for its trigger behind a module that logs which user the
// trigger ran for: one function for every trigger, where the router's named methods would
// need one call each.
func withAuditLog[E any, P interface {
	*E
	triggers.Event
}](r *triggers.Router, h triggers.Handler[E]) *triggers.Router {
	audit := func(_ context.Context, e *E) error {
		h := P(e).EventHeader()
		fmt.Printf("audit: %s for %s\n", h.TriggerSource, h.UserName)
		return nil
	}
	return triggers.Register[E, P](r, triggers.Chain(audit, h))
}

// Register picks the trigger from the handler's event type, so that code can register
// chains without naming the trigger.
func ExampleRegister() {
	router := triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.DiscardHandler)})
	withAuditLog(router, func(_ context.Context, e *triggers.PreSignUpEvent) error {
		e.Response.AutoConfirmUser = true
		return nil
	})
	withAuditLog(router, func(_ context.Context, e *triggers.PostConfirmationEvent) error { return nil })
	fmt.Println(router.Registered())

	_, err := router.Handle(context.Background(), []byte(`{"version":"1","triggerSource":"PreSignUp_SignUp",
		"userName":"ana","request":{"userAttributes":{}},"response":{}}`))
	fmt.Println(err == nil)
	// Output:
	// [PreSignUp PostConfirmation]
	// audit: PreSignUp_SignUp for ana
	// true
}
