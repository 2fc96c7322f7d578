package postconfirm

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazydynamodb"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazyses"
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

// Marker statuses.
const (
	statusClaimed = "claimed"
	statusSent    = "sent"
)

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
	w, err := newWelcome(email, table)
	if err != nil {
		return nil, fmt.Errorf("postconfirm.WelcomeEmail: %w", err)
	}
	w.cfg = cfg
	w.sender = awsclient.NewLazy(sender, func(ctx context.Context) (EmailClient, error) { return lazyses.Default(ctx) })
	w.markers = awsclient.NewLazy(markers, func(ctx context.Context) (MarkerClient, error) { return lazydynamodb.Default(ctx) })
	return Named("WelcomeEmail", w.handle), nil
}

type welcome struct {
	cfg     emailConfig
	email   Email
	table   string
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
	sender  *awsclient.Lazy[EmailClient]
	markers *awsclient.Lazy[MarkerClient]
}

func newWelcome(email Email, table string) (*welcome, error) {
	if table == "" {
		return nil, errors.New("empty marker table name")
	}
	if _, err := mail.ParseAddress(email.From); err != nil {
		return nil, fmt.Errorf("sender %q: %w", email.From, err)
	}
	for _, r := range email.ReplyTo {
		if _, err := mail.ParseAddress(r); err != nil {
			return nil, fmt.Errorf("reply-to address %q: %w", r, err)
		}
	}
	if email.Subject == "" {
		return nil, errors.New("empty subject")
	}
	if email.Text == "" && email.HTML == "" {
		return nil, errors.New("no body: set Text, HTML or both")
	}
	w := &welcome{email: email, table: table}
	var err error
	if w.subject, err = texttemplate.New("subject").Option("missingkey=zero").Parse(email.Subject); err != nil {
		return nil, fmt.Errorf("subject template: %w", err)
	}
	if email.Text != "" {
		if w.text, err = texttemplate.New("text").Option("missingkey=zero").Parse(email.Text); err != nil {
			return nil, fmt.Errorf("text template: %w", err)
		}
	}
	if email.HTML != "" {
		if w.html, err = htmltemplate.New("html").Option("missingkey=zero").Parse(email.HTML); err != nil {
			return nil, fmt.Errorf("HTML template: %w", err)
		}
	}
	// A misspelt field ({{.Attribute.email}}) fails only when executed: find it now,
	// not at the first sign-up.
	if _, err := w.render(&EmailData{Attributes: triggers.Attributes{}}); err != nil {
		return nil, err
	}
	return w, nil
}

type rendered struct{ subject, text, html string }

func (w *welcome) render(data *EmailData) (rendered, error) {
	var out rendered
	var buf bytes.Buffer
	if err := w.subject.Execute(&buf, data); err != nil {
		return out, fmt.Errorf("subject template: %w", err)
	}
	out.subject = strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(buf.String()))
	if w.text != nil {
		buf.Reset()
		if err := w.text.Execute(&buf, data); err != nil {
			return out, fmt.Errorf("text template: %w", err)
		}
		out.text = buf.String()
	}
	if w.html != nil {
		buf.Reset()
		if err := w.html.Execute(&buf, data); err != nil {
			return out, fmt.Errorf("HTML template: %w", err)
		}
		out.html = buf.String()
	}
	return out, nil
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
	if addr, err := mail.ParseAddress(to); err != nil || addr.Address != to {
		return errors.New("email attribute is not a plain e-mail address")
	}
	sub := attrs.Get("sub")
	if sub == "" {
		return errors.New("event has no sub attribute to key the marker by")
	}
	msg, err := w.render(&EmailData{UserName: e.UserName, UserPoolID: e.UserPoolID, Attributes: attrs})
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

	key := map[string]types.AttributeValue{w.cfg.markerKey: &types.AttributeValueMemberS{Value: "welcome-email#" + sub}}
	token := rand.Text()
	claimed, err := w.claim(ctx, markers, key, token)
	if err != nil {
		return err
	}
	if !claimed {
		logger.LogAttrs(ctx, slog.LevelDebug, "welcome email sent or being sent already",
			slog.String("module", "WelcomeEmail"), slog.String("userName", e.UserName))
		return nil
	}

	out, err := sender.SendEmail(ctx, w.input(to, msg))
	if err != nil {
		err = fmt.Errorf("send: %w", err)
		var api smithy.APIError
		if errors.As(err, &api) && ctx.Err() == nil {
			// SES answered with an error, so it did not accept the message: let a later
			// delivery try again.
			if rerr := w.release(ctx, markers, key, token); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		return err
	}
	messageID := aws.ToString(out.MessageId)
	logger.LogAttrs(ctx, slog.LevelInfo, "welcome email sent",
		slog.String("module", "WelcomeEmail"), slog.String("userName", e.UserName), slog.String("messageId", messageID))
	if err := w.markSent(ctx, markers, key, token, messageID); err != nil {
		return fmt.Errorf("email sent (message %s) but not recorded: %w", messageID, err)
	}
	return nil
}

