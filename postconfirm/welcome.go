package postconfirm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazydynamodb"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazyses"
	"github.com/lambda-triggers/cognito/internal/mailonce"
	"github.com/lambda-triggers/cognito/triggers"
)

// EmailClient is the part of the SES v2 API that [WelcomeEmail] calls.
// *sesv2.Client satisfies it.
type EmailClient interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// MarkerClient is the part of the DynamoDB API that [WelcomeEmail] calls to remember
// whom it has written to. *dynamodb.Client satisfies it.
type MarkerClient interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Email is the welcome message [WelcomeEmail] sends. Subject and Text are text/template
// texts and HTML is an html/template text, so attribute values are escaped for HTML in
// the HTML part. Each is executed with an [EmailData]; an attribute the user does not
// have is the empty string:
//
//	Subject: "Welcome{{with .Attributes.given_name}}, {{.}}{{end}}"
type Email struct {
	// From is the sender, an address SES has verified: "hello@example.com" or
	// "Example <hello@example.com>".
	From string
	// Subject is required; line breaks in the result become spaces.
	Subject string
	// Text and HTML are the two bodies; at least one is required.
	Text string
	HTML string
	// ReplyTo lists optional reply-to addresses.
	ReplyTo []string
	// ConfigurationSet optionally names the SES configuration set to send with, for
	// bounce and delivery events.
	ConfigurationSet string
}

// EmailData is what the templates of an [Email] see.
type EmailData struct {
	// UserName is the user's Cognito user name, which is an opaque identifier in pools
	// that sign users in by e-mail address.
	UserName   string
	UserPoolID string
	// Attributes are the user's attributes: {{.Attributes.email}},
	// {{index .Attributes "custom:plan"}}.
	Attributes triggers.Attributes
}

// MinReclaimAfter is the shortest [WelcomeConfig.ReclaimAfter]: longer than an
// invocation can last under the router's default budget, so that a claim is never taken
// over while its owner may still be sending.
const MinReclaimAfter = 10 * time.Second

// WelcomeConfig configures [WelcomeEmail].
type WelcomeConfig struct {
	// Sender is the SES client. Nil: the process-wide SES v2 client, created on first
	// use, whose role needs ses:SendEmail.
	Sender EmailClient

	// Markers is the DynamoDB client of the marker table. Nil: the process-wide client,
	// whose role needs dynamodb:PutItem, UpdateItem and DeleteItem on the table.
	Markers MarkerClient

	// Table is the name of the marker table, which records whom the email went to.
	// Required.
	Table string

	// Email is the message. Required: From, Subject and a Text or HTML body.
	Email Email

	// MarkerKey names the partition key (a string) of the marker table. Markers are
	// keyed "welcome-email#<sub>", so the table can hold other items too. Empty: "pk".
	MarkerKey string

	// ReclaimAfter, if set, lets a later delivery of the event send the email when an
	// earlier one claimed it at least this long ago and never recorded it as sent,
	// typically because the function was stopped between the two. That trades the
	// default at-most-once delivery for at-least-once: if the earlier attempt did send
	// and only failed to record it, the user receives two emails. At least
	// [MinReclaimAfter]. Zero: a claim is never taken over.
	ReclaimAfter time.Duration

	// AllowUnverifiedEmail sends the email even when the user's email_verified attribute
	// is not "true", as happens in pools that confirm users by phone. Default false: such
	// users are skipped, since anyone can sign up with someone else's address and the
	// message would carry attribute values they chose to a stranger.
	AllowUnverifiedEmail bool

	// Now is the clock of the markers. Nil: time.Now.
	Now func() time.Time
}

