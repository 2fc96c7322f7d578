package main

import (
	"os"
	"reflect"
	"regexp"
	"strings"
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

// at returns the value at a dot-separated path of a decoded JSON document, nil when
// there is none.
func at(doc any, path string) any {
	for key := range strings.SplitSeq(path, ".") {
		m, ok := doc.(map[string]any)
		if !ok {
			return nil
		}
		doc = m[key]
	}
	return doc
}

func TestEvent(t *testing.T) {
	t.Parallel()
	env := []string{`CLAIMS_TO_ADD_OR_OVERRIDE={"plan":"free","beta":true,"tier":2}`, "CLAIMS_TO_SUPPRESS=email, name",
		"CLAIMS_FROM_ATTRIBUTES=custom:tenant_id=tenant, custom:missing=missing", "CLAIMS_FROM_CLIENT_METADATA=stepUpTransaction",
		"CLAIMS_FROM_CLIENT_METADATA_MAX_LEN=8"}
	tests := []struct {
		name   string
		event  []byte
		want   map[string]any // path in the response to value
		groups string         // path that must carry the request's groupConfiguration
	}{
		{"version 1", triggertest.Payload(triggers.TokenGenerationAuthentication), map[string]any{
			"claimsOverrideDetails.claimsToAddOrOverride": map[string]any{"plan": "free", "beta": "true", "tier": "2", "tenant": "tenant-eu-0042"},
			"claimsOverrideDetails.claimsToSuppress":      []any{"email", "name"},
		}, "claimsOverrideDetails.groupOverrideDetails"},
		{"client metadata", triggertest.Payload(triggers.TokenGenerationAuthentication,
			triggertest.WithClientMetadata("stepUpTransaction", "tx-42"), triggertest.WithClientMetadata("other", "x")), map[string]any{
			"claimsOverrideDetails.claimsToAddOrOverride": map[string]any{"plan": "free", "beta": "true", "tier": "2", "tenant": "tenant-eu-0042",
				"stepUpTransaction": "tx-42"},
			"claimsOverrideDetails.claimsToSuppress": []any{"email", "name"},
		}, "claimsOverrideDetails.groupOverrideDetails"},
		{"version 2", triggertest.FixtureVersion(triggers.TokenGenerationAuthentication, "2"), map[string]any{
			"claimsAndScopeOverrideDetails.idTokenGeneration.claimsToAddOrOverride": map[string]any{
				"plan": "free", "beta": true, "tier": 2.0, "tenant": "tenant-eu-0042"},
			"claimsAndScopeOverrideDetails.accessTokenGeneration.claimsToAddOrOverride": map[string]any{
				"plan": "free", "beta": true, "tier": 2.0, "tenant": "tenant-eu-0042"},
		}, "claimsAndScopeOverrideDetails.groupOverrideDetails"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var doc map[string]any
			exampletest.RunEvent(t, env, tt.event).RequireOK(t, &doc)
			for path, want := range tt.want {
				if got := at(doc["response"], path); !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %v, want %v", path, got, want)
				}
			}
			if got, want := at(doc["response"], tt.groups), at(doc["request"], "groupConfiguration"); want == nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s = %v, want the request's %v: the user would lose their groups", tt.groups, got, want)
			}
		})
	}
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "pretoken: ", triggertest.Payload(triggers.TokenGenerationAuthentication), []exampletest.StartupError{
		{Name: "nothing configured", Want: "no module configured: set CLAIMS_TO_ADD_OR_OVERRIDE"},
		{Name: "not an object", Env: []string{`CLAIMS_TO_ADD_OR_OVERRIDE=["plan"]`}, Want: "CLAIMS_TO_ADD_OR_OVERRIDE: want a JSON object"},
		{Name: "trailing data", Env: []string{`CLAIMS_TO_ADD_OR_OVERRIDE={"a":"b"} {}`}, Want: "CLAIMS_TO_ADD_OR_OVERRIDE: want a JSON object"},
		{Name: "reserved claim", Env: []string{`CLAIMS_TO_ADD_OR_OVERRIDE={"sub":"x"}`}, Want: "CLAIMS_TO_ADD_OR_OVERRIDE, CLAIMS_TO_SUPPRESS:"},
		{Name: "bad pair", Env: []string{"CLAIMS_FROM_ATTRIBUTES=custom:tenant"}, Want: `CLAIMS_FROM_ATTRIBUTES: want comma-separated name=value pairs, got "custom:tenant"`},
		{Name: "reserved client metadata key", Env: []string{"CLAIMS_FROM_CLIENT_METADATA=tx,cognito:username"}, Want: "CLAIMS_FROM_CLIENT_METADATA, CLAIMS_FROM_CLIENT_METADATA_MAX_LEN:"},
		{Name: "bad length", Env: []string{"CLAIMS_FROM_CLIENT_METADATA=tx", "CLAIMS_FROM_CLIENT_METADATA_MAX_LEN=long"}, Want: "CLAIMS_FROM_CLIENT_METADATA_MAX_LEN: want a whole number"},
	})
}

