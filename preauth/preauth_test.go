package preauth_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/preauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// The fixture's user: Ana Silva, sub 5c1e3f80-..., email verified, phone not, signing
// in through app client 4j2u2vb6e0f2l2o8jv1mh1sf3n.
const (
	anaSub     = "5c1e3f80-9a71-4c0e-8d0a-2b5d7f4e6a11"
	fixtureApp = "4j2u2vb6e0f2l2o8jv1mh1sf3n"
)

func signIn(opts ...triggertest.Option) *preauth.Event { return triggertest.PreAuthentication(opts...) }

// unknown is what Cognito sends for a user name it does not know, with
// PreventUserExistenceErrors enabled: userNotFound true and no attributes.
func unknown(opts ...triggertest.Option) *preauth.Event {
	return signIn(append([]triggertest.Option{triggertest.Set("request.userAttributes", map[string]any{}),
		triggertest.Set("request.userNotFound", true), triggertest.WithUserName("nobody")}, opts...)...)
}

// outcome is "" for success, "Rejected: <text>" for a refusal and the error type for
// anything else: what the user and an attacker see.
func outcome(res triggertest.Result) string {
	if res.OK() {
		return ""
	}
	if res.ErrorType == triggers.ErrorTypeRejected {
		return "Rejected: " + res.ErrorMessage
	}
	return res.ErrorType
}

func rejected(text string) string { return "Rejected: " + text }

func must(t *testing.T) func(preauth.Handler, error) preauth.Handler {
	return func(h preauth.Handler, err error) preauth.Handler {
		t.Helper()
		if err != nil {
			t.Fatalf("constructor: %v", err)
		}
		return h
	}
}

