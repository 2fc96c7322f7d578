package fakeaws

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Cognito is an in-memory stand-in for the Cognito user pool client's group and user
// administration: GetGroup, CreateGroup, DeleteGroup, AdminAddUserToGroup,
// AdminRemoveUserFromGroup, AdminListGroupsForUser, AdminCreateUser, AdminGetUser,
// AdminDeleteUser, ListUsers and AdminLinkProviderForUser, with the method signatures of
// *cognitoidentityprovider.Client, so it satisfies the narrow client interfaces of this
// module's packages. It is a fake for tests and demos, not a user directory: it keeps
// no passwords, sends no messages and calls no triggers.
//
// A user pool exists as soon as a call names it. Users must exist before they are put
// in groups or looked up, as in Cognito: create them with [Cognito.AddUser] or
// AdminCreateUser. Failures carry the SDK's error types, wrapped as the SDK wraps them:
// *types.ResourceNotFoundException for a missing group, *types.GroupExistsException,
// *types.UserNotFoundException, *types.UsernameExistsException and
// *types.InvalidParameterException.
//
// A user's sub is derived from the pool id and user name, so that test output is the
// same on every run. Every call honours its context, and a Cognito is safe for
// concurrent use.
type Cognito struct {
	calls calls

	mu    sync.Mutex
	pools map[string]*userPool
	auto  bool // AutoCreateUsers
}

type userPool struct {
	id     string
	auto   bool
	groups map[string]*ciptypes.GroupType
	users  map[string]*poolUser
}

// CognitoOption configures [NewCognito].
type CognitoOption interface{ applyCognito(*Cognito) }

type cognitoOption func(*Cognito)

func (f cognitoOption) applyCognito(c *Cognito) { f(c) }

// AutoCreateUsers makes a user appear, confirmed and with only a sub, the first time a
// call names one that does not exist (AdminAddUserToGroup, AdminGetUser, ...), so that a
// test of a group or profile module needs no [Cognito.AddUser]. Without it, as in
// Cognito, such a call fails with UserNotFoundException. Pools always appear on first
// use.
func AutoCreateUsers() CognitoOption { return cognitoOption(func(c *Cognito) { c.auto = true }) }

type poolUser struct {
	name     string
	attrs    map[string]string
	status   ciptypes.UserStatusType
	enabled  bool
	created  time.Time
	modified time.Time
	groups   map[string]bool
}

// NewCognito returns a Cognito with no pools. A pool appears the first time a call names
// it; users must be added with [Cognito.AddUser] or AdminCreateUser first, unless
// [AutoCreateUsers] is given.
func NewCognito(opts ...CognitoOption) *Cognito {
	c := &Cognito{pools: map[string]*userPool{}}
	for _, o := range opts {
		if o != nil {
			o.applyCognito(c)
		}
	}
	return c
}

func (c *Cognito) pool(id *string) (*userPool, error) {
	name := aws.ToString(id)
	if name == "" {
		return nil, &ciptypes.InvalidParameterException{Message: aws.String("1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null")}
	}
	p := c.pools[name]
	if p == nil {
		p = &userPool{id: name, auto: c.auto, groups: map[string]*ciptypes.GroupType{}, users: map[string]*poolUser{}}
		c.pools[name] = p
	}
	return p, nil
}

func (p *userPool) user(name *string) (*poolUser, error) {
	u := p.users[aws.ToString(name)]
	if u == nil && p.auto && aws.ToString(name) != "" {
		now := time.Now()
		u = &poolUser{name: aws.ToString(name), attrs: map[string]string{"sub": subFor(p.id, aws.ToString(name))},
			status: ciptypes.UserStatusTypeConfirmed, enabled: true, created: now, modified: now, groups: map[string]bool{}}
		p.users[u.name] = u
	}
	if u == nil {
		return nil, &ciptypes.UserNotFoundException{Message: aws.String("User does not exist.")}
	}
	return u, nil
}

