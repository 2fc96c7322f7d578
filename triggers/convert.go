package triggers

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/aws/aws-lambda-go/events"
)

// Conversions to and from the Cognito event types of aws-lambda-go's events package, for
// code that already has such an event (a handler being ported, a shared test helper).
// <Event>FromLambda converts from aws-lambda-go; the event's ToLambda method converts
// back. Maps and lists are copied, so changing one event never changes the other.
//
// aws-lambda-go's types cannot hold everything a Cognito event carries; each function
// documents what it loses. The custom email and SMS sender events have no aws-lambda-go
// counterpart.
//
// aws-lambda-go's response types have no "not set": encoded with encoding/json, a pre
// token generation response always carries groupOverrideDetails (which tells Cognito to
// remove the user's groups) and a custom message response always carries empty messages.
// Encode events with this package's router to answer Cognito faithfully.

func headerFromLambda(h events.CognitoEventUserPoolsHeader) Header {
	return Header{
		Version:       h.Version,
		TriggerSource: TriggerSource(h.TriggerSource),
		Region:        h.Region,
		UserPoolID:    h.UserPoolID,
		UserName:      h.UserName,
		CallerContext: CallerContext{AWSSDKVersion: h.CallerContext.AWSSDKVersion, ClientID: h.CallerContext.ClientID},
	}
}

func (h *Header) toLambda() events.CognitoEventUserPoolsHeader {
	return events.CognitoEventUserPoolsHeader{
		Version:       h.Version,
		TriggerSource: string(h.TriggerSource),
		Region:        h.Region,
		UserPoolID:    h.UserPoolID,
		UserName:      h.UserName,
		CallerContext: events.CognitoEventUserPoolsCallerContext{
			AWSSDKVersion: h.CallerContext.AWSSDKVersion, ClientID: h.CallerContext.ClientID},
	}
}

func attrs(m map[string]string) Attributes { return Attributes(maps.Clone(m)) }

func strMap(a map[string]string) map[string]string { return maps.Clone(a) }

// PreSignUpFromLambda converts an aws-lambda-go pre sign-up event.
func PreSignUpFromLambda(e events.CognitoEventUserPoolsPreSignup) PreSignUpEvent {
	return PreSignUpEvent{
		Header: headerFromLambda(e.CognitoEventUserPoolsHeader),
		Request: PreSignUpRequest{
			UserAttributes: attrs(e.Request.UserAttributes),
			ValidationData: attrs(e.Request.ValidationData),
			ClientMetadata: attrs(e.Request.ClientMetadata),
		},
		Response: PreSignUpResponse{
			AutoConfirmUser: e.Response.AutoConfirmUser,
			AutoVerifyEmail: e.Response.AutoVerifyEmail,
			AutoVerifyPhone: e.Response.AutoVerifyPhone,
		},
	}
}

// ToLambda converts e to aws-lambda-go's pre sign-up event.
func (e *PreSignUpEvent) ToLambda() events.CognitoEventUserPoolsPreSignup {
	return events.CognitoEventUserPoolsPreSignup{
		CognitoEventUserPoolsHeader: e.toLambda(),
		Request: events.CognitoEventUserPoolsPreSignupRequest{
			UserAttributes: strMap(e.Request.UserAttributes),
			ValidationData: strMap(e.Request.ValidationData),
			ClientMetadata: strMap(e.Request.ClientMetadata),
		},
		Response: events.CognitoEventUserPoolsPreSignupResponse{
			AutoConfirmUser: e.Response.AutoConfirmUser,
			AutoVerifyEmail: e.Response.AutoVerifyEmail,
			AutoVerifyPhone: e.Response.AutoVerifyPhone,
		},
	}
}

// PostConfirmationFromLambda converts an aws-lambda-go post confirmation event.
func PostConfirmationFromLambda(e events.CognitoEventUserPoolsPostConfirmation) PostConfirmationEvent {
	return PostConfirmationEvent{
		Header: headerFromLambda(e.CognitoEventUserPoolsHeader),
		Request: PostConfirmationRequest{
			UserAttributes: attrs(e.Request.UserAttributes),
			ClientMetadata: attrs(e.Request.ClientMetadata),
		},
	}
}

