package awslocal_test

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

func TestIntegrationServers(t *testing.T) {
	t.Parallel()
	srv := awslocal.Start(t, awslocal.Config{})
	t.Logf("servers ready in %s (npm install: %s)", srv.StartDuration.Round(time.Millisecond), srv.InstallDuration.Round(time.Millisecond))
	for name, endpoint := range map[string]string{"DynamoDB": srv.DynamoDBEndpoint, "SES": srv.SESEndpoint, "Cognito": srv.CognitoEndpoint} {
		if !strings.HasPrefix(endpoint, "http://127.0.0.1:") {
			t.Errorf("%s endpoint = %q, want a 127.0.0.1 URL", name, endpoint)
		}
	}

	t.Run("DynamoDB", func(t *testing.T) {
		t.Parallel()
		ctx := t.Context()
		table := srv.CreateTable(t, "", "pk", "sk")
		put := func() error {
			_, err := srv.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{
				TableName: aws.String(table),
				Item: map[string]ddbtypes.AttributeValue{
					"pk":   &ddbtypes.AttributeValueMemberS{Value: "user#1"},
					"sk":   &ddbtypes.AttributeValueMemberS{Value: "profile"},
					"name": &ddbtypes.AttributeValueMemberS{Value: "Ada"},
				},
				ConditionExpression: aws.String("attribute_not_exists(pk)"),
			})
			return err
		}
		if err := put(); err != nil {
			t.Fatalf("first PutItem: %v", err)
		}
		var ccf *ddbtypes.ConditionalCheckFailedException
		if err := put(); !errors.As(err, &ccf) {
			t.Fatalf("second PutItem = %v, want ConditionalCheckFailedException", err)
		}
		got, err := srv.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(table),
			Key: map[string]ddbtypes.AttributeValue{
				"pk": &ddbtypes.AttributeValueMemberS{Value: "user#1"},
				"sk": &ddbtypes.AttributeValueMemberS{Value: "profile"},
			},
			ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			t.Fatalf("GetItem: %v", err)
		}
		if name, ok := got.Item["name"].(*ddbtypes.AttributeValueMemberS); !ok || name.Value != "Ada" {
			t.Errorf("GetItem name = %#v, want Ada", got.Item["name"])
		}
	})

	t.Run("SES", func(t *testing.T) {
		t.Parallel()
		ctx := t.Context()
		to := awslocal.UniqueName("reader") + "@example.com"
		_, err := srv.SES.SendEmail(ctx, &sesv2.SendEmailInput{
			FromEmailAddress: aws.String("noreply@example.com"),
			Destination:      &sestypes.Destination{ToAddresses: []string{to}},
			Content: &sestypes.EmailContent{Simple: &sestypes.Message{
				Subject: &sestypes.Content{Data: aws.String("Your code")},
				Body:    &sestypes.Body{Text: &sestypes.Content{Data: aws.String("Code: 424242")}},
			}},
		})
		if err != nil {
			t.Fatalf("SendEmail: %v", err)
		}
		i := slices.IndexFunc(srv.Emails(t), func(e awslocal.Email) bool { return slices.Contains(e.To, to) })
		if i < 0 {
			t.Fatalf("no email to %s in the store", to)
		}
		got := srv.Emails(t)[i]
		if got.From != "noreply@example.com" || got.Subject != "Your code" || got.Text != "Code: 424242" || got.MessageID == "" {
			t.Errorf("stored email = %+v", got)
		}
		if time.Since(got.SentAt) > time.Minute {
			t.Errorf("SentAt = %s, want about now", got.SentAt)
		}
		srv.ClearEmails(t)
		if n := len(srv.Emails(t)); n != 0 {
			t.Errorf("after ClearEmails the store holds %d emails", n)
		}
	})

	t.Run("Cognito", func(t *testing.T) {
		t.Parallel()
		ctx := t.Context()
		pool := srv.CreateUserPool(t)
		email := awslocal.UniqueName("user") + "@example.com"
		if _, err := srv.Cognito.SignUp(ctx, &cip.SignUpInput{
			ClientId: aws.String(pool.ClientID),
			Username: aws.String(email),
			Password: aws.String("Correct-horse-1"),
			UserAttributes: []ciptypes.AttributeType{
				{Name: aws.String("email"), Value: aws.String(email)},
			},
		}); err != nil {
			t.Fatalf("SignUp: %v", err)
		}
		user, err := srv.Cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(email)})
		if err != nil {
			t.Fatalf("AdminGetUser: %v", err)
		}
		if user.UserStatus != ciptypes.UserStatusTypeUnconfirmed {
			t.Errorf("status after SignUp = %s, want UNCONFIRMED", user.UserStatus)
		}
		if _, err := srv.Cognito.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
			ClientId: aws.String(pool.ClientID), Username: aws.String(email), ConfirmationCode: aws.String(srv.CognitoCode),
		}); err != nil {
			t.Fatalf("ConfirmSignUp with CognitoCode: %v", err)
		}
		if _, err := srv.Cognito.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(pool.ID), GroupName: aws.String(awslocal.PlaceholderGroup)}); err != nil {
			t.Errorf("GetGroup(placeholder): %v", err)
		}
		var notFound *ciptypes.ResourceNotFoundException
		if _, err := srv.Cognito.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(pool.ID), GroupName: aws.String("missing")}); !errors.As(err, &notFound) {
			t.Errorf("GetGroup(missing) = %v, want ResourceNotFoundException", err)
		}
	})

	t.Run("AWSConfig", func(t *testing.T) {
		t.Parallel()
		table := srv.CreateTable(t, awslocal.UniqueName("via-config"), "pk", "")
		tables, err := dynamodb.NewFromConfig(srv.AWSConfig()).ListTables(t.Context(), &dynamodb.ListTablesInput{})
		if err != nil {
			t.Fatalf("ListTables through AWSConfig: %v", err)
		}
		if !slices.Contains(tables.TableNames, table) {
			t.Errorf("ListTables = %v, want it to include %s", tables.TableNames, table)
		}
		if _, err := cip.NewFromConfig(srv.AWSConfig()).ListUserPools(t.Context(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)}); err != nil {
			t.Errorf("ListUserPools through AWSConfig: %v", err)
		}
	})

	t.Run("Env", func(t *testing.T) {
		env := srv.Env()
		for _, want := range []string{
			"AWS_ENDPOINT_URL_DYNAMODB=" + srv.DynamoDBEndpoint,
			"AWS_ENDPOINT_URL_SESV2=" + srv.SESEndpoint,
			"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=" + srv.CognitoEndpoint,
			"AWS_REGION=us-east-1",
			"AWS_ACCESS_KEY_ID=" + awslocal.AccessKeyID,
			"AWS_SECRET_ACCESS_KEY=" + awslocal.SecretAccessKey,
		} {
			if !slices.Contains(env, want) {
				t.Errorf("Env() = %q, missing %q", env, want)
			}
		}
	})
}