func (p *userPool) group(name *string) (*ciptypes.GroupType, error) {
	g := p.groups[aws.ToString(name)]
	if g == nil {
		return nil, &ciptypes.ResourceNotFoundException{Message: aws.String("Group not found.")}
	}
	return g, nil
}

// subFor derives a user's sub from the pool and user name: a version 4 style UUID.
func subFor(pool, user string) string {
	h := sha256.Sum256([]byte(pool + "\x00" + user))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	s := hex.EncodeToString(h[:16])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// AddUser creates a confirmed, enabled user with attributes (sub is added) and returns
// the user's sub. It panics if the user exists: the test is wrong.
func (c *Cognito) AddUser(poolID, userName string, attributes map[string]string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	u, err := c.createUser(poolID, userName, attributes)
	if err != nil {
		panic(fmt.Sprintf("fakeaws: AddUser(%q, %q): %v", poolID, userName, err))
	}
	u.status = ciptypes.UserStatusTypeConfirmed
	return u.attrs["sub"]
}

func (c *Cognito) createUser(poolID, userName string, attributes map[string]string) (*poolUser, error) {
	p, err := c.pool(&poolID)
	if err != nil {
		return nil, err
	}
	if userName == "" {
		return nil, &ciptypes.InvalidParameterException{Message: aws.String("Username should not be empty")}
	}
	if p.users[userName] != nil {
		return nil, &ciptypes.UsernameExistsException{Message: aws.String("User account already exists")}
	}
	if _, ok := attributes["sub"]; ok {
		return nil, &ciptypes.InvalidParameterException{Message: aws.String("Cannot modify the non-mutable attribute sub")}
	}
	now := time.Now()
	u := &poolUser{name: userName, attrs: maps.Clone(attributes), status: ciptypes.UserStatusTypeForceChangePassword,
		enabled: true, created: now, modified: now, groups: map[string]bool{}}
	if u.attrs == nil {
		u.attrs = map[string]string{}
	}
	u.attrs["sub"] = subFor(poolID, userName)
	p.users[userName] = u
	return u, nil
}

// SetUserStatus sets a user's status, such as UNCONFIRMED for a user who never
// confirmed a sign-up or EXTERNAL_PROVIDER for one created by a federated sign-in. It
// panics if the user does not exist: the test is wrong.
func (c *Cognito) SetUserStatus(poolID, userName string, status ciptypes.UserStatusType) {
	c.mu.Lock()
	defer c.mu.Unlock()
	u := c.pools[poolID].userOrNil(userName)
	if u == nil {
		panic(fmt.Sprintf("fakeaws: SetUserStatus(%q, %q): no such user", poolID, userName))
	}
	u.status = status
	u.modified = time.Now()
}

func (p *userPool) userOrNil(name string) *poolUser {
	if p == nil {
		return nil
	}
	return p.users[name]
}

// UserGroups returns the names of the groups the user is in, sorted; nil when the user
// does not exist.
func (c *Cognito) UserGroups(poolID, userName string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.pools[poolID]
	if p == nil || p.users[userName] == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(p.users[userName].groups))
}

// Groups returns the names of the pool's groups, sorted.
func (c *Cognito) Groups(poolID string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.pools[poolID]; p != nil {
		return slices.Sorted(maps.Keys(p.groups))
	}
	return nil
}

// Calls returns how many times operation ("GetGroup") was called, whatever the outcome;
// every operation together for "".
func (c *Cognito) Calls(operation string) int { return c.calls.calls(operation) }

// FailNext makes the next call of operation fail with err, wrapped as the SDK wraps
// errors, without doing anything.
func (c *Cognito) FailNext(operation string, err error) { c.calls.failNext(operation, err) }

// SetHook sets a function called before every operation with its name; a non-nil error
// fails the operation as [Cognito.FailNext] does. nil removes it.
func (c *Cognito) SetHook(hook func(ctx context.Context, operation string) error) {
	c.calls.setHook(hook)
}