// ToLambda converts e to aws-lambda-go's post confirmation event.
func (e *PostConfirmationEvent) ToLambda() events.CognitoEventUserPoolsPostConfirmation {
	return events.CognitoEventUserPoolsPostConfirmation{
		CognitoEventUserPoolsHeader: e.toLambda(),
		Request: events.CognitoEventUserPoolsPostConfirmationRequest{
			UserAttributes: strMap(e.Request.UserAttributes),
			ClientMetadata: strMap(e.Request.ClientMetadata),
		},
	}
}

// PreAuthenticationFromLambda converts an aws-lambda-go pre authentication event. That
// type has no client metadata, so the result has none.
func PreAuthenticationFromLambda(e events.CognitoEventUserPoolsPreAuthentication) PreAuthenticationEvent {
	return PreAuthenticationEvent{
		Header: headerFromLambda(e.CognitoEventUserPoolsHeader),
		Request: PreAuthenticationRequest{
			UserAttributes: attrs(e.Request.UserAttributes),
			ValidationData: attrs(e.Request.ValidationData),
			UserNotFound:   e.Request.UserNotFound,
		},
	}
}

// ToLambda converts e to aws-lambda-go's pre authentication event, which drops the
// client metadata: that type has no field for it.
func (e *PreAuthenticationEvent) ToLambda() events.CognitoEventUserPoolsPreAuthentication {
	return events.CognitoEventUserPoolsPreAuthentication{
		CognitoEventUserPoolsHeader: e.toLambda(),
		Request: events.CognitoEventUserPoolsPreAuthenticationRequest{
			UserAttributes: strMap(e.Request.UserAttributes),
			ValidationData: strMap(e.Request.ValidationData),
			UserNotFound:   e.Request.UserNotFound,
		},
	}
}

// PostAuthenticationFromLambda converts an aws-lambda-go post authentication event.
func PostAuthenticationFromLambda(e events.CognitoEventUserPoolsPostAuthentication) PostAuthenticationEvent {
	return PostAuthenticationEvent{
		Header: headerFromLambda(e.CognitoEventUserPoolsHeader),
		Request: PostAuthenticationRequest{
			NewDeviceUsed:  e.Request.NewDeviceUsed,
			UserAttributes: attrs(e.Request.UserAttributes),
			ClientMetadata: attrs(e.Request.ClientMetadata),
		},
	}
}

// ToLambda converts e to aws-lambda-go's post authentication event.
func (e *PostAuthenticationEvent) ToLambda() events.CognitoEventUserPoolsPostAuthentication {
	return events.CognitoEventUserPoolsPostAuthentication{
		CognitoEventUserPoolsHeader: e.toLambda(),
		Request: events.CognitoEventUserPoolsPostAuthenticationRequest{
			NewDeviceUsed:  e.Request.NewDeviceUsed,
			UserAttributes: strMap(e.Request.UserAttributes),
			ClientMetadata: strMap(e.Request.ClientMetadata),
		},
	}
}

func sessionFromLambda(s []*events.CognitoEventUserPoolsChallengeResult) []ChallengeResult {
	if s == nil {
		return nil
	}
	out := make([]ChallengeResult, 0, len(s))
	for _, r := range s {
		if r != nil {
			out = append(out, ChallengeResult{ChallengeName: r.ChallengeName, ChallengeResult: r.ChallengeResult,
				ChallengeMetadata: r.ChallengeMetadata})
		}
	}
	return out
}

func sessionToLambda(s []ChallengeResult) []*events.CognitoEventUserPoolsChallengeResult {
	if s == nil {
		return nil
	}
	out := make([]*events.CognitoEventUserPoolsChallengeResult, len(s))
	for i, r := range s {
		out[i] = &events.CognitoEventUserPoolsChallengeResult{ChallengeName: r.ChallengeName,
			ChallengeResult: r.ChallengeResult, ChallengeMetadata: r.ChallengeMetadata}
	}
	return out
}

// DefineAuthChallengeFromLambda converts an aws-lambda-go define auth challenge event.
// Nil entries of its session are skipped.
func DefineAuthChallengeFromLambda(e events.CognitoEventUserPoolsDefineAuthChallenge) DefineAuthChallengeEvent {
	return DefineAuthChallengeEvent{
		Header: headerFromLambda(e.CognitoEventUserPoolsHeader),
		Request: DefineAuthChallengeRequest{
			UserAttributes: attrs(e.Request.UserAttributes),
			Session:        sessionFromLambda(e.Request.Session),
			ClientMetadata: attrs(e.Request.ClientMetadata),
			UserNotFound:   e.Request.UserNotFound,
		},
		Response: DefineAuthChallengeResponse{
			ChallengeName:      e.Response.ChallengeName,
			IssueTokens:        e.Response.IssueTokens,
			FailAuthentication: e.Response.FailAuthentication,
		},
	}
}

// ToLambda converts e to aws-lambda-go's define auth challenge event.
func (e *DefineAuthChallengeEvent) ToLambda() events.CognitoEventUserPoolsDefineAuthChallenge {
	return events.CognitoEventUserPoolsDefineAuthChallenge{
		CognitoEventUserPoolsHeader: e.toLambda(),
		Request: events.CognitoEventUserPoolsDefineAuthChallengeRequest{
			UserAttributes: strMap(e.Request.UserAttributes),
			Session:        sessionToLambda(e.Request.Session),
			ClientMetadata: strMap(e.Request.ClientMetadata),
			UserNotFound:   e.Request.UserNotFound,
		},
		Response: events.CognitoEventUserPoolsDefineAuthChallengeResponse{
			ChallengeName:      e.Response.ChallengeName,
			IssueTokens:        e.Response.IssueTokens,
			FailAuthentication: e.Response.FailAuthentication,
		},
	}
}

// CreateAuthChallengeFromLambda converts an aws-lambda-go create auth challenge event.
// Nil entries of its session are skipped.
func CreateAuthChallengeFromLambda(e events.CognitoEventUserPoolsCreateAuthChallenge) CreateAuthChallengeEvent {
	return CreateAuthChallengeEvent{
		Header: headerFromLambda(e.CognitoEventUserPoolsHeader),
		Request: CreateAuthChallengeRequest{
			UserAttributes: attrs(e.Request.UserAttributes),
			ChallengeName:  e.Request.ChallengeName,
			Session:        sessionFromLambda(e.Request.Session),
			ClientMetadata: attrs(e.Request.ClientMetadata),
			UserNotFound:   e.Request.UserNotFound,
		},
		Response: CreateAuthChallengeResponse{
			PublicChallengeParameters:  strMap(e.Response.PublicChallengeParameters),
			PrivateChallengeParameters: strMap(e.Response.PrivateChallengeParameters),
			ChallengeMetadata:          e.Response.ChallengeMetadata,
		},
	}
}

// ToLambda converts e to aws-lambda-go's create auth challenge event.
func (e *CreateAuthChallengeEvent) ToLambda() events.CognitoEventUserPoolsCreateAuthChallenge {
	return events.CognitoEventUserPoolsCreateAuthChallenge{
		CognitoEventUserPoolsHeader: e.toLambda(),
		Request: events.CognitoEventUserPoolsCreateAuthChallengeRequest{
			UserAttributes: strMap(e.Request.UserAttributes),
			ChallengeName:  e.Request.ChallengeName,
			Session:        sessionToLambda(e.Request.Session),
			ClientMetadata: strMap(e.Request.ClientMetadata),
			UserNotFound:   e.Request.UserNotFound,
		},
		Response: events.CognitoEventUserPoolsCreateAuthChallengeResponse{
			PublicChallengeParameters:  strMap(e.Response.PublicChallengeParameters),
			PrivateChallengeParameters: strMap(e.Response.PrivateChallengeParameters),
			ChallengeMetadata:          e.Response.ChallengeMetadata,
		},
	}
}

// VerifyAuthChallengeFromLambda converts an aws-lambda-go verify auth challenge event.
// Its ChallengeAnswer is an interface{}: a string is kept as is, nil becomes "", and any
// other value becomes its JSON text (a number 42 becomes "42").
func VerifyAuthChallengeFromLambda(e events.CognitoEventUserPoolsVerifyAuthChallenge) VerifyAuthChallengeEvent {
	return VerifyAuthChallengeEvent{
		Header: headerFromLambda(e.CognitoEventUserPoolsHeader),
		Request: VerifyAuthChallengeRequest{
			UserAttributes:             attrs(e.Request.UserAttributes),
			PrivateChallengeParameters: strMap(e.Request.PrivateChallengeParameters),
			ChallengeAnswer:            Secret(jsonText(e.Request.ChallengeAnswer)),
			ClientMetadata:             attrs(e.Request.ClientMetadata),
			UserNotFound:               e.Request.UserNotFound,
		},
		Response: VerifyAuthChallengeResponse{AnswerCorrect: e.Response.AnswerCorrect},
	}
}

