package fakeaws_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

const pool = "eu-west-1_Xa7bC9dEf" // the fixtures' pool

func TestCognitoGroups(t *testing.T) {
	t.Parallel()
	idp := fakeaws.NewCognito()
	ctx := t.Context()
	idp.AddUser(pool, "ana", map[string]string{"email": "ana@example.com"})

	_, err := idp.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins")})
	var rnf *ciptypes.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("GetGroup of a missing group: %v, want ResourceNotFoundException", err)
	}
	if _, err := idp.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins"),
		Description: aws.String("Administrators")}); err != nil {
		t.Fatal(err)
	}
	_, err = idp.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins")})
	var exists *ciptypes.GroupExistsException
	if !errors.As(err, &exists) {
		t.Errorf("CreateGroup again: %v, want GroupExistsException", err)
	}
	got, err := idp.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins")})
	if err != nil || aws.ToString(got.Group.Description) != "Administrators" {
		t.Errorf("GetGroup = %+v, %v", got, err)
	}

	for range 2 { // adding a member again succeeds
		if _, err := idp.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool),
			Username: aws.String("ana"), GroupName: aws.String("admins")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = idp.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool),
		Username: aws.String("nobody"), GroupName: aws.String("admins")})
	var unf *ciptypes.UserNotFoundException
	if !errors.As(err, &unf) {
		t.Errorf("adding an unknown user: %v, want UserNotFoundException", err)
	}
	_, err = idp.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool),
		Username: aws.String("ana"), GroupName: aws.String("missing")})
	if !errors.As(err, &rnf) {
		t.Errorf("adding to a missing group: %v, want ResourceNotFoundException", err)
	}
	if _, err := idp.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("beta")}); err != nil {
		t.Fatal(err)
	}
	if _, err := idp.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool),
		Username: aws.String("ana"), GroupName: aws.String("beta")}); err != nil {
		t.Fatal(err)
	}
	page1, err := idp.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool),
		Username: aws.String("ana"), Limit: aws.Int32(1)})
	if err != nil || len(page1.Groups) != 1 || aws.ToString(page1.Groups[0].GroupName) != "admins" || page1.NextToken == nil {
		t.Fatalf("first page: %+v, %v", page1, err)
	}
	page2, err := idp.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool),
		Username: aws.String("ana"), Limit: aws.Int32(1), NextToken: page1.NextToken})
	if err != nil || len(page2.Groups) != 1 || aws.ToString(page2.Groups[0].GroupName) != "beta" || page2.NextToken != nil {
		t.Fatalf("second page: %+v, %v", page2, err)
	}
	if _, err := idp.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("beta")}); err != nil {
		t.Fatal(err)
	}
	if got := idp.UserGroups(pool, "ana"); !slices.Equal(got, []string{"admins"}) {
		t.Errorf("groups after DeleteGroup: %v", got)
	}
	_, err = idp.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("beta")})
	if err == nil || !strings.HasPrefix(err.Error(), "operation error CognitoIdentityProvider: GetGroup") {
		t.Errorf("GetGroup of a deleted group: %v, want an error worded as the SDK's", err)
	}
}

// postconfirm.AddToGroup looks the group up, creates it, and adds the user, once per
// process for the lookup, however often Cognito delivers the event.
func TestCognitoWithAddToGroup(t *testing.T) {
	t.Parallel()
	idp := fakeaws.NewCognito()
	event := triggertest.PostConfirmation(triggers.PostConfirmationConfirmSignUp)
	idp.AddUser(event.UserPoolID, event.UserName, map[string]string{"email": "ana.silva@example.com"})
	add, err := postconfirm.AddToGroup(postconfirm.GroupConfig{Client: idp,
		Groups: postconfirm.GroupsByAttribute("custom:plan", map[string]string{"team": "teams"}, "members")})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		triggertest.InvokeHandler(t, postconfirm.BestEffort(postconfirm.Critical(add)), event).RequireOK(t)
	}
	if got := idp.UserGroups(event.UserPoolID, event.UserName); !slices.Equal(got, []string{"teams"}) {
		t.Errorf("user's groups: %v, want [teams]", got)
	}
	if g, c := idp.Calls("GetGroup"), idp.Calls("CreateGroup"); g != 1 || c != 1 {
		t.Errorf("%d GetGroup and %d CreateGroup calls, want 1 and 1", g, c)
	}

	// A user who does not exist is an error the operator sees, not a silent success.
	stranger := triggertest.PostConfirmation(triggers.PostConfirmationConfirmSignUp, triggertest.WithUserName("stranger"))
	triggertest.InvokeHandler(t, postconfirm.BestEffort(postconfirm.Critical(add)), stranger).RequireInternalError(t)
}

