package triggers

// PreAuthenticationEvent is sent when a user tries to sign in, before Cognito checks the
// password. Rejecting it denies the sign-in.
type PreAuthenticationEvent struct {
	Header
	Request  PreAuthenticationRequest  `json:"request"`
	Response PreAuthenticationResponse `json:"response"`
}

// PreAuthenticationRequest is what Cognito knows about the user signing in.
type PreAuthenticationRequest struct {
	UserAttributes Attributes `json:"userAttributes"`
	ValidationData Attributes `json:"validationData"`
	ClientMetadata Attributes `json:"clientMetadata,omitempty"`
	UserNotFound   bool       `json:"userNotFound"`
}

// PreAuthenticationResponse is empty: Cognito reads nothing back.
type PreAuthenticationResponse struct {
	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}

// PostAuthenticationEvent is sent after a successful sign-in.
type PostAuthenticationEvent struct {
	Header
	Request  PostAuthenticationRequest  `json:"request"`
	Response PostAuthenticationResponse `json:"response"`
}

// PostAuthenticationRequest is what Cognito knows about the user who signed in.
type PostAuthenticationRequest struct {
	NewDeviceUsed  bool       `json:"newDeviceUsed"`
	UserAttributes Attributes `json:"userAttributes"`
	ClientMetadata Attributes `json:"clientMetadata"`
}

// PostAuthenticationResponse is empty: Cognito reads nothing back.
type PostAuthenticationResponse struct {
	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}

// DefineAuthChallengeEvent asks which challenge comes next in a custom authentication
// flow, or whether to issue tokens or fail.
type DefineAuthChallengeEvent struct {
	Header
	Request  DefineAuthChallengeRequest  `json:"request"`
	Response DefineAuthChallengeResponse `json:"response"`
}

// DefineAuthChallengeRequest carries the session so far: every challenge and its result.
type DefineAuthChallengeRequest struct {
	UserAttributes Attributes        `json:"userAttributes"`
	Session        []ChallengeResult `json:"session"`
	ClientMetadata Attributes        `json:"clientMetadata,omitempty"`
	UserNotFound   bool              `json:"userNotFound"`
}

// DefineAuthChallengeResponse names the next challenge, or ends the flow.
type DefineAuthChallengeResponse struct {
	ChallengeName      string `json:"challengeName,omitempty"`
	IssueTokens        bool   `json:"issueTokens"`
	FailAuthentication bool   `json:"failAuthentication"`

	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}

// CreateAuthChallengeEvent asks for the challenge that Define chose: what the client is
// shown (public parameters) and what Verify will check (private parameters).
type CreateAuthChallengeEvent struct {
	Header
	Request  CreateAuthChallengeRequest  `json:"request"`
	Response CreateAuthChallengeResponse `json:"response"`
}

// CreateAuthChallengeRequest carries the chosen challenge and the session so far.
type CreateAuthChallengeRequest struct {
	UserAttributes Attributes        `json:"userAttributes"`
	ChallengeName  string            `json:"challengeName"`
	Session        []ChallengeResult `json:"session"`
	ClientMetadata Attributes        `json:"clientMetadata,omitempty"`
	UserNotFound   bool              `json:"userNotFound"`
}

// CreateAuthChallengeResponse is the challenge. Private parameters go only to Verify and
// are never logged; challenge metadata is kept in the session for later steps.
type CreateAuthChallengeResponse struct {
	PublicChallengeParameters  map[string]string `json:"publicChallengeParameters,omitempty"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters,omitempty"`
	ChallengeMetadata          string            `json:"challengeMetadata,omitempty"`

	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}

// VerifyAuthChallengeEvent asks whether the user's answer is right.
type VerifyAuthChallengeEvent struct {
	Header
	Request  VerifyAuthChallengeRequest  `json:"request"`
	Response VerifyAuthChallengeResponse `json:"response"`
}

// VerifyAuthChallengeRequest carries the answer and the private parameters Create set.
// The answer is a [Secret]: it is never logged.
type VerifyAuthChallengeRequest struct {
	UserAttributes             Attributes        `json:"userAttributes"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
	ChallengeAnswer            Secret            `json:"challengeAnswer"`
	ClientMetadata             Attributes        `json:"clientMetadata,omitempty"`
	UserNotFound               bool              `json:"userNotFound"`
}

// VerifyAuthChallengeResponse says whether the answer was right.
type VerifyAuthChallengeResponse struct {
	AnswerCorrect bool `json:"answerCorrect"`

	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}