func (w *welcome) input(to string, msg rendered) *sesv2.SendEmailInput {
	utf8 := aws.String("UTF-8")
	body := &sestypes.Body{}
	if w.text != nil {
		body.Text = &sestypes.Content{Data: aws.String(msg.text), Charset: utf8}
	}
	if w.html != nil {
		body.Html = &sestypes.Content{Data: aws.String(msg.html), Charset: utf8}
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(w.email.From),
		Destination:      &sestypes.Destination{ToAddresses: []string{to}},
		ReplyToAddresses: w.email.ReplyTo,
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String(msg.subject), Charset: utf8},
			Body:    body,
		}},
	}
	if w.email.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(w.email.ConfigurationSet)
	}
	return in
}

// claim writes the marker unless another invocation holds or finished it, and reports
// whether this invocation may send.
func (w *welcome) claim(ctx context.Context, markers MarkerClient, key map[string]types.AttributeValue, token string) (bool, error) {
	now := w.cfg.now()
	item := map[string]types.AttributeValue{
		"status":    &types.AttributeValueMemberS{Value: statusClaimed},
		"claim":     &types.AttributeValueMemberS{Value: token},
		"claimedAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixMilli(), 10)},
	}
	for k, v := range key {
		item[k] = v
	}
	in := &dynamodb.PutItemInput{
		TableName:                aws.String(w.table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": w.cfg.markerKey},
	}
	if w.cfg.reclaimAfter > 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(#pk) OR (#status = :claimed AND #claimedAt < :stale)")
		in.ExpressionAttributeNames["#status"] = "status"
		in.ExpressionAttributeNames["#claimedAt"] = "claimedAt"
		in.ExpressionAttributeValues = map[string]types.AttributeValue{
			":claimed": &types.AttributeValueMemberS{Value: statusClaimed},
			":stale":   &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(-w.cfg.reclaimAfter).UnixMilli(), 10)},
		}
	}
	_, err := markers.PutItem(ctx, in)
	var taken *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &taken):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("claim marker in table %q: %w", w.table, err)
	}
	return true, nil
}

// release deletes this invocation's claim.
func (w *welcome) release(ctx context.Context, markers MarkerClient, key map[string]types.AttributeValue, token string) error {
	_, err := markers.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(w.table),
		Key:                       key,
		ConditionExpression:       aws.String("#claim = :token AND #status = :claimed"),
		ExpressionAttributeNames:  map[string]string{"#claim": "claim", "#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":token": &types.AttributeValueMemberS{Value: token}, ":claimed": &types.AttributeValueMemberS{Value: statusClaimed}},
	})
	var gone *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &gone) {
		return fmt.Errorf("release marker in table %q: %w", w.table, err)
	}
	return nil
}

// markSent records that this invocation's email was accepted by SES.
func (w *welcome) markSent(ctx context.Context, markers MarkerClient, key map[string]types.AttributeValue, token, messageID string) error {
	_, err := markers.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(w.table),
		Key:                      key,
		UpdateExpression:         aws.String("SET #status = :sent, #sentAt = :now, #messageId = :id"),
		ConditionExpression:      aws.String("#claim = :token"),
		ExpressionAttributeNames: map[string]string{"#status": "status", "#sentAt": "sentAt", "#messageId": "messageId", "#claim": "claim"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sent":  &types.AttributeValueMemberS{Value: statusSent},
			":now":   &types.AttributeValueMemberS{Value: w.cfg.now().UTC().Format(time.RFC3339)},
			":id":    &types.AttributeValueMemberS{Value: messageID},
			":token": &types.AttributeValueMemberS{Value: token},
		},
	})
	if err != nil {
		return fmt.Errorf("mark marker sent in table %q: %w", w.table, err)
	}
	return nil
}
