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
	"strconv"
	"strings"

	"github.com/lambda-triggers/cognito/customsender"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter()
	if err != nil {
		fmt.Fprintln(os.Stderr, "customsender:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter builds the senders the environment turns on. A sender without KEY_ARN, and
// KEY_ARN without a sender, are errors.
func newRouter() (*triggers.Router, error) {
	from := os.Getenv("CUSTOM_EMAIL_FROM")
	sms := false
	if v := os.Getenv("CUSTOM_SMS"); v != "" {
		var err error
		if sms, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("CUSTOM_SMS: want true or false, got %q", v)
		}
	}
	var keys []string
	for arn := range strings.SplitSeq(os.Getenv("KEY_ARN"), ",") {
		if arn = strings.TrimSpace(arn); arn != "" {
			keys = append(keys, arn)
		}
	}
	switch {
	case from == "" && !sms && len(keys) == 0:
		return nil, errors.New("missing environment variables: set KEY_ARN and CUSTOM_EMAIL_FROM, CUSTOM_SMS=true or both")
	case len(keys) == 0:
		return nil, errors.New("missing environment variable KEY_ARN (the user pool's KMS key that encrypts the codes), required with CUSTOM_EMAIL_FROM or CUSTOM_SMS")
	case from == "" && !sms:
		return nil, errors.New("KEY_ARN is set but no sender is: set CUSTOM_EMAIL_FROM, CUSTOM_SMS=true or both")
	}
	dec, err := customsender.KMSDecrypter(keys...)
	if err != nil {
		return nil, fmt.Errorf("KEY_ARN: %w", err)
	}
	// With a table, Cognito's retries send a code once; nil clients are the process-wide
	// ones, created on first use.
	table := os.Getenv("CUSTOM_SENDER_TABLE")
	r := triggers.NewRouter(triggers.RouterConfig{})
	if from != "" {
		email, err := customsender.Email(customsender.EmailConfig{Decrypter: dec, From: from, Table: table})
		if err != nil {
			return nil, fmt.Errorf("CUSTOM_EMAIL_FROM: %w", err)
		}
		r.CustomEmailSender(email)
	}
	if sms {
		text, err := customsender.SMS(customsender.SMSConfig{
			Decrypter:         dec,
			SenderID:          os.Getenv("SMS_SENDER_ID"),
			OriginationNumber: os.Getenv("SMS_ORIGINATION_NUMBER"),
			Table:             table,
		})
		if err != nil {
			return nil, fmt.Errorf("SMS_SENDER_ID, SMS_ORIGINATION_NUMBER: %w", err)
		}
		r.CustomSMSSender(text)
	}
	return r, nil
}
