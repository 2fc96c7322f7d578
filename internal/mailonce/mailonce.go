// Package mailonce sends emails built from templates through SES, at most once per key:
// a marker item in DynamoDB is claimed with a conditional write before the send and
// recorded as sent after it. postconfirm's welcome email and postauth's new-device
// notice share it.
package mailonce

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	htmltemplate "html/template"
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
)

// Sender is the part of the SES v2 API that [Once.Send] calls.
type Sender interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Markers is the part of the DynamoDB API that [Once.Send] calls.
type Markers interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Template is an email as its owner configures it: Subject and Text are text/template
// texts, HTML an html/template text.
type Template struct {
	From             string
	Subject          string
	Text             string
	HTML             string
	ReplyTo          []string
	ConfigurationSet string
}

// Message is a parsed [Template].
type Message struct {
	tpl     Template
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

// Parse checks t and parses its templates, then executes them once with sample, so that
// a misspelt field ({{.Attribute.email}}) is reported when the module is built, not at
// the first message.
func Parse(t Template, sample any) (*Message, error) {
	if _, err := mail.ParseAddress(t.From); err != nil {
		return nil, fmt.Errorf("sender %q: %w", t.From, err)
	}
	for _, r := range t.ReplyTo {
		if _, err := mail.ParseAddress(r); err != nil {
			return nil, fmt.Errorf("reply-to address %q: %w", r, err)
		}
	}
	if t.Subject == "" {
		return nil, errors.New("empty subject")
	}
	if t.Text == "" && t.HTML == "" {
		return nil, errors.New("no body: set Text, HTML or both")
	}
	m := &Message{tpl: t}
	var err error
	if m.subject, err = texttemplate.New("subject").Option("missingkey=zero").Parse(t.Subject); err != nil {
		return nil, fmt.Errorf("subject template: %w", err)
	}
	if t.Text != "" {
		if m.text, err = texttemplate.New("text").Option("missingkey=zero").Parse(t.Text); err != nil {
			return nil, fmt.Errorf("text template: %w", err)
		}
	}
	if t.HTML != "" {
		if m.html, err = htmltemplate.New("html").Option("missingkey=zero").Parse(t.HTML); err != nil {
			return nil, fmt.Errorf("HTML template: %w", err)
		}
	}
	if _, err := m.Render(sample); err != nil {
		return nil, err
	}
	return m, nil
}

// Rendered is a message with its templates executed.
type Rendered struct{ Subject, Text, HTML string }

// Render executes the templates with data. Line breaks in the subject become spaces.
func (m *Message) Render(data any) (Rendered, error) {
	var out Rendered
	var buf bytes.Buffer
	if err := m.subject.Execute(&buf, data); err != nil {
		return out, fmt.Errorf("subject template: %w", err)
	}
	out.Subject = strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(buf.String()))
	if m.text != nil {
		buf.Reset()
		if err := m.text.Execute(&buf, data); err != nil {
			return out, fmt.Errorf("text template: %w", err)
		}
		out.Text = buf.String()
	}
	if m.html != nil {
		buf.Reset()
		if err := m.html.Execute(&buf, data); err != nil {
			return out, fmt.Errorf("HTML template: %w", err)
		}
		out.HTML = buf.String()
	}
	return out, nil
}

// Input is the SendEmail request for r to the address to.
func (m *Message) Input(to string, r Rendered) *sesv2.SendEmailInput {
	utf8 := aws.String("UTF-8")
	body := &sestypes.Body{}
	if m.text != nil {
		body.Text = &sestypes.Content{Data: aws.String(r.Text), Charset: utf8}
	}
	if m.html != nil {
		body.Html = &sestypes.Content{Data: aws.String(r.HTML), Charset: utf8}
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.tpl.From),
		Destination:      &sestypes.Destination{ToAddresses: []string{to}},
		ReplyToAddresses: m.tpl.ReplyTo,
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String(r.Subject), Charset: utf8},
			Body:    body,
		}},
	}
	if m.tpl.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(m.tpl.ConfigurationSet)
	}
	return in
}

// PlainAddress reports whether s is one e-mail address and nothing else.
func PlainAddress(s string) bool {
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Address == s
}

// Marker statuses.
const (
	statusClaimed = "claimed"
	statusSent    = "sent"
)

// Once is the marker table that makes a send happen at most once per key.
type Once struct {
	Table string
	// KeyName is the table's partition key attribute.
	KeyName string
	// ReclaimAfter, when positive, lets a send take over a claim at least this old that
	// was never recorded as sent: at least once instead of at most once.
	ReclaimAfter time.Duration
	// TTL, when positive, stores an expiresAt attribute (epoch seconds) this far ahead,
	// for a DynamoDB TTL to remove markers that are no longer needed.
	TTL time.Duration
	Now func() time.Time
}