// do runs op under the lock after the call is recorded, and wraps its error.
func do[T any](c *Cognito, ctx context.Context, operation string, op func() (T, error)) (T, error) {
	if err := c.calls.begin(ctx, operation); err != nil {
		var zero T
		return zero, opError("CognitoIdentityProvider", operation, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out, err := op()
	return out, opError("CognitoIdentityProvider", operation, err)
}

func cloneGroup(g *ciptypes.GroupType) *ciptypes.GroupType {
	out := *g
	return &out
}

// GetGroup returns a group, or ResourceNotFoundException.
func (c *Cognito) GetGroup(ctx context.Context, in *cip.GetGroupInput, _ ...func(*cip.Options)) (*cip.GetGroupOutput, error) {
	return do(c, ctx, "GetGroup", func() (*cip.GetGroupOutput, error) {
		p, err := c.pool(in.UserPoolId)
		if err != nil {
			return nil, err
		}
		g, err := p.group(in.GroupName)
		if err != nil {
			return nil, err
		}
		return &cip.GetGroupOutput{Group: cloneGroup(g)}, nil
	})
}

// CreateGroup creates a group, or fails with GroupExistsException.
func (c *Cognito) CreateGroup(ctx context.Context, in *cip.CreateGroupInput, _ ...func(*cip.Options)) (*cip.CreateGroupOutput, error) {
	return do(c, ctx, "CreateGroup", func() (*cip.CreateGroupOutput, error) {
		p, err := c.pool(in.UserPoolId)
		if err != nil {
			return nil, err
		}
		name := aws.ToString(in.GroupName)
		switch {
		case name == "" || len(name) > 128:
			return nil, &ciptypes.InvalidParameterException{Message: aws.String("1 validation error detected: Value at 'groupName' failed to satisfy constraint: Member must have length between 1 and 128")}
		case p.groups[name] != nil:
			return nil, &ciptypes.GroupExistsException{Message: aws.String("A group with the name already exists.")}
		}
		now := time.Now()
		g := &ciptypes.GroupType{GroupName: aws.String(name), UserPoolId: in.UserPoolId,
			Description: in.Description, Precedence: in.Precedence, RoleArn: in.RoleArn,
			CreationDate: &now, LastModifiedDate: &now}
		p.groups[name] = g
		return &cip.CreateGroupOutput{Group: cloneGroup(g)}, nil
	})
}

// DeleteGroup deletes a group and its memberships.
func (c *Cognito) DeleteGroup(ctx context.Context, in *cip.DeleteGroupInput, _ ...func(*cip.Options)) (*cip.DeleteGroupOutput, error) {
	return do(c, ctx, "DeleteGroup", func() (*cip.DeleteGroupOutput, error) {
		p, err := c.pool(in.UserPoolId)
		if err != nil {
			return nil, err
		}
		if _, err := p.group(in.GroupName); err != nil {
			return nil, err
		}
		delete(p.groups, aws.ToString(in.GroupName))
		for _, u := range p.users {
			delete(u.groups, aws.ToString(in.GroupName))
		}
		return &cip.DeleteGroupOutput{}, nil
	})
}

// AdminAddUserToGroup puts a user in a group; adding a member again succeeds.
func (c *Cognito) AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, _ ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error) {
	return do(c, ctx, "AdminAddUserToGroup", func() (*cip.AdminAddUserToGroupOutput, error) {
		u, err := c.groupAndUser(in.UserPoolId, in.GroupName, in.Username)
		if err != nil {
			return nil, err
		}
		u.groups[aws.ToString(in.GroupName)] = true
		return &cip.AdminAddUserToGroupOutput{}, nil
	})
}

// AdminRemoveUserFromGroup takes a user out of a group; removing a non-member succeeds.
func (c *Cognito) AdminRemoveUserFromGroup(ctx context.Context, in *cip.AdminRemoveUserFromGroupInput, _ ...func(*cip.Options)) (*cip.AdminRemoveUserFromGroupOutput, error) {
	return do(c, ctx, "AdminRemoveUserFromGroup", func() (*cip.AdminRemoveUserFromGroupOutput, error) {
		u, err := c.groupAndUser(in.UserPoolId, in.GroupName, in.Username)
		if err != nil {
			return nil, err
		}
		delete(u.groups, aws.ToString(in.GroupName))
		return &cip.AdminRemoveUserFromGroupOutput{}, nil
	})
}

// groupAndUser finds a user for a change of group membership: the pool, the group and
// the user must all exist, as Cognito requires.
func (c *Cognito) groupAndUser(poolID, group, user *string) (*poolUser, error) {
	p, err := c.pool(poolID)
	if err != nil {
		return nil, err
	}
	if _, err := p.group(group); err != nil {
		return nil, err
	}
	return p.user(user)
}

// page returns the part of names that Limit and a NextToken select, and the next token.
func page(names []string, limit *int32, token *string, maxLimit int32) ([]string, *string, error) {
	start := 0
	if t := aws.ToString(token); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 || n > len(names) {
			return nil, nil, &ciptypes.InvalidParameterException{Message: aws.String("Invalid pagination token")}
		}
		start = n
	}
	size := int(maxLimit)
	if limit != nil {
		if *limit < 0 || *limit > maxLimit {
			return nil, nil, &ciptypes.InvalidParameterException{Message: aws.String(fmt.Sprintf("Limit must be between 0 and %d", maxLimit))}
		}
		if *limit > 0 {
			size = int(*limit)
		}
	}
	end := min(start+size, len(names))
	var next *string
	if end < len(names) {
		next = aws.String(strconv.Itoa(end))
	}
	return names[start:end], next, nil
}