func TestBlockAttribute(t *testing.T) {
	t.Parallel()
	h := must(t)(preauth.BlockAttribute(preauth.BlockAttributeConfig{
		Attribute: "custom:status",
		Values:    []string{"suspended", "Disabled"},
	}))
	custom := must(t)(preauth.BlockAttribute(preauth.BlockAttributeConfig{
		Attribute: "custom:status",
		Values:    []string{"suspended"},
		Message:   "Your account is suspended",
	}))
	tests := []struct {
		name  string
		h     preauth.Handler
		event *preauth.Event
		want  string
	}{
		{"no attribute", h, signIn(), ""},
		{"active", h, signIn(triggertest.WithAttribute("custom:status", "active")), ""},
		{"suspended", h, signIn(triggertest.WithAttribute("custom:status", "suspended")), rejected(preauth.DefaultBlockedMessage)},
		{"case and space", h, signIn(triggertest.WithAttribute("custom:status", " DISABLED ")), rejected(preauth.DefaultBlockedMessage)},
		{"one item of a list", h, signIn(triggertest.WithAttribute("custom:status", "trial, suspended")), rejected(preauth.DefaultBlockedMessage)},
		{"prefix is not a match", h, signIn(triggertest.WithAttribute("custom:status", "suspended-soon")), ""},
		{"custom text", custom, signIn(triggertest.WithAttribute("custom:status", "suspended")), rejected("Your account is suspended")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := outcome(triggertest.InvokeHandler(t, tt.h, tt.event)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBlock(t *testing.T) {
	t.Parallel()
	h := must(t)(preauth.Block(preauth.BlockConfig{When: func(e *preauth.Event) bool {
		return strings.HasSuffix(e.Request.UserAttributes["email"], "@example.com")
	}}))
	triggertest.InvokeHandler(t, h, signIn()).RequireRejected(t, preauth.DefaultBlockedMessage)
	triggertest.InvokeHandler(t, h, signIn(triggertest.WithAttribute("email", "ana@example.org"))).RequireNoOp(t)
}

func blockTable(t *testing.T) *fakeaws.DynamoDB {
	t.Helper()
	db := fakeaws.NewDynamoDB()
	db.AddTable("blocked", preauth.BlockListAttrKey, "")
	return db
}

// store is the fake or a real DynamoDB client: the module reads, the test writes.
type store interface {
	preauth.BlockListClient
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

func putBlock(t *testing.T, db store, table, key, reason string, until any) {
	t.Helper()
	item := map[string]types.AttributeValue{preauth.BlockListAttrKey: &types.AttributeValueMemberS{Value: key}}
	if reason != "" {
		item[preauth.BlockListAttrReason] = &types.AttributeValueMemberS{Value: reason}
	}
	switch v := until.(type) {
	case time.Time:
		item[preauth.BlockListAttrExpiresAt] = &types.AttributeValueMemberN{Value: strconv.FormatInt(v.Unix(), 10)}
	case string:
		item[preauth.BlockListAttrExpiresAt] = &types.AttributeValueMemberS{Value: v}
	}
	if _, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}
}

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// blockListCases are run against the fake and against dynalite.
func blockListCases(t *testing.T, db store, table string) {
	putBlock(t, db, table, "sub-forever", "chargeback", nil)
	putBlock(t, db, table, "sub-suspended", "abuse report", now.Add(time.Hour))
	putBlock(t, db, table, "sub-lifted", "", now.Add(-time.Second))
	putBlock(t, db, table, "sub-ends-now", "", now)
	putBlock(t, db, table, "sub-bad-end", "", "tomorrow")
	putBlock(t, db, table, "ana.typed", "", nil)

	bySub := must(t)(preauth.BlockList(preauth.BlockListConfig{Client: db, Table: table, Now: clock}))
	byName := must(t)(preauth.BlockList(preauth.BlockListConfig{
		Client:        db,
		Table:         table,
		KeyByUserName: true,
		Now:           clock,
		Message:       "Account locked",
	}))
	blocked := rejected(preauth.DefaultBlockedMessage)
	tests := []struct {
		name  string
		h     preauth.Handler
		event *preauth.Event
		want  string
	}{
		{"not listed", bySub, signIn(), ""},
		{"blocked for good", bySub, signIn(triggertest.WithAttribute("sub", "sub-forever")), blocked},
		{"suspended until later", bySub, signIn(triggertest.WithAttribute("sub", "sub-suspended")), blocked},
		{"suspension over, item not yet deleted", bySub, signIn(triggertest.WithAttribute("sub", "sub-lifted")), ""},
		{"suspension ends this second", bySub, signIn(triggertest.WithAttribute("sub", "sub-ends-now")), ""},
		{"unreadable end blocks", bySub, signIn(triggertest.WithAttribute("sub", "sub-bad-end")), blocked},
		{"by sub, not user name", bySub, signIn(triggertest.WithUserName("ana.typed")), ""},
		{"by user name", byName, signIn(triggertest.WithUserName("ana.typed")), rejected("Account locked")},
		{"by user name, sub listed", byName, signIn(triggertest.WithAttribute("sub", "sub-forever")), ""},
		{"no sub", bySub, signIn(triggertest.WithoutAttribute("sub")), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := outcome(triggertest.InvokeHandler(t, tt.h, tt.event)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBlockList(t *testing.T) {
	t.Parallel()
	blockListCases(t, blockTable(t), "blocked")
}

func TestBlockListLogsReason(t *testing.T) {
	t.Parallel()
	db := blockTable(t)
	putBlock(t, db, "blocked", anaSub, "chargeback 2026-02", now.Add(time.Hour))
	var logs triggertest.Logs
	h := must(t)(preauth.BlockList(preauth.BlockListConfig{Client: db, Table: "blocked", Now: clock}))
	res := triggertest.InvokeHandler(t, h, signIn(), triggers.RouterConfig{Logger: logs.Logger()})
	res.RequireRejected(t, preauth.DefaultBlockedMessage)
	if strings.Contains(res.ErrorMessage, "chargeback") {
		t.Errorf("the user sees the operator's reason: %q", res.ErrorMessage)
	}
	lines := logs.Find(t, "sign-in blocked")
	if len(lines) != 1 {
		t.Fatalf("%d log lines for the block, want 1", len(lines))
	}
	if line := lines[0]; line["reason"] != "chargeback 2026-02" || line["module"] != "BlockList" {
		t.Errorf("log line %v, want the reason and module", line)
	}
}

func TestBlockListFailure(t *testing.T) {
	t.Parallel()
	db := blockTable(t)
	db.FailNext("GetItem", errors.New("throttled: secret-ish internals"))
	h := must(t)(preauth.BlockList(preauth.BlockListConfig{Client: db, Table: "blocked"}))
	res := triggertest.InvokeHandler(t, h, signIn()).RequireInternalError(t)
	if strings.Contains(res.ErrorMessage, "internals") {
		t.Errorf("the user sees the AWS error: %q", res.ErrorMessage)
	}
	// A table that does not exist is a configuration mistake seen at the first sign-in.
	missing := must(t)(preauth.BlockList(preauth.BlockListConfig{Client: db, Table: "no-such-table"}))
	triggertest.InvokeHandler(t, missing, signIn()).RequireInternalError(t)
}

func TestRestrictClients(t *testing.T) {
	t.Parallel()
	admins, err := preauth.AttributeIn("custom:role", "admin")
	if err != nil {
		t.Fatal(err)
	}
	h := must(t)(preauth.RestrictClients(preauth.RestrictClientsConfig{Who: admins, ClientIDs: []string{"console-client", "ops-client"}}))
	refused := rejected(preauth.DefaultClientMessage)
	tests := []struct {
		name  string
		event *preauth.Event
		want  string
	}{
		{"admin through the console", signIn(triggertest.WithAttribute("custom:role", "admin"), triggertest.WithClientID("console-client")), ""},
		{"admin through the other allowed client", signIn(triggertest.WithAttribute("custom:role", "admin"), triggertest.WithClientID("ops-client")), ""},
		{"admin through the public app", signIn(triggertest.WithAttribute("custom:role", "admin")), refused},
		{"admin among roles", signIn(triggertest.WithAttribute("custom:role", "billing,admin")), refused},
		{"admin, no client id", signIn(triggertest.WithAttribute("custom:role", "admin"), triggertest.WithClientID("")), refused},
		{"client id differs in case", signIn(triggertest.WithAttribute("custom:role", "admin"), triggertest.WithClientID("Console-Client")), refused},
		{"member through the public app", signIn(triggertest.WithAttribute("custom:role", "member")), ""},
		{"member through the console", signIn(triggertest.WithClientID("console-client")), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := outcome(triggertest.InvokeHandler(t, h, tt.event)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNetworks(t *testing.T) {
	t.Parallel()
	allow := must(t)(preauth.AllowNetworks(preauth.NetworksConfig{Networks: []string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"}}))
	deny := must(t)(preauth.DenyNetworks(preauth.NetworksConfig{Networks: []string{"203.0.113.0/24", "2001:db8:bad::/48", "10.9.9.9/8"}}))
	fromKey := must(t)(preauth.AllowNetworks(preauth.NetworksConfig{Networks: []string{"10.0.0.0/8"}, AddressKey: "clientIp"}))
	fromFunc := must(t)(preauth.DenyNetworks(preauth.NetworksConfig{Networks: []string{"10.0.0.0/8"}, Address: func(e *preauth.Event) string {
		return e.Request.ClientMetadata["forwardedFor"]
	}}))
	ip := func(v string) *preauth.Event { return signIn(triggertest.WithValidationData("ipAddress", v)) }
	refused := rejected(preauth.DefaultNetworkMessage)
	tests := []struct {
		name  string
		h     preauth.Handler
		event *preauth.Event
		want  string
	}{
		{"allow: inside", allow, ip("10.20.30.40"), ""},
		{"allow: single address", allow, ip("192.0.2.7"), ""},
		{"allow: next address", allow, ip("192.0.2.8"), refused},
		{"allow: IPv6 inside", allow, ip("2001:db8:1::5"), ""},
		{"allow: IPv6 outside", allow, ip("2001:db9::1"), refused},
		{"allow: IPv4-mapped IPv6", allow, ip("::ffff:10.1.2.3"), ""},
		{"allow: zone ignored", allow, ip("2001:db8::1%eth0"), ""},
		{"allow: outside", allow, ip("11.0.0.1"), refused},
		{"allow: no address", allow, signIn(), refused},
		{"allow: not an address", allow, ip("10.0.0.1, 11.0.0.1"), refused},
		{"allow: from client metadata", allow, signIn(triggertest.Set("request.clientMetadata", map[string]any{"ipAddress": "10.0.0.1"})), ""},
		{"deny: listed", deny, ip("203.0.113.9"), refused},
		{"deny: host bits masked", deny, ip("10.200.0.1"), refused},
		{"deny: IPv6 listed", deny, ip("2001:db8:bad:1::1"), refused},
		{"deny: IPv6 next to it", deny, ip("2001:db8:bae::1"), ""},
		{"deny: elsewhere", deny, ip("198.51.100.1"), ""},
		{"deny: no address passes", deny, signIn(), ""},
		{"deny: not an address passes", deny, ip("localhost"), ""},
		{"key: named key", fromKey, signIn(triggertest.WithValidationData("clientIp", "10.0.0.1")), ""},
		{"key: default key ignored", fromKey, ip("10.0.0.1"), refused},
		{"func", fromFunc, signIn(triggertest.Set("request.clientMetadata", map[string]any{"forwardedFor": "10.1.1.1"})), refused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := outcome(triggertest.InvokeHandler(t, tt.h, tt.event)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRequireVerified(t *testing.T) {
	t.Parallel()
	email := must(t)(preauth.RequireVerifiedEmail(preauth.VerifiedConfig{}))
	phone := must(t)(preauth.RequireVerifiedPhone(preauth.VerifiedConfig{Message: "Please verify your phone number"}))
	either := must(t)(preauth.RequireVerifiedEmailOrPhone(preauth.VerifiedConfig{}))
	refused := rejected(preauth.DefaultUnverifiedMessage)
	tests := []struct {
		name  string
		h     preauth.Handler
		event *preauth.Event
		want  string
	}{
		{"email verified", email, signIn(), ""},
		{"email verified as a string", email, signIn(triggertest.WithAttribute("email_verified", "True")), ""},
		{"email not verified", email, signIn(triggertest.WithAttribute("email_verified", "false")), refused},
		{"email attribute missing", email, signIn(triggertest.WithoutAttribute("email_verified")), refused},
		{"phone not verified", phone, signIn(), rejected("Please verify your phone number")},
		{"phone verified", phone, signIn(triggertest.WithAttribute("phone_number_verified", "true")), ""},
		{"either: email", either, signIn(), ""},
		{"either: phone", either, signIn(triggertest.WithAttribute("email_verified", "false"), triggertest.WithAttribute("phone_number_verified", "true")), ""},
		{"either: neither", either, signIn(triggertest.WithAttribute("email_verified", "false")), refused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := outcome(triggertest.InvokeHandler(t, tt.h, tt.event)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	yes := func(*preauth.Event) bool { return true }
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"Block nil", second(preauth.Block(preauth.BlockConfig{})), "preauth.Block: When is nil"},
		{"BlockAttribute no name", second(preauth.BlockAttribute(preauth.BlockAttributeConfig{Attribute: " ", Values: []string{"x"}})),
			"preauth.BlockAttribute: Attribute is empty"},
		{"BlockAttribute no values", second(preauth.BlockAttribute(preauth.BlockAttributeConfig{Attribute: "custom:status"})),
			"preauth.BlockAttribute: Values is empty"},
		{"BlockAttribute blank value", second(preauth.BlockAttribute(preauth.BlockAttributeConfig{Attribute: "custom:status",
			Values: []string{"suspended", " "}})), "blank value"},
		{"blank message", second(preauth.Block(preauth.BlockConfig{When: yes, Message: "  "})), "preauth.Block: Message is blank"},
		{"blank verified message", second(preauth.RequireVerifiedPhone(preauth.VerifiedConfig{Message: "\t"})),
			"preauth.RequireVerifiedPhone: Message is blank"},
		{"BlockList no table", second(preauth.BlockList(preauth.BlockListConfig{
			Client: fakeaws.NewDynamoDB(),
		})), "preauth.BlockList: Table is empty"},
		{"BlockList blank message", second(preauth.BlockList(preauth.BlockListConfig{
			Table:   "t",
			Message: " ",
		})), "preauth.BlockList: Message is blank"},
		{"RestrictClients nil", second(preauth.RestrictClients(preauth.RestrictClientsConfig{ClientIDs: []string{"c"}})),
			"preauth.RestrictClients: Who is nil"},
		{"RestrictClients no ids", second(preauth.RestrictClients(preauth.RestrictClientsConfig{
			Who: yes,
		})), "preauth.RestrictClients: ClientIDs is empty"},
		{"RestrictClients blank id", second(preauth.RestrictClients(preauth.RestrictClientsConfig{
			Who:       yes,
			ClientIDs: []string{"c", " c2"},
		})),
			`invalid app client ID " c2"`},
		{"AllowNetworks none", second(preauth.AllowNetworks(preauth.NetworksConfig{
			Networks: []string{" "},
		})), "preauth.AllowNetworks: Networks is empty"},
		{"DenyNetworks nil", second(preauth.DenyNetworks(preauth.NetworksConfig{})), "preauth.DenyNetworks: Networks is empty"},
		{"AllowNetworks bad prefix", second(preauth.AllowNetworks(preauth.NetworksConfig{
			Networks: []string{"10.0.0.0/33"},
		})), `invalid network "10.0.0.0/33"`},
		{"DenyNetworks host name", second(preauth.DenyNetworks(preauth.NetworksConfig{
			Networks: []string{"example.com"},
		})), `invalid network "example.com"`},
		{"AddressKey blank", second(preauth.DenyNetworks(preauth.NetworksConfig{Networks: []string{"10.0.0.0/8"}, AddressKey: " "})),
			"preauth.DenyNetworks: AddressKey is blank"},
		{"AddressKey and Address", second(preauth.AllowNetworks(preauth.NetworksConfig{Networks: []string{"10.0.0.0/8"}, AddressKey: "ip",
			Address: func(*preauth.Event) string { return "" }})), "preauth.AllowNetworks: AddressKey and Address are both set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", tt.err, tt.want)
			}
		})
	}
}

func second(_ preauth.Handler, err error) error { return err }

func TestParseNetworks(t *testing.T) {
	t.Parallel()
	got, err := preauth.ParseNetworks([]string{"10.1.2.3/8", "192.0.2.1", "2001:db8::1", "::ffff:198.51.100.0/120", ""})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.1/32", "2001:db8::1/128", "198.51.100.0/24"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("entry %d = %s, want %s", i, got[i], want[i])
		}
	}
}
