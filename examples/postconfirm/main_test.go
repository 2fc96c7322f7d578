package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

func TestEvent(t *testing.T) {
	t.Parallel()
	// A password reset is none of these modules' business: the program answers as Cognito
	// asked without calling AWS, which these tests give it no way to reach.
	event := triggertest.Payload(triggers.PostConfirmationConfirmForgotPassword)
	env := []string{"GROUP=members", "PROFILES_TABLE=profiles", "WELCOME_FROM=hello@example.com",
		"WELCOME_TABLE=welcome", "INVITATIONS_TABLE=invitations"}
	res := runEvent(t, env, event)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if diff := triggertest.ResponseDiff(event, []byte(res.stdout)); diff != "" {
		t.Errorf("response differs from the event:\n%s", diff)
	}
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"nothing configured", nil, "no module configured: set GROUP"},
		{"welcome without table", []string{"WELCOME_FROM=hello@example.com"}, "missing environment variable WELCOME_TABLE"},
		{"bad sender", []string{"WELCOME_FROM=not an address", "WELCOME_TABLE=welcome"}, "WELCOME_FROM, WELCOME_TABLE:"},
		{"bad group", []string{"GROUP=" + strings.Repeat("g", 200)}, "GROUP:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runEvent(t, tt.env, triggertest.Payload(triggers.PostConfirmationConfirmSignUp)).requireFailure(t, "postconfirm: "+tt.want)
		})
	}
}

// TestIntegrationConfirmation confirms a user of a local pool through the program, three
// times as Cognito may deliver the event: the user is in the group, which the program
// created, has a profile, and got one welcome email.
func TestIntegrationConfirmation(t *testing.T) {
	srv := localAWS(t)
	ctx := t.Context()
	pool := srv.CreateUserPool(t)
	profiles := srv.CreateTable(t, "", "id", "")
	markers := srv.CreateTable(t, "", "pk", "")
	email := awslocal.UniqueName("ana") + "@example.com"
	if _, err := srv.Cognito.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(pool.ID), Username: aws.String(email), MessageAction: ciptypes.MessageActionTypeSuppress,
		UserAttributes: []ciptypes.AttributeType{
			{Name: aws.String("email"), Value: aws.String(email)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
			{Name: aws.String("given_name"), Value: aws.String("Ana")},
		},
	}); err != nil {
		t.Fatal(err)
	}
	// cognito-local keeps a user whose name is an email address under an internal name,
	// which the event carries, as Cognito's does.
	user, err := srv.Cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(email)})
	if err != nil {
		t.Fatal(err)
	}
	opts := []triggertest.Option{triggertest.Set("userPoolId", pool.ID), triggertest.WithUserName(aws.ToString(user.Username)),
		triggertest.Set("request.userAttributes", map[string]string{})}
	for _, a := range user.UserAttributes {
		opts = append(opts, triggertest.WithAttribute(aws.ToString(a.Name), aws.ToString(a.Value)))
	}
	event := triggertest.Payload(triggers.PostConfirmationConfirmSignUp, opts...)
	env := append(srv.Env(), "GROUP=members", "PROFILES_TABLE="+profiles, "WELCOME_FROM=hello@example.com", "WELCOME_TABLE="+markers)

	for i := range 3 {
		res := runEvent(t, env, event)
		if res.code != 0 || strings.Contains(res.stderr, `"level":"ERROR"`) {
			t.Fatalf("delivery %d: exit %d, stderr:\n%s", i+1, res.code, res.stderr)
		}
	}

	groups, err := srv.Cognito.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{
		UserPoolId: aws.String(pool.ID), Username: user.Username})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(groups.Groups, func(g ciptypes.GroupType) bool { return aws.ToString(g.GroupName) == "members" }) {
		t.Errorf("user's groups %v lack members", groups.Groups)
	}
	var sub string
	for _, a := range user.UserAttributes {
		if aws.ToString(a.Name) == "sub" {
			sub = aws.ToString(a.Value)
		}
	}
	item, err := srv.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(profiles), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: sub}}})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := item.Item["givenName"].(*types.AttributeValueMemberS); !ok || v.Value != "Ana" {
		t.Errorf("profile %v, want givenName Ana", item.Item)
	}
	var sent []awslocal.Email
	for _, m := range srv.Emails(t) {
		if slices.Contains(m.To, email) {
			sent = append(sent, m)
		}
	}
	if len(sent) != 1 || sent[0].Subject != "Welcome, Ana!" || !strings.Contains(sent[0].Text, "Sign in with "+email) {
		t.Errorf("emails to the user: %+v, want one welcome", sent)
	}
}

// The tests run the example as a program: started with runMainEnv set, the test binary
// runs main instead of the tests, so the program needs no second build.
const runMainEnv = "EXAMPLE_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	code := m.Run()
	stopLocalAWS()
	os.Exit(code)
}

// result is the outcome of one run of the program.
type result struct {
	code           int
	stdout, stderr string
}

// runMain runs the program with args. Its environment is env and what a process needs to
// start, nothing else of the test's: no AWS settings or credentials leak in.
func runMain(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = []string{runMainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_EC2_METADATA_DISABLED=true"}
	for _, name := range []string{"GOCOVERDIR", "TMPDIR"} {
		if v, ok := os.LookupEnv(name); ok {
			cmd.Env = append(cmd.Env, name+"="+v)
		}
	}
	// A race-enabled program otherwise waits a second before it exits.
	cmd.Env = append(cmd.Env, "GORACE=atexit_sleep_ms=0 "+os.Getenv("GORACE"))
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("run %v: %v", args, err)
		}
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

// runEvent runs the program once on event, written to a file for -event.
func runEvent(t *testing.T, env []string, event []byte) result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, event, 0o600); err != nil {
		t.Fatal(err)
	}
	return runMain(t, env, "-event", path)
}

// requireFailure fails t unless the run exited with 1 and said want on stderr.
func (r result) requireFailure(t *testing.T, want string) {
	t.Helper()
	if r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 1 and %q", r.code, r.stderr, want)
	}
	if r.stdout != "" {
		t.Errorf("stdout %q on failure, want nothing", r.stdout)
	}
}

var (
	localAWSOnce    sync.Once
	localAWSServers *awslocal.Servers
	localAWSErr     error
)

// localAWS returns the package's local AWS servers, started on first use and stopped by
// TestMain, so that the integration tests share them.
func localAWS(t *testing.T) *awslocal.Servers {
	t.Helper()
	localAWSOnce.Do(func() {
		localAWSServers, localAWSErr = awslocal.StartServers(context.Background(), awslocal.WithDynamoDB(), awslocal.WithSES(), awslocal.WithCognito(awslocal.CognitoConfig{}))
	})
	if errors.Is(localAWSErr, awslocal.ErrUnavailable) && !awslocal.RequireCI() {
		t.Skipf("awslocal: %v", localAWSErr)
	}
	if localAWSErr != nil {
		t.Fatalf("awslocal: %v", localAWSErr)
	}
	return localAWSServers
}

func stopLocalAWS() {
	if localAWSServers != nil {
		if err := localAWSServers.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "awslocal:", err)
		}
	}
}
