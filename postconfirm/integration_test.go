package postconfirm_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// localUser creates a user in pool the way an administrator would and returns the
// post confirmation event Cognito would send for them. cognito-local keeps users whose
// user name is an e-mail address under an internal ID, which AdminGetUser reports; the
// event carries that stored name, as Cognito's does.
func localUser(t *testing.T, srv *awslocal.Servers, pool awslocal.UserPool, attrs map[string]string) *postconfirm.Event {
	t.Helper()
	ctx := t.Context()
	email := awslocal.UniqueName("user") + "@example.com"
	in := &cip.AdminCreateUserInput{
		UserPoolId:    aws.String(pool.ID),
		Username:      aws.String(email),
		MessageAction: ciptypes.MessageActionTypeSuppress,
		UserAttributes: []ciptypes.AttributeType{
			{Name: aws.String("email"), Value: aws.String(email)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
		},
	}
	if _, err := srv.Cognito.AdminCreateUser(ctx, in); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	got, err := srv.Cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(email)})
	if err != nil {
		t.Fatalf("AdminGetUser: %v", err)
	}
	all := map[string]string{}
	for _, a := range got.UserAttributes {
		all[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	for k, v := range attrs {
		all[k] = v
	}
	e := signUp(all)
	e.UserPoolID = pool.ID
	e.UserName = aws.ToString(got.Username)
	return e
}

func groupsOf(t *testing.T, srv *awslocal.Servers, e *postconfirm.Event) []string {
	t.Helper()
	out, err := srv.Cognito.AdminListGroupsForUser(t.Context(), &cip.AdminListGroupsForUserInput{
		UserPoolId: aws.String(e.UserPoolID), Username: aws.String(e.UserName)})
	if err != nil {
		t.Fatalf("AdminListGroupsForUser: %v", err)
	}
	var names []string
	for _, g := range out.Groups {
		names = append(names, aws.ToString(g.GroupName))
	}
	slices.Sort(names)
	return names
}

func getItem(t *testing.T, srv *awslocal.Servers, table, key, value string) map[string]types.AttributeValue {
	t.Helper()
	out, err := srv.DynamoDB.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{key: s(value)}})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	return out.Item
}

// itemString shows an item's string and number attributes.
func itemString(item map[string]types.AttributeValue) string {
	var parts []string
	for k, v := range item {
		parts = append(parts, k+"="+str(v))
	}
	slices.Sort(parts)
	return "{" + strings.Join(parts, " ") + "}"
}

func emailsTo(t *testing.T, srv *awslocal.Servers, to string) []awslocal.Email {
	t.Helper()
	var out []awslocal.Email
	for _, m := range srv.Emails(t) {
		if slices.Contains(m.To, to) {
			out = append(out, m)
		}
	}
	return out
}

// replay runs h on e three times, as Cognito may, and fails t on any error.
func replay(t *testing.T, h postconfirm.Handler, e *postconfirm.Event) {
	t.Helper()
	for i, err := range awslocal.Replay(t.Context(), 3, func(ctx context.Context) error { return h(ctx, e) }) {
		if err != nil {
			t.Errorf("delivery %d: %v", i+1, err)
		}
	}
}

