package triggers

// Decoders and encoders of each event type, written out by hand. Decoding resets every
// member it meets, so a key that appears twice takes its last value; members it does
// not know are skipped at any depth. Encoding follows the struct field order and the
// omitempty tags of the types, with three deliberate differences from encoding/json: pre
// token generation answers only in the override details of its version, inbound
// federation sends a nil userAttributesToMap as {}, and claim values of type any are
// written natively where possible.

// members reads an object (or null) through field; unknown keys must be skipped by field.
func (d *decoder) members(field func(key []byte) error) error {
	_, err := d.object(field)
	return err
}

// keepUnknown reads the value of the member key and appends the member to u.
func (d *decoder) keepUnknown(u *UnknownMembers, key []byte) error {
	b := make([]byte, 0, len(*u)+len(key)+16)
	b = append(b, *u...)
	if len(b) > 0 {
		b = append(b, ',')
	}
	b = appendKey(b, string(key))
	v, err := d.rawText()
	if err != nil {
		return err
	}
	*u = UnknownMembers(append(b, v...))
	return nil
}

// unknownObject reads a response object whose members the event type does not know, or
// null, keeping every member in u.
func (d *decoder) unknownObject(u *UnknownMembers) error {
	*u = ""
	return d.members(func(key []byte) error { return d.keepUnknown(u, key) })
}

// appendUnknown appends the kept members u, after a comma unless nothing precedes them.
func appendUnknown(b []byte, sep *bool, u UnknownMembers) []byte {
	if u == "" {
		return b
	}
	if *sep {
		b = append(b, ',')
	}
	*sep = true
	return append(b, u...)
}

// appendUnknownAfter appends the kept members u after members already written.
func appendUnknownAfter(b []byte, u UnknownMembers) []byte {
	if u == "" {
		return b
	}
	b = append(b, ',')
	return append(b, u...)
}

// event reads the top-level object of an event: the header members into h, the others
// through body, which reports whether it knew the key. Nothing may follow the object.
func (d *decoder) event(h *Header, body func(key []byte) (bool, error)) error {
	if d.peek() != '{' {
		return d.mismatch("a JSON object")
	}
	err := d.members(func(key []byte) error {
		switch string(key) {
		case "version":
			return d.version(&h.Version)
		case "triggerSource":
			var s string
			err := d.stringInto(&s)
			h.TriggerSource = TriggerSource(s)
			return err
		case "region":
			return d.stringInto(&h.Region)
		case "userPoolId":
			return d.stringInto(&h.UserPoolID)
		case "userName":
			return d.stringInto(&h.UserName)
		case "callerContext":
			c := &h.CallerContext
			*c = CallerContext{}
			return d.members(func(key []byte) error {
				switch string(key) {
				case "awsSdkVersion":
					return d.stringInto(&c.AWSSDKVersion)
				case "clientId":
					return d.stringInto(&c.ClientID)
				}
				return d.skipValue()
			})
		}
		if ok, err := body(key); ok || err != nil {
			return err
		}
		return d.skipValue()
	})
	if err != nil {
		return err
	}
	return d.end()
}

// version reads the event version: a string, or a number kept as its text.
func (d *decoder) version(p *string) error {
	switch d.peek() {
	case '"', 'n':
		return d.stringInto(p)
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		s, e, err := d.number()
		*p = d.str[s:e]
		return err
	}
	return d.mismatch("string or number")
}

func (d *decoder) attributesInto(p *Attributes) error {
	m, err := d.attributes()
	*p = m
	return err
}

func (d *decoder) stringMapInto(p *map[string]string) error {
	m, err := d.attributes()
	*p = m
	return err
}

func (d *decoder) secretInto(p *Secret) error {
	var s string
	err := d.stringInto(&s)
	*p = Secret(s)
	return err
}

func (d *decoder) session(p *[]ChallengeResult) error {
	var out []ChallengeResult
	present, err := d.array(func(int) error {
		out = append(out, ChallengeResult{})
		c := &out[len(out)-1]
		return d.members(func(key []byte) error {
			switch string(key) {
			case "challengeName":
				return d.stringInto(&c.ChallengeName)
			case "challengeResult":
				return d.boolInto(&c.ChallengeResult)
			case "challengeMetadata":
				return d.stringInto(&c.ChallengeMetadata)
			}
			return d.skipValue()
		})
	})
	if present && out == nil {
		out = []ChallengeResult{}
	}
	*p = out
	return err
}

// groupConfiguration reads a group configuration. In an override, a null preferredRole
// reads as a pointer to "", which the encoder writes back as null; elsewhere it is nil.
func (d *decoder) groupConfiguration(g *GroupConfiguration, override bool) error {
	*g = GroupConfiguration{}
	return d.members(func(key []byte) error {
		switch string(key) {
		case "groupsToOverride":
			return d.stringsInto(&g.GroupsToOverride)
		case "iamRolesToOverride":
			return d.stringsInto(&g.IAMRolesToOverride)
		case "preferredRole":
			if d.peek() == 'n' {
				g.PreferredRole = nil
				if override {
					g.PreferredRole = new(string)
				}
				return d.null()
			}
			s := new(string)
			g.PreferredRole = s
			return d.stringInto(s)
		}
		return d.skipValue()
	})
}

