package customsender

import "github.com/lambda-triggers/cognito/triggers"

// DefaultEmails are the English emails [Email] sends for sources its catalog has no
// email for.
var DefaultEmails = EmailMessages{
	triggers.CustomEmailSenderSignUp: {
		Subject: "Your verification code",
		Text:    "Your verification code is {{.Code}}.\n",
		HTML:    "<p>Your verification code is <strong>{{.Code}}</strong>.</p>",
	},
	triggers.CustomEmailSenderResendCode: {
		Subject: "Your verification code",
		Text:    "Your verification code is {{.Code}}.\n",
		HTML:    "<p>Your verification code is <strong>{{.Code}}</strong>.</p>",
	},
	triggers.CustomEmailSenderForgotPassword: {
		Subject: "Reset your password",
		Text:    "Your password reset code is {{.Code}}. If you did not ask to reset your password, ignore this email.\n",
		HTML:    "<p>Your password reset code is <strong>{{.Code}}</strong>.</p><p>If you did not ask to reset your password, ignore this email.</p>",
	},
	triggers.CustomEmailSenderUpdateUserAttribute: {
		Subject: "Confirm your email address",
		Text:    "Your confirmation code is {{.Code}}.\n",
		HTML:    "<p>Your confirmation code is <strong>{{.Code}}</strong>.</p>",
	},
	triggers.CustomEmailSenderVerifyUserAttribute: {
		Subject: "Confirm your email address",
		Text:    "Your confirmation code is {{.Code}}.\n",
		HTML:    "<p>Your confirmation code is <strong>{{.Code}}</strong>.</p>",
	},
	triggers.CustomEmailSenderAdminCreateUser: {
		Subject: "Your new account",
		Text:    "Your user name is {{.Username}} and your temporary password is {{.TemporaryPassword}}. You will choose a new password when you first sign in.\n",
		HTML:    "<p>Your user name is <strong>{{.Username}}</strong> and your temporary password is <strong>{{.TemporaryPassword}}</strong>.</p><p>You will choose a new password when you first sign in.</p>",
	},
	triggers.CustomEmailSenderAuthentication: {
		Subject: "Your sign-in code",
		Text:    "Your sign-in code is {{.Code}}.\n",
		HTML:    "<p>Your sign-in code is <strong>{{.Code}}</strong>.</p>",
	},
	triggers.CustomEmailSenderAccountTakeOverNotification: {
		Subject: "Unusual sign-in to your account",
		Text:    "We noticed a sign-in to your account that looked unusual. If it was not you, change your password now.\n",
		HTML:    "<p>We noticed a sign-in to your account that looked unusual.</p><p>If it was not you, change your password now.</p>",
	},
}

// DefaultSMS are the English texts [SMS] sends for sources its catalog has no text for.
var DefaultSMS = SMSMessages{
	triggers.CustomSMSSenderSignUp:              "Your verification code is {{.Code}}",
	triggers.CustomSMSSenderResendCode:          "Your verification code is {{.Code}}",
	triggers.CustomSMSSenderForgotPassword:      "Your password reset code is {{.Code}}",
	triggers.CustomSMSSenderUpdateUserAttribute: "Your confirmation code is {{.Code}}",
	triggers.CustomSMSSenderVerifyUserAttribute: "Your confirmation code is {{.Code}}",
	triggers.CustomSMSSenderAdminCreateUser:     "Your user name is {{.Username}} and your temporary password is {{.TemporaryPassword}}",
	triggers.CustomSMSSenderAuthentication:      "Your sign-in code is {{.Code}}",
}
