package postauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazydynamodb"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazyses"
	"github.com/lambda-triggers/cognito/internal/mailonce"
	"github.com/lambda-triggers/cognito/triggers"
)

// EmailClient is the part of the SES v2 API that [NewDeviceNotice] calls.
// *sesv2.Client satisfies it.
type EmailClient interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// MarkerClient is the part of the DynamoDB API that [NewDeviceNotice] calls to remember
// the notices it sent. *dynamodb.Client satisfies it.
type MarkerClient interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Email is the notice [NewDeviceNotice] sends, with the same rules as
// postconfirm.Email: Subject and Text are text/template texts, HTML an html/template
// text (values escaped for HTML), each executed with a [NoticeData]:
//
//	Subject: "New sign-in to your account"
//	Text:    "Hello {{.Attributes.name}}, you signed in on a new device at {{.SignedInAt.Format \"15:04 MST\"}}."
type Email struct {
	// From is the sender, an address SES has verified.
	From string
	// Subject is required; line breaks in the result become spaces.
	Subject string
	// Text and HTML are the two bodies; at least one is required.
	Text string
	HTML string
	// ReplyTo lists optional reply-to addresses.
	ReplyTo []string
	// ConfigurationSet optionally names the SES configuration set to send with.
	ConfigurationSet string
}

// NoticeData is what the templates of an [Email] see.
type NoticeData struct {
	UserName   string
	UserPoolID string
	// ClientID is the app client the user signed in through.
	ClientID string
	// SignedInAt is the time of the sign-in's first delivery, in UTC.
	SignedInAt time.Time
	// Attributes are the user's attributes: {{.Attributes.email}}.
	Attributes triggers.Attributes
}

// NewDeviceNotice emails the user when Cognito reports a sign-in from a new device
// (newDeviceUsed: true, which Cognito sends when device tracking is on), so that a user
// who did not sign in can react. It writes to the address in the email attribute, only
// when email_verified is "true" unless [AllowUnverifiedEmail]; other users are skipped
// and logged.
//
// Each sign-in gets at most one notice however often Cognito delivers it: a guard item
// per user in the marker table (keyed "new-device-signin#<sub>") turns the deliveries
// of one sign-in, within the retry window ([RetryWindow]), into one id, and the notice
// for that id is claimed through a marker item ("new-device#<sub>#<time>#<fingerprint>")
// with a conditional write before SES is called, as postconfirm.WelcomeEmail does. When
// SES answers with an error the claim is released for a retry; when the outcome is
// unknown it stays, and the notice is not sent again. Markers carry an expiresAt
// attribute ([Retention] ahead, default 7 days) for the table's TTL.
//
// It acts on PostAuthentication_Authentication. sender and markers may be nil for the
// process-wide clients; the role needs ses:SendEmail, and dynamodb:GetItem, PutItem,
// UpdateItem and DeleteItem on the marker table (partition key [MarkerKey], default
// "pk", a string). Templates that do not parse or execute, and an invalid From, are
// reported here.
func NewDeviceNotice(sender EmailClient, markers MarkerClient, table string, email Email, opts ...Option) (Handler, error) {
	cfg, err := build(modNotice, opts)
	if err != nil {
		return nil, err
	}
	if table == "" {
		return nil, errors.New("postauth.NewDeviceNotice: empty marker table name")
	}
	msg, err := mailonce.Parse(mailonce.Template(email), &NoticeData{Attributes: triggers.Attributes{}})
	if err != nil {
		return nil, fmt.Errorf("postauth.NewDeviceNotice: %w", err)
	}
	n := &notice{cfg: cfg, msg: msg,
		guard: dedup{table: table, window: cfg.window, recent: "recentSignIns", version: "version"},
		once:  mailonce.Once{Table: table, KeyName: cfg.markerKey, TTL: cfg.retention, Now: cfg.now},
	}
	n.sender = awsclient.NewLazy(sender, func(ctx context.Context) (EmailClient, error) { return lazyses.Default(ctx) })
	n.markers = awsclient.NewLazy(markers, func(ctx context.Context) (MarkerClient, error) { return lazydynamodb.Default(ctx) })
	return Named(modNotice, n.handle), nil
}

type notice struct {
	cfg     config
	msg     *mailonce.Message
	guard   dedup
	once    mailonce.Once
	sender  *awsclient.Lazy[EmailClient]
	markers *awsclient.Lazy[MarkerClient]
}

func (n *notice) handle(ctx context.Context, e *Event) error {
	if !actsOn(e) || !e.Request.NewDeviceUsed {
		return nil
	}
	logger := triggers.Logger(ctx)
	attrs := e.Request.UserAttributes
	to := attrs.Get("email")
	if to == "" {
		logger.LogAttrs(ctx, slog.LevelInfo, "new-device notice skipped: user has no email attribute",
			slog.String("module", modNotice), slog.String("userName", e.UserName))
		return nil
	}
	if !n.cfg.unverified && attrs.Get("email_verified") != "true" {
		logger.LogAttrs(ctx, slog.LevelInfo, "new-device notice skipped: email address not verified",
			slog.String("module", modNotice), slog.String("userName", e.UserName))
		return nil
	}
	if !mailonce.PlainAddress(to) {
		return errors.New("email attribute is not a plain e-mail address")
	}
	sub, err := userSub(e)
	if err != nil {
		return err
	}
	markers, err := n.markers.Get(ctx)
	if err != nil {
		return err
	}
	sender, err := n.sender.Get(ctx)
	if err != nil {
		return err
	}
	fp := fingerprint(e)
	guardKey := map[string]types.AttributeValue{n.cfg.markerKey: &types.AttributeValueMemberS{Value: "new-device-signin#" + sub}}
	now := n.cfg.now()
	at, _, err := n.guard.signIn(ctx, markers, guardKey, fp, now, extraUpdate{
		set:    "#exp = :exp",
		names:  map[string]string{"#exp": "expiresAt"},
		values: map[string]types.AttributeValue{":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(n.cfg.retention).Unix(), 10)}},
	})
	if err != nil {
		return err
	}
	signedInAt, _ := time.Parse(stampLayout, at)
	msg, err := n.msg.Render(&NoticeData{UserName: e.UserName, UserPoolID: e.UserPoolID, ClientID: e.CallerContext.ClientID,
		SignedInAt: signedInAt, Attributes: attrs})
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	messageID, claimed, err := n.once.Send(ctx, sender, markers, "new-device#"+sub+"#"+at+"#"+fp, n.msg.Input(to, msg))
	if messageID != "" {
		logger.LogAttrs(ctx, slog.LevelInfo, "new-device notice sent",
			slog.String("module", modNotice), slog.String("userName", e.UserName), slog.String("messageId", messageID))
	}
	if err != nil {
		return err
	}
	if !claimed {
		logger.LogAttrs(ctx, slog.LevelDebug, "new-device notice sent or being sent already",
			slog.String("module", modNotice), slog.String("userName", e.UserName))
	}
	return nil
}