func TestIntegrationModules(t *testing.T) {
	srv := awslocal.Start(t, awslocal.Config{})

	t.Run("AddToGroup", func(t *testing.T) {
		t.Parallel()
		pool := srv.CreateUserPool(t)
		h := postconfirm.Critical(must(postconfirm.AddToGroup(postconfirm.GroupConfig{
			Client: srv.Cognito,
			Groups: postconfirm.GroupsByAttribute("custom:role", map[string]string{"admin": "admins"}, "members"),
		})))
		admin := localUser(t, srv, pool, map[string]string{"custom:role": "admin"})
		member := localUser(t, srv, pool, nil)
		replay(t, h, admin)
		replay(t, h, member)
		if g := groupsOf(t, srv, admin); !slices.Equal(g, []string{"admins"}) {
			t.Errorf("admin is in %v, want [admins]", g)
		}
		if g := groupsOf(t, srv, member); !slices.Equal(g, []string{"members"}) {
			t.Errorf("member is in %v, want [members]", g)
		}
		for _, name := range []string{"admins", "members"} {
			got, err := srv.Cognito.GetGroup(t.Context(), &cip.GetGroupInput{UserPoolId: aws.String(pool.ID), GroupName: aws.String(name)})
			if err != nil {
				t.Fatalf("GetGroup %s: %v", name, err)
			}
			if !strings.Contains(aws.ToString(got.Group.Description), "AddToGroup") {
				t.Errorf("group %s description %q", name, aws.ToString(got.Group.Description))
			}
		}
	})

	t.Run("AddToGroup existing group", func(t *testing.T) {
		t.Parallel()
		pool := srv.CreateUserPool(t)
		// A fresh module, as in a new process, finds the group by GetGroup.
		h := postconfirm.Critical(must(postconfirm.AddToGroup(postconfirm.GroupConfig{
			Client: srv.Cognito,
			Groups: postconfirm.StaticGroups(awslocal.PlaceholderGroup),
		})))
		e := localUser(t, srv, pool, nil)
		replay(t, h, e)
		if g := groupsOf(t, srv, e); !slices.Equal(g, []string{awslocal.PlaceholderGroup}) {
			t.Errorf("user is in %v", g)
		}
	})

	t.Run("CreateProfile", func(t *testing.T) {
		t.Parallel()
		table := srv.CreateTable(t, "", "id", "")
		h := postconfirm.Critical(must(postconfirm.CreateProfile(postconfirm.ProfileConfig{
			Client:       srv.DynamoDB,
			Table:        table,
			PartitionKey: "id",
			Item:         postconfirm.Columns{"email": "email", "given_name": "firstName"},
			CreatedAt:    "createdAt",
		})))
		sub := awslocal.UniqueName("sub")
		names := []string{"Ana", "Eve", "Mallory"}
		var n atomic.Int32
		errs := awslocal.Replay(t.Context(), 3, func(ctx context.Context) error {
			// Each delivery carries different attributes: none may overwrite the first.
			name := names[n.Add(1)-1]
			return h(ctx, signUp(map[string]string{"sub": sub, "email": "ana@example.com", "given_name": name}))
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("delivery %d: %v", i+1, err)
			}
		}
		item := getItem(t, srv, table, "id", sub)
		if str(item["firstName"]) != "Ana" || str(item["email"]) != "ana@example.com" || str(item["createdAt"]) == "" {
			t.Errorf("profile %s, want the first delivery's", itemString(item))
		}
	})

	t.Run("WelcomeEmail", func(t *testing.T) {
		t.Parallel()
		markers := srv.CreateTable(t, "", "pk", "")
		h := postconfirm.Critical(must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
			Sender:  srv.SES,
			Markers: srv.DynamoDB,
			Table:   markers,
			Email:   testEmail,
		})))
		for name, run := range map[string]func(context.Context, int, func(context.Context) error) []error{
			"sequential": awslocal.Replay, "concurrent": awslocal.ReplayConcurrent,
		} {
			sub := awslocal.UniqueName("sub")
			to := sub + "@example.com"
			e := signUp(map[string]string{"sub": sub, "email": to, "email_verified": "true", "given_name": "<b>Ana</b>"})
			for i, err := range run(t.Context(), 3, func(ctx context.Context) error { return h(ctx, e) }) {
				if err != nil {
					t.Errorf("%s delivery %d: %v", name, i+1, err)
				}
			}
			got := emailsTo(t, srv, to)
			if len(got) != 1 {
				t.Fatalf("%s: %d emails to %s, want 1", name, len(got), to)
			}
			if !strings.Contains(got[0].HTML, "&lt;b&gt;Ana&lt;/b&gt;") || got[0].Subject != "Welcome, <b>Ana</b>" {
				t.Errorf("%s: subject %q, HTML %q", name, got[0].Subject, got[0].HTML)
			}
			if m := getItem(t, srv, markers, "pk", "welcome-email#"+sub); str(m["status"]) != "sent" || str(m["messageId"]) == "" {
				t.Errorf("%s: marker %s, want sent", name, itemString(m))
			}
		}
	})

	t.Run("Parallel through a router", func(t *testing.T) {
		t.Parallel()
		pool := srv.CreateUserPool(t)
		profiles := srv.CreateTable(t, "", "id", "")
		markers := srv.CreateTable(t, "", "pk", "")
		chain := postconfirm.Parallel(
			postconfirm.Critical(must(postconfirm.AddToGroup(postconfirm.GroupConfig{
				Client: srv.Cognito,
				Groups: postconfirm.StaticGroups("members"),
			}))),
			postconfirm.Critical(must(postconfirm.CreateProfile(postconfirm.ProfileConfig{
				Client:       srv.DynamoDB,
				Table:        profiles,
				PartitionKey: "id",
				Item:         postconfirm.Columns{"email": "email"},
			}))),
			postconfirm.Critical(must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
				Sender:  srv.SES,
				Markers: srv.DynamoDB,
				Table:   markers,
				Email:   testEmail,
			}))),
		)
		router, logs := newRouter(chain)
		e := localUser(t, srv, pool, nil)
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		for i, err := range awslocal.Replay(t.Context(), 3, func(ctx context.Context) error {
			if _, ierr := router.Handle(ctx, data); ierr != nil {
				return ierr
			}
			return nil
		}) {
			if err != nil {
				t.Errorf("delivery %d: %v\n%s", i+1, err, logs)
			}
		}
		sub := e.Request.UserAttributes["sub"]
		if g := groupsOf(t, srv, e); !slices.Equal(g, []string{"members"}) {
			t.Errorf("groups %v", g)
		}
		if item := getItem(t, srv, profiles, "id", sub); str(item["email"]) != e.Request.UserAttributes["email"] {
			t.Errorf("profile %s", itemString(item))
		}
		if n := len(emailsTo(t, srv, e.Request.UserAttributes["email"])); n != 1 {
			t.Errorf("%d emails, want 1", n)
		}
	})
}