// groupOverride reads an optional group override: null stays nil, which keeps the groups.
func (d *decoder) groupOverride(p **GroupConfiguration) error {
	if d.peek() == 'n' {
		*p = nil
		return d.null()
	}
	g := new(GroupConfiguration)
	*p = g
	return d.groupConfiguration(g, true)
}

func (d *decoder) anyMapInto(p *map[string]any) error {
	m, err := d.anyMap()
	*p = m
	return err
}

// ---- pre sign-up, post confirmation, pre and post authentication

func (d *decoder) preSignUp(e *PreSignUpEvent) error {
	return d.event(&e.Header, func(key []byte) (bool, error) {
		switch string(key) {
		case "request":
			r := &e.Request
			*r = PreSignUpRequest{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "userAttributes":
					return d.attributesInto(&r.UserAttributes)
				case "validationData":
					return d.attributesInto(&r.ValidationData)
				case "clientMetadata":
					return d.attributesInto(&r.ClientMetadata)
				}
				return d.skipValue()
			})
		case "response":
			r := &e.Response
			*r = PreSignUpResponse{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "autoConfirmUser":
					return d.boolInto(&r.AutoConfirmUser)
				case "autoVerifyEmail":
					return d.boolInto(&r.AutoVerifyEmail)
				case "autoVerifyPhone":
					return d.boolInto(&r.AutoVerifyPhone)
				}
				return d.keepUnknown(&r.Unknown, key)
			})
		}
		return false, nil
	})
}

func appendPreSignUp(b []byte, e *PreSignUpEvent) []byte {
	b = appendHeader(b, &e.Header)
	b = append(b, `,"request":{"userAttributes":`...)
	b = appendAttributes(b, e.Request.UserAttributes)
	b = append(b, `,"validationData":`...)
	b = appendAttributes(b, e.Request.ValidationData)
	b = append(b, `,"clientMetadata":`...)
	b = appendAttributes(b, e.Request.ClientMetadata)
	b = append(b, `},"response":{"autoConfirmUser":`...)
	b = appendBool(b, e.Response.AutoConfirmUser)
	b = append(b, `,"autoVerifyEmail":`...)
	b = appendBool(b, e.Response.AutoVerifyEmail)
	b = append(b, `,"autoVerifyPhone":`...)
	b = appendBool(b, e.Response.AutoVerifyPhone)
	b = appendUnknownAfter(b, e.Response.Unknown)
	return append(b, "}}"...)
}

func (d *decoder) postConfirmation(e *PostConfirmationEvent) error {
	return d.event(&e.Header, func(key []byte) (bool, error) {
		switch string(key) {
		case "request":
			r := &e.Request
			*r = PostConfirmationRequest{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "userAttributes":
					return d.attributesInto(&r.UserAttributes)
				case "clientMetadata":
					return d.attributesInto(&r.ClientMetadata)
				}
				return d.skipValue()
			})
		case "response":
			return true, d.unknownObject(&e.Response.Unknown)
		}
		return false, nil
	})
}

func appendPostConfirmation(b []byte, e *PostConfirmationEvent) []byte {
	b = appendHeader(b, &e.Header)
	b = append(b, `,"request":{"userAttributes":`...)
	b = appendAttributes(b, e.Request.UserAttributes)
	b = append(b, `,"clientMetadata":`...)
	b = appendAttributes(b, e.Request.ClientMetadata)
	b = append(b, `},"response":{`...)
	b = append(b, e.Response.Unknown...)
	return append(b, "}}"...)
}

func (d *decoder) preAuthentication(e *PreAuthenticationEvent) error {
	return d.event(&e.Header, func(key []byte) (bool, error) {
		switch string(key) {
		case "request":
			r := &e.Request
			*r = PreAuthenticationRequest{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "userAttributes":
					return d.attributesInto(&r.UserAttributes)
				case "validationData":
					return d.attributesInto(&r.ValidationData)
				case "clientMetadata":
					return d.attributesInto(&r.ClientMetadata)
				case "userNotFound":
					return d.boolInto(&r.UserNotFound)
				}
				return d.skipValue()
			})
		case "response":
			return true, d.unknownObject(&e.Response.Unknown)
		}
		return false, nil
	})
}

func appendPreAuthentication(b []byte, e *PreAuthenticationEvent) []byte {
	b = appendHeader(b, &e.Header)
	b = append(b, `,"request":{"userAttributes":`...)
	b = appendAttributes(b, e.Request.UserAttributes)
	b = append(b, `,"validationData":`...)
	b = appendAttributes(b, e.Request.ValidationData)
	if len(e.Request.ClientMetadata) > 0 {
		b = append(b, `,"clientMetadata":`...)
		b = appendAttributes(b, e.Request.ClientMetadata)
	}
	b = append(b, `,"userNotFound":`...)
	b = appendBool(b, e.Request.UserNotFound)
	b = append(b, `},"response":{`...)
	b = append(b, e.Response.Unknown...)
	return append(b, "}}"...)
}