// AdminListGroupsForUser lists a user's groups, sorted by name, in pages of Limit (at
// most 60).
func (c *Cognito) AdminListGroupsForUser(ctx context.Context, in *cip.AdminListGroupsForUserInput, _ ...func(*cip.Options)) (*cip.AdminListGroupsForUserOutput, error) {
	return do(c, ctx, "AdminListGroupsForUser", func() (*cip.AdminListGroupsForUserOutput, error) {
		p, err := c.pool(in.UserPoolId)
		if err != nil {
			return nil, err
		}
		u, err := p.user(in.Username)
		if err != nil {
			return nil, err
		}
		names, next, err := page(slices.Sorted(maps.Keys(u.groups)), in.Limit, in.NextToken, 60)
		if err != nil {
			return nil, err
		}
		out := &cip.AdminListGroupsForUserOutput{Groups: []ciptypes.GroupType{}, NextToken: next}
		for _, n := range names {
			out.Groups = append(out.Groups, *cloneGroup(p.groups[n]))
		}
		return out, nil
	})
}

func (u *poolUser) userType(only []string) *ciptypes.UserType {
	names := slices.Sorted(maps.Keys(u.attrs))
	if only != nil {
		names = slices.DeleteFunc(names, func(n string) bool { return !slices.Contains(only, n) })
	}
	attrs := make([]ciptypes.AttributeType, 0, len(names))
	for _, n := range names {
		attrs = append(attrs, ciptypes.AttributeType{Name: aws.String(n), Value: aws.String(u.attrs[n])})
	}
	created, modified := u.created, u.modified
	return &ciptypes.UserType{Username: aws.String(u.name), Attributes: attrs, Enabled: u.enabled,
		UserStatus: u.status, UserCreateDate: &created, UserLastModifiedDate: &modified}
}

// AdminCreateUser creates a user in status FORCE_CHANGE_PASSWORD (sub is added to the
// attributes); with MessageAction RESEND it returns the existing user. No message is
// sent.
func (c *Cognito) AdminCreateUser(ctx context.Context, in *cip.AdminCreateUserInput, _ ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error) {
	return do(c, ctx, "AdminCreateUser", func() (*cip.AdminCreateUserOutput, error) {
		if in.MessageAction == ciptypes.MessageActionTypeResend {
			p, err := c.pool(in.UserPoolId)
			if err != nil {
				return nil, err
			}
			u, err := p.user(in.Username)
			if err != nil {
				return nil, err
			}
			return &cip.AdminCreateUserOutput{User: u.userType(nil)}, nil
		}
		attrs := map[string]string{}
		for _, a := range in.UserAttributes {
			attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
		}
		u, err := c.createUser(aws.ToString(in.UserPoolId), aws.ToString(in.Username), attrs)
		if err != nil {
			return nil, err
		}
		return &cip.AdminCreateUserOutput{User: u.userType(nil)}, nil
	})
}

