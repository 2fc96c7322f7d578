package triggers

import "log/slog"

// PreSignUpEvent is sent before Cognito creates a user: on sign-up, on AdminCreateUser,
// and on a first federated sign-in.
type PreSignUpEvent struct {
	Header
	Request  PreSignUpRequest  `json:"request"`
	Response PreSignUpResponse `json:"response"`
}

// PreSignUpRequest is what Cognito knows about the user who is signing up.
type PreSignUpRequest struct {
	UserAttributes Attributes `json:"userAttributes"`
	ValidationData Attributes `json:"validationData"`
	ClientMetadata Attributes `json:"clientMetadata"`
}

// PreSignUpResponse tells Cognito whether to confirm the user and verify contact details.
// Cognito fails the sign-up when AutoVerifyEmail or AutoVerifyPhone is set and the
// attribute is missing.
type PreSignUpResponse struct {
	AutoConfirmUser bool `json:"autoConfirmUser"`
	AutoVerifyEmail bool `json:"autoVerifyEmail"`
	AutoVerifyPhone bool `json:"autoVerifyPhone"`
}

// Trigger returns [TriggerPreSignUp].
func (*PreSignUpEvent) Trigger() Trigger { return TriggerPreSignUp }

// LogValue describes the event for logs. Validation data and client metadata are left
// out: applications pass secrets such as captcha tokens and invitation codes there.
func (e *PreSignUpEvent) LogValue() slog.Value {
	return slog.GroupValue(append(headerAttrs(&e.Header),
		slog.Any("userAttributes", e.Request.UserAttributes),
		slog.Any("validationData", keysOnly(e.Request.ValidationData)),
		slog.Any("clientMetadata", keysOnly(e.Request.ClientMetadata)),
		slog.Any("response", e.Response))...)
}

// PostConfirmationEvent is sent after a user confirms sign-up or a forgotten password.
// The user is confirmed already: this trigger cannot undo it.
type PostConfirmationEvent struct {
	Header
	Request  PostConfirmationRequest  `json:"request"`
	Response PostConfirmationResponse `json:"response"`
}

// PostConfirmationRequest is what Cognito knows about the confirmed user.
type PostConfirmationRequest struct {
	UserAttributes Attributes `json:"userAttributes"`
	ClientMetadata Attributes `json:"clientMetadata"`
}

// PostConfirmationResponse is empty: Cognito reads nothing back.
type PostConfirmationResponse struct{}

// Trigger returns [TriggerPostConfirmation].
func (*PostConfirmationEvent) Trigger() Trigger { return TriggerPostConfirmation }

// LogValue describes the event for logs, with client metadata reduced to its keys.
func (e *PostConfirmationEvent) LogValue() slog.Value {
	return slog.GroupValue(append(headerAttrs(&e.Header),
		slog.Any("userAttributes", e.Request.UserAttributes),
		slog.Any("clientMetadata", keysOnly(e.Request.ClientMetadata)))...)
}

func headerAttrs(h *Header) []slog.Attr {
	return []slog.Attr{
		slog.String("triggerSource", string(h.TriggerSource)),
		slog.String("version", h.Version),
		slog.String("userPoolId", h.UserPoolID),
		slog.String("userName", h.UserName),
		slog.String("clientId", h.CallerContext.ClientID),
	}
}

// keysOnly lists a map's keys with every value redacted, so that logs show what was sent
// without showing values that may be secret.
func keysOnly(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k := range m {
		out[k] = redacted
	}
	return out
}