func (d *decoder) postAuthentication(e *PostAuthenticationEvent) error {
	return d.event(&e.Header, func(key []byte) (bool, error) {
		switch string(key) {
		case "request":
			r := &e.Request
			*r = PostAuthenticationRequest{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "newDeviceUsed":
					return d.boolInto(&r.NewDeviceUsed)
				case "userAttributes":
					return d.attributesInto(&r.UserAttributes)
				case "clientMetadata":
					return d.attributesInto(&r.ClientMetadata)
				}
				return d.skipValue()
			})
		case "response":
			return true, d.unknownObject(&e.Response.Unknown)
		}
		return false, nil
	})
}

func appendPostAuthentication(b []byte, e *PostAuthenticationEvent) []byte {
	b = appendHeader(b, &e.Header)
	b = append(b, `,"request":{"newDeviceUsed":`...)
	b = appendBool(b, e.Request.NewDeviceUsed)
	b = append(b, `,"userAttributes":`...)
	b = appendAttributes(b, e.Request.UserAttributes)
	b = append(b, `,"clientMetadata":`...)
	b = appendAttributes(b, e.Request.ClientMetadata)
	b = append(b, `},"response":{`...)
	b = append(b, e.Response.Unknown...)
	return append(b, "}}"...)
}

// ---- custom authentication

func (d *decoder) defineAuthChallenge(e *DefineAuthChallengeEvent) error {
	return d.event(&e.Header, func(key []byte) (bool, error) {
		switch string(key) {
		case "request":
			r := &e.Request
			*r = DefineAuthChallengeRequest{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "userAttributes":
					return d.attributesInto(&r.UserAttributes)
				case "session":
					return d.session(&r.Session)
				case "clientMetadata":
					return d.attributesInto(&r.ClientMetadata)
				case "userNotFound":
					return d.boolInto(&r.UserNotFound)
				}
				return d.skipValue()
			})
		case "response":
			r := &e.Response
			*r = DefineAuthChallengeResponse{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "challengeName":
					return d.stringInto(&r.ChallengeName)
				case "issueTokens":
					return d.boolInto(&r.IssueTokens)
				case "failAuthentication":
					return d.boolInto(&r.FailAuthentication)
				}
				return d.keepUnknown(&r.Unknown, key)
			})
		}
		return false, nil
	})
}

func appendDefineAuthChallenge(b []byte, e *DefineAuthChallengeEvent) []byte {
	b = appendHeader(b, &e.Header)
	b = append(b, `,"request":{"userAttributes":`...)
	b = appendAttributes(b, e.Request.UserAttributes)
	b = append(b, `,"session":`...)
	b = appendSession(b, e.Request.Session)
	if len(e.Request.ClientMetadata) > 0 {
		b = append(b, `,"clientMetadata":`...)
		b = appendAttributes(b, e.Request.ClientMetadata)
	}
	b = append(b, `,"userNotFound":`...)
	b = appendBool(b, e.Request.UserNotFound)
	b = append(b, `},"response":{`...)
	if e.Response.ChallengeName != "" {
		b = append(b, `"challengeName":`...)
		b = appendString(b, e.Response.ChallengeName)
		b = append(b, ',')
	}
	b = append(b, `"issueTokens":`...)
	b = appendBool(b, e.Response.IssueTokens)
	b = append(b, `,"failAuthentication":`...)
	b = appendBool(b, e.Response.FailAuthentication)
	b = appendUnknownAfter(b, e.Response.Unknown)
	return append(b, "}}"...)
}

