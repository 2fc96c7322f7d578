package triggers

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

	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
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
type PostConfirmationResponse struct {
	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}
