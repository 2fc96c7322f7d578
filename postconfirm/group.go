package postconfirm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazycognito"
	"github.com/lambda-triggers/cognito/triggers"
)

// GroupClient is the part of the Cognito user pools API that [AddToGroup] calls.
// *cognitoidentityprovider.Client satisfies it.
type GroupClient interface {
	GetGroup(ctx context.Context, in *cip.GetGroupInput, optFns ...func(*cip.Options)) (*cip.GetGroupOutput, error)
	CreateGroup(ctx context.Context, in *cip.CreateGroupInput, optFns ...func(*cip.Options)) (*cip.CreateGroupOutput, error)
	AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, optFns ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error)
}

// Groups says which groups [AddToGroup] puts a user in. Make one with [StaticGroups],
// [GroupsByAttribute] or [GroupsFunc].
type Groups struct {
	choose func(e *Event) ([]string, error)
	static []string // every name known at construction, validated by AddToGroup
	err    error    // a mistake in the constructor's arguments, reported by AddToGroup
}

// StaticGroups puts every user in the same groups.
func StaticGroups(names ...string) Groups {
	names = slices.Clone(names)
	return Groups{choose: func(*Event) ([]string, error) { return names, nil }, static: names}
}

// GroupsByAttribute picks the group from the value of a user attribute, such as
// custom:role: byValue maps each value to a group, and a user whose attribute is missing
// or has a value not in byValue joins fallback (no group when fallback is empty).
//
// Choose an attribute the app client cannot write (a custom attribute set by an
// administrator or a pre sign-up module), or anyone who signs up can pick a group.
// For the same reason, do not choose groups from client metadata, which the client sends.
func GroupsByAttribute(attribute string, byValue map[string]string, fallback ...string) Groups {
	byValue = maps.Clone(byValue)
	fallback = slices.Clone(fallback)
	var err error
	if attribute == "" {
		err = errors.New("GroupsByAttribute: empty attribute name")
	}
	return Groups{
		err: err,
		choose: func(e *Event) ([]string, error) {
			if g, ok := byValue[e.Request.UserAttributes.Get(attribute)]; ok {
				return []string{g}, nil
			}
			return fallback, nil
		},
		static: slices.Concat(slices.Sorted(maps.Values(byValue)), fallback),
	}
}

// GroupsFunc chooses the groups with f, for rules the other constructors cannot say.
// An error from f fails the module; no names means no group.
func GroupsFunc(f func(e *Event) ([]string, error)) Groups {
	if f == nil {
		return Groups{err: errors.New("GroupsFunc: nil function")}
	}
	return Groups{choose: f}
}

// GroupOption configures [AddToGroup]. [Sources] is one.
type GroupOption interface{ applyGroup(*groupConfig) error }

type groupConfig struct {
	sources  sources
	create   bool
	template func(*cip.CreateGroupInput)
}

func (o SourcesOption) applyGroup(c *groupConfig) (err error) {
	c.sources, err = o.validate()
	return err
}

type groupOptionFunc func(*groupConfig) error

func (f groupOptionFunc) applyGroup(c *groupConfig) error { return f(c) }

// ExistingGroupsOnly stops [AddToGroup] from creating groups: a missing group is then an
// error. It is for pools whose groups are managed elsewhere, and saves the function the
// cognito-idp:GetGroup and cognito-idp:CreateGroup permissions.
func ExistingGroupsOnly() GroupOption {
	return groupOptionFunc(func(c *groupConfig) error { c.create = false; return nil })
}

// NewGroupSettings lets f set the description, precedence or IAM role of the groups that
// [AddToGroup] creates. f receives the input with the pool and group names set.
func NewGroupSettings(f func(in *cip.CreateGroupInput)) GroupOption {
	return groupOptionFunc(func(c *groupConfig) error {
		if f == nil {
			return errors.New("NewGroupSettings: nil function")
		}
		c.template = f
		return nil
	})
}

// validGroupName applies Cognito's rule for group names, [\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128},
// without a regular expression: the {1,128} repetition of that class compiles into a
// program of megabytes, which cost every function importing this package milliseconds
// of cold start.
func validGroupName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > 128 || strings.ContainsFunc(name, notGroupNameRune) {
		return fmt.Errorf("invalid group name %q: Cognito requires 1 to 128 letters, digits, marks, symbols or punctuation", name)
	}
	return nil
}

func notGroupNameRune(r rune) bool {
	return !unicode.In(r, unicode.L, unicode.M, unicode.S, unicode.N, unicode.P)
}