func appendSession(b []byte, s []ChallengeResult) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"challengeName":`...)
		b = appendString(b, s[i].ChallengeName)
		b = append(b, `,"challengeResult":`...)
		b = appendBool(b, s[i].ChallengeResult)
		if s[i].ChallengeMetadata != "" {
			b = append(b, `,"challengeMetadata":`...)
			b = appendString(b, s[i].ChallengeMetadata)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

func (d *decoder) createAuthChallenge(e *CreateAuthChallengeEvent) error {
	return d.event(&e.Header, func(key []byte) (bool, error) {
		switch string(key) {
		case "request":
			r := &e.Request
			*r = CreateAuthChallengeRequest{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "userAttributes":
					return d.attributesInto(&r.UserAttributes)
				case "challengeName":
					return d.stringInto(&r.ChallengeName)
				case "session":
					return d.session(&r.Session)
				case "clientMetadata":
					return d.attributesInto(&r.ClientMetadata)
				case "userNotFound":
					return d.boolInto(&r.UserNotFound)
				}
				return d.skipValue()
			})
		case "response":
			r := &e.Response
			*r = CreateAuthChallengeResponse{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "publicChallengeParameters":
					return d.stringMapInto(&r.PublicChallengeParameters)
				case "privateChallengeParameters":
					return d.stringMapInto(&r.PrivateChallengeParameters)
				case "challengeMetadata":
					return d.stringInto(&r.ChallengeMetadata)
				}
				return d.keepUnknown(&r.Unknown, key)
			})
		}
		return false, nil
	})
}

func appendCreateAuthChallenge(b []byte, e *CreateAuthChallengeEvent) []byte {
	b = appendHeader(b, &e.Header)
	b = append(b, `,"request":{"userAttributes":`...)
	b = appendAttributes(b, e.Request.UserAttributes)
	b = append(b, `,"challengeName":`...)
	b = appendString(b, e.Request.ChallengeName)
	b = append(b, `,"session":`...)
	b = appendSession(b, e.Request.Session)
	if len(e.Request.ClientMetadata) > 0 {
		b = append(b, `,"clientMetadata":`...)
		b = appendAttributes(b, e.Request.ClientMetadata)
	}
	b = append(b, `,"userNotFound":`...)
	b = appendBool(b, e.Request.UserNotFound)
	b = append(b, `},"response":{`...)
	sep := false
	if r := e.Response.PublicChallengeParameters; len(r) > 0 {
		b = appendField(b, &sep, `"publicChallengeParameters":`)
		b = appendAttributes(b, r)
	}
	if r := e.Response.PrivateChallengeParameters; len(r) > 0 {
		b = appendField(b, &sep, `"privateChallengeParameters":`)
		b = appendAttributes(b, r)
	}
	if e.Response.ChallengeMetadata != "" {
		b = appendField(b, &sep, `"challengeMetadata":`)
		b = appendString(b, e.Response.ChallengeMetadata)
	}
	b = appendUnknown(b, &sep, e.Response.Unknown)
	return append(b, "}}"...)
}

// appendField appends the member name, after a comma unless it is the first member.
func appendField(b []byte, sep *bool, name string) []byte {
	if *sep {
		b = append(b, ',')
	}
	*sep = true
	return append(b, name...)
}

func (d *decoder) verifyAuthChallenge(e *VerifyAuthChallengeEvent) error {
	return d.event(&e.Header, func(key []byte) (bool, error) {
		switch string(key) {
		case "request":
			r := &e.Request
			*r = VerifyAuthChallengeRequest{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "userAttributes":
					return d.attributesInto(&r.UserAttributes)
				case "privateChallengeParameters":
					return d.stringMapInto(&r.PrivateChallengeParameters)
				case "challengeAnswer":
					return d.secretInto(&r.ChallengeAnswer)
				case "clientMetadata":
					return d.attributesInto(&r.ClientMetadata)
				case "userNotFound":
					return d.boolInto(&r.UserNotFound)
				}
				return d.skipValue()
			})
		case "response":
			r := &e.Response
			*r = VerifyAuthChallengeResponse{}
			return true, d.members(func(key []byte) error {
				if string(key) == "answerCorrect" {
					return d.boolInto(&r.AnswerCorrect)
				}
				return d.keepUnknown(&r.Unknown, key)
			})
		}
		return false, nil
	})
}

func appendVerifyAuthChallenge(b []byte, e *VerifyAuthChallengeEvent) []byte {
	b = appendHeader(b, &e.Header)
	b = append(b, `,"request":{"userAttributes":`...)
	b = appendAttributes(b, e.Request.UserAttributes)
	b = append(b, `,"privateChallengeParameters":`...)
	b = appendAttributes(b, e.Request.PrivateChallengeParameters)
	b = append(b, `,"challengeAnswer":`...)
	b = appendString(b, e.Request.ChallengeAnswer.Reveal())
	if len(e.Request.ClientMetadata) > 0 {
		b = append(b, `,"clientMetadata":`...)
		b = appendAttributes(b, e.Request.ClientMetadata)
	}
	b = append(b, `,"userNotFound":`...)
	b = appendBool(b, e.Request.UserNotFound)
	b = append(b, `},"response":{"answerCorrect":`...)
	b = appendBool(b, e.Response.AnswerCorrect)
	b = appendUnknownAfter(b, e.Response.Unknown)
	return append(b, "}}"...)
}

// ---- pre token generation

func (d *decoder) preTokenGeneration(e *PreTokenGenerationEvent) error {
	return d.event(&e.Header, func(key []byte) (bool, error) {
		switch string(key) {
		case "request":
			r := &e.Request
			*r = PreTokenGenerationRequest{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "userAttributes":
					return d.attributesInto(&r.UserAttributes)
				case "groupConfiguration":
					return d.groupConfiguration(&r.GroupConfiguration, false)
				case "scopes":
					return d.stringsInto(&r.Scopes)
				case "clientMetadata":
					return d.attributesInto(&r.ClientMetadata)
				}
				return d.skipValue()
			})
		case "response":
			r := &e.Response
			*r = PreTokenGenerationResponse{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "claimsOverrideDetails":
					return d.claimsOverrideDetails(&r.ClaimsOverrideDetails)
				case "claimsAndScopeOverrideDetails":
					return d.claimsAndScopeOverrideDetails(&r.ClaimsAndScopeOverrideDetails)
				}
				return d.keepUnknown(&r.Unknown, key)
			})
		}
		return false, nil
	})
}

func (d *decoder) claimsOverrideDetails(p **ClaimsOverrideDetails) error {
	if d.peek() == 'n' {
		*p = nil
		return d.null()
	}
	c := new(ClaimsOverrideDetails)
	*p = c
	return d.members(func(key []byte) error {
		switch string(key) {
		case "claimsToAddOrOverride":
			return d.stringMapInto(&c.ClaimsToAddOrOverride)
		case "claimsToSuppress":
			return d.stringsInto(&c.ClaimsToSuppress)
		case "groupOverrideDetails":
			return d.groupOverride(&c.GroupOverrideDetails)
		}
		return d.keepUnknown(&c.Unknown, key)
	})
}

func (d *decoder) claimsAndScopeOverrideDetails(p **ClaimsAndScopeOverrideDetails) error {
	if d.peek() == 'n' {
		*p = nil
		return d.null()
	}
	c := new(ClaimsAndScopeOverrideDetails)
	*p = c
	return d.members(func(key []byte) error {
		switch string(key) {
		case "idTokenGeneration":
			if d.peek() == 'n' {
				c.IDTokenGeneration = nil
				return d.null()
			}
			t := new(IDTokenGeneration)
			c.IDTokenGeneration = t
			return d.members(func(key []byte) error {
				switch string(key) {
				case "claimsToAddOrOverride":
					return d.anyMapInto(&t.ClaimsToAddOrOverride)
				case "claimsToSuppress":
					return d.stringsInto(&t.ClaimsToSuppress)
				}
				return d.keepUnknown(&t.Unknown, key)
			})
		case "accessTokenGeneration":
			if d.peek() == 'n' {
				c.AccessTokenGeneration = nil
				return d.null()
			}
			t := new(AccessTokenGeneration)
			c.AccessTokenGeneration = t
			return d.members(func(key []byte) error {
				switch string(key) {
				case "claimsToAddOrOverride":
					return d.anyMapInto(&t.ClaimsToAddOrOverride)
				case "claimsToSuppress":
					return d.stringsInto(&t.ClaimsToSuppress)
				case "scopesToAdd":
					return d.stringsInto(&t.ScopesToAdd)
				case "scopesToSuppress":
					return d.stringsInto(&t.ScopesToSuppress)
				}
				return d.keepUnknown(&t.Unknown, key)
			})
		case "groupOverrideDetails":
			return d.groupOverride(&c.GroupOverrideDetails)
		}
		return d.keepUnknown(&c.Unknown, key)
	})
}

func appendPreTokenGeneration(b []byte, e *PreTokenGenerationEvent) ([]byte, error) {
	b = appendHeader(b, &e.Header)
	b = append(b, `,"request":{"userAttributes":`...)
	b = appendAttributes(b, e.Request.UserAttributes)
	b = append(b, `,"groupConfiguration":`...)
	b = appendGroupConfiguration(b, &e.Request.GroupConfiguration)
	if len(e.Request.Scopes) > 0 {
		b = append(b, `,"scopes":`...)
		b = appendStrings(b, e.Request.Scopes)
	}
	if len(e.Request.ClientMetadata) > 0 {
		b = append(b, `,"clientMetadata":`...)
		b = appendAttributes(b, e.Request.ClientMetadata)
	}
	b = append(b, `},"response":{`...)
	sep := false
	// Cognito reads the override details of the event's version only; the other member
	// is left out, so that a module written for one version cannot confuse the other.
	//
	// Cognito's documentation reads an empty or null groupOverrideDetails as "no groups"
	// and says nothing of a missing one, so override details that carry none are sent
	// with a copy of the request's groups: the user keeps them under either reading. A
	// module that set an override, even an empty one, meant it.
	groups := &e.Request.GroupConfiguration
	if e.TriggerSource == TokenGenerationClientCredentials ||
		groups.GroupsToOverride == nil && groups.IAMRolesToOverride == nil && groups.PreferredRole == nil {
		groups = nil // no user, or no group configuration to keep
	}
	if e.IsV1() {
		if c := e.Response.ClaimsOverrideDetails; c != nil {
			b = appendField(b, &sep, `"claimsOverrideDetails":`)
			b = appendClaimsOverrideDetails(b, c, groups)
		}
	} else if c := e.Response.ClaimsAndScopeOverrideDetails; c != nil {
		b = appendField(b, &sep, `"claimsAndScopeOverrideDetails":`)
		var err error
		if b, err = appendClaimsAndScopeOverrideDetails(b, c, groups); err != nil {
			return b, encodeWithin(encodeWithin(err, "claimsAndScopeOverrideDetails"), "response")
		}
	}
	b = appendUnknown(b, &sep, e.Response.Unknown)
	return append(b, "}}"...), nil
}

func appendGroupConfiguration(b []byte, g *GroupConfiguration) []byte {
	b = append(b, `{"groupsToOverride":`...)
	b = appendStrings(b, g.GroupsToOverride)
	b = append(b, `,"iamRolesToOverride":`...)
	b = appendStrings(b, g.IAMRolesToOverride)
	b = append(b, `,"preferredRole":`...)
	if g.PreferredRole == nil {
		b = append(b, "null"...)
	} else {
		b = appendString(b, *g.PreferredRole)
	}
	return append(b, '}')
}

// appendGroupOverride appends a group override with the members that are set: an
// override Cognito sent as {} goes back as {}. A nil PreferredRole sends no
// preferredRole member, a pointer to "" sends "preferredRole":null.
func appendGroupOverride(b []byte, g *GroupConfiguration) []byte {
	b = append(b, '{')
	sep := false
	if g.GroupsToOverride != nil {
		b = appendField(b, &sep, `"groupsToOverride":`)
		b = appendStrings(b, g.GroupsToOverride)
	}
	if g.IAMRolesToOverride != nil {
		b = appendField(b, &sep, `"iamRolesToOverride":`)
		b = appendStrings(b, g.IAMRolesToOverride)
	}
	if g.PreferredRole != nil {
		b = appendField(b, &sep, `"preferredRole":`)
		if *g.PreferredRole == "" {
			b = append(b, "null"...)
		} else {
			b = appendString(b, *g.PreferredRole)
		}
	}
	return append(b, '}')
}

// appendGroupsOf appends the group override of a response: the one a module set, or
// else the request's group configuration as Cognito sent it (none when request is nil).
func appendGroupsOf(b []byte, sep *bool, set, request *GroupConfiguration) []byte {
	switch {
	case set != nil:
		b = appendField(b, sep, `"groupOverrideDetails":`)
		return appendGroupOverride(b, set)
	case request != nil:
		b = appendField(b, sep, `"groupOverrideDetails":`)
		return appendGroupConfiguration(b, request)
	}
	return b
}

func appendClaimsOverrideDetails(b []byte, c *ClaimsOverrideDetails, groups *GroupConfiguration) []byte {
	b = append(b, '{')
	sep := false
	if len(c.ClaimsToAddOrOverride) > 0 {
		b = appendField(b, &sep, `"claimsToAddOrOverride":`)
		b = appendAttributes(b, c.ClaimsToAddOrOverride)
	}
	if len(c.ClaimsToSuppress) > 0 {
		b = appendField(b, &sep, `"claimsToSuppress":`)
		b = appendStrings(b, c.ClaimsToSuppress)
	}
	b = appendGroupsOf(b, &sep, c.GroupOverrideDetails, groups)
	b = appendUnknown(b, &sep, c.Unknown)
	return append(b, '}')
}

func appendClaimsAndScopeOverrideDetails(b []byte, c *ClaimsAndScopeOverrideDetails, groups *GroupConfiguration) ([]byte, error) {
	var err error
	b = append(b, '{')
	sep := false
	if t := c.IDTokenGeneration; t != nil {
		b = appendField(b, &sep, `"idTokenGeneration":{`)
		tsep := false
		if len(t.ClaimsToAddOrOverride) > 0 {
			b = appendField(b, &tsep, `"claimsToAddOrOverride":`)
			if b, err = appendAnyMap(b, t.ClaimsToAddOrOverride, 1); err != nil {
				return b, encodeWithin(encodeWithin(err, "claimsToAddOrOverride"), "idTokenGeneration")
			}
		}
		if len(t.ClaimsToSuppress) > 0 {
			b = appendField(b, &tsep, `"claimsToSuppress":`)
			b = appendStrings(b, t.ClaimsToSuppress)
		}
		b = appendUnknown(b, &tsep, t.Unknown)
		b = append(b, '}')
	}
	if t := c.AccessTokenGeneration; t != nil {
		b = appendField(b, &sep, `"accessTokenGeneration":{`)
		tsep := false
		if len(t.ClaimsToAddOrOverride) > 0 {
			b = appendField(b, &tsep, `"claimsToAddOrOverride":`)
			if b, err = appendAnyMap(b, t.ClaimsToAddOrOverride, 1); err != nil {
				return b, encodeWithin(encodeWithin(err, "claimsToAddOrOverride"), "accessTokenGeneration")
			}
		}
		if len(t.ClaimsToSuppress) > 0 {
			b = appendField(b, &tsep, `"claimsToSuppress":`)
			b = appendStrings(b, t.ClaimsToSuppress)
		}
		if len(t.ScopesToAdd) > 0 {
			b = appendField(b, &tsep, `"scopesToAdd":`)
			b = appendStrings(b, t.ScopesToAdd)
		}
		if len(t.ScopesToSuppress) > 0 {
			b = appendField(b, &tsep, `"scopesToSuppress":`)
			b = appendStrings(b, t.ScopesToSuppress)
		}
		b = appendUnknown(b, &tsep, t.Unknown)
		b = append(b, '}')
	}
	b = appendGroupsOf(b, &sep, c.GroupOverrideDetails, groups)
	b = appendUnknown(b, &sep, c.Unknown)
	return append(b, '}'), nil
}

// ---- user migration, custom message, custom senders, inbound federation

func (d *decoder) userMigration(e *UserMigrationEvent) error {
	return d.event(&e.Header, func(key []byte) (bool, error) {
		switch string(key) {
		case "request":
			r := &e.Request
			*r = UserMigrationRequest{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "password":
					return d.secretInto(&r.Password)
				case "validationData":
					return d.attributesInto(&r.ValidationData)
				case "clientMetadata":
					return d.attributesInto(&r.ClientMetadata)
				}
				return d.skipValue()
			})
		case "response":
			r := &e.Response
			*r = UserMigrationResponse{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "userAttributes":
					return d.attributesInto(&r.UserAttributes)
				case "finalUserStatus":
					return d.stringInto(&r.FinalUserStatus)
				case "messageAction":
					return d.stringInto(&r.MessageAction)
				case "desiredDeliveryMediums":
					return d.stringsInto(&r.DesiredDeliveryMediums)
				case "forceAliasCreation":
					return d.boolInto(&r.ForceAliasCreation)
				case "enableSMSMFA":
					return d.boolInto(&r.EnableSMSMFA)
				}
				return d.keepUnknown(&r.Unknown, key)
			})
		}
		return false, nil
	})
}

func appendUserMigration(b []byte, e *UserMigrationEvent) []byte {
	b = appendHeader(b, &e.Header)
	b = append(b, `,"request":{"password":`...)
	b = appendString(b, e.Request.Password.Reveal())
	b = append(b, `,"validationData":`...)
	b = appendAttributes(b, e.Request.ValidationData)
	b = append(b, `,"clientMetadata":`...)
	b = appendAttributes(b, e.Request.ClientMetadata)
	b = append(b, `},"response":{`...)
	r := &e.Response
	sep := false
	if len(r.UserAttributes) > 0 {
		b = appendField(b, &sep, `"userAttributes":`)
		b = appendAttributes(b, r.UserAttributes)
	}
	if r.FinalUserStatus != "" {
		b = appendField(b, &sep, `"finalUserStatus":`)
		b = appendString(b, r.FinalUserStatus)
	}
	if r.MessageAction != "" {
		b = appendField(b, &sep, `"messageAction":`)
		b = appendString(b, r.MessageAction)
	}
	if len(r.DesiredDeliveryMediums) > 0 {
		b = appendField(b, &sep, `"desiredDeliveryMediums":`)
		b = appendStrings(b, r.DesiredDeliveryMediums)
	}
	if r.ForceAliasCreation {
		b = appendField(b, &sep, `"forceAliasCreation":true`)
	}
	if r.EnableSMSMFA {
		b = appendField(b, &sep, `"enableSMSMFA":true`)
	}
	b = appendUnknown(b, &sep, r.Unknown)
	return append(b, "}}"...)
}

func (d *decoder) customMessage(e *CustomMessageEvent) error {
	return d.event(&e.Header, func(key []byte) (bool, error) {
		switch string(key) {
		case "request":
			r := &e.Request
			*r = CustomMessageRequest{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "userAttributes":
					return d.attributesInto(&r.UserAttributes)
				case "codeParameter":
					return d.stringInto(&r.CodeParameter)
				case "linkParameter":
					return d.stringInto(&r.LinkParameter)
				case "usernameParameter":
					return d.stringInto(&r.UsernameParameter)
				case "clientMetadata":
					return d.attributesInto(&r.ClientMetadata)
				}
				return d.skipValue()
			})
		case "response":
			r := &e.Response
			*r = CustomMessageResponse{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "smsMessage":
					return d.stringInto(&r.SMSMessage)
				case "emailMessage":
					return d.stringInto(&r.EmailMessage)
				case "emailSubject":
					return d.stringInto(&r.EmailSubject)
				}
				return d.keepUnknown(&r.Unknown, key)
			})
		}
		return false, nil
	})
}

func appendCustomMessage(b []byte, e *CustomMessageEvent) []byte {
	b = appendHeader(b, &e.Header)
	r := &e.Request
	b = append(b, `,"request":{"userAttributes":`...)
	b = appendAttributes(b, r.UserAttributes)
	b = append(b, `,"codeParameter":`...)
	b = appendString(b, r.CodeParameter)
	if r.LinkParameter != "" {
		b = append(b, `,"linkParameter":`...)
		b = appendString(b, r.LinkParameter)
	}
	b = append(b, `,"usernameParameter":`...)
	b = appendString(b, r.UsernameParameter)
	if len(r.ClientMetadata) > 0 {
		b = append(b, `,"clientMetadata":`...)
		b = appendAttributes(b, r.ClientMetadata)
	}
	b = append(b, `},"response":{`...)
	sep := false
	if e.Response.SMSMessage != "" {
		b = appendField(b, &sep, `"smsMessage":`)
		b = appendString(b, e.Response.SMSMessage)
	}
	if e.Response.EmailMessage != "" {
		b = appendField(b, &sep, `"emailMessage":`)
		b = appendString(b, e.Response.EmailMessage)
	}
	if e.Response.EmailSubject != "" {
		b = appendField(b, &sep, `"emailSubject":`)
		b = appendString(b, e.Response.EmailSubject)
	}
	b = appendUnknown(b, &sep, e.Response.Unknown)
	return append(b, "}}"...)
}

// customSender reads the members shared by both custom sender events.
func (d *decoder) customSender(h *Header, r *CustomSenderRequest, resp *CustomSenderResponse) error {
	return d.event(h, func(key []byte) (bool, error) {
		switch string(key) {
		case "request":
			*r = CustomSenderRequest{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "type":
					return d.stringInto(&r.Type)
				case "code":
					return d.secretInto(&r.Code)
				case "clientMetadata":
					return d.attributesInto(&r.ClientMetadata)
				case "userAttributes":
					return d.attributesInto(&r.UserAttributes)
				}
				return d.skipValue()
			})
		case "response":
			return true, d.unknownObject(&resp.Unknown)
		}
		return false, nil
	})
}

func appendCustomSender(b []byte, h *Header, r *CustomSenderRequest, resp *CustomSenderResponse) []byte {
	b = appendHeader(b, h)
	b = append(b, `,"request":{"type":`...)
	b = appendString(b, r.Type)
	b = append(b, `,"code":`...)
	b = appendString(b, r.Code.Reveal())
	if len(r.ClientMetadata) > 0 {
		b = append(b, `,"clientMetadata":`...)
		b = appendAttributes(b, r.ClientMetadata)
	}
	b = append(b, `,"userAttributes":`...)
	b = appendAttributes(b, r.UserAttributes)
	b = append(b, `},"response":{`...)
	b = append(b, resp.Unknown...)
	return append(b, "}}"...)
}

func (d *decoder) inboundFederation(e *InboundFederationEvent) error {
	return d.event(&e.Header, func(key []byte) (bool, error) {
		switch string(key) {
		case "request":
			r := &e.Request
			*r = InboundFederationRequest{}
			return true, d.members(func(key []byte) error {
				switch string(key) {
				case "providerName":
					return d.stringInto(&r.ProviderName)
				case "providerType":
					return d.stringInto(&r.ProviderType)
				case "attributes":
					return d.federationAttributes(&r.Attributes)
				}
				return d.skipValue()
			})
		case "response":
			r := &e.Response
			*r = InboundFederationResponse{}
			return true, d.members(func(key []byte) error {
				if string(key) == "userAttributesToMap" {
					return d.attributesInto(&r.UserAttributesToMap)
				}
				return d.keepUnknown(&r.Unknown, key)
			})
		}
		return false, nil
	})
}

func appendInboundFederation(b []byte, e *InboundFederationEvent) []byte {
	b = appendHeader(b, &e.Header)
	r := &e.Request
	b = append(b, `,"request":{"providerName":`...)
	b = appendString(b, r.ProviderName)
	b = append(b, `,"providerType":`...)
	b = appendString(b, r.ProviderType)
	b = append(b, `,"attributes":`...)
	b = appendFederationAttributes(b, &r.Attributes)
	b = append(b, `},"response":{"userAttributesToMap":`...)
	if e.Response.UserAttributesToMap == nil {
		// As InboundFederationResponse documents: a chain that set nothing keeps every
		// attribute, which Cognito reads from {}.
		b = append(b, "{}"...)
	} else {
		b = appendAttributes(b, e.Response.UserAttributesToMap)
	}
	b = appendUnknownAfter(b, e.Response.Unknown)
	return append(b, "}}"...)
}

// appendHeader opens the event object and writes the header members.
func appendHeader(b []byte, h *Header) []byte {
	b = append(b, `{"version":`...)
	b = appendString(b, h.Version)
	b = append(b, `,"triggerSource":`...)
	b = appendString(b, string(h.TriggerSource))
	b = append(b, `,"region":`...)
	b = appendString(b, h.Region)
	b = append(b, `,"userPoolId":`...)
	b = appendString(b, h.UserPoolID)
	b = append(b, `,"userName":`...)
	b = appendString(b, h.UserName)
	b = append(b, `,"callerContext":{"awsSdkVersion":`...)
	b = appendString(b, h.CallerContext.AWSSDKVersion)
	b = append(b, `,"clientId":`...)
	b = appendString(b, h.CallerContext.ClientID)
	return append(b, '}')
}
