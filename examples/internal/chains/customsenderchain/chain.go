// Package customsenderchain builds the custom email and SMS sender modules of
// examples/customsender and examples/allinone from environment variables, so that a
// variable means the same and a bad value gets the same start-up error in both.
package customsenderchain

import (
	"errors"
	"fmt"

	"github.com/lambda-triggers/cognito/customsender"
	"github.com/lambda-triggers/cognito/examples/internal/envvar"
)

// FromEnv returns the modules the environment configures, nil for a sender left off:
//
//	KEY_ARN                 the user pool's KMS key (LambdaConfig.KMSKeyID); several,
//	                        comma-separated, while codes of an older key may still arrive
//	CUSTOM_EMAIL_FROM       customsender.Email through SES, from this verified address
//	CUSTOM_SMS              true: customsender.SMS through SNS
//	SMS_SENDER_ID           the SMS sender ID, where the country allows one
//	SMS_ORIGINATION_NUMBER  the number SMS are sent from (E.164)
//	CUSTOM_SENDER_TABLE     customsender.SendOnce: a DynamoDB table (key pk, time to live
//	                        on expiresAt) so that Cognito's retries send a code once
//
// A sender without KEY_ARN, and KEY_ARN without a sender, are errors.
func FromEnv(env func(string) string) (customsender.EmailHandler, customsender.SMSHandler, error) {
	from := env("CUSTOM_EMAIL_FROM")
	sms, err := envvar.Bool(env, "CUSTOM_SMS")
	if err != nil {
		return nil, nil, err
	}
	keys := envvar.List(env("KEY_ARN"))
	switch {
	case from == "" && !sms && len(keys) == 0:
		return nil, nil, nil
	case len(keys) == 0:
		return nil, nil, errors.New("missing environment variable KEY_ARN (the user pool's KMS key that encrypts the codes), required with CUSTOM_EMAIL_FROM or CUSTOM_SMS")
	case from == "" && !sms:
		return nil, nil, errors.New("KEY_ARN is set but no sender is: set CUSTOM_EMAIL_FROM, CUSTOM_SMS=true or both")
	}
	dec, err := customsender.KMSDecrypter(keys...)
	if err != nil {
		return nil, nil, fmt.Errorf("KEY_ARN: %w", err)
	}
	var opts []customsender.Option
	if table := env("CUSTOM_SENDER_TABLE"); table != "" {
		opts = append(opts, customsender.SendOnce(nil, table, 0))
	}
	var email customsender.EmailHandler
	if from != "" {
		if email, err = customsender.Email(dec, nil, customsender.EmailConfig{From: from}, opts...); err != nil {
			return nil, nil, fmt.Errorf("CUSTOM_EMAIL_FROM: %w", err)
		}
	}
	var text customsender.SMSHandler
	if sms {
		if text, err = customsender.SMS(dec, nil, customsender.SMSConfig{
			SenderID: env("SMS_SENDER_ID"), OriginationNumber: env("SMS_ORIGINATION_NUMBER"),
		}, opts...); err != nil {
			return nil, nil, fmt.Errorf("SMS_SENDER_ID, SMS_ORIGINATION_NUMBER: %w", err)
		}
	}
	return email, text, nil
}