// ToLambda converts e to aws-lambda-go's verify auth challenge event. The challenge
// answer is always a string there, "" when there is none.
func (e *VerifyAuthChallengeEvent) ToLambda() events.CognitoEventUserPoolsVerifyAuthChallenge {
	return events.CognitoEventUserPoolsVerifyAuthChallenge{
		CognitoEventUserPoolsHeader: e.toLambda(),
		Request: events.CognitoEventUserPoolsVerifyAuthChallengeRequest{
			UserAttributes:             strMap(e.Request.UserAttributes),
			PrivateChallengeParameters: strMap(e.Request.PrivateChallengeParameters),
			ChallengeAnswer:            e.Request.ChallengeAnswer.Reveal(),
			ClientMetadata:             strMap(e.Request.ClientMetadata),
			UserNotFound:               e.Request.UserNotFound,
		},
		Response: events.CognitoEventUserPoolsVerifyAuthChallengeResponse{AnswerCorrect: e.Response.AnswerCorrect},
	}
}

// jsonText returns v as a string: itself when it is one, "" for nil, its JSON otherwise.
func jsonText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func groupsFromLambda(g events.GroupConfiguration) GroupConfiguration {
	return GroupConfiguration{
		GroupsToOverride:   slices.Clone(g.GroupsToOverride),
		IAMRolesToOverride: slices.Clone(g.IAMRolesToOverride),
		PreferredRole:      clonePtr(g.PreferredRole),
	}
}

func groupsToLambda(g GroupConfiguration) events.GroupConfiguration {
	return events.GroupConfiguration{
		GroupsToOverride:   slices.Clone(g.GroupsToOverride),
		IAMRolesToOverride: slices.Clone(g.IAMRolesToOverride),
		PreferredRole:      clonePtr(g.PreferredRole),
	}
}

// groupOverrideFromLambda reads aws-lambda-go's group override, which cannot be absent:
// one whose fields are all nil is taken as not set. An override that removes every group
// has a non-nil, empty GroupsToOverride and is kept.
func groupOverrideFromLambda(g events.GroupConfiguration) *GroupConfiguration {
	if g.GroupsToOverride == nil && g.IAMRolesToOverride == nil && g.PreferredRole == nil {
		return nil
	}
	c := groupsFromLambda(g)
	return &c
}

