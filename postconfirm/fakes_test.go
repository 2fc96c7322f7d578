package postconfirm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// The real clients satisfy the narrow interfaces as they are.
var (
	_ postconfirm.GroupClient   = (*cip.Client)(nil)
	_ postconfirm.ProfileClient = (*dynamodb.Client)(nil)
	_ postconfirm.MarkerClient  = (*dynamodb.Client)(nil)
	_ postconfirm.EmailClient   = (*sesv2.Client)(nil)
)

// delay waits for d or ctx, as a network call would.
func delay(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// fakeCognito is a user pool API holding groups and memberships in memory.
type fakeCognito struct {
	mu      sync.Mutex
	groups  map[string]*cip.CreateGroupInput // by group name
	members map[string][]string              // group -> user names
	calls   []string

	// failures by operation name, returned instead of doing the call.
	fail map[string]error
	// raceCreate makes CreateGroup answer GroupExistsException, as when a concurrent
	// invocation created the group between GetGroup and CreateGroup.
	raceCreate bool
	// latency delays AdminAddUserToGroup; hook runs inside it.
	latency time.Duration
	hook    func()
}

func newFakeCognito(existing ...string) *fakeCognito {
	f := &fakeCognito{groups: map[string]*cip.CreateGroupInput{}, members: map[string][]string{}, fail: map[string]error{}}
	for _, g := range existing {
		f.groups[g] = &cip.CreateGroupInput{GroupName: aws.String(g)}
	}
	return f
}

func (f *fakeCognito) record(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, op)
	return f.fail[op]
}

func (f *fakeCognito) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeCognito) Members(group string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.members[group]...)
}

func (f *fakeCognito) GetGroup(ctx context.Context, in *cip.GetGroupInput, _ ...func(*cip.Options)) (*cip.GetGroupOutput, error) {
	if err := f.record("GetGroup " + aws.ToString(in.GroupName)); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.groups[aws.ToString(in.GroupName)] == nil {
		return nil, &ciptypes.ResourceNotFoundException{Message: aws.String("Group not found.")}
	}
	return &cip.GetGroupOutput{Group: &ciptypes.GroupType{GroupName: in.GroupName}}, nil
}

func (f *fakeCognito) CreateGroup(ctx context.Context, in *cip.CreateGroupInput, _ ...func(*cip.Options)) (*cip.CreateGroupOutput, error) {
	if err := f.record("CreateGroup " + aws.ToString(in.GroupName)); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.raceCreate || f.groups[aws.ToString(in.GroupName)] != nil {
		f.groups[aws.ToString(in.GroupName)] = &cip.CreateGroupInput{GroupName: in.GroupName}
		return nil, &ciptypes.GroupExistsException{Message: aws.String("A group with the name already exists.")}
	}
	f.groups[aws.ToString(in.GroupName)] = in
	return &cip.CreateGroupOutput{}, nil
}

func (f *fakeCognito) AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, _ ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error) {
	if err := f.record("AdminAddUserToGroup " + aws.ToString(in.GroupName)); err != nil {
		return nil, err
	}
	if f.hook != nil {
		f.hook()
	}
	if err := delay(ctx, f.latency); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	g := aws.ToString(in.GroupName)
	if f.groups[g] == nil {
		return nil, &ciptypes.ResourceNotFoundException{Message: aws.String("Group not found.")}
	}
	user := aws.ToString(in.Username)
	for _, m := range f.members[g] {
		if m == user {
			return &cip.AdminAddUserToGroupOutput{}, nil
		}
	}
	f.members[g] = append(f.members[g], user)
	return &cip.AdminAddUserToGroupOutput{}, nil
}

// fakeDynamo is a DynamoDB table keyed by one string attribute. It understands the
// condition expressions the modules write, and nothing more.
type fakeDynamo struct {
	mu    sync.Mutex
	key   string
	items map[string]map[string]types.AttributeValue
	calls []string

	fail    map[string]error
	latency time.Duration // of PutItem
	hook    func()        // runs inside PutItem
}

func newFakeDynamo(key string) *fakeDynamo {
	return &fakeDynamo{key: key, items: map[string]map[string]types.AttributeValue{}, fail: map[string]error{}}
}

func (f *fakeDynamo) record(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, op)
	return f.fail[op]
}

func (f *fakeDynamo) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeDynamo) Item(key string) map[string]types.AttributeValue {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.items[key]
}

func (f *fakeDynamo) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.items)
}

func (f *fakeDynamo) Put(item map[string]types.AttributeValue) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[str(item[f.key])] = item
}

