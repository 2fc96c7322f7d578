// Command bare is a hand-written aws-lambda-go pre sign-up handler with a deny list: the
// baseline a trigger function built with this library is measured against.
package main

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, e events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		email := e.Request.UserAttributes["email"]
		if strings.HasSuffix(strings.ToLower(email), "@blocked.example") {
			return e, errors.New("Invalid email domain: blocked.example")
		}
		return e, nil
	})
}
