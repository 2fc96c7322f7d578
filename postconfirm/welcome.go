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

// EmailOption configures [WelcomeEmail].
type EmailOption interface{ applyEmail(*emailConfig) error }

type emailConfig struct {
	markerKey       string
	reclaimAfter    time.Duration
	allowUnverified bool
	now             func() time.Time
}

type emailOptionFunc func(*emailConfig) error

func (f emailOptionFunc) applyEmail(c *emailConfig) error { return f(c) }

// MarkerKey names the partition key of the marker table; the default is "pk". Markers
// are keyed "welcome-email#<sub>", so the table can hold other items too.
func MarkerKey(name string) EmailOption {
	return emailOptionFunc(func(c *emailConfig) error {
		if name == "" {
			return errors.New("MarkerKey: empty name")
		}
		c.markerKey = name
		return nil
	})
}

// MinReclaimAfter is the shortest [ReclaimAfter]: longer than an invocation can last
// under the router's default budget, so that a claim is never taken over while its
// owner may still be sending.
const MinReclaimAfter = 10 * time.Second

// ReclaimAfter lets a later delivery of the event send the email when an earlier one
// claimed it at least d ago and never recorded it as sent, typically because the
// function was stopped between the two. That trades the default at-most-once delivery
// for at-least-once: if the earlier attempt did send and only failed to record it, the
// user receives two emails. d must be at least [MinReclaimAfter].
func ReclaimAfter(d time.Duration) EmailOption {
	return emailOptionFunc(func(c *emailConfig) error {
		if d < MinReclaimAfter {
			return fmt.Errorf("ReclaimAfter: %s is shorter than %s", d, MinReclaimAfter)
		}
		c.reclaimAfter = d
		return nil
	})
}

// AllowUnverifiedEmail sends the welcome email even when the user's email_verified
// attribute is not "true", as happens in pools that confirm users by phone. By default
// such users are skipped: anyone can sign up with someone else's address, and the
// message would carry attribute values they chose to a stranger.
func AllowUnverifiedEmail() EmailOption {
	return emailOptionFunc(func(c *emailConfig) error { c.allowUnverified = true; return nil })
}

// WelcomeEmail sends email through SES to the address in the user's email attribute,
// at most once per user however often Cognito delivers the event. A user with no email
// attribute, or (see [AllowUnverifiedEmail]) an unverified one, is skipped and logged.
//
// SES has no idempotency key, so a marker item in the DynamoDB table records each user
// (keyed by sub, see [MarkerKey]). An invocation first claims the marker with a
// conditional write, then sends, then records the marker as sent; a delivery that
// finds the marker claimed or sent does nothing. When SES answers the send with an
// error, nothing was sent and the claim is released, so a later delivery (Cognito
// retries a [Critical] module's failure) tries again. When the outcome is unknown
// (a timeout, a lost connection) or the function stops after the claim, the claim
// stays and the email is not sent again: delivery is at most once. [ReclaimAfter]
// makes it at least once instead.
//
// It acts on PostConfirmation_ConfirmSignUp only: a welcome is for a sign-up, never a
// password reset. sender and markers may be nil for the process-wide SES and DynamoDB
// clients; the role needs ses:SendEmail, and dynamodb:PutItem, UpdateItem and DeleteItem
// on the marker table. Templates that do not parse or execute, and an invalid From, are
// reported here.
func WelcomeEmail(sender EmailClient, markers MarkerClient, table string, email Email, opts ...EmailOption) (Handler, error) {
	cfg := emailConfig{markerKey: "pk", now: time.Now}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyEmail(&cfg); err != nil {
			return nil, fmt.Errorf("postconfirm.WelcomeEmail: %w", err)
		}
	}
	if table == "" {
		return nil, errors.New("postconfirm.WelcomeEmail: empty marker table name")
	}
	msg, err := mailonce.Parse(mailonce.Template(email), &EmailData{Attributes: triggers.Attributes{}})
	if err != nil {
		return nil, fmt.Errorf("postconfirm.WelcomeEmail: %w", err)
	}
	w := &welcome{msg: msg, once: mailonce.Once{Table: table, KeyName: cfg.markerKey, ReclaimAfter: cfg.reclaimAfter, Now: cfg.now}, cfg: cfg}
	w.sender = awsclient.NewLazy(sender, func(ctx context.Context) (EmailClient, error) { return lazyses.Default(ctx) })
	w.markers = awsclient.NewLazy(markers, func(ctx context.Context) (MarkerClient, error) { return lazydynamodb.Default(ctx) })
	return Named("WelcomeEmail", w.handle), nil
}

type welcome struct {
	cfg     emailConfig
	msg     *mailonce.Message
	once    mailonce.Once
	sender  *awsclient.Lazy[EmailClient]
	markers *awsclient.Lazy[MarkerClient]
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
	if !w.cfg.allowUnverified && attrs.Get("email_verified") != "true" {
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