// Send claims the marker key, sends in, and records the marker as sent. claimed is false
// when another delivery holds or finished the marker; then nothing is sent. When SES
// answers with an error, nothing was sent and the claim is released, so a later
// delivery tries again; when the outcome is unknown, the claim stays. messageID is set
// once SES accepted the message, also when recording it failed.
func (o *Once) Send(ctx context.Context, sender Sender, markers Markers, key string, in *sesv2.SendEmailInput) (messageID string, claimed bool, err error) {
	k := map[string]types.AttributeValue{o.KeyName: &types.AttributeValueMemberS{Value: key}}
	token := rand.Text()
	claimed, err = o.claim(ctx, markers, k, token)
	if err != nil || !claimed {
		return "", claimed, err
	}
	out, err := sender.SendEmail(ctx, in)
	if err != nil {
		err = fmt.Errorf("send: %w", err)
		var api smithy.APIError
		if errors.As(err, &api) && ctx.Err() == nil {
			// SES answered with an error, so it did not accept the message: let a later
			// delivery try again.
			if rerr := o.release(ctx, markers, k, token); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		return "", true, err
	}
	messageID = aws.ToString(out.MessageId)
	if err := o.markSent(ctx, markers, k, token, messageID); err != nil {
		return messageID, true, fmt.Errorf("email sent (message %s) but not recorded: %w", messageID, err)
	}
	return messageID, true, nil
}

func (o *Once) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// claim writes the marker unless another invocation holds or finished it, and reports
// whether this invocation may send.
func (o *Once) claim(ctx context.Context, markers Markers, key map[string]types.AttributeValue, token string) (bool, error) {
	now := o.now()
	item := map[string]types.AttributeValue{
		"status":    &types.AttributeValueMemberS{Value: statusClaimed},
		"claim":     &types.AttributeValueMemberS{Value: token},
		"claimedAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixMilli(), 10)},
	}
	if o.TTL > 0 {
		item["expiresAt"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(o.TTL).Unix(), 10)}
	}
	for k, v := range key {
		item[k] = v
	}
	in := &dynamodb.PutItemInput{
		TableName:                aws.String(o.Table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": o.KeyName},
	}
	if o.ReclaimAfter > 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(#pk) OR (#status = :claimed AND #claimedAt < :stale)")
		in.ExpressionAttributeNames["#status"] = "status"
		in.ExpressionAttributeNames["#claimedAt"] = "claimedAt"
		in.ExpressionAttributeValues = map[string]types.AttributeValue{
			":claimed": &types.AttributeValueMemberS{Value: statusClaimed},
			":stale":   &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(-o.ReclaimAfter).UnixMilli(), 10)},
		}
	}
	_, err := markers.PutItem(ctx, in)
	var taken *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &taken):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("claim marker in table %q: %w", o.Table, err)
	}
	return true, nil
}

// release deletes this invocation's claim.
func (o *Once) release(ctx context.Context, markers Markers, key map[string]types.AttributeValue, token string) error {
	_, err := markers.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(o.Table),
		Key:                       key,
		ConditionExpression:       aws.String("#claim = :token AND #status = :claimed"),
		ExpressionAttributeNames:  map[string]string{"#claim": "claim", "#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":token": &types.AttributeValueMemberS{Value: token}, ":claimed": &types.AttributeValueMemberS{Value: statusClaimed}},
	})
	var gone *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &gone) {
		return fmt.Errorf("release marker in table %q: %w", o.Table, err)
	}
	return nil
}

// markSent records that this invocation's email was accepted by SES.
func (o *Once) markSent(ctx context.Context, markers Markers, key map[string]types.AttributeValue, token, messageID string) error {
	_, err := markers.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(o.Table),
		Key:                      key,
		UpdateExpression:         aws.String("SET #status = :sent, #sentAt = :now, #messageId = :id"),
		ConditionExpression:      aws.String("#claim = :token"),
		ExpressionAttributeNames: map[string]string{"#status": "status", "#sentAt": "sentAt", "#messageId": "messageId", "#claim": "claim"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sent":  &types.AttributeValueMemberS{Value: statusSent},
			":now":   &types.AttributeValueMemberS{Value: o.now().UTC().Format(time.RFC3339)},
			":id":    &types.AttributeValueMemberS{Value: messageID},
			":token": &types.AttributeValueMemberS{Value: token},
		},
	})
	if err != nil {
		return fmt.Errorf("mark marker sent in table %q: %w", o.Table, err)
	}
	return nil
}
