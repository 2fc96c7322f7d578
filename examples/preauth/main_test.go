package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/preauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

func signIn(opts ...triggertest.Option) []byte {
	return triggertest.Payload(triggers.PreAuthenticationAuthentication, opts...) // ana.silva@example.com, email verified
}

func TestEvent(t *testing.T) {
	t.Parallel()
	const failed = "PreAuthentication failed with error "
	admin := triggertest.WithAttribute("custom:role", "admin")
	tests := []struct {
		name    string
		env     []string
		event   []byte
		wantErr string // on stderr, with exit 1
	}{
		{name: "active user", env: []string{"BLOCKED_STATUSES=suspended,disabled"}, event: signIn()},
		{name: "suspended user", env: []string{"BLOCKED_STATUSES=suspended,disabled"},
			event: signIn(triggertest.WithAttribute("custom:status", "suspended")), wantErr: failed + preauth.DefaultBlockedMessage + "."},
		{name: "own attribute and text", env: []string{"BLOCKED_STATUSES=locked", "STATUS_ATTRIBUTE=custom:state", "BLOCKED_MESSAGE=Call us"},
			event: signIn(triggertest.WithAttribute("custom:state", "locked")), wantErr: failed + "Call us."},
		{name: "unknown user passes a status check", env: []string{"BLOCKED_STATUSES=suspended"},
			event: signIn(triggertest.Set("request.userAttributes", map[string]any{}), triggertest.Set("request.userNotFound", true))},
		{name: "admin through the console", env: []string{"RESTRICTED_ROLES=admin", "RESTRICTED_CLIENT_IDS=console-1,console-2"},
			event: signIn(admin, triggertest.WithClientID("console-2"))},
		{name: "admin through the public app", env: []string{"RESTRICTED_ROLES=admin", "RESTRICTED_CLIENT_IDS=console-1"},
			event: signIn(admin), wantErr: failed + preauth.DefaultClientMessage + "."},
		{name: "member through the public app", env: []string{"RESTRICTED_ROLES=admin", "RESTRICTED_CLIENT_IDS=console-1"}, event: signIn()},
		{name: "allowed network", env: []string{"ALLOWED_NETWORKS=10.0.0.0/8, 2001:db8::/32"},
			event: signIn(triggertest.WithValidationData("ipAddress", "2001:db8::7"))},
		{name: "not an allowed network", env: []string{"ALLOWED_NETWORKS=10.0.0.0/8"},
			event: signIn(triggertest.WithValidationData("ipAddress", "192.0.2.1")), wantErr: failed + preauth.DefaultNetworkMessage + "."},
		{name: "no address, allow list", env: []string{"ALLOWED_NETWORKS=10.0.0.0/8"}, event: signIn(), wantErr: failed + preauth.DefaultNetworkMessage + "."},
		{name: "denied network, own key", env: []string{"DENIED_NETWORKS=192.0.2.0/24", "ADDRESS_KEY=clientIp"},
			event: signIn(triggertest.WithValidationData("clientIp", "192.0.2.1")), wantErr: failed + preauth.DefaultNetworkMessage + "."},
		{name: "email verified", env: []string{"REQUIRE_VERIFIED=email"}, event: signIn()},
		{name: "phone not verified", env: []string{"REQUIRE_VERIFIED=phone"}, event: signIn(), wantErr: failed + preauth.DefaultUnverifiedMessage + "."},
		{name: "email or phone", env: []string{"REQUIRE_VERIFIED=email_or_phone"}, event: signIn()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := exampletest.RunEvent(t, tt.env, tt.event)
			if tt.wantErr != "" {
				res.RequireFailure(t, tt.wantErr)
				return
			}
			res.RequireNoOp(t, tt.event)
		})
	}
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "preauth: ", signIn(), []exampletest.StartupError{
		{Name: "nothing configured", Want: "no module configured: set BLOCKED_STATUSES"},
		{Name: "roles without clients", Env: []string{"RESTRICTED_ROLES=admin"}, Want: "RESTRICTED_ROLES needs RESTRICTED_CLIENT_IDS"},
		{Name: "clients without roles", Env: []string{"RESTRICTED_CLIENT_IDS=c1"}, Want: "RESTRICTED_CLIENT_IDS needs RESTRICTED_ROLES"},
		{Name: "bad network", Env: []string{"ALLOWED_NETWORKS=10.0.0.0/8,office"}, Want: `ALLOWED_NETWORKS: preauth.AllowNetworks: invalid network "office"`},
		{Name: "bad denied network", Env: []string{"DENIED_NETWORKS=10.0.0.0/40"}, Want: "DENIED_NETWORKS: preauth.DenyNetworks: invalid network"},
		{Name: "bad verified", Env: []string{"REQUIRE_VERIFIED=yes"}, Want: `REQUIRE_VERIFIED: want email, phone or email_or_phone, got "yes"`},
		{Name: "bad key", Env: []string{"BLOCK_LIST_TABLE=blocked", "BLOCK_LIST_KEY=email"}, Want: `BLOCK_LIST_KEY: want sub or username, got "email"`},
		{Name: "key without table", Env: []string{"BLOCK_LIST_KEY=username", "BLOCKED_STATUSES=suspended"}, Want: "BLOCK_LIST_KEY needs BLOCK_LIST_TABLE"},
		{Name: "blank text", Env: []string{"BLOCKED_STATUSES=suspended", "BLOCKED_MESSAGE= "}, Want: "BLOCKED_STATUSES, STATUS_ATTRIBUTE, BLOCKED_MESSAGE:"},
	})
}

// TestIntegrationBlockList signs in through the program against DynamoDB: a suspended
// user is kept out until the suspension ends, by sub or by user name.
func TestIntegrationBlockList(t *testing.T) {
	t.Parallel()
	srv := localAWS.Servers(t)
	table := srv.CreateTable(t, "", preauth.BlockListAttrKey, "")
	put := func(key string, until time.Time) {
		item := map[string]types.AttributeValue{
			preauth.BlockListAttrKey:    &types.AttributeValueMemberS{Value: key},
			preauth.BlockListAttrReason: &types.AttributeValueMemberS{Value: "support ticket 4471"},
		}
		if !until.IsZero() {
			item[preauth.BlockListAttrExpiresAt] = &types.AttributeValueMemberN{Value: strconv.FormatInt(until.Unix(), 10)}
		}
		if _, err := srv.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	put("sub-suspended", time.Now().Add(time.Hour))
	put("sub-was-suspended", time.Now().Add(-time.Minute))
	put("mallory", time.Time{})
	env := append(srv.Env(), "BLOCK_LIST_TABLE="+table)
	blocked := "PreAuthentication failed with error " + preauth.DefaultBlockedMessage + "."
	exampletest.RunEvent(t, env, signIn(triggertest.WithAttribute("sub", "sub-suspended"))).RequireFailure(t, blocked)
	ok := signIn(triggertest.WithAttribute("sub", "sub-was-suspended"))
	exampletest.RunEvent(t, env, ok).RequireNoOp(t, ok)
	byName := append(env, "BLOCK_LIST_KEY=username")
	exampletest.RunEvent(t, byName, signIn(triggertest.WithUserName("mallory"))).RequireFailure(t, blocked)
	// An unknown user typing a blocked name gets the blocked user's answer.
	exampletest.RunEvent(t, byName, signIn(triggertest.WithUserName("mallory"), triggertest.Set("request.userAttributes", map[string]any{}),
		triggertest.Set("request.userNotFound", true))).RequireFailure(t, blocked)
}

var localAWS = localaws.New(awslocal.Config{DynamoDB: true})

func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }
