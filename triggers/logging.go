package triggers

import "log/slog"

// What the events show in logs. Every event, request and response that can carry a
// secret describes itself through a LogValue method, so that logging it (the event, its
// Request or its Response, by value or by pointer) never prints passwords, answers,
// codes, tokens, private challenge parameters, or the values of validation data and
// client metadata, where applications pass captcha tokens and invitation codes. User
// attributes are shown: they are what an operator needs to follow a sign-up.

func eventValue(h *Header, request, response any) slog.Value {
	return slog.GroupValue(
		slog.String("triggerSource", string(h.TriggerSource)),
		slog.String("version", h.Version),
		slog.String("userPoolId", h.UserPoolID),
		slog.String("userName", h.UserName),
		slog.String("clientId", h.CallerContext.ClientID),
		slog.Any("request", request),
		slog.Any("response", response))
}

// LogValue describes the request, with validation data and client metadata reduced to
// their keys.
func (r PreSignUpRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("userAttributes", r.UserAttributes),
		slog.Any("validationData", keysOnly(r.ValidationData)),
		slog.Any("clientMetadata", keysOnly(r.ClientMetadata)))
}

// LogValue describes the request, with client metadata reduced to its keys.
func (r PostConfirmationRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("userAttributes", r.UserAttributes),
		slog.Any("clientMetadata", keysOnly(r.ClientMetadata)))
}

// LogValue describes the request, with validation data and client metadata reduced to
// their keys.
func (r PreAuthenticationRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("userAttributes", r.UserAttributes),
		slog.Any("validationData", keysOnly(r.ValidationData)),
		slog.Any("clientMetadata", keysOnly(r.ClientMetadata)),
		slog.Bool("userNotFound", r.UserNotFound))
}

// LogValue describes the request, with client metadata reduced to its keys.
func (r PostAuthenticationRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("newDeviceUsed", r.NewDeviceUsed),
		slog.Any("userAttributes", r.UserAttributes),
		slog.Any("clientMetadata", keysOnly(r.ClientMetadata)))
}

// LogValue describes the request, with client metadata reduced to its keys.
func (r DefineAuthChallengeRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("userAttributes", r.UserAttributes),
		slog.Any("session", r.Session),
		slog.Any("clientMetadata", keysOnly(r.ClientMetadata)),
		slog.Bool("userNotFound", r.UserNotFound))
}

// LogValue describes the request, with client metadata reduced to its keys.
func (r CreateAuthChallengeRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("userAttributes", r.UserAttributes),
		slog.String("challengeName", r.ChallengeName),
		slog.Any("session", r.Session),
		slog.Any("clientMetadata", keysOnly(r.ClientMetadata)),
		slog.Bool("userNotFound", r.UserNotFound))
}

// LogValue describes the response, with private parameters reduced to their keys.
func (r CreateAuthChallengeResponse) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("publicChallengeParameters", r.PublicChallengeParameters),
		slog.Any("privateChallengeParameters", keysOnly(r.PrivateChallengeParameters)),
		slog.String("challengeMetadata", r.ChallengeMetadata))
}

// LogValue describes the request, without the answer or private parameter values.
func (r VerifyAuthChallengeRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("userAttributes", r.UserAttributes),
		slog.Any("privateChallengeParameters", keysOnly(r.PrivateChallengeParameters)),
		slog.Any("challengeAnswer", r.ChallengeAnswer),
		slog.Any("clientMetadata", keysOnly(r.ClientMetadata)),
		slog.Bool("userNotFound", r.UserNotFound))
}

// LogValue describes the request, with client metadata reduced to its keys.
func (r PreTokenGenerationRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("userAttributes", r.UserAttributes),
		slog.Any("groupConfiguration", r.GroupConfiguration),
		slog.Any("scopes", r.Scopes),
		slog.Any("clientMetadata", keysOnly(r.ClientMetadata)))
}