func groupOverrideToLambda(g *GroupConfiguration) events.GroupConfiguration {
	if g == nil {
		return events.GroupConfiguration{}
	}
	return groupsToLambda(*g)
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// PreTokenGenerationFromLambdaV1 converts an aws-lambda-go version 1 pre token
// generation event. Its response cannot be absent: a ClaimsOverrideDetails with nothing
// set, and a GroupOverrideDetails whose fields are all nil, are taken as not set.
func PreTokenGenerationFromLambdaV1(e events.CognitoEventUserPoolsPreTokenGen) PreTokenGenerationEvent {
	out := PreTokenGenerationEvent{
		Header: headerFromLambda(e.CognitoEventUserPoolsHeader),
		Request: PreTokenGenerationRequest{
			UserAttributes:     attrs(e.Request.UserAttributes),
			GroupConfiguration: groupsFromLambda(e.Request.GroupConfiguration),
			ClientMetadata:     attrs(e.Request.ClientMetadata),
		},
	}
	c := e.Response.ClaimsOverrideDetails
	d := ClaimsOverrideDetails{
		ClaimsToAddOrOverride: strMap(c.ClaimsToAddOrOverride),
		ClaimsToSuppress:      slices.Clone(c.ClaimsToSuppress),
		GroupOverrideDetails:  groupOverrideFromLambda(c.GroupOverrideDetails),
	}
	if d.ClaimsToAddOrOverride != nil || d.ClaimsToSuppress != nil || d.GroupOverrideDetails != nil {
		out.Response.ClaimsOverrideDetails = &d
	}
	return out
}

// ToLambdaV1 converts e to aws-lambda-go's version 1 pre token generation event, with
// the request's scopes and the version 2 response left out: that type has neither. A nil
// ClaimsOverrideDetails or GroupOverrideDetails becomes an empty one, which, encoded
// with encoding/json, tells Cognito to remove the user's groups.
func (e *PreTokenGenerationEvent) ToLambdaV1() events.CognitoEventUserPoolsPreTokenGen {
	out := events.CognitoEventUserPoolsPreTokenGen{
		CognitoEventUserPoolsHeader: e.toLambda(),
		Request: events.CognitoEventUserPoolsPreTokenGenRequest{
			UserAttributes:     strMap(e.Request.UserAttributes),
			GroupConfiguration: groupsToLambda(e.Request.GroupConfiguration),
			ClientMetadata:     strMap(e.Request.ClientMetadata),
		},
	}
	if c := e.Response.ClaimsOverrideDetails; c != nil {
		out.Response.ClaimsOverrideDetails = events.ClaimsOverrideDetails{
			ClaimsToAddOrOverride: strMap(c.ClaimsToAddOrOverride),
			ClaimsToSuppress:      slices.Clone(c.ClaimsToSuppress),
			GroupOverrideDetails:  groupOverrideToLambda(c.GroupOverrideDetails),
		}
	}
	return out
}

// PreTokenGenerationFromLambdaV2 converts an aws-lambda-go version 2 or 3 pre token
// generation event (CognitoEventUserPoolsPreTokenGenV2_0). Its response cannot be
// absent: parts with nothing set, and a GroupOverrideDetails whose fields are all nil,
// are taken as not set.
func PreTokenGenerationFromLambdaV2(e events.CognitoEventUserPoolsPreTokenGenV2_0) PreTokenGenerationEvent {
	out := PreTokenGenerationEvent{
		Header: headerFromLambda(e.CognitoEventUserPoolsHeader),
		Request: PreTokenGenerationRequest{
			UserAttributes:     attrs(e.Request.UserAttributes),
			GroupConfiguration: groupsFromLambda(events.GroupConfiguration(e.Request.GroupConfiguration)),
			Scopes:             slices.Clone(e.Request.Scopes),
			ClientMetadata:     attrs(e.Request.ClientMetadata),
		},
	}
	c := e.Response.ClaimsAndScopeOverrideDetails
	var d ClaimsAndScopeOverrideDetails
	if id := c.IDTokenGeneration; id.ClaimsToAddOrOverride != nil || id.ClaimsToSuppress != nil {
		d.IDTokenGeneration = &IDTokenGeneration{
			ClaimsToAddOrOverride: maps.Clone(id.ClaimsToAddOrOverride),
			ClaimsToSuppress:      slices.Clone(id.ClaimsToSuppress),
		}
	}
	if at := c.AccessTokenGeneration; at.ClaimsToAddOrOverride != nil || at.ClaimsToSuppress != nil ||
		at.ScopesToAdd != nil || at.ScopesToSuppress != nil {
		d.AccessTokenGeneration = &AccessTokenGeneration{
			ClaimsToAddOrOverride: maps.Clone(at.ClaimsToAddOrOverride),
			ClaimsToSuppress:      slices.Clone(at.ClaimsToSuppress),
			ScopesToAdd:           slices.Clone(at.ScopesToAdd),
			ScopesToSuppress:      slices.Clone(at.ScopesToSuppress),
		}
	}
	d.GroupOverrideDetails = groupOverrideFromLambda(events.GroupConfiguration(c.GroupOverrideDetails))
	if d.IDTokenGeneration != nil || d.AccessTokenGeneration != nil || d.GroupOverrideDetails != nil {
		out.Response.ClaimsAndScopeOverrideDetails = &d
	}
	return out
}

// ToLambdaV2 converts e to aws-lambda-go's version 2 and 3 pre token generation event
// (CognitoEventUserPoolsPreTokenGenV2_0), with the version 1 response left out. Nil parts
// of the response become empty ones; an empty GroupOverrideDetails, encoded with
// encoding/json, tells Cognito to remove the user's groups.
func (e *PreTokenGenerationEvent) ToLambdaV2() events.CognitoEventUserPoolsPreTokenGenV2_0 {
	out := events.CognitoEventUserPoolsPreTokenGenV2_0{
		CognitoEventUserPoolsHeader: e.toLambda(),
		Request: events.CognitoEventUserPoolsPreTokenGenRequestV2_0{
			UserAttributes:     strMap(e.Request.UserAttributes),
			GroupConfiguration: events.GroupConfigurationV2_0(groupsToLambda(e.Request.GroupConfiguration)),
			Scopes:             slices.Clone(e.Request.Scopes),
			ClientMetadata:     strMap(e.Request.ClientMetadata),
		},
	}
	c := e.Response.ClaimsAndScopeOverrideDetails
	if c == nil {
		return out
	}
	d := &out.Response.ClaimsAndScopeOverrideDetails
	if id := c.IDTokenGeneration; id != nil {
		d.IDTokenGeneration = events.IDTokenGenerationV2_0{
			ClaimsToAddOrOverride: maps.Clone(id.ClaimsToAddOrOverride),
			ClaimsToSuppress:      slices.Clone(id.ClaimsToSuppress),
		}
	}
	if at := c.AccessTokenGeneration; at != nil {
		d.AccessTokenGeneration = events.AccessTokenGenerationV2_0{
			ClaimsToAddOrOverride: maps.Clone(at.ClaimsToAddOrOverride),
			ClaimsToSuppress:      slices.Clone(at.ClaimsToSuppress),
			ScopesToAdd:           slices.Clone(at.ScopesToAdd),
			ScopesToSuppress:      slices.Clone(at.ScopesToSuppress),
		}
	}
	if o := c.GroupOverrideDetails; o != nil {
		d.GroupOverrideDetails = events.GroupConfigurationV2_0(groupsToLambda(*o))
	}
	return out
}

// UserMigrationFromLambda converts an aws-lambda-go user migration event. That type has
// no enableSMSMFA, so the result's EnableSMSMFA is false.
func UserMigrationFromLambda(e events.CognitoEventUserPoolsMigrateUser) UserMigrationEvent {
	req, resp := e.CognitoEventUserPoolsMigrateUserRequest, e.CognitoEventUserPoolsMigrateUserResponse
	return UserMigrationEvent{
		Header: headerFromLambda(e.CognitoEventUserPoolsHeader),
		Request: UserMigrationRequest{
			Password:       Secret(req.Password),
			ValidationData: attrs(req.ValidationData),
			ClientMetadata: attrs(req.ClientMetadata),
		},
		Response: UserMigrationResponse{
			UserAttributes:         attrs(resp.UserAttributes),
			FinalUserStatus:        resp.FinalUserStatus,
			MessageAction:          resp.MessageAction,
			DesiredDeliveryMediums: slices.Clone(resp.DesiredDeliveryMediums),
			ForceAliasCreation:     resp.ForceAliasCreation,
		},
	}
}

// ToLambda converts e to aws-lambda-go's user migration event, which drops EnableSMSMFA:
// that type has no field for it.
func (e *UserMigrationEvent) ToLambda() events.CognitoEventUserPoolsMigrateUser {
	return events.CognitoEventUserPoolsMigrateUser{
		CognitoEventUserPoolsHeader: e.toLambda(),
		CognitoEventUserPoolsMigrateUserRequest: events.CognitoEventUserPoolsMigrateUserRequest{
			Password:       e.Request.Password.Reveal(),
			ValidationData: strMap(e.Request.ValidationData),
			ClientMetadata: strMap(e.Request.ClientMetadata),
		},
		CognitoEventUserPoolsMigrateUserResponse: events.CognitoEventUserPoolsMigrateUserResponse{
			UserAttributes:         strMap(e.Response.UserAttributes),
			FinalUserStatus:        e.Response.FinalUserStatus,
			MessageAction:          e.Response.MessageAction,
			DesiredDeliveryMediums: slices.Clone(e.Response.DesiredDeliveryMediums),
			ForceAliasCreation:     e.Response.ForceAliasCreation,
		},
	}
}

// CustomMessageFromLambda converts an aws-lambda-go custom message event. That type has
// no linkParameter, so the result has none. Its user attributes are interface{} values:
// strings are kept, nil values dropped, and other values kept as their JSON text, as
// decoding an event does.
func CustomMessageFromLambda(e events.CognitoEventUserPoolsCustomMessage) CustomMessageEvent {
	var ua Attributes
	if e.Request.UserAttributes != nil {
		ua = make(Attributes, len(e.Request.UserAttributes))
		for k, v := range e.Request.UserAttributes {
			if v != nil {
				ua[k] = jsonText(v)
			}
		}
	}
	return CustomMessageEvent{
		Header: headerFromLambda(e.CognitoEventUserPoolsHeader),
		Request: CustomMessageRequest{
			UserAttributes:    ua,
			CodeParameter:     e.Request.CodeParameter,
			UsernameParameter: e.Request.UsernameParameter,
			ClientMetadata:    attrs(e.Request.ClientMetadata),
		},
		Response: CustomMessageResponse{
			SMSMessage:   e.Response.SMSMessage,
			EmailMessage: e.Response.EmailMessage,
			EmailSubject: e.Response.EmailSubject,
		},
	}
}

// ToLambda converts e to aws-lambda-go's custom message event, which drops the
// linkParameter: that type has no field for it.
func (e *CustomMessageEvent) ToLambda() events.CognitoEventUserPoolsCustomMessage {
	var ua map[string]any
	if e.Request.UserAttributes != nil {
		ua = make(map[string]any, len(e.Request.UserAttributes))
		for k, v := range e.Request.UserAttributes {
			ua[k] = v
		}
	}
	return events.CognitoEventUserPoolsCustomMessage{
		CognitoEventUserPoolsHeader: e.toLambda(),
		Request: events.CognitoEventUserPoolsCustomMessageRequest{
			UserAttributes:    ua,
			CodeParameter:     e.Request.CodeParameter,
			UsernameParameter: e.Request.UsernameParameter,
			ClientMetadata:    strMap(e.Request.ClientMetadata),
		},
		Response: events.CognitoEventUserPoolsCustomMessageResponse{
			SMSMessage:   e.Response.SMSMessage,
			EmailMessage: e.Response.EmailMessage,
			EmailSubject: e.Response.EmailSubject,
		},
	}
}

// InboundFederationFromLambda converts an aws-lambda-go inbound federation event. Its
// maps hold strings only, so Raw is empty: every value reads as a string.
func InboundFederationFromLambda(e events.CognitoEventUserPoolsInboundFederation) InboundFederationEvent {
	a := e.Request.Attributes
	return InboundFederationEvent{
		Header: headerFromLambda(e.CognitoEventUserPoolsHeader),
		Request: InboundFederationRequest{
			ProviderName: e.Request.ProviderName,
			ProviderType: string(e.Request.ProviderType),
			Attributes: FederationAttributes{
				TokenResponse: attrs(a.TokenResponse),
				IDToken:       attrs(a.IDToken),
				UserInfo:      attrs(a.UserInfo),
				SAMLResponse:  attrs(a.SAMLResponse),
			},
		},
		Response: InboundFederationResponse{UserAttributesToMap: attrs(e.Response.UserAttributesToMap)},
	}
}

// ToLambda converts e to aws-lambda-go's inbound federation event.
func (e *InboundFederationEvent) ToLambda() events.CognitoEventUserPoolsInboundFederation {
	a := e.Request.Attributes
	return events.CognitoEventUserPoolsInboundFederation{
		CognitoEventUserPoolsHeader: e.toLambda(),
		Request: events.CognitoEventUserPoolsInboundFederationRequest{
			ProviderName: e.Request.ProviderName,
			ProviderType: events.CognitoFederationProviderType(e.Request.ProviderType),
			Attributes: events.CognitoEventUserPoolsInboundFederationAttributes{
				TokenResponse: strMap(a.TokenResponse),
				IDToken:       strMap(a.IDToken),
				UserInfo:      strMap(a.UserInfo),
				SAMLResponse:  strMap(a.SAMLResponse),
			},
		},
		Response: events.CognitoEventUserPoolsInboundFederationResponse{
			UserAttributesToMap: strMap(e.Response.UserAttributesToMap),
		},
	}
}