func TestIntegrationCognitoCallsConfiguredTriggers(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		paths []string
	)
	lambda := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var event struct {
			TriggerSource string `json:"triggerSource"`
		}
		_ = json.Unmarshal(body, &event)
		mu.Lock()
		paths = append(paths, r.URL.Path+" "+event.TriggerSource)
		mu.Unlock()
		// An empty response leaves the sign-up unconfirmed, as a trigger
		// that only observes would.
		_, _ = w.Write([]byte(`{"response":{}}`))
	}))
	defer lambda.Close()

	_, err := awslocal.StartServers(t.Context(), awslocal.Config{Cognito: &awslocal.CognitoConfig{
		Triggers: map[string]string{"PreSignUp": "preSignUp"},
	}})
	if err == nil || !strings.Contains(err.Error(), "LambdaEndpoint") {
		t.Errorf("triggers without a LambdaEndpoint: err = %v, want it to ask for one", err)
	}

	srv := awslocal.Start(t, awslocal.Config{Cognito: &awslocal.CognitoConfig{
		LambdaEndpoint: lambda.URL,
		Triggers:       map[string]string{"PreSignUp": "preSignUp"},
		Code:           "654321",
	}})
	if srv.DynamoDB != nil || srv.SES != nil || srv.DynamoDBEndpoint != "" {
		t.Errorf("Config.Cognito alone also started DynamoDB or SES")
	}
	pool := srv.CreateUserPool(t)
	email := awslocal.UniqueName("user") + "@example.com"
	if _, err := srv.Cognito.SignUp(t.Context(), &cip.SignUpInput{
		ClientId: aws.String(pool.ClientID),
		Username: aws.String(email),
		Password: aws.String("Correct-horse-1"),
	}); err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	mu.Lock()
	got := slices.Clone(paths)
	mu.Unlock()
	want := []string{"/2015-03-31/functions/preSignUp/invocations PreSignUp_SignUp"}
	if !slices.Equal(got, want) {
		t.Errorf("Lambda invocations = %q, want %q", got, want)
	}
	if _, err := srv.Cognito.ConfirmSignUp(t.Context(), &cip.ConfirmSignUpInput{
		ClientId: aws.String(pool.ClientID), Username: aws.String(email), ConfirmationCode: aws.String("654321"),
	}); err != nil {
		t.Errorf("ConfirmSignUp with the configured code: %v", err)
	}
}

func TestIntegrationStartFailureReportsServerLog(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port

	srv, err := startServers(t, awslocal.WithPort(awslocal.Config{DynamoDB: true}, awslocal.DynamoDBServer, port))
	if err == nil {
		srv.Close()
		t.Fatal("StartServers on a taken port succeeded")
	}
	t.Logf("reported: %v", err)
	var se *awslocal.StartError
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not a *StartError", err)
	}
	if se.Server != awslocal.DynamoDBServer {
		t.Errorf("Server = %q, want %q", se.Server, awslocal.DynamoDBServer)
	}
	if !strings.Contains(err.Error(), "EADDRINUSE") || !slices.ContainsFunc(se.Log, func(l string) bool { return strings.Contains(l, "EADDRINUSE") }) {
		t.Errorf("error does not carry the server's EADDRINUSE log line:\n%v", err)
	}
	if strings.Contains(err.Error(), "deadline exceeded") {
		t.Errorf("an early exit was reported as a timeout:\n%v", err)
	}
}

// startServers is StartServers with the skip-or-fail rule Start applies.
func startServers(t *testing.T, cfg awslocal.Config) (*awslocal.Servers, error) {
	t.Helper()
	srv, err := awslocal.StartServers(t.Context(), cfg)
	if errors.Is(err, awslocal.ErrUnavailable) {
		if awslocal.RequireCI() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return srv, err
}