// LogValue describes the response by the names of the claims and scopes it changes:
// applications put entitlements and identifiers in claim values.
func (r PreTokenGenerationResponse) LogValue() slog.Value {
	var attrs []slog.Attr
	if d := r.ClaimsOverrideDetails; d != nil {
		attrs = append(attrs, slog.Group("claimsOverrideDetails",
			slog.Any("claimsToAddOrOverride", keysOnly(d.ClaimsToAddOrOverride)),
			slog.Any("claimsToSuppress", d.ClaimsToSuppress),
			slog.Any("groupOverrideDetails", d.GroupOverrideDetails)))
	}
	if d := r.ClaimsAndScopeOverrideDetails; d != nil {
		var group []any
		if g := d.IDTokenGeneration; g != nil {
			group = append(group, slog.Group("idTokenGeneration",
				slog.Any("claimsToAddOrOverride", keysOnly(g.ClaimsToAddOrOverride)),
				slog.Any("claimsToSuppress", g.ClaimsToSuppress)))
		}
		if g := d.AccessTokenGeneration; g != nil {
			group = append(group, slog.Group("accessTokenGeneration",
				slog.Any("claimsToAddOrOverride", keysOnly(g.ClaimsToAddOrOverride)),
				slog.Any("claimsToSuppress", g.ClaimsToSuppress),
				slog.Any("scopesToAdd", g.ScopesToAdd),
				slog.Any("scopesToSuppress", g.ScopesToSuppress)))
		}
		group = append(group, slog.Any("groupOverrideDetails", d.GroupOverrideDetails))
		attrs = append(attrs, slog.Group("claimsAndScopeOverrideDetails", group...))
	}
	return slog.GroupValue(attrs...)
}

// LogValue describes the request without the password, and with validation data and
// client metadata reduced to their keys.
func (r UserMigrationRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("password", r.Password),
		slog.Any("validationData", keysOnly(r.ValidationData)),
		slog.Any("clientMetadata", keysOnly(r.ClientMetadata)))
}

// LogValue describes the response by the names of the migrated attributes.
func (r UserMigrationResponse) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("userAttributes", keysOnly(r.UserAttributes)),
		slog.String("finalUserStatus", r.FinalUserStatus),
		slog.String("messageAction", r.MessageAction),
		slog.Any("desiredDeliveryMediums", r.DesiredDeliveryMediums),
		slog.Bool("forceAliasCreation", r.ForceAliasCreation),
		slog.Bool("enableSMSMFA", r.EnableSMSMFA))
}

// LogValue describes the request, with client metadata reduced to its keys.
func (r CustomMessageRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("userAttributes", r.UserAttributes),
		slog.String("codeParameter", r.CodeParameter),
		slog.String("linkParameter", r.LinkParameter),
		slog.String("usernameParameter", r.UsernameParameter),
		slog.Any("clientMetadata", keysOnly(r.ClientMetadata)))
}

// LogValue describes the request without the code, and with client metadata reduced to
// its keys.
func (r CustomSenderRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("type", r.Type),
		slog.Any("code", r.Code),
		slog.Any("userAttributes", r.UserAttributes),
		slog.Any("clientMetadata", keysOnly(r.ClientMetadata)))
}

// LogValue describes the request: the provider, and its claims by name only.
func (r InboundFederationRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("providerName", r.ProviderName),
		slog.String("providerType", r.ProviderType),
		slog.Any("attributes", r.Attributes))
}

// LogValue describes the provider's answer for logs: token names without the tokens, and
// claim names without their values.
func (a FederationAttributes) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("tokenResponse", keysOnly(a.TokenResponse)),
		slog.Any("idToken", keysOnly(a.IDToken)),
		slog.Any("userInfo", keysOnly(a.UserInfo)),
		slog.Any("samlResponse", keysOnly(a.SAMLResponse)))
}

// keysOnly lists a map's keys with every value redacted, so that logs show what was sent
// without showing values that may be secret.
func keysOnly[V any](m map[string]V) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k := range m {
		out[k] = redacted
	}
	return out
}