func TestCognitoUsers(t *testing.T) {
	t.Parallel()
	idp := fakeaws.NewCognito()
	ctx := t.Context()
	created, err := idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("bob"),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String("bob@example.com")}},
		MessageAction:  ciptypes.MessageActionTypeSuppress})
	if err != nil {
		t.Fatal(err)
	}
	if created.User.UserStatus != ciptypes.UserStatusTypeForceChangePassword || !created.User.Enabled {
		t.Errorf("created user: %+v", created.User)
	}
	_, err = idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("bob")})
	var taken *ciptypes.UsernameExistsException
	if !errors.As(err, &taken) {
		t.Errorf("creating bob again: %v", err)
	}
	sub := idp.AddUser(pool, "ana", map[string]string{"email": "ana@example.com", "email_verified": "true"})
	if again := fakeaws.NewCognito().AddUser(pool, "ana", nil); again != sub || len(sub) != 36 {
		t.Errorf("sub %q, then %q: not stable per pool and user name", sub, again)
	}
	if other := idp.AddUser("another-pool", "ana", nil); other == sub {
		t.Errorf("the same sub %q in two pools", sub)
	}
	got, err := idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("ana")})
	if err != nil || got.UserStatus != ciptypes.UserStatusTypeConfirmed {
		t.Fatalf("AdminGetUser: %+v, %v", got, err)
	}

	for filter, want := range map[string][]string{
		``:                                  {"ana", "bob"},
		`email = "ana@example.com"`:         {"ana"},
		`email ^= "b"`:                      {"bob"},
		`cognito:user_status = "CONFIRMED"`: {"ana"},
		`status = "Enabled"`:                {"ana", "bob"},
		`username = "nobody"`:               {},
	} {
		out, err := idp.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(filter)})
		if err != nil {
			t.Errorf("filter %s: %v", filter, err)
			continue
		}
		var names []string
		for _, u := range out.Users {
			names = append(names, aws.ToString(u.Username))
		}
		if !slices.Equal(names, want) && !(len(names) == 0 && len(want) == 0) {
			t.Errorf("filter %s: %v, want %v", filter, names, want)
		}
	}
	for _, bad := range []string{`custom:plan = "x"`, `email = ana`, `email ~ "a"`} {
		_, err := idp.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(bad)})
		var invalid *ciptypes.InvalidParameterException
		if !errors.As(err, &invalid) {
			t.Errorf("filter %s: %v, want InvalidParameterException", bad, err)
		}
	}
}

// presignup.LinkFederatedUser finds the native user with ListUsers and links the
// provider's identity to it; a second delivery finds the link and does nothing.
func TestCognitoWithLinkFederatedUser(t *testing.T) {
	t.Parallel()
	idp := fakeaws.NewCognito()
	event := triggertest.PreSignUp(triggers.PreSignUpExternalProvider, triggertest.WithAttribute("email_verified", "true"))
	idp.AddUser(event.UserPoolID, "ana", map[string]string{"email": event.Request.UserAttributes["email"], "email_verified": "true"})
	link, err := presignup.LinkFederatedUser(presignup.LinkConfig{Client: idp})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		triggertest.InvokeHandler(t, link, event).RequireOK(t)
	}
	if got := idp.Calls("AdminLinkProviderForUser"); got != 1 {
		t.Errorf("%d AdminLinkProviderForUser calls, want 1", got)
	}
	user, err := idp.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(event.UserPoolID), Username: aws.String("ana")})
	if err != nil {
		t.Fatal(err)
	}
	var identities string
	for _, a := range user.UserAttributes {
		if aws.ToString(a.Name) == "identities" {
			identities = aws.ToString(a.Value)
		}
	}
	provider, subject, _ := strings.Cut(event.UserName, "_")
	if !strings.Contains(identities, `"userId":"`+subject+`"`) || !strings.Contains(strings.ToLower(identities), strings.ToLower(provider)) {
		t.Errorf("identities %s do not hold %s", identities, event.UserName)
	}
}

// With AutoCreateUsers, a user appears, confirmed, the first time a call names it, so a
// test of a group module needs no AddUser; without it the fake answers as Cognito does.
func TestCognitoAutoCreateUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := &cip.AdminAddUserToGroupInput{UserPoolId: aws.String("eu-west-1_pool"), Username: aws.String("ana"), GroupName: aws.String("members")}
	strict := fakeaws.NewCognito()
	if _, err := strict.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: in.UserPoolId, GroupName: in.GroupName}); err != nil {
		t.Fatal(err)
	}
	var notFound *ciptypes.UserNotFoundException
	if _, err := strict.AdminAddUserToGroup(ctx, in); !errors.As(err, &notFound) {
		t.Fatalf("without the option: %v, want UserNotFoundException", err)
	}
	auto := fakeaws.NewCognito(fakeaws.AutoCreateUsers())
	if _, err := auto.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: in.UserPoolId, GroupName: in.GroupName}); err != nil {
		t.Fatal(err)
	}
	if _, err := auto.AdminAddUserToGroup(ctx, in); err != nil {
		t.Fatal(err)
	}
	if got := auto.UserGroups("eu-west-1_pool", "ana"); !slices.Equal(got, []string{"members"}) {
		t.Errorf("UserGroups = %v", got)
	}
	u, err := auto.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: in.UserPoolId, Username: in.Username})
	if err != nil || u.UserStatus != ciptypes.UserStatusTypeConfirmed {
		t.Errorf("AdminGetUser = %+v, %v", u, err)
	}
}

// The README's example of a group module against the fake, as written there.
func TestMembersGroup(t *testing.T) {
	t.Parallel()
	idp := fakeaws.NewCognito(fakeaws.AutoCreateUsers()) // or idp.AddUser(pool, name, attrs) first
	group, err := postconfirm.AddToGroup(postconfirm.GroupConfig{Client: idp, Groups: postconfirm.StaticGroups("members")})
	if err != nil {
		t.Fatal(err)
	}
	e := triggertest.PostConfirmation(triggers.PostConfirmationConfirmSignUp)
	triggertest.InvokeHandler(t, postconfirm.BestEffort(postconfirm.Critical(group)), e).RequireOK(t)
	if got := idp.UserGroups(e.UserPoolID, e.UserName); !slices.Equal(got, []string{"members"}) {
		t.Errorf("groups %v", got)
	}
}
