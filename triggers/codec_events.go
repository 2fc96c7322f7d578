package triggers

// The parts of the event codec that are not generated. Each event type XEvent has a
// decodeXEvent and an encodeXEvent, written member by member into codec_gen.go by go
// generate from the struct definitions (see internal/gen); here are the helpers they call
// and the code written by hand, which the generator uses instead of its own: pre token
// generation's encoder and inbound federation's response.
//
// Decoding resets every member it meets, so a key that appears twice takes its last
// value; members it does not know are skipped at any depth. Encoding follows the struct
// field order and the omitempty tags of the types, with three deliberate differences
// from encoding/json: pre token generation answers only in the override details of its
// version, inbound federation sends a nil userAttributesToMap as {}, and claim values of
// type any are written natively where possible.

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

// appendField appends the member name, after a comma unless it is the first member.
func appendField(b []byte, sep *bool, name string) []byte {
	if *sep {
		b = append(b, ',')
	}
	*sep = true
	return append(b, name...)
}

// ---- pre token generation

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

// encodePreTokenGenerationEvent appends the JSON of e, a *PreTokenGenerationEvent. Its
// response depends on the event's version and on the request's groups.
func encodePreTokenGenerationEvent(b []byte, ev Event) ([]byte, error) {
	e, ok := ev.(*PreTokenGenerationEvent)
	if !ok {
		return b, errWrongType
	}
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

// appendJSON appends the response. As InboundFederationResponse documents, a chain that
// set nothing keeps every attribute, which Cognito reads from {}.
func (r *InboundFederationResponse) appendJSON(b []byte) []byte {
	b = append(b, `{"userAttributesToMap":`...)
	if r.UserAttributesToMap == nil {
		b = append(b, "{}"...)
	} else {
		b = appendAttributes(b, r.UserAttributesToMap)
	}
	b = appendUnknownAfter(b, r.Unknown)
	return append(b, '}')
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