// AdminGetUser returns a user's attributes and status.
func (c *Cognito) AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, _ ...func(*cip.Options)) (*cip.AdminGetUserOutput, error) {
	return do(c, ctx, "AdminGetUser", func() (*cip.AdminGetUserOutput, error) {
		p, err := c.pool(in.UserPoolId)
		if err != nil {
			return nil, err
		}
		u, err := p.user(in.Username)
		if err != nil {
			return nil, err
		}
		t := u.userType(nil)
		return &cip.AdminGetUserOutput{Username: t.Username, UserAttributes: t.Attributes, Enabled: t.Enabled,
			UserStatus: t.UserStatus, UserCreateDate: t.UserCreateDate, UserLastModifiedDate: t.UserLastModifiedDate}, nil
	})
}

// AdminDeleteUser deletes a user.
func (c *Cognito) AdminDeleteUser(ctx context.Context, in *cip.AdminDeleteUserInput, _ ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error) {
	return do(c, ctx, "AdminDeleteUser", func() (*cip.AdminDeleteUserOutput, error) {
		p, err := c.pool(in.UserPoolId)
		if err != nil {
			return nil, err
		}
		if _, err := p.user(in.Username); err != nil {
			return nil, err
		}
		delete(p.users, aws.ToString(in.Username))
		return &cip.AdminDeleteUserOutput{}, nil
	})
}

// listFilter is a parsed ListUsers filter: attribute = "value" or attribute ^= "value".
type listFilter struct {
	attr   string
	prefix bool
	value  string
}

// filterable are the attributes ListUsers can filter on.
var filterable = []string{"username", "email", "phone_number", "name", "given_name", "family_name",
	"preferred_username", "cognito:user_status", "status", "sub"}

func parseListFilter(s string) (*listFilter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	bad := &ciptypes.InvalidParameterException{Message: aws.String("Error while parsing filter.")}
	name, rest, ok := strings.Cut(s, " ")
	if !ok {
		if i := strings.IndexAny(s, "^="); i > 0 {
			name, rest = s[:i], s[i:]
		} else {
			return nil, bad
		}
	}
	rest = strings.TrimSpace(rest)
	f := &listFilter{attr: name}
	switch {
	case strings.HasPrefix(rest, "^="):
		f.prefix, rest = true, rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return nil, bad
	}
	rest = strings.TrimSpace(rest)
	if len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
		return nil, bad
	}
	v, err := strconv.Unquote(rest)
	if err != nil {
		return nil, bad
	}
	f.value = v
	if !slices.Contains(filterable, f.attr) {
		return nil, &ciptypes.InvalidParameterException{Message: aws.String("Invalid search attribute: " + f.attr)}
	}
	return f, nil
}

func (f *listFilter) match(u *poolUser) bool {
	if f == nil {
		return true
	}
	var got string
	switch f.attr {
	case "username":
		got = u.name
	case "cognito:user_status":
		got = string(u.status)
	case "status":
		got = "Disabled"
		if u.enabled {
			got = "Enabled"
		}
	default:
		v, ok := u.attrs[f.attr]
		if !ok {
			return false
		}
		got = v
	}
	if f.prefix {
		return strings.HasPrefix(got, f.value)
	}
	return got == f.value
}