func str(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	}
	return ""
}

func num(v types.AttributeValue) int64 {
	n, _ := strconv.ParseInt(str(v), 10, 64)
	return n
}

var errCheck = &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}

func (f *fakeDynamo) PutItem(ctx context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if err := f.record("PutItem"); err != nil {
		return nil, err
	}
	if f.hook != nil {
		f.hook()
	}
	if err := delay(ctx, f.latency); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := str(in.Item[f.key])
	if k == "" {
		return nil, fmt.Errorf("fake: item has no key %q", f.key)
	}
	cond := aws.ToString(in.ConditionExpression)
	if old, ok := f.items[k]; ok && strings.Contains(cond, "attribute_not_exists") {
		reclaim := strings.Contains(cond, ":stale") && str(old["status"]) == "claimed" &&
			num(old["claimedAt"]) < num(in.ExpressionAttributeValues[":stale"])
		if !reclaim {
			return nil, errCheck
		}
	}
	f.items[k] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

// claimMatches checks the "#claim = :token" conditions of the marker updates.
func claimMatches(item map[string]types.AttributeValue, values map[string]types.AttributeValue) bool {
	return item != nil && str(item["claim"]) == str(values[":token"])
}

func (f *fakeDynamo) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if err := f.record("UpdateItem"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := str(in.Key[f.key])
	item := f.items[k]
	if !claimMatches(item, in.ExpressionAttributeValues) {
		return nil, errCheck
	}
	item["status"] = in.ExpressionAttributeValues[":sent"]
	item["messageId"] = in.ExpressionAttributeValues[":id"]
	return &dynamodb.UpdateItemOutput{}, nil
}

func (f *fakeDynamo) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if err := f.record("DeleteItem"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := str(in.Key[f.key])
	item := f.items[k]
	if !claimMatches(item, in.ExpressionAttributeValues) || str(item["status"]) != "claimed" {
		return nil, errCheck
	}
	delete(f.items, k)
	return &dynamodb.DeleteItemOutput{}, nil
}

// fakeSES records the messages it is asked to send.
type fakeSES struct {
	mu   sync.Mutex
	sent []*sesv2.SendEmailInput

	err     error // returned, and nothing recorded
	latency time.Duration
	hook    func()
}

func (f *fakeSES) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	if f.hook != nil {
		f.hook()
	}
	if err := delay(ctx, f.latency); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	f.sent = append(f.sent, in)
	return &sesv2.SendEmailOutput{MessageId: aws.String(fmt.Sprintf("message-%d", len(f.sent)))}, nil
}

func (f *fakeSES) Sent() []*sesv2.SendEmailInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*sesv2.SendEmailInput(nil), f.sent...)
}

// newRouter returns a router running h, logging at debug level into the returned buffer.
// cfg, at most one, configures the router further.
func newRouter(h postconfirm.Handler, cfg ...triggers.RouterConfig) (*triggers.Router, *triggertest.Logs) {
	logs := &triggertest.Logs{}
	var c triggers.RouterConfig
	if len(cfg) > 0 {
		c = cfg[0]
	}
	c.Logger = logs.Logger()
	return triggers.NewRouter(c).PostConfirmation(h), logs
}

// loggerContext returns a context whose triggers.Logger writes into the returned buffer.
func loggerContext(t *testing.T) (context.Context, *triggertest.Logs) {
	logs := &triggertest.Logs{}
	logger := logs.Logger()
	return triggers.ContextWithLogger(t.Context(), logger), logs
}

// payload reads a testdata event.
func payload(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const (
	signUpEvent = "confirm_signup.json"
	forgotEvent = "confirm_forgot_password.json"
	testSub     = "5e2f0c4a-1b7d-4c1e-9d7a-8b6f5a4c3d21"
)

// event decodes a testdata event.
func event(t testing.TB, name string) *postconfirm.Event {
	t.Helper()
	var e postconfirm.Event
	if err := json.Unmarshal(payload(t, name), &e); err != nil {
		t.Fatal(err)
	}
	return &e
}

// signUp returns a sign-up event for a user with the given attributes.
func signUp(attrs map[string]string) *postconfirm.Event {
	e := &postconfirm.Event{}
	e.Version = "1"
	e.TriggerSource = triggers.PostConfirmationConfirmSignUp
	e.Region = "us-east-1"
	e.UserPoolID = "us-east-1_TestPool"
	e.UserName = attrs["sub"]
	e.Request.UserAttributes = attrs
	return e
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

var errBoom = errors.New("boom")
