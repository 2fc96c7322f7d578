package triggers_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambda-triggers/cognito/triggers"
)

// lambdaErrorType is how aws-lambda-go names an error it reports to Lambda: the name of
// the error's type.
func lambdaErrorType(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// A chain run inside a plain aws-lambda-go handler reports a rejection with errorType
// Rejected, the name the router uses too.
func TestRejectionInsidePlainLambdaHandler(t *testing.T) {
	t.Parallel()
	chain := triggers.Chain(func(context.Context, *triggers.PreSignUpEvent) error {
		return triggers.Reject("Invalid email domain: example.com")
	})
	h := lambda.NewHandler(func(ctx context.Context, e triggers.PreSignUpEvent) (triggers.PreSignUpEvent, error) {
		return e, chain(ctx, &e)
	})
	_, err := h.Invoke(context.Background(), []byte(`{"triggerSource":"PreSignUp_SignUp","request":{}}`))
	if err == nil || lambdaErrorType(err) != triggers.ErrorTypeRejected || err.Error() != "Invalid email domain: example.com" {
		t.Fatalf("err = %v, errorType %q; want %q", err, lambdaErrorType(err), triggers.ErrorTypeRejected)
	}
	var r *triggers.Rejected
	if !errors.As(err, &r) {
		t.Error("errors.As does not find *Rejected")
	}
}
