package triggers

// UserMigrationEvent is sent when a user who does not exist in the pool signs in or asks
// to reset a password, so that the function can bring the user over from a legacy store.
// Its JSON (MarshalJSON) carries the password.
type UserMigrationEvent struct {
	Header
	Request  UserMigrationRequest  `json:"request"`
	Response UserMigrationResponse `json:"response"`
}

// UserMigrationRequest carries the password the user typed (UserMigration_Authentication
// only). It is a [Secret]: never logged.
type UserMigrationRequest struct {
	Password       Secret     `json:"password"`
	ValidationData Attributes `json:"validationData"`
	ClientMetadata Attributes `json:"clientMetadata"`
}

// UserMigrationResponse creates the user. Fields left empty are left out of the reply.
type UserMigrationResponse struct {
	UserAttributes Attributes `json:"userAttributes,omitempty"`
	// FinalUserStatus is CONFIRMED or RESET_REQUIRED.
	FinalUserStatus string `json:"finalUserStatus,omitempty"`
	// MessageAction is SUPPRESS to send no welcome message, or RESEND.
	MessageAction string `json:"messageAction,omitempty"`
	// DesiredDeliveryMediums lists EMAIL and/or SMS.
	DesiredDeliveryMediums []string `json:"desiredDeliveryMediums,omitempty"`
	ForceAliasCreation     bool     `json:"forceAliasCreation,omitempty"`
	EnableSMSMFA           bool     `json:"enableSMSMFA,omitempty"`

	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}
