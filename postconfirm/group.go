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

// GroupConfig configures [AddToGroup].
type GroupConfig struct {
	// Client is the Cognito client. Nil: the process-wide client, created on first use,
	// whose role needs cognito-idp:AdminAddUserToGroup, and cognito-idp:GetGroup and
	// cognito-idp:CreateGroup unless ExistingGroupsOnly is set.
	Client GroupClient

	// Groups says which groups the user joins: [StaticGroups], [GroupsByAttribute] or
	// [GroupsFunc]. Required.
	Groups Groups

	// Sources are the trigger sources the module acts on. Empty:
	// PostConfirmation_ConfirmSignUp alone. Adding
	// PostConfirmation_ConfirmForgotPassword lets a password reset backfill users who
	// confirmed before the module was deployed, or who were migrated by the user
	// migration trigger during a password reset (they never see ConfirmSignUp); a user
	// who is in the group already is left as is.
	Sources triggers.Sources

	// ExistingGroupsOnly stops the module from creating groups: a missing group is then
	// an error. It is for pools whose groups are managed elsewhere, and saves the
	// function the cognito-idp:GetGroup and cognito-idp:CreateGroup permissions.
	// Default false: a missing group is created.
	ExistingGroupsOnly bool

	// NewGroupSettings, if set, sets the description, precedence or IAM role of the
	// groups the module creates. It receives the input with the pool and group names
	// set, which it cannot change. Nil: the description "Created by
	// postconfirm.AddToGroup" and nothing else.
	NewGroupSettings func(in *cip.CreateGroupInput)
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

// AddToGroup puts the confirmed user in the groups that cfg.Groups chooses, creating a
// group that does not exist yet (GetGroup, then CreateGroup; a group created meanwhile by
// a concurrent invocation is fine). Adding a user to a group they are in already
// succeeds, so a delivered-again event changes nothing. Groups this process has seen
// exist are not looked up again.
//
// It acts on PostConfirmation_ConfirmSignUp unless cfg.Sources says otherwise. An empty
// Groups, invalid static group names and sources of another trigger are reported here.
func AddToGroup(cfg GroupConfig) (Handler, error) {
	sources, err := cfg.Sources.Resolve(triggers.TriggerPostConfirmation, signUpOnly)
	if err != nil {
		return nil, fmt.Errorf("postconfirm.AddToGroup: %w", err)
	}
	groups := cfg.Groups
	switch {
	case groups.err != nil:
		return nil, fmt.Errorf("postconfirm.AddToGroup: Groups: %w", groups.err)
	case groups.choose == nil:
		return nil, errors.New("postconfirm.AddToGroup: Groups is empty; use StaticGroups, GroupsByAttribute or GroupsFunc")
	}
	for _, g := range groups.static {
		if err := validGroupName(g); err != nil {
			return nil, fmt.Errorf("postconfirm.AddToGroup: Groups: %w", err)
		}
	}
	a := &groupAdder{sources: sources, create: !cfg.ExistingGroupsOnly, template: cfg.NewGroupSettings, choose: groups.choose,
		client: awsclient.NewLazy(cfg.Client, func(ctx context.Context) (GroupClient, error) { return lazycognito.Default(ctx) })}
	return Named("AddToGroup", a.handle), nil
}

type groupAdder struct {
	sources  triggers.Sources
	create   bool
	template func(*cip.CreateGroupInput)
	choose   func(*Event) ([]string, error)
	client   *awsclient.Lazy[GroupClient]

	// known holds "pool\x00group" for groups seen to exist, so that warm invocations
	// skip the lookup.
	known sync.Map
}

func (a *groupAdder) handle(ctx context.Context, e *Event) error {
	if !a.sources.Has(e.TriggerSource) {
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
	if _, ok := a.known.Load(key); !ok && a.create {
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
	if errors.As(err, &missing) && a.create {
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
	if a.template != nil {
		a.template(in)
		in.UserPoolId, in.GroupName = aws.String(pool), aws.String(group)
	}
	_, err = client.CreateGroup(ctx, in)
	var exists *ciptypes.GroupExistsException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("create group %q: %w", group, err)
	}
	return nil
}