// TestIntegrationEntitlements adds claims from a DynamoDB item keyed by the user's sub,
// after the static ones, which they override.
func TestIntegrationEntitlements(t *testing.T) {
	srv := localAWS.Servers(t)
	table := srv.CreateTable(t, "", "userId", "")
	sub := awslocal.UniqueName("sub")
	_, err := srv.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table),
		Item: map[string]types.AttributeValue{
			"userId":      &types.AttributeValueMemberS{Value: sub},
			"plan":        &types.AttributeValueMemberS{Value: "team"},
			"permissions": &types.AttributeValueMemberSS{Value: []string{"write", "read"}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	env := append(srv.Env(), `CLAIMS_TO_ADD_OR_OVERRIDE={"plan":"free"}`, "ENTITLEMENTS_TABLE="+table)
	var doc map[string]any
	exampletest.RunEvent(t, env, triggertest.FixtureVersion(triggers.TokenGenerationAuthentication, "2")).RequireOK(t, &doc)
	// The fixture's user has no item: the static claim stays.
	want := map[string]any{"plan": "free"}
	if got := at(doc["response"], "claimsAndScopeOverrideDetails.accessTokenGeneration.claimsToAddOrOverride"); !reflect.DeepEqual(got, want) {
		t.Errorf("user without an item: access token claims %v, want %v", got, want)
	}
	event := triggertest.Payload(triggers.TokenGenerationAuthentication, triggertest.WithVersion("2"),
		triggertest.WithAttribute("sub", sub))
	exampletest.RunEvent(t, env, event).RequireOK(t, &doc)
	want = map[string]any{"plan": "team", "permissions": []any{"read", "write"}}
	if got := at(doc["response"], "claimsAndScopeOverrideDetails.accessTokenGeneration.claimsToAddOrOverride"); !reflect.DeepEqual(got, want) {
		t.Errorf("access token claims %v, want %v", got, want)
	}
}

var localAWS = localaws.New(awslocal.Config{DynamoDB: true})

func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }

// The attribute mapping the README shows for this example works on the test kit's
// fixtures: both name the same attribute.
func TestReadmeMappingMatchesFixtures(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("`CLAIMS_FROM_ATTRIBUTES` \\(`([^`,]+)").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README shows no CLAIMS_FROM_ATTRIBUTES mapping for examples/pretoken")
	}
	mapping := string(m[1])
	var doc map[string]any
	exampletest.RunEvent(t, []string{"CLAIMS_FROM_ATTRIBUTES=" + mapping}, triggertest.Payload(triggers.TokenGenerationAuthentication)).RequireOK(t, &doc)
	claim := mapping[strings.Index(mapping, "=")+1:]
	if got := at(doc["response"], "claimsOverrideDetails.claimsToAddOrOverride."+claim); got == nil {
		t.Errorf("README mapping %q adds no %q claim on the fixture: %v", mapping, claim, doc["response"])
	}
}
