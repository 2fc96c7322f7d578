package main

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

func TestEvent(t *testing.T) {
	t.Parallel()
	signUp := triggertest.Payload(triggers.PreSignUpSignUp) // ana.silva@example.com
	tests := []struct {
		name        string
		env         []string
		event       []byte
		wantErr     string // on stderr, with exit 1
		wantConfirm bool
		wantVerify  bool
	}{
		{name: "denied domain", env: []string{"DOMAINDENYLIST=tempmail.test, example.com"}, event: signUp,
			wantErr: "PreSignUp failed with error Invalid email domain: example.com."},
		{name: "domain not allowed", env: []string{"DOMAINALLOWLIST=corp.example"}, event: signUp,
			wantErr: "PreSignUp failed with error Invalid email domain: example.com."},
		{name: "allowed and confirmed", env: []string{"DOMAINALLOWLIST=example.com", "AUTO_CONFIRM=true", "AUTO_VERIFY_EMAIL=true"},
			event: signUp, wantConfirm: true, wantVerify: true},
		{name: "confirmed by domain", env: []string{"AUTO_CONFIRM_DOMAINS=*.corp.example,example.com"}, event: signUp, wantConfirm: true},
		{name: "other domain not confirmed", env: []string{"AUTO_CONFIRM_DOMAINS=corp.example", "AUTO_VERIFY_EMAIL=true"}, event: signUp},
		{name: "administrator passes the deny list", env: []string{"DOMAINDENYLIST=example.com", "AUTO_CONFIRM=true"},
			event: triggertest.Payload(triggers.PreSignUpAdminCreateUser)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := exampletest.RunEvent(t, tt.env, tt.event)
			if tt.wantErr != "" {
				res.RequireFailure(t, tt.wantErr)
				return
			}
			var e triggers.PreSignUpEvent
			res.RequireOK(t, &e)
			if e.Response.AutoConfirmUser != tt.wantConfirm || e.Response.AutoVerifyEmail != tt.wantVerify {
				t.Errorf("autoConfirmUser %v autoVerifyEmail %v, want %v %v",
					e.Response.AutoConfirmUser, e.Response.AutoVerifyEmail, tt.wantConfirm, tt.wantVerify)
			}
		})
	}
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "presignup: ", triggertest.Payload(triggers.PreSignUpSignUp), []exampletest.StartupError{
		{Name: "nothing configured", Want: "no module configured: set DOMAINALLOWLIST"},
		{Name: "bad domain", Env: []string{"DOMAINDENYLIST=not a domain"}, Want: "DOMAINALLOWLIST, DOMAINDENYLIST:"},
		{Name: "bad limit", Env: []string{"RATE_LIMIT_TABLE=limits", "RATE_LIMIT=many"}, Want: `RATE_LIMIT: want a whole number, got "many"`},
		{Name: "limit out of range", Env: []string{"RATE_LIMIT_TABLE=limits", "RATE_LIMIT=0"}, Want: "RATE_LIMIT_TABLE, RATE_LIMIT, RATE_LIMIT_WINDOW:"},
		{Name: "bad window", Env: []string{"RATE_LIMIT_TABLE=limits", "RATE_LIMIT_WINDOW=daily"}, Want: `RATE_LIMIT_WINDOW: want a duration`},
		{Name: "bad flag", Env: []string{"AUTO_CONFIRM=yes please"}, Want: `AUTO_CONFIRM: want true or false, got "yes please"`},
		{Name: "both confirm settings", Env: []string{"AUTO_CONFIRM=true", "AUTO_CONFIRM_DOMAINS=example.com"}, Want: "AUTO_CONFIRM and AUTO_CONFIRM_DOMAINS: set one, not both"},
		{Name: "verify without confirm", Env: []string{"AUTO_VERIFY_EMAIL=true"}, Want: "AUTO_VERIFY_EMAIL needs AUTO_CONFIRM"},
	})
}

// TestIntegrationInvitationAndRateLimit signs up through the program against DynamoDB:
// an invited user passes, a code for someone else does not, and the limit holds per
// client address, counting attempts with wrong codes too, so that nobody can try codes
// without end.
func TestIntegrationInvitationAndRateLimit(t *testing.T) {
	srv := localAWS.Servers(t)
	limits := srv.CreateTable(t, "", "pk", "")
	invitations := srv.CreateTable(t, "", "code", "")
	_, err := srv.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(invitations),
		Item: map[string]types.AttributeValue{
			"code":  &types.AttributeValueMemberS{Value: "INV-7K2M-QX9P"},
			"email": &types.AttributeValueMemberS{Value: "ana.silva@example.com"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	env := append(srv.Env(), "RATE_LIMIT_TABLE="+limits, "RATE_LIMIT=3", "INVITATIONS_TABLE="+invitations, "AUTO_CONFIRM=true")
	ip := awslocal.UniqueName("ip")
	signUp := func(user, email, code string) []byte {
		return triggertest.Payload(triggers.PreSignUpSignUp, triggertest.WithUserName(user),
			triggertest.WithAttribute("email", email), triggertest.WithClientMetadata("invitationCode", code),
			triggertest.WithClientMetadata("ipAddress", ip))
	}

	var e triggers.PreSignUpEvent
	exampletest.RunEvent(t, env, signUp("ana", "ana.silva@example.com", "INV-7K2M-QX9P")).RequireOK(t, &e)
	if !e.Response.AutoConfirmUser {
		t.Error("the invited user is not confirmed")
	}
	exampletest.RunEvent(t, env, signUp("eve", "eve@example.com", "INV-7K2M-QX9P")).
		RequireFailure(t, "PreSignUp failed with error This invitation code was issued for a different email address.")
	exampletest.RunEvent(t, env, signUp("bob", "bob@example.com", "INV-NONE")).
		RequireFailure(t, "PreSignUp failed with error Invalid invitation code.")
	exampletest.RunEvent(t, env, signUp("ana2", "ana.silva@example.com", "INV-7K2M-QX9P")).
		RequireFailure(t, "PreSignUp failed with error Too many sign-up attempts, please try again later.")
	ip = awslocal.UniqueName("ip")
	exampletest.RunEvent(t, env, signUp("ana2", "ana.silva@example.com", "INV-7K2M-QX9P")).RequireOK(t, &e)
}

var localAWS = localaws.New(awslocal.Config{DynamoDB: true})

func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }
