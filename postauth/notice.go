package postauth

import (
	"cmp"
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

// NoticeConfig configures [NewDeviceNotice].
type NoticeConfig struct {
	// Sender is the SES client. Nil: the process-wide SES v2 client, created on first
	// use, whose role needs ses:SendEmail.
	Sender EmailClient

	// Markers is the DynamoDB client of the marker table. Nil: the process-wide client,
	// whose role needs dynamodb:GetItem, PutItem, UpdateItem and DeleteItem on the table.
	Markers MarkerClient

	// Table is the name of the marker table, which records the notices sent. Required.
	Table string

	// Email is the notice. Required: From, Subject and a Text or HTML body.
	Email Email

	// MarkerKey names the partition key (a string) of the marker table. Empty: "pk".
	MarkerKey string

	// Retention is how long a marker is kept: its expiresAt attribute is set this far
	// ahead, for the table's DynamoDB TTL to remove it. At least one day. Zero:
	// [DefaultMarkerRetention].
	Retention time.Duration

	// AllowUnverifiedEmail writes to an address whose email_verified attribute is not
	// "true". Default false: such users are skipped, since the address may not be theirs.
	AllowUnverifiedEmail bool

	// RetryWindow is how long after a sign-in a delivery that looks the same is taken
	// for Cognito's retry of it (see [MinRetryWindow] for the rule), between
	// [MinRetryWindow] and [MaxRetryWindow]. Zero: [DefaultRetryWindow].
	RetryWindow time.Duration

	// Now is the clock of the markers and of the time the notice shows. Nil: time.Now.
	Now func() time.Time
}

// NewDeviceNotice emails the user when Cognito reports a sign-in from a new device
// (newDeviceUsed: true, which Cognito sends when device tracking is on), so that a user
// who did not sign in can react. It writes to the address in the email attribute, only
// when email_verified is "true" unless [NoticeConfig.AllowUnverifiedEmail]; other users
// are skipped and logged.
//
// Each sign-in gets at most one notice however often Cognito delivers it: a guard item
// per user in the marker table (keyed "new-device-signin#<sub>") turns the deliveries
// of one sign-in, within the retry window ([NoticeConfig.RetryWindow]), into one id, and the notice
// for that id is claimed through a marker item ("new-device#<sub>#<time>#<fingerprint>")
// with a conditional write before SES is called, as postconfirm.WelcomeEmail does. When
// SES answers with an error the claim is released for a retry; when the outcome is
// unknown it stays, and the notice is not sent again. Markers carry an expiresAt
// attribute ([NoticeConfig.Retention] ahead, default 7 days) for the table's TTL.
//
// It acts on PostAuthentication_Authentication. A missing table, templates that do not
// parse or execute, an invalid From, a retention shorter than a day and a retry window
// out of bounds are reported here.
func NewDeviceNotice(cfg NoticeConfig) (Handler, error) {
	tm, err := resolveTiming(modNotice, cfg.RetryWindow, cfg.Now)
	if err != nil {
		return nil, err
	}
	if cfg.Retention, err = resolveRetention(modNotice, cfg.Retention, DefaultMarkerRetention); err != nil {
		return nil, err
	}
	if cfg.Table == "" {
		return nil, errors.New("postauth.NewDeviceNotice: Table is empty")
	}
	cfg.MarkerKey = cmp.Or(cfg.MarkerKey, "pk")
	msg, err := mailonce.Parse(mailonce.Template(cfg.Email), &NoticeData{Attributes: triggers.Attributes{}})
	if err != nil {
		return nil, fmt.Errorf("postauth.NewDeviceNotice: Email: %w", err)
	}
	n := &notice{timing: tm, markerKey: cfg.MarkerKey, retention: cfg.Retention, unverified: cfg.AllowUnverifiedEmail, msg: msg,
		guard: dedup{table: cfg.Table, window: tm.window, recent: "recentSignIns", version: "version"},
		once:  mailonce.Once{Table: cfg.Table, KeyName: cfg.MarkerKey, TTL: cfg.Retention, Now: tm.now},
	}
	n.sender = awsclient.NewLazy(cfg.Sender, func(ctx context.Context) (EmailClient, error) { return lazyses.Default(ctx) })
	n.markers = awsclient.NewLazy(cfg.Markers, func(ctx context.Context) (MarkerClient, error) { return lazydynamodb.Default(ctx) })
	return Named(modNotice, n.handle), nil
}

type notice struct {
	timing
	markerKey  string
	retention  time.Duration
	unverified bool
	msg        *mailonce.Message
	guard      dedup
	once       mailonce.Once
	sender     *awsclient.Lazy[EmailClient]
	markers    *awsclient.Lazy[MarkerClient]
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
	if !n.unverified && attrs.Get("email_verified") != "true" {
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
	guardKey := map[string]types.AttributeValue{n.markerKey: &types.AttributeValueMemberS{Value: "new-device-signin#" + sub}}
	now := n.now()
	at, _, err := n.guard.signIn(ctx, markers, guardKey, fp, now, extraUpdate{
		set:    "#exp = :exp",
		names:  map[string]string{"#exp": "expiresAt"},
		values: map[string]types.AttributeValue{":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(n.retention).Unix(), 10)}},
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
