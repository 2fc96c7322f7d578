package triggers

// CustomMessageEvent asks for the text of a message Cognito is about to send: a sign-up
// code, an invitation, a password reset code, an MFA code.
type CustomMessageEvent struct {
	Header
	Request  CustomMessageRequest  `json:"request"`
	Response CustomMessageResponse `json:"response"`
}

// CustomMessageRequest carries the placeholders the message must contain. CodeParameter
// (such as "{####}") is where Cognito puts the code, UsernameParameter the user name
// (AdminCreateUser), LinkParameter the verification link (link-style verification).
type CustomMessageRequest struct {
	UserAttributes    Attributes `json:"userAttributes"`
	CodeParameter     string     `json:"codeParameter"`
	LinkParameter     string     `json:"linkParameter,omitempty"`
	UsernameParameter string     `json:"usernameParameter"`
	ClientMetadata    Attributes `json:"clientMetadata,omitempty"`
}

// CustomMessageResponse is the message. A field left empty keeps Cognito's default.
type CustomMessageResponse struct {
	SMSMessage   string `json:"smsMessage,omitempty"`
	EmailMessage string `json:"emailMessage,omitempty"`
	EmailSubject string `json:"emailSubject,omitempty"`

	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}

// Request types of the custom sender triggers. Cognito's documentation spells the SMS one
// both customSMSSenderRequestV1 and customSmsSenderRequestV1; both are accepted.
const (
	CustomEmailSenderRequestV1 = "customEmailSenderRequestV1"
	CustomSMSSenderRequestV1   = "customSMSSenderRequestV1"
)

// CustomSenderRequest is the request of both custom sender triggers. Code is the one-time
// code encrypted with the user pool's KMS key: it is a [Secret] and never logged.
type CustomSenderRequest struct {
	Type           string     `json:"type"`
	Code           Secret     `json:"code"`
	ClientMetadata Attributes `json:"clientMetadata,omitempty"`
	UserAttributes Attributes `json:"userAttributes"`
}

// CustomSenderResponse is empty: the function sends the message itself.
type CustomSenderResponse struct {
	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}

// CustomEmailSenderEvent hands an email to the function to send through its own provider.
// Its JSON (MarshalJSON) carries the code.
type CustomEmailSenderEvent struct {
	Header
	Request  CustomSenderRequest  `json:"request"`
	Response CustomSenderResponse `json:"response"`
}

// CustomSMSSenderEvent hands an SMS to the function to send through its own provider.
// Its JSON (MarshalJSON) carries the code.
type CustomSMSSenderEvent struct {
	Header
	Request  CustomSenderRequest  `json:"request"`
	Response CustomSenderResponse `json:"response"`
}
