// Package customsender sends the messages of Cognito's custom email and SMS sender
// triggers through a provider of your choice. Cognito hands these triggers the code
// (a sign-up or password reset code, an MFA code, a temporary password) encrypted with
// the AWS Encryption SDK under the user pool's KMS key; [KMSDecrypter] decrypts it,
// and [Email] (SES v2), [SMS] (SNS) or [HTTPEmail] / [HTTPSMS] (a signed JSON POST to
// your own endpoint) render and send the message, chosen by trigger source, app client
// and the user's locale.
//
//	func main() {
//		dec, err := customsender.KMSDecrypter(os.Getenv("KEY_ARN"))
//		if err != nil {
//			log.Fatal(err)
//		}
//		email, err := customsender.Email(customsender.EmailConfig{Decrypter: dec, From: "no-reply@example.com"})
//		if err != nil {
//			log.Fatal(err)
//		}
//		sms, err := customsender.SMS(customsender.SMSConfig{Decrypter: dec, SenderID: "Example"})
//		if err != nil {
//			log.Fatal(err)
//		}
//		triggers.Start(triggers.NewRouter(triggers.RouterConfig{}).CustomEmailSender(email).CustomSMSSender(sms))
//	}
//
// The decrypted code is never logged and never appears in an error. Cognito invokes
// custom senders asynchronously and retries failures, so a failing module makes Cognito
// send the event again; a marker table (the Table field of each config) keeps a retry
// from sending a code twice.
//
// The Encryption SDK and the SNS client are linked only into functions that import
// this package.
package customsender
