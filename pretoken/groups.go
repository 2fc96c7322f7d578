package pretoken

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// Cognito replaces the user's whole group configuration with groupOverrideDetails when
// the response carries one, and an empty one removes every group. So the group helpers
// start the override from a copy of the request's configuration, the first time any of
// them writes: a module that changes only the preferred role keeps the user's groups
// and roles. A chain that never touches groups sends the request's configuration back
// unchanged whenever it answers with override details (the encoder copies it), and no
// override at all when it answers with none.

// groupOverride returns the event's group override, creating it from the request's
// configuration on first use. It returns nil for an event without a user.
func groupOverride(e *Event) *triggers.GroupConfiguration {
	if !HasUser(e) {
		return nil
	}
	var slot **triggers.GroupConfiguration
	if e.IsV1() {
		slot = &v1Details(e).GroupOverrideDetails
	} else {
		slot = &v2Details(e).GroupOverrideDetails
	}
	if *slot == nil {
		req := e.Request.GroupConfiguration
		*slot = &triggers.GroupConfiguration{
			GroupsToOverride:   slices.Clone(req.GroupsToOverride),
			IAMRolesToOverride: slices.Clone(req.IAMRolesToOverride),
		}
		// A request without a preferred role goes back as "preferredRole":null, as
		// Cognito sent it.
		role := ""
		if req.PreferredRole != nil {
			role = *req.PreferredRole
		}
		(*slot).PreferredRole = &role
	}
	return *slot
}

// Groups returns the user's groups as the tokens will carry them: the override an
// earlier module set, or else the groups in the request.
func Groups(e *Event) []string {
	if o := currentOverride(e); o != nil {
		return slices.Clone(o.GroupsToOverride)
	}
	return slices.Clone(e.Request.GroupConfiguration.GroupsToOverride)
}

func currentOverride(e *Event) *triggers.GroupConfiguration {
	if e.IsV1() {
		if d := e.Response.ClaimsOverrideDetails; d != nil {
			return d.GroupOverrideDetails
		}
		return nil
	}
	if d := e.Response.ClaimsAndScopeOverrideDetails; d != nil {
		return d.GroupOverrideDetails
	}
	return nil
}

// SetGroups replaces the user's groups (the cognito:groups claim) with groups. An empty
// list removes every group on purpose. The user's IAM roles and preferred role are kept
// unless changed too. It does nothing on an event without a user.
func SetGroups(e *Event, groups []string) {
	if o := groupOverride(e); o != nil {
		o.GroupsToOverride = append([]string{}, groups...)
	}
}

// AddGroups adds groups to the user's groups, after those already there and without
// duplicates. It does nothing on an event without a user.
func AddGroups(e *Event, groups ...string) {
	if len(groups) == 0 {
		return
	}
	if o := groupOverride(e); o != nil {
		for _, g := range groups {
			o.GroupsToOverride = appendNew(o.GroupsToOverride, g)
		}
	}
}

// RemoveGroups removes groups from the user's groups. Removing the last one leaves the
// user with no groups. It does nothing on an event without a user.
func RemoveGroups(e *Event, groups ...string) {
	if len(groups) == 0 {
		return
	}
	if o := groupOverride(e); o != nil {
		o.GroupsToOverride = slices.DeleteFunc(append([]string{}, o.GroupsToOverride...),
			func(g string) bool { return slices.Contains(groups, g) })
	}
}

// SetIAMRoles replaces the IAM roles (the cognito:roles claim) with roles; an empty list
// removes them. It does nothing on an event without a user.
func SetIAMRoles(e *Event, roles []string) {
	if o := groupOverride(e); o != nil {
		o.IAMRolesToOverride = append([]string{}, roles...)
	}
}

// SetPreferredRole sets the preferred IAM role (the cognito:preferred_role claim). An
// empty role removes it: the response then carries the group override with
// "preferredRole":null, and the user's groups and IAM roles as before unless changed
// too. It does nothing on an event without a user.
func SetPreferredRole(e *Event, role string) {
	if o := groupOverride(e); o != nil {
		o.PreferredRole = &role
	}
}

// GroupsConfig configures [OverrideGroups]. A nil field keeps what the user has; an
// empty, non-nil list removes it on purpose. One field at least is required.
type GroupsConfig struct {
	// Groups replaces the user's groups (cognito:groups).
	Groups []string
	// IAMRoles replaces the user's IAM roles (cognito:roles).
	IAMRoles []string
	// PreferredRole replaces the preferred role (cognito:preferred_role); a pointer to
	// "" removes it.
	PreferredRole *string
}

// OverrideGroups returns a module that sets the user's groups, IAM roles and preferred
// role as cfg says, for every token generation trigger source with a user. It does nothing
// on TokenGeneration_ClientCredentials, which has no user. The error reports an empty
// group name or role and an override that changes nothing.
func OverrideGroups(cfg GroupsConfig) (Handler, error) {
	if cfg.Groups == nil && cfg.IAMRoles == nil && cfg.PreferredRole == nil {
		return nil, fmt.Errorf("pretoken.OverrideGroups: Groups, IAMRoles and PreferredRole are nil; the override changes nothing; " +
			"set Groups, IAMRoles or PreferredRole (an empty list removes them)")
	}
	for _, g := range cfg.Groups {
		if strings.TrimSpace(g) == "" {
			return nil, fmt.Errorf("pretoken.OverrideGroups: Groups: empty group name in %q", cfg.Groups)
		}
	}
	for _, r := range cfg.IAMRoles {
		if strings.TrimSpace(r) == "" {
			return nil, fmt.Errorf("pretoken.OverrideGroups: IAMRoles: empty IAM role in %q", cfg.IAMRoles)
		}
	}
	groups, roles := slices.Clone(cfg.Groups), slices.Clone(cfg.IAMRoles)
	var role *string
	if cfg.PreferredRole != nil {
		r := *cfg.PreferredRole
		role = &r
	}
	return triggers.Named("OverrideGroups", func(_ context.Context, e *Event) error {
		if !HasUser(e) {
			return nil
		}
		if groups != nil {
			SetGroups(e, groups)
		}
		if roles != nil {
			SetIAMRoles(e, roles)
		}
		if role != nil {
			SetPreferredRole(e, *role)
		}
		return nil
	}), nil
}