// AddToGroup puts the confirmed user in the groups that groups chooses, creating a group
// that does not exist yet (GetGroup, then CreateGroup; a group created meanwhile by a
// concurrent invocation is fine). Adding a user to a group they are in already succeeds,
// so a delivered-again event changes nothing. Groups this process has seen exist are
// not looked up again.
//
// It acts on PostConfirmation_ConfirmSignUp; [Sources] can add
// PostConfirmation_ConfirmForgotPassword. client may be nil for the process-wide
// Cognito client, whose role needs cognito-idp:AdminAddUserToGroup, and
// cognito-idp:GetGroup and cognito-idp:CreateGroup unless [ExistingGroupsOnly] is given.
// Invalid static group names are reported here.
func AddToGroup(client GroupClient, groups Groups, opts ...GroupOption) (Handler, error) {
	cfg := groupConfig{sources: signUpOnly, create: true}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyGroup(&cfg); err != nil {
			return nil, fmt.Errorf("postconfirm.AddToGroup: %w", err)
		}
	}
	switch {
	case groups.err != nil:
		return nil, fmt.Errorf("postconfirm.AddToGroup: %w", groups.err)
	case groups.choose == nil:
		return nil, errors.New("postconfirm.AddToGroup: no groups; use StaticGroups, GroupsByAttribute or GroupsFunc")
	}
	for _, g := range groups.static {
		if err := validGroupName(g); err != nil {
			return nil, fmt.Errorf("postconfirm.AddToGroup: %w", err)
		}
	}
	a := &groupAdder{cfg: cfg, choose: groups.choose,
		client: awsclient.NewLazy(client, func(ctx context.Context) (GroupClient, error) { return lazycognito.Default(ctx) })}
	return Named("AddToGroup", a.handle), nil
}

type groupAdder struct {
	cfg    groupConfig
	choose func(*Event) ([]string, error)
	client *awsclient.Lazy[GroupClient]

	// known holds "pool\x00group" for groups seen to exist, so that warm invocations
	// skip the lookup.
	known sync.Map
}

func (a *groupAdder) handle(ctx context.Context, e *Event) error {
	if !a.cfg.sources.has(e.TriggerSource) {
		return nil
	}
	names, err := a.choose(e)
	if err != nil {
		return fmt.Errorf("choose groups: %w", err)
	}
	if len(names) == 0 {
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelDebug, "no group for user",
			slog.String("module", "AddToGroup"), slog.String("userName", e.UserName))
		return nil
	}
	if e.UserPoolID == "" || e.UserName == "" {
		return errors.New("event has no userPoolId or userName")
	}
	client, err := a.client.Get(ctx)
	if err != nil {
		return err
	}
	seen := make(map[string]bool, len(names))
	var errs []error
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		if err := validGroupName(name); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := a.add(ctx, client, e, name); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// add puts the user in one group, making sure the group exists first.
func (a *groupAdder) add(ctx context.Context, client GroupClient, e *Event, group string) error {
	key := e.UserPoolID + "\x00" + group
	if _, ok := a.known.Load(key); !ok && a.cfg.create {
		if err := a.ensure(ctx, client, e.UserPoolID, group); err != nil {
			return err
		}
		a.known.Store(key, struct{}{})
	}
	_, err := client.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
		UserPoolId: aws.String(e.UserPoolID),
		Username:   aws.String(e.UserName),
		GroupName:  aws.String(group),
	})
	var missing *ciptypes.ResourceNotFoundException
	if errors.As(err, &missing) && a.cfg.create {
		// The group was deleted since this process saw it: look again, once.
		a.known.Delete(key)
		if err := a.ensure(ctx, client, e.UserPoolID, group); err != nil {
			return err
		}
		a.known.Store(key, struct{}{})
		_, err = client.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
			UserPoolId: aws.String(e.UserPoolID),
			Username:   aws.String(e.UserName),
			GroupName:  aws.String(group),
		})
	}
	if err != nil {
		return fmt.Errorf("add user %q to group %q: %w", e.UserName, group, err)
	}
	return nil
}

// ensure creates group unless it exists.
func (a *groupAdder) ensure(ctx context.Context, client GroupClient, pool, group string) error {
	_, err := client.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String(group)})
	var missing *ciptypes.ResourceNotFoundException
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &missing):
		return fmt.Errorf("look up group %q: %w", group, err)
	}
	in := &cip.CreateGroupInput{
		UserPoolId:  aws.String(pool),
		GroupName:   aws.String(group),
		Description: aws.String("Created by postconfirm.AddToGroup"),
	}
	if a.cfg.template != nil {
		a.cfg.template(in)
		in.UserPoolId, in.GroupName = aws.String(pool), aws.String(group)
	}
	_, err = client.CreateGroup(ctx, in)
	var exists *ciptypes.GroupExistsException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("create group %q: %w", group, err)
	}
	return nil
}
