package postauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/postauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// TestIntegrationPostAuthentication runs the modules against dynalite and the local SES
// server, delivering events as Cognito retries them, one after another and at once,
// and signs a user in through cognito-local, which calls the chain over the Lambda
// Invoke API. One set of servers serves every subtest.
func TestIntegrationPostAuthentication(t *testing.T) {
	var function atomic.Pointer[triggers.Router]
	lambda := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		triggers.InvokeServer(function.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(lambda.Close)
	srv := awslocal.Start(t, awslocal.Config{DynamoDB: true, SES: true, Cognito: &awslocal.CognitoConfig{
		LambdaEndpoint: lambda.URL,
		Triggers:       map[string]string{"PostAuthentication": "PostAuthentication"},
	}})

	t.Run("RecordSignIn", func(t *testing.T) {
		t.Parallel()
		table := srv.CreateTable(t, "", "id", "")
		record := postauth.Critical(must(postauth.RecordSignIn(postauth.RecordConfig{
			Client:       srv.DynamoDB,
			Table:        table,
			PartitionKey: "id",
		})))
		sub := awslocal.UniqueName("user")
		e := signIn(triggertest.WithAttribute("sub", sub))
		requireAll(t, awslocal.Replay(t.Context(), 3, invoke(record, e)))
		requireAll(t, awslocal.ReplayConcurrent(t.Context(), 4, invoke(record, e)))
		if n := str(getItem(t, srv, table, "id", sub), "signInCount"); n != "1" {
			t.Fatalf("signInCount %s after one sign-in delivered 7 times, want 1", n)
		}
		// Six sign-ins from different app versions at once, each delivered twice.
		var deliveries []*postauth.Event
		for i := range 6 {
			other := signIn(triggertest.WithAttribute("sub", sub), triggertest.WithClientMetadata("appVersion", strconv.Itoa(i)))
			deliveries = append(deliveries, other, other)
		}
		var next atomic.Int32
		requireAll(t, awslocal.ReplayConcurrent(t.Context(), len(deliveries), func(ctx context.Context) error {
			return record(ctx, deliveries[next.Add(1)-1])
		}))
		item := getItem(t, srv, table, "id", sub)
		if n := str(item, "signInCount"); n != "7" {
			t.Errorf("signInCount %s after 7 sign-ins, want 7", n)
		}
		if str(item, "firstSignInAt") == "" || str(item, "firstSignInAt") > str(item, "lastSignInAt") ||
			str(item, "lastClientId") != "4j2u2vb6e0f2l2o8jv1mh1sf3n" {
			t.Errorf("item %v", item)
		}
	})

	t.Run("AuditTrail", func(t *testing.T) {
		t.Parallel()
		table := srv.CreateTable(t, "", "pk", "sk")
		trail := postauth.Critical(must(postauth.AuditTrail(postauth.AuditConfig{Client: srv.DynamoDB, Table: table})))
		sub := awslocal.UniqueName("user")
		e := signIn(triggertest.WithAttribute("sub", sub))
		requireAll(t, awslocal.ReplayConcurrent(t.Context(), 4, invoke(trail, e)))
		requireAll(t, awslocal.Replay(t.Context(), 2, invoke(trail, e)))
		other := signIn(triggertest.WithAttribute("sub", sub), triggertest.WithClientID("admin-console"))
		requireAll(t, awslocal.Replay(t.Context(), 2, invoke(trail, other)))
		entries := queryUser(t, srv, table, sub)
		if len(entries) != 2 {
			t.Fatalf("%d entries for two sign-ins, want 2: %v", len(entries), entries)
		}
		clients := []string{str(entries[0], "clientId"), str(entries[1], "clientId")}
		slices.Sort(clients)
		if !slices.Equal(clients, []string{"4j2u2vb6e0f2l2o8jv1mh1sf3n", "admin-console"}) || str(entries[0], "expiresAt") == "" {
			t.Errorf("entries %v", entries)
		}
	})

	t.Run("NewDeviceNotice", func(t *testing.T) {
		t.Parallel()
		table := srv.CreateTable(t, "", "pk", "")
		notice := postauth.Critical(must(postauth.NewDeviceNotice(postauth.NoticeConfig{
			Sender:  srv.SES,
			Markers: srv.DynamoDB,
			Table:   table,
			Email:   testEmail,
		})))
		to := awslocal.UniqueName("ana") + "@example.com"
		e := signIn(triggertest.WithAttribute("sub", awslocal.UniqueName("user")), triggertest.WithAttribute("email", to))
		requireAll(t, awslocal.ReplayConcurrent(t.Context(), 4, invoke(notice, e)))
		requireAll(t, awslocal.Replay(t.Context(), 2, invoke(notice, e)))
		var got []awslocal.Email
		for _, m := range srv.Emails(t) {
			if slices.Contains(m.To, to) {
				got = append(got, m)
			}
		}
		if len(got) != 1 || got[0].Subject != "New sign-in for Ana Silva" {
			t.Errorf("notices %+v, want one", got)
		}
	})

	t.Run("sign-in through Cognito", func(t *testing.T) {
		profiles := srv.CreateTable(t, "", "id", "")
		trail := srv.CreateTable(t, "", "pk", "sk")
		var logs triggertest.Logs
		function.Store(triggers.NewRouter(triggers.RouterConfig{Logger: logs.Logger()}).PostAuthentication(postauth.Parallel(
			postauth.Critical(must(postauth.RecordSignIn(postauth.RecordConfig{
				Client:       srv.DynamoDB,
				Table:        profiles,
				PartitionKey: "id",
			}))),
			postauth.Critical(must(postauth.AuditTrail(postauth.AuditConfig{Client: srv.DynamoDB, Table: trail}))),
		)))
		pool := srv.CreateUserPool(t)
		ctx := t.Context()
		email := awslocal.UniqueName("signin") + "@example.com"
		if _, err := srv.Cognito.SignUp(ctx, &cip.SignUpInput{
			ClientId: aws.String(pool.ClientID), Username: aws.String(email), Password: aws.String("Passw0rd!long"),
			UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
		}); err != nil {
			t.Fatalf("SignUp: %v", err)
		}
		if _, err := srv.Cognito.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
			ClientId: aws.String(pool.ClientID), Username: aws.String(email), ConfirmationCode: aws.String(srv.CognitoCode),
		}); err != nil {
			t.Fatalf("ConfirmSignUp: %v", err)
		}
		out, err := srv.Cognito.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(pool.ClientID), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": "Passw0rd!long"},
		})
		if err != nil {
			t.Fatalf("InitiateAuth: %v\n%s", err, logs.String())
		}
		if out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.IdToken) == "" {
			t.Fatalf("no tokens: %+v", out)
		}
		user, err := srv.Cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(email)})
		if err != nil {
			t.Fatalf("AdminGetUser: %v", err)
		}
		var sub string
		for _, a := range user.UserAttributes {
			if aws.ToString(a.Name) == "sub" {
				sub = aws.ToString(a.Value)
			}
		}
		item := getItem(t, srv, profiles, "id", sub)
		if str(item, "signInCount") != "1" || str(item, "lastClientId") != pool.ClientID || str(item, "lastSignInAt") == "" {
			t.Errorf("sign-in record %v\n%s", item, logs.String())
		}
		entries := queryUser(t, srv, trail, sub)
		if len(entries) != 1 || str(entries[0], "userName") != aws.ToString(user.Username) || str(entries[0], "clientId") != pool.ClientID {
			t.Errorf("audit entries %v\n%s", entries, logs.String())
		}
	})
}

func invoke(h postauth.Handler, e *postauth.Event) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		c := *e // each delivery decodes its own event
		return h(ctx, &c)
	}
}

func requireAll(t *testing.T, errs []error) {
	t.Helper()
	for i, err := range errs {
		if err != nil {
			t.Errorf("delivery %d: %v", i+1, err)
		}
	}
}

func getItem(t *testing.T, srv *awslocal.Servers, table, key, value string) map[string]types.AttributeValue {
	t.Helper()
	out, err := srv.DynamoDB.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{key: &types.AttributeValueMemberS{Value: value}}})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	return out.Item
}

// queryUser reads a user's audit entries, oldest first, as an application would.
func queryUser(t *testing.T, srv *awslocal.Servers, table, sub string) []map[string]types.AttributeValue {
	t.Helper()
	out, err := srv.DynamoDB.Query(t.Context(), &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    aws.String("pk = :sub AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":sub": &types.AttributeValueMemberS{Value: sub}, ":from": &types.AttributeValueMemberS{Value: "2000"}, ":to": &types.AttributeValueMemberS{Value: "3000"}},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	return out.Items
}