// WelcomeEmail sends cfg.Email through SES to the address in the user's email
// attribute, at most once per user however often Cognito delivers the event. A user
// with no email attribute, or (see [WelcomeConfig.AllowUnverifiedEmail]) an unverified
// one, is skipped and logged.
//
// SES has no idempotency key, so a marker item in the DynamoDB table records each user
// (keyed by sub). An invocation first claims the marker with a conditional write, then
// sends, then records the marker as sent; a delivery that finds the marker claimed or
// sent does nothing. When SES answers the send with an error, nothing was sent and the
// claim is released, so a later delivery (Cognito retries a [Critical] module's failure)
// tries again. When the outcome is unknown (a timeout, a lost connection) or the
// function stops after the claim, the claim stays and the email is not sent again:
// delivery is at most once. [WelcomeConfig.ReclaimAfter] makes it at least once instead.
//
// It acts on PostConfirmation_ConfirmSignUp only: a welcome is for a sign-up, never a
// password reset. A missing table, templates that do not parse or execute, and an
// invalid From are reported here.
func WelcomeEmail(cfg WelcomeConfig) (Handler, error) {
	switch {
	case cfg.Table == "":
		return nil, errors.New("postconfirm.WelcomeEmail: Table is empty")
	case cfg.ReclaimAfter < 0 || (cfg.ReclaimAfter > 0 && cfg.ReclaimAfter < MinReclaimAfter):
		return nil, fmt.Errorf("postconfirm.WelcomeEmail: ReclaimAfter %s is shorter than %s", cfg.ReclaimAfter, MinReclaimAfter)
	}
	if cfg.MarkerKey == "" {
		cfg.MarkerKey = "pk"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	msg, err := mailonce.Parse(mailonce.Template(cfg.Email), &EmailData{Attributes: triggers.Attributes{}})
	if err != nil {
		return nil, fmt.Errorf("postconfirm.WelcomeEmail: Email: %w", err)
	}
	w := &welcome{msg: msg, allowUnverified: cfg.AllowUnverifiedEmail,
		once: mailonce.Once{Table: cfg.Table, KeyName: cfg.MarkerKey, ReclaimAfter: cfg.ReclaimAfter, Now: cfg.Now}}
	w.sender = awsclient.NewLazy(cfg.Sender, func(ctx context.Context) (EmailClient, error) { return lazyses.Default(ctx) })
	w.markers = awsclient.NewLazy(cfg.Markers, func(ctx context.Context) (MarkerClient, error) { return lazydynamodb.Default(ctx) })
	return Named("WelcomeEmail", w.handle), nil
}

type welcome struct {
	allowUnverified bool
	msg             *mailonce.Message
	once            mailonce.Once
	sender          *awsclient.Lazy[EmailClient]
	markers         *awsclient.Lazy[MarkerClient]
}

func (w *welcome) handle(ctx context.Context, e *Event) error {
	if e.TriggerSource != triggers.PostConfirmationConfirmSignUp {
		return nil
	}
	logger := triggers.Logger(ctx)
	attrs := e.Request.UserAttributes
	to := attrs.Get("email")
	if to == "" {
		logger.LogAttrs(ctx, slog.LevelInfo, "welcome email skipped: user has no email attribute",
			slog.String("module", "WelcomeEmail"), slog.String("userName", e.UserName))
		return nil
	}
	if !w.allowUnverified && attrs.Get("email_verified") != "true" {
		logger.LogAttrs(ctx, slog.LevelInfo, "welcome email skipped: email address not verified",
			slog.String("module", "WelcomeEmail"), slog.String("userName", e.UserName))
		return nil
	}
	if !mailonce.PlainAddress(to) {
		return errors.New("email attribute is not a plain e-mail address")
	}
	sub := attrs.Get("sub")
	if sub == "" {
		return errors.New("event has no sub attribute to key the marker by")
	}
	msg, err := w.msg.Render(&EmailData{UserName: e.UserName, UserPoolID: e.UserPoolID, Attributes: attrs})
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	markers, err := w.markers.Get(ctx)
	if err != nil {
		return err
	}
	sender, err := w.sender.Get(ctx)
	if err != nil {
		return err
	}
	messageID, claimed, err := w.once.Send(ctx, sender, markers, "welcome-email#"+sub, w.msg.Input(to, msg))
	if messageID != "" {
		logger.LogAttrs(ctx, slog.LevelInfo, "welcome email sent",
			slog.String("module", "WelcomeEmail"), slog.String("userName", e.UserName), slog.String("messageId", messageID))
	}
	if err != nil {
		return err
	}
	if !claimed {
		logger.LogAttrs(ctx, slog.LevelDebug, "welcome email sent or being sent already",
			slog.String("module", "WelcomeEmail"), slog.String("userName", e.UserName))
	}
	return nil
}
