// Command customsender is Cognito's custom email and SMS sender: it decrypts the code
// Cognito encrypted under the user pool's KMS key and sends it, by email through SES and
// by SMS through SNS, with the package's English texts (customsender.DefaultEmails and
// DefaultSMS). Attach it to LambdaConfig.CustomEmailSender and CustomSMSSender, with
// KMSKeyID the key in KEY_ARN.
//
//	KEY_ARN=arn:aws:kms:eu-west-1:111122223333:key/... CUSTOM_EMAIL_FROM=no-reply@example.com \
//		go run ./examples/customsender -event event.json
//
// Environment:
//
//	KEY_ARN                 the pool's KMS key (required); comma-separated while rotating
//	CUSTOM_EMAIL_FROM       the SES-verified sender; turns email on
//	CUSTOM_SMS              true turns SMS on
//	SMS_SENDER_ID           the SMS sender ID, where the country allows one
//	SMS_ORIGINATION_NUMBER  the number SMS are sent from (E.164)
//	CUSTOM_SENDER_TABLE     DynamoDB table (key pk, TTL expiresAt) so that retries send once
//
// The function needs kms:Decrypt on the key, ses:SendEmail, sns:Publish and, with
// CUSTOM_SENDER_TABLE, dynamodb:PutItem and dynamodb:DeleteItem on the table.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/lambda-triggers/cognito/examples/internal/chains/customsenderchain"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "customsender:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves the senders that customsenderchain.FromEnv (shared with
// examples/allinone) builds from env.
func newRouter(env func(string) string) (*triggers.Router, error) {
	email, sms, err := customsenderchain.FromEnv(env)
	if err != nil {
		return nil, err
	}
	if email == nil && sms == nil {
		return nil, errors.New("missing environment variables: set KEY_ARN and CUSTOM_EMAIL_FROM, CUSTOM_SMS=true or both")
	}
	r := triggers.NewRouter(triggers.RouterConfig{})
	if email != nil {
		r.CustomEmailSender(email)
	}
	if sms != nil {
		r.CustomSMSSender(sms)
	}
	return r, nil
}
