package main

import (
	"context"
	"log/slog"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/pretoken"
	"github.com/lambda-triggers/cognito/triggers"
)

// The clients the function's modules call. The aws-sdk-go-v2 clients satisfy them, and
// so do the in-memory fakes of internal/fakeaws that the in-memory mode uses.
type (
	dynamoDBClient interface {
		GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
		PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
		UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
		DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	}
	sesClient interface {
		SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
	}
	cognitoClient interface {
		GetGroup(ctx context.Context, in *cip.GetGroupInput, optFns ...func(*cip.Options)) (*cip.GetGroupOutput, error)
		CreateGroup(ctx context.Context, in *cip.CreateGroupInput, optFns ...func(*cip.Options)) (*cip.CreateGroupOutput, error)
		AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, optFns ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error)
		AdminListGroupsForUser(ctx context.Context, in *cip.AdminListGroupsForUserInput, optFns ...func(*cip.Options)) (*cip.AdminListGroupsForUserOutput, error)
		AdminCreateUser(ctx context.Context, in *cip.AdminCreateUserInput, optFns ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error)
		AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, optFns ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
	}
)

// settings are the names the function is configured with.
type settings struct {
	profilesTable string // partition key id (S): one profile per user, keyed by sub
	stateTable    string // partition key pk (S): welcome email markers and sign-in codes
	from          string // the sender of every email, verified in SES
	otpKey        []byte // the key of the sign-in codes' keyed hash, 32 bytes or more
}

// Texts the function uses, which the journey and its tests look for.
const (
	deniedDomain   = "tempmail.test"
	memberGroup    = "members"
	welcomeSubject = "Welcome to Example, {{.Attributes.name}}"
	welcomeText    = "Hello {{.Attributes.name}},\n\nyour account is ready. Sign in with your email address: " +
		"we send you a code, no password needed.\n"
)

// newFunction builds the Lambda function of the journey: one router, a chain per
// trigger. A Lambda main passes it to triggers.Start, and passes nil for the clients so
// that each module uses the process-wide client of the default AWS configuration; the
// journey passes the clients of the backend it runs on.
func newFunction(db dynamoDBClient, mail sesClient, idp cognitoClient, s settings, log *slog.Logger) (*triggers.Router, error) {
	// Pre sign-up: refuse disposable addresses, then confirm and verify the rest, so
	// that a user can sign in with an emailed code at once.
	denied, err := presignup.DenyDomains(presignup.DomainsConfig{Deny: []string{deniedDomain}})
	if err != nil {
		return nil, err
	}
	confirm, err := presignup.AutoConfirm(presignup.FlagConfig{})
	if err != nil {
		return nil, err
	}
	verify, err := presignup.AutoVerifyEmail(presignup.FlagConfig{})
	if err != nil {
		return nil, err
	}

	// Post confirmation: the group first, and Critical, because tokens carry it; the
	// profile and the welcome email at the same time, best-effort.
	group, err := postconfirm.AddToGroup(postconfirm.GroupConfig{Client: idp, Groups: postconfirm.StaticGroups(memberGroup)})
	if err != nil {
		return nil, err
	}
	profile, err := postconfirm.CreateProfile(postconfirm.ProfileConfig{
		Client: db, Table: s.profilesTable, PartitionKey: "id",
		Item: postconfirm.Columns{"email": "email", "name": "name", "custom:plan": "plan"},
	})
	if err != nil {
		return nil, err
	}
	welcome, err := postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
		Sender: mail, Markers: db, Table: s.stateTable,
		Email: postconfirm.Email{From: s.from, Subject: welcomeSubject, Text: welcomeText},
	})
	if err != nil {
		return nil, err
	}

	// Custom authentication: a one-time code by email, instead of a password.
	otp, err := customauth.EmailOTP(customauth.EmailOTPConfig{
		From: s.from, Key: s.otpKey, Client: mail,
		Store: &customauth.DynamoDBStore{Client: db, Table: s.stateTable},
	})
	if err != nil {
		return nil, err
	}

	// Pre token generation: the same claims for everyone, and the user's plan.
	static, err := pretoken.OverrideClaims(pretoken.ClaimsConfig{
		Add: map[string]any{"org": "example", "features": []string{"beta-search"}},
	})
	if err != nil {
		return nil, err
	}
	plan, err := pretoken.ClaimsFromAttributes(pretoken.AttributesConfig{Claims: map[string]string{"custom:plan": "plan"}})
	if err != nil {
		return nil, err
	}

	router := triggers.NewRouter(triggers.RouterConfig{Logger: log}).
		PreSignUp(presignup.Chain(denied, confirm, verify)).
		PostConfirmation(postconfirm.BestEffort(
			postconfirm.Critical(group),
			postconfirm.Parallel(profile, welcome),
		)).
		PreTokenGeneration(pretoken.Chain(static, plan))
	return otp.Register(router), nil // DefineAuthChallenge, CreateAuthChallenge, VerifyAuthChallenge
}