// TestIntegrationConfirmSignUpFlow signs a user up and confirms them through the Cognito
// API; the user pool calls the post confirmation chain over the Lambda Invoke API, and
// the chain calls the user pool, DynamoDB and SES back.
func TestIntegrationConfirmSignUpFlow(t *testing.T) {
	var function atomic.Pointer[triggers.Router]
	lambda := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		triggers.InvokeServer(function.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(lambda.Close)
	srv := awslocal.Start(t, awslocal.Config{DynamoDB: true, SES: true, Cognito: &awslocal.CognitoConfig{
		LambdaEndpoint: lambda.URL,
		Triggers:       map[string]string{"PostConfirmation": "postConfirmation"},
	}})
	pool := srv.CreateUserPool(t)
	profiles := srv.CreateTable(t, "", "id", "")
	markers := srv.CreateTable(t, "", "pk", "")
	router, logs := newRouter(postconfirm.BestEffort(
		postconfirm.Critical(must(postconfirm.AddToGroup(postconfirm.GroupConfig{
			Client: srv.Cognito,
			Groups: postconfirm.StaticGroups("members"),
		}))),
		postconfirm.Parallel(
			must(postconfirm.CreateProfile(postconfirm.ProfileConfig{
				Client:       srv.DynamoDB,
				Table:        profiles,
				PartitionKey: "id",
				Item:         postconfirm.Columns{"email": "email"},
			})),
			must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
				Sender:               srv.SES,
				Markers:              srv.DynamoDB,
				Table:                markers,
				Email:                testEmail,
				AllowUnverifiedEmail: true,
			})),
		),
	))
	function.Store(router)

	ctx := t.Context()
	email := awslocal.UniqueName("flow") + "@example.com"
	if _, err := srv.Cognito.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(pool.ClientID), Username: aws.String(email), Password: aws.String("Passw0rd!long"),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
	}); err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if _, err := srv.Cognito.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId: aws.String(pool.ClientID), Username: aws.String(email), ConfirmationCode: aws.String(srv.CognitoCode),
	}); err != nil {
		t.Fatalf("ConfirmSignUp: %v\n%s", err, logs)
	}

	user, err := srv.Cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(email)})
	if err != nil {
		t.Fatalf("AdminGetUser: %v", err)
	}
	e := &postconfirm.Event{}
	e.UserPoolID, e.UserName = pool.ID, aws.ToString(user.Username)
	if g := groupsOf(t, srv, e); !slices.Equal(g, []string{"members"}) {
		t.Errorf("groups %v\n%s", g, logs)
	}
	var sub string
	for _, a := range user.UserAttributes {
		if aws.ToString(a.Name) == "sub" {
			sub = aws.ToString(a.Value)
		}
	}
	if item := getItem(t, srv, profiles, "id", sub); str(item["email"]) != email {
		t.Errorf("profile %s\n%s", itemString(item), logs)
	}
	if n := len(emailsTo(t, srv, email)); n != 1 {
		t.Errorf("%d welcome emails, want 1\n%s", n, logs)
	}
	if failed := logs.Find(t, "post confirmation module failed"); len(failed) != 0 {
		t.Errorf("modules failed: %v", failed)
	}
}