// ListUsers lists the pool's users, sorted by user name, that match Filter (attribute =
// "value" or attribute ^= "value", on the attributes Cognito allows), in pages of Limit
// (at most 60).
func (c *Cognito) ListUsers(ctx context.Context, in *cip.ListUsersInput, _ ...func(*cip.Options)) (*cip.ListUsersOutput, error) {
	return do(c, ctx, "ListUsers", func() (*cip.ListUsersOutput, error) {
		p, err := c.pool(in.UserPoolId)
		if err != nil {
			return nil, err
		}
		f, err := parseListFilter(aws.ToString(in.Filter))
		if err != nil {
			return nil, err
		}
		var names []string
		for _, n := range slices.Sorted(maps.Keys(p.users)) {
			if f.match(p.users[n]) {
				names = append(names, n)
			}
		}
		names, next, err := page(names, in.Limit, in.PaginationToken, 60)
		if err != nil {
			return nil, err
		}
		out := &cip.ListUsersOutput{Users: []ciptypes.UserType{}, PaginationToken: next}
		for _, n := range names {
			out.Users = append(out.Users, *p.users[n].userType(in.AttributesToGet))
		}
		return out, nil
	})
}

// identity is one entry of the identities attribute Cognito keeps on linked users.
type identity struct {
	UserID       string  `json:"userId"`
	ProviderName string  `json:"providerName"`
	ProviderType string  `json:"providerType"`
	Issuer       *string `json:"issuer"`
	Primary      bool    `json:"primary"`
	DateCreated  int64   `json:"dateCreated"`
}

// AdminLinkProviderForUser links a federated identity (source: provider name,
// Cognito_Subject and the subject) to an existing user (destination: provider Cognito
// and the user name), recording it in the user's identities attribute as Cognito does.
// Linking a subject that is linked already fails with InvalidParameterException.
func (c *Cognito) AdminLinkProviderForUser(ctx context.Context, in *cip.AdminLinkProviderForUserInput, _ ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error) {
	return do(c, ctx, "AdminLinkProviderForUser", func() (*cip.AdminLinkProviderForUserOutput, error) {
		p, err := c.pool(in.UserPoolId)
		if err != nil {
			return nil, err
		}
		dst, src := in.DestinationUser, in.SourceUser
		if dst == nil || src == nil || aws.ToString(dst.ProviderName) != "Cognito" {
			return nil, &ciptypes.InvalidParameterException{Message: aws.String("DestinationUser must be a Cognito user and SourceUser is required")}
		}
		if aws.ToString(src.ProviderAttributeName) != "Cognito_Subject" {
			return nil, unsupportedf("AdminLinkProviderForUser: source attribute %q; only Cognito_Subject is implemented", aws.ToString(src.ProviderAttributeName))
		}
		u, err := p.user(dst.ProviderAttributeValue)
		if err != nil {
			return nil, err
		}
		provider, subject := aws.ToString(src.ProviderName), aws.ToString(src.ProviderAttributeValue)
		for _, other := range p.users {
			var ids []identity
			_ = json.Unmarshal([]byte(other.attrs["identities"]), &ids)
			for _, id := range ids {
				if id.ProviderName == provider && id.UserID == subject {
					return nil, &ciptypes.InvalidParameterException{Message: aws.String("Merging is not currently supported, provide a SourceUser that has not been linked to another user")}
				}
			}
		}
		var ids []identity
		_ = json.Unmarshal([]byte(u.attrs["identities"]), &ids)
		ids = append(ids, identity{UserID: subject, ProviderName: provider, ProviderType: providerType(provider),
			DateCreated: time.Now().UnixMilli()})
		data, err := json.Marshal(ids)
		if err != nil {
			return nil, err
		}
		u.attrs["identities"] = string(data)
		u.modified = time.Now()
		return &cip.AdminLinkProviderForUserOutput{}, nil
	})
}

func providerType(name string) string {
	switch strings.ToLower(name) {
	case "google":
		return "Google"
	case "facebook":
		return "Facebook"
	case "loginwithamazon":
		return "LoginWithAmazon"
	case "signinwithapple":
		return "SignInWithApple"
	}
	return "OIDC"
}
