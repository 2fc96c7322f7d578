package triggertest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// printT stands in for the *testing.T a test function passes: it prints failures.
type printT struct{}

func (printT) Helper()                           {}
func (printT) Errorf(format string, args ...any) { fmt.Printf("FAIL: "+format+"\n", args...) }
func (printT) FailNow()                          {}

// A test of a pre sign-up chain: the fixture event with a throwaway address is rejected
// with a message the end user sees, the plain fixture is confirmed.
func Example() {
	var t triggertest.TB = printT{} // in a test function: t *testing.T

	denyTempMail := func(ctx context.Context, e *triggers.PreSignUpEvent) error {
		if strings.HasSuffix(e.Request.UserAttributes["email"], "@tempmail.test") {
			return triggers.Reject("Please sign up with a permanent email address")
		}
		return nil
	}
	autoConfirm := func(ctx context.Context, e *triggers.PreSignUpEvent) error {
		e.Response.AutoConfirmUser = true
		return nil
	}
	chain := triggers.Chain(denyTempMail, autoConfirm)

	res := triggertest.InvokeHandler(t, chain, triggertest.PreSignUp(triggers.PreSignUpSignUp,
		triggertest.WithAttribute("email", "someone@tempmail.test")))
	res.RequireRejected(t, "permanent email")
	fmt.Println(res.Text())

	res = triggertest.InvokeHandler(t, chain, triggertest.PreSignUp(triggers.PreSignUpSignUp))
	fmt.Println("confirmed:", triggertest.EventAs[triggers.PreSignUpEvent](res.RequireOK(t)).Response.AutoConfirmUser)
	// Output:
	// PreSignUp failed with error Please sign up with a permanent email address.
	// confirmed: true
}

// A whole function, as its main would start it, invoked with the exact bytes Cognito
// sends for a version 2 pre token generation event.
func ExampleInvoke() {
	t := printT{}
	router := triggers.NewRouter(triggers.RouterConfig{}).PreTokenGeneration(func(ctx context.Context, e *triggers.PreTokenGenerationEvent) error {
		if e.IsV1() {
			return nil
		}
		e.Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{
			AccessTokenGeneration: &triggers.AccessTokenGeneration{
				ClaimsToAddOrOverride: map[string]any{"tenant": e.Request.UserAttributes["custom:tenant_id"]},
			},
		}
		return nil
	})

	payload := triggertest.FixtureVersion(triggers.TokenGenerationAuthentication, "2")
	res := triggertest.Invoke(t, router, payload).RequireOK(t)
	details := triggertest.EventAs[triggers.PreTokenGenerationEvent](res).Response.ClaimsAndScopeOverrideDetails
	fmt.Println("tenant claim:", details.AccessTokenGeneration.ClaimsToAddOrOverride["tenant"])
	fmt.Println("groups kept:", slices.Equal(details.GroupOverrideDetails.GroupsToOverride,
		triggertest.EventAs[triggers.PreTokenGenerationEvent](res).Request.GroupConfiguration.GroupsToOverride))
	// Output:
	// tenant claim: tenant-eu-0042
	// groups kept: true
}

// ResponseDiff tells what Cognito would read differently in a function's answer.
func ExampleResponseDiff() {
	sent := []byte(`{"response": {"smsMessage": null, "emailMessage": null, "emailSubject": null}}`)
	got := []byte(`{"response": {"smsMessage": "", "emailMessage": "Your code is {####}"}}`)
	fmt.Println(triggertest.ResponseDiff(sent, got))
	// Output:
	// response.emailMessage: sent nothing, got "Your code is {####}"
	// response.smsMessage: sent nothing, got ""
}
