package postconfirm_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// stdoutLogger logs as text on stdout without the time, so that examples can show it.
func stdoutLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// A best-effort module's failure is logged and the user is confirmed; the same module
// marked critical fails the trigger.
func ExampleBestEffort() {
	crm := postconfirm.Named("crm", func(context.Context, *postconfirm.Event) error {
		return errors.New("crm unavailable")
	})
	audit := func(_ context.Context, e *postconfirm.Event) error {
		fmt.Println("audit: confirmed", e.UserName)
		return nil
	}
	event := triggertest.Payload(triggers.PostConfirmationConfirmSignUp, triggertest.WithUserName("ana"),
		triggertest.Set("userPoolId", "us-east-1_EXAMPLE"))
	quiet := triggers.RouterConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}

	router := triggers.NewRouter(triggers.RouterConfig{Logger: stdoutLogger()}).PostConfirmation(postconfirm.BestEffort(crm, audit))
	_, ierr := router.Handle(context.Background(), event)
	fmt.Println("trigger failed:", ierr != nil)

	router = triggers.NewRouter(quiet).PostConfirmation(postconfirm.BestEffort(postconfirm.Critical(crm), audit))
	_, ierr = router.Handle(context.Background(), event)
	fmt.Println(ierr.Text())
	// Output:
	// level=ERROR msg="post confirmation module failed" module=crm triggerSource=PostConfirmation_ConfirmSignUp userPoolId=us-east-1_EXAMPLE userName=ana error="crm: crm unavailable"
	// audit: confirmed ana
	// trigger failed: false
	// PostConfirmation failed with error The request could not be completed, please try again later.
}

// printingCognito stands in for *cognitoidentityprovider.Client: it prints each call.
type printingCognito struct{ groups map[string]bool }

func (p *printingCognito) GetGroup(_ context.Context, in *cip.GetGroupInput, _ ...func(*cip.Options)) (*cip.GetGroupOutput, error) {
	fmt.Println("GetGroup", *in.GroupName)
	if !p.groups[*in.GroupName] {
		return nil, &ciptypes.ResourceNotFoundException{Message: aws.String("Group not found.")}
	}
	return &cip.GetGroupOutput{}, nil
}

func (p *printingCognito) CreateGroup(_ context.Context, in *cip.CreateGroupInput, _ ...func(*cip.Options)) (*cip.CreateGroupOutput, error) {
	fmt.Println("CreateGroup", *in.GroupName, *in.Precedence)
	p.groups[*in.GroupName] = true
	return &cip.CreateGroupOutput{}, nil
}

func (p *printingCognito) AdminAddUserToGroup(_ context.Context, in *cip.AdminAddUserToGroupInput, _ ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error) {
	fmt.Println("AdminAddUserToGroup", *in.Username, *in.GroupName)
	return &cip.AdminAddUserToGroupOutput{}, nil
}

// The group comes from the custom:role attribute; a missing group is created once.
func ExampleAddToGroup() {
	client := &printingCognito{groups: map[string]bool{}}
	group, err := postconfirm.AddToGroup(postconfirm.GroupConfig{
		Client:           client,
		Groups:           postconfirm.GroupsByAttribute("custom:role", map[string]string{"admin": "admins"}, "members"),
		NewGroupSettings: func(in *cip.CreateGroupInput) { in.Precedence = aws.Int32(10) },
	})
	if err != nil {
		panic(err)
	}
	for _, name := range []string{"ana", "bob"} {
		e := triggertest.PostConfirmation(triggers.PostConfirmationConfirmSignUp,
			triggertest.WithUserName(name), triggertest.WithAttribute("custom:role", "viewer"))
		if err := group(context.Background(), e); err != nil {
			panic(err)
		}
	}
	// Output:
	// GetGroup members
	// CreateGroup members 10
	// AdminAddUserToGroup ana members
	// AdminAddUserToGroup bob members
}

// printingSES stands in for *sesv2.Client: it prints each message.
type printingSES struct{}

func (printingSES) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	m := in.Content.Simple
	fmt.Printf("To: %s\nSubject: %s\n\n%s\n\n%s\n", in.Destination.ToAddresses[0], *m.Subject.Data, *m.Body.Text.Data, *m.Body.Html.Data)
	return &sesv2.SendEmailOutput{MessageId: aws.String("example")}, nil
}

// acceptingMarkers stands in for *dynamodb.Client: every conditional write succeeds,
// as for a user never written to before.
type acceptingMarkers struct{}

func (acceptingMarkers) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return &dynamodb.PutItemOutput{}, nil
}

func (acceptingMarkers) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return &dynamodb.UpdateItemOutput{}, nil
}

func (acceptingMarkers) DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return &dynamodb.DeleteItemOutput{}, nil
}

// Attributes are escaped in the HTML part and kept as they are in the text part.
func ExampleWelcomeEmail() {
	welcome, err := postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
		Sender:  printingSES{},
		Markers: acceptingMarkers{},
		Table:   "welcome-markers",
		Email: postconfirm.Email{
			From:    "Example <hello@example.com>",
			Subject: "Welcome{{with .Attributes.given_name}}, {{.}}{{end}}",
			Text:    "Hello {{.Attributes.given_name}}, your account is ready.",
			HTML:    "<p>Hello {{.Attributes.given_name}}, your account is ready.</p>",
		},
	})
	if err != nil {
		panic(err)
	}
	e := triggertest.PostConfirmation(triggers.PostConfirmationConfirmSignUp,
		triggertest.WithAttribute("email", "ana@example.com"),
		triggertest.WithAttribute("email_verified", "true"),
		triggertest.WithAttribute("given_name", "Ana <Admin>"))
	if err := welcome(context.Background(), e); err != nil {
		panic(err)
	}
	// Output:
	// To: ana@example.com
	// Subject: Welcome, Ana <Admin>
	//
	// Hello Ana <Admin>, your account is ready.
	//
	// <p>Hello Ana &lt;Admin&gt;, your account is ready.</p>
}

// The receiving side of a webhook checks the signature before it trusts the body.
func ExampleVerifySignature() {
	secret := triggers.Secret("0123456789abcdef0123456789abcdef")
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err == nil {
			err = postconfirm.VerifySignature(secret, r.Header.Get(postconfirm.TimestampHeader),
				r.Header.Get(postconfirm.SignatureHeader), body, 5*time.Minute)
		}
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		fmt.Println("verified:", string(body))
	}))
	defer receiver.Close()

	hook, err := postconfirm.Webhook(postconfirm.WebhookConfig{
		Endpoint:   receiver.URL + "/hooks/signup",
		Secret:     secret,
		Attributes: []string{"email"},
	})
	if err != nil {
		panic(err)
	}
	e := triggertest.PostConfirmation(triggers.PostConfirmationConfirmSignUp,
		triggertest.WithUserName("ana"), triggertest.WithAttribute("email", "ana@example.com"),
		triggertest.Set("region", "us-east-1"), triggertest.Set("userPoolId", "us-east-1_EXAMPLE"))
	fmt.Println("error:", hook(context.Background(), e))
	// Output:
	// verified: {"triggerSource":"PostConfirmation_ConfirmSignUp","region":"us-east-1","userPoolId":"us-east-1_EXAMPLE","userName":"ana","userAttributes":{"email":"ana@example.com"}}
	// error: <nil>
}
