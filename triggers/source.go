package triggers

import (
	"fmt"
	"strings"
)

// TriggerSource is the triggerSource field of a Cognito event: which trigger fired and why.
type TriggerSource string

// Trigger sources that Cognito documents, grouped by trigger.
const (
	PreSignUpSignUp           TriggerSource = "PreSignUp_SignUp"
	PreSignUpAdminCreateUser  TriggerSource = "PreSignUp_AdminCreateUser"
	PreSignUpExternalProvider TriggerSource = "PreSignUp_ExternalProvider"

	PostConfirmationConfirmSignUp         TriggerSource = "PostConfirmation_ConfirmSignUp"
	PostConfirmationConfirmForgotPassword TriggerSource = "PostConfirmation_ConfirmForgotPassword"

	PreAuthenticationAuthentication  TriggerSource = "PreAuthentication_Authentication"
	PostAuthenticationAuthentication TriggerSource = "PostAuthentication_Authentication"

	DefineAuthChallengeAuthentication TriggerSource = "DefineAuthChallenge_Authentication"
	CreateAuthChallengeAuthentication TriggerSource = "CreateAuthChallenge_Authentication"
	// VerifyAuthChallengeResponseAuthentication is the spelling Cognito sends;
	// VerifyAuthChallengeAuthentication is accepted too because older documentation used it.
	VerifyAuthChallengeResponseAuthentication TriggerSource = "VerifyAuthChallengeResponse_Authentication"
	VerifyAuthChallengeAuthentication         TriggerSource = "VerifyAuthChallenge_Authentication"

	TokenGenerationHostedAuth           TriggerSource = "TokenGeneration_HostedAuth"
	TokenGenerationAuthentication       TriggerSource = "TokenGeneration_Authentication"
	TokenGenerationNewPasswordChallenge TriggerSource = "TokenGeneration_NewPasswordChallenge"
	TokenGenerationAuthenticateDevice   TriggerSource = "TokenGeneration_AuthenticateDevice"
	TokenGenerationRefreshTokens        TriggerSource = "TokenGeneration_RefreshTokens"
	TokenGenerationClientCredentials    TriggerSource = "TokenGeneration_ClientCredentials"

	UserMigrationAuthentication TriggerSource = "UserMigration_Authentication"
	UserMigrationForgotPassword TriggerSource = "UserMigration_ForgotPassword"

	CustomMessageSignUp              TriggerSource = "CustomMessage_SignUp"
	CustomMessageAdminCreateUser     TriggerSource = "CustomMessage_AdminCreateUser"
	CustomMessageResendCode          TriggerSource = "CustomMessage_ResendCode"
	CustomMessageForgotPassword      TriggerSource = "CustomMessage_ForgotPassword"
	CustomMessageUpdateUserAttribute TriggerSource = "CustomMessage_UpdateUserAttribute"
	CustomMessageVerifyUserAttribute TriggerSource = "CustomMessage_VerifyUserAttribute"
	CustomMessageAuthentication      TriggerSource = "CustomMessage_Authentication"

	CustomEmailSenderSignUp                      TriggerSource = "CustomEmailSender_SignUp"
	CustomEmailSenderResendCode                  TriggerSource = "CustomEmailSender_ResendCode"
	CustomEmailSenderForgotPassword              TriggerSource = "CustomEmailSender_ForgotPassword"
	CustomEmailSenderUpdateUserAttribute         TriggerSource = "CustomEmailSender_UpdateUserAttribute"
	CustomEmailSenderVerifyUserAttribute         TriggerSource = "CustomEmailSender_VerifyUserAttribute"
	CustomEmailSenderAdminCreateUser             TriggerSource = "CustomEmailSender_AdminCreateUser"
	CustomEmailSenderAccountTakeOverNotification TriggerSource = "CustomEmailSender_AccountTakeOverNotification"
	CustomEmailSenderAuthentication              TriggerSource = "CustomEmailSender_Authentication"

	CustomSMSSenderSignUp              TriggerSource = "CustomSMSSender_SignUp"
	CustomSMSSenderResendCode          TriggerSource = "CustomSMSSender_ResendCode"
	CustomSMSSenderForgotPassword      TriggerSource = "CustomSMSSender_ForgotPassword"
	CustomSMSSenderUpdateUserAttribute TriggerSource = "CustomSMSSender_UpdateUserAttribute"
	CustomSMSSenderVerifyUserAttribute TriggerSource = "CustomSMSSender_VerifyUserAttribute"
	CustomSMSSenderAuthentication      TriggerSource = "CustomSMSSender_Authentication"
	CustomSMSSenderAdminCreateUser     TriggerSource = "CustomSMSSender_AdminCreateUser"

	InboundFederationExternalProvider TriggerSource = "InboundFederation_ExternalProvider"
)

// Trigger names one Cognito user pool trigger: the part of a trigger source before the
// underscore, and the word Cognito uses in "<Trigger> failed with error <text>.".
type Trigger string

// The Cognito user pool triggers.
const (
	TriggerPreSignUp           Trigger = "PreSignUp"
	TriggerPostConfirmation    Trigger = "PostConfirmation"
	TriggerPreAuthentication   Trigger = "PreAuthentication"
	TriggerPostAuthentication  Trigger = "PostAuthentication"
	TriggerDefineAuthChallenge Trigger = "DefineAuthChallenge"
	TriggerCreateAuthChallenge Trigger = "CreateAuthChallenge"
	TriggerVerifyAuthChallenge Trigger = "VerifyAuthChallengeResponse"
	TriggerPreTokenGeneration  Trigger = "PreTokenGeneration"
	TriggerUserMigration       Trigger = "UserMigration"
	TriggerCustomMessage       Trigger = "CustomMessage"
	TriggerCustomEmailSender   Trigger = "CustomEmailSender"
	TriggerCustomSMSSender     Trigger = "CustomSMSSender"
	TriggerInboundFederation   Trigger = "InboundFederation"
)

// Triggers lists every trigger in the order Cognito runs them during a user's journey.
var Triggers = allTriggers()

// TriggerSources lists every trigger source Cognito documents, trigger by trigger in
// [Triggers] order, including the older VerifyAuthChallenge_Authentication spelling.
var TriggerSources = allSources()

// Trigger returns the trigger a source belongs to, or "" for a source no trigger has.
// Cognito adds sources within a trigger from time to time, so any source with a known
// trigger prefix is accepted, not only the listed constants.
func (s TriggerSource) Trigger() Trigger {
	if d := descriptorOfSource(s); d != nil {
		return d.trigger
	}
	return ""
}

// Action returns the part of the source after the trigger, such as "SignUp" for
// PreSignUp_SignUp.
func (s TriggerSource) Action() string {
	_, action, _ := strings.Cut(string(s), "_")
	return action
}

// Sources lists the trigger sources a module acts on. Module configs take it as their
// Sources field; an empty list means the module's documented default.
type Sources []TriggerSource

// Has reports whether src is in the list.
func (s Sources) Has(src TriggerSource) bool {
	for _, v := range s {
		if v == src {
			return true
		}
	}
	return false
}

// Resolve returns the list a module built for trigger t acts on: s, or def when s is
// empty. It reports an error, for the module's constructor to return, when s names a
// source that does not belong to t.
func (s Sources) Resolve(t Trigger, def Sources) (Sources, error) {
	if len(s) == 0 {
		return def, nil
	}
	for _, src := range s {
		if src.Trigger() != t {
			return nil, fmt.Errorf("Sources: %q is not a %s trigger source", src, t)
		}
	}
	return append(Sources(nil), s...), nil
}
