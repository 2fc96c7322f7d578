package customsender

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	ttemplate "text/template"
	"time"
	"unicode/utf16"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/msgtemplate"
	"github.com/lambda-triggers/cognito/triggers"
)

// SNSClient is the part of the SNS API that [SMS] calls; *sns.Client satisfies it.
type SNSClient interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// SMSMessages maps the trigger sources of one locale to their text, a text/template
// executed on [Data].
type SMSMessages map[triggers.TriggerSource]string

// SMSCatalog maps a locale to its texts, looked up as [EmailCatalog] is.
type SMSCatalog map[string]SMSMessages

// One SMS carries 140 bytes: 160 characters of the GSM 7-bit alphabet (the characters
// of its extension table count twice), or 70 UTF-16 code units of anything else.
const (
	MaxSMSGSMCharacters = 160
	MaxSMSUCS2Units     = 70
)

// ErrSMSTooLong: a text does not fit one SMS; see [MaxSMSGSMCharacters].
var ErrSMSTooLong = errors.New("text does not fit one SMS")

// SMSType values of [SMSConfig].
const (
	SMSTransactional = "Transactional"
	SMSPromotional   = "Promotional"
)

// SMSConfig configures [SMS].
type SMSConfig struct {
	// Decrypter decrypts the event's code; see [KMSDecrypter]. Required.
	Decrypter Decrypter
	// Sender publishes the SMS; nil means a process-wide SNS client created on first
	// use, whose role needs sns:Publish.
	Sender SNSClient
	// Catalog holds the texts; nil means [DefaultSMS], English texts for every source. A
	// source missing from Catalog is sent with its default text.
	Catalog SMSCatalog
	// Clients holds texts for particular app clients, by client ID, as in [EmailConfig].
	Clients map[string]SMSCatalog
	// SenderID is the alphanumeric sender ID (1 to 11 letters and digits, at least one
	// letter), where the destination country supports one.
	SenderID string
	// OriginationNumber is the number to send from, in E.164 (+12065550100), registered
	// with AWS End User Messaging SMS.
	OriginationNumber string
	// Type is SMSTransactional (the default: codes are) or SMSPromotional.
	Type string
	// Sources are the trigger sources the module acts on; the others pass through
	// untouched. Empty means [SMSSources], every source Cognito documents for the trigger.
	Sources triggers.Sources
	// LocaleAttribute names the user attribute that holds the user's locale; "" means
	// "locale", Cognito's standard attribute.
	LocaleAttribute string
	// Table is the DynamoDB table of send-once markers, so that Cognito's retries send
	// each code at most once: before sending, the module writes a marker keyed by a
	// SHA-256 hash of the user pool, the trigger source and the encrypted code (never
	// the code) with a conditional write, and a delivery that finds it does not send; a
	// failed send removes its marker, so the retry sends. The table has a string
	// partition key "pk" and time to live on "expiresAt". Events without a code (account
	// takeover notifications) are sent every time. "" sends every delivery.
	Table string
	// Markers is the DynamoDB client of Table; nil means the process-wide client, whose
	// role needs dynamodb:PutItem and dynamodb:DeleteItem on the table.
	Markers MarkerClient
	// MarkerTTL is how long a marker keeps a code from being sent again; zero means
	// [DefaultSendOnceTTL].
	MarkerTTL time.Duration
	// Now is the clock of the markers; nil means time.Now.
	Now func() time.Time
}

var (
	senderIDPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,11}$`)
	e164Pattern     = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
)

// SMS returns a module that decrypts the event's code with cfg.Decrypter and publishes
// the text of the event's source to the user's phone_number attribute through SNS. It
// acts on cfg.Sources, by default every custom SMS sender source ([SMSSources]), and
// passes the others through.
//
// A text that cannot fit one SMS is refused: here, when a template executed on sample
// data (an 8-digit code, a 12-character temporary password, a 36-character user name,
// no attributes) is too long, and on each event before sending, so that a long text is
// an error, not a message cut short.
func SMS(cfg SMSConfig) (SMSHandler, error) {
	fail := func(err error) (SMSHandler, error) { return nil, fmt.Errorf("customsender.SMS: %w", err) }
	if cfg.Decrypter == nil {
		return fail(errors.New("Decrypter is nil"))
	}
	if cfg.SenderID != "" && (!senderIDPattern.MatchString(cfg.SenderID) || strings.Trim(cfg.SenderID, "0123456789-") == "") {
		return fail(fmt.Errorf("SenderID %q: use 1 to 11 letters, digits or hyphens, at least one letter", cfg.SenderID))
	}
	if cfg.OriginationNumber != "" && !e164Pattern.MatchString(cfg.OriginationNumber) {
		return fail(fmt.Errorf("OriginationNumber %q is not an E.164 number", cfg.OriginationNumber))
	}
	switch cfg.Type {
	case "":
		cfg.Type = SMSTransactional
	case SMSTransactional, SMSPromotional:
	default:
		return fail(fmt.Errorf("message type (Type) %q: want %s or %s", cfg.Type, SMSTransactional, SMSPromotional))
	}
	s, err := newSettings(triggers.TriggerCustomSMSSender, SMSSources, cfg.Sources, cfg.LocaleAttribute,
		sendOnce{markers: cfg.Markers, table: cfg.Table, ttl: cfg.MarkerTTL, now: cfg.Now})
	if err != nil {
		return fail(err)
	}
	m := &smsModule{core: core{name: "SMS", dec: cfg.Decrypter, settings: s}, cfg: cfg,
		sns: awsclient.NewLazy(cfg.Sender, func(context.Context) (SNSClient, error) { return lazySNS{}, nil })}
	if m.msgs.def, err = compileSMS(withDefaults(cfg.Catalog, DefaultSMS)); err != nil {
		return fail(err)
	}
	m.msgs.clients = make(map[string]*msgtemplate.Set[*ttemplate.Template], len(cfg.Clients))
	for id, cat := range cfg.Clients {
		if id == "" || id == ClientIDNotApplicable {
			return fail(fmt.Errorf("app client %q (Clients) is not an app client ID", id))
		}
		if m.msgs.clients[id], err = compileSMS(cat); err != nil {
			return fail(fmt.Errorf("client %s: %w", id, err))
		}
	}
	return m.handle, nil
}

type smsModule struct {
	core
	cfg  SMSConfig
	sns  *awsclient.Lazy[SNSClient]
	msgs catalogs[*ttemplate.Template]
}

func compileSMS(cat SMSCatalog) (*msgtemplate.Set[*ttemplate.Template], error) {
	return msgtemplate.Compile(cat, func(locale string, src triggers.TriggerSource, in string) (*ttemplate.Template, error) {
		if src.Trigger() != triggers.TriggerCustomSMSSender {
			return nil, fmt.Errorf("locale %s: %q is not a custom SMS sender source", msgtemplate.LocaleName(locale), src)
		}
		t, err := msgtemplate.Text(msgtemplate.LocaleName(locale)+" "+string(src), in, nil)
		if err != nil {
			return nil, err
		}
		if _, err := renderSMS(t, sampleData(src, locale)); err != nil {
			return nil, fmt.Errorf("locale %s: %s: %w (with sample values)", msgtemplate.LocaleName(locale), src, err)
		}
		return t, nil
	})
}

func renderSMS(t *ttemplate.Template, d Data) (string, error) {
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", err
	}
	text := strings.TrimSpace(b.String())
	if text == "" {
		return "", errors.New("empty text")
	}
	if gsm, n := smsLength(text); gsm && n > MaxSMSGSMCharacters {
		return "", fmt.Errorf("%w: %d GSM characters, at most %d", ErrSMSTooLong, n, MaxSMSGSMCharacters)
	} else if !gsm && n > MaxSMSUCS2Units {
		return "", fmt.Errorf("%w: %d UCS-2 characters (the text is not all GSM 7-bit), at most %d", ErrSMSTooLong, n, MaxSMSUCS2Units)
	}
	return text, nil
}

// The GSM 03.38 default alphabet, and its extension table, whose characters take two.
const (
	gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtension = "^{}\\[~]|€\f"
)

// smsLength reports whether s is all GSM 7-bit and its length in the unit that decides
// whether it fits: GSM septets, or UTF-16 code units.
func smsLength(s string) (gsm bool, n int) {
	for _, r := range s {
		switch {
		case strings.ContainsRune(gsmBasic, r):
			n++
		case strings.ContainsRune(gsmExtension, r):
			n += 2
		default:
			return false, len(utf16.Encode([]rune(s)))
		}
	}
	return true, n
}

func (m *smsModule) handle(ctx context.Context, e *SMSEvent) error {
	if !m.acts(e.TriggerSource) {
		return nil
	}
	to := strings.TrimSpace(e.Request.UserAttributes.Get("phone_number"))
	if to == "" {
		return &SendError{Module: m.name, Source: e.TriggerSource, Err: fmt.Errorf("%w: the user has no phone_number attribute", ErrNoRecipient)}
	}
	msg, err := m.open(ctx, &e.Header, &e.Request)
	if err != nil {
		return err
	}
	tmpl, locale, ok := m.msgs.lookup(msg.clientID, e.Request.UserAttributes.Get(m.localeAttr), e.TriggerSource)
	if !ok {
		return &SendError{Module: m.name, Source: e.TriggerSource, Err: ErrNoMessage}
	}
	msg.data.Locale = locale
	text, err := renderSMS(tmpl, msg.data)
	if err != nil {
		return &SendError{Module: m.name, Source: e.TriggerSource, Locale: locale, Err: err}
	}
	client, err := m.sns.Get(ctx)
	if err != nil {
		return err
	}
	attrs := map[string]types.MessageAttributeValue{
		"AWS.SNS.SMS.SMSType": {DataType: aws.String("String"), StringValue: aws.String(m.cfg.Type)},
	}
	if m.cfg.SenderID != "" {
		attrs["AWS.SNS.SMS.SenderID"] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(m.cfg.SenderID)}
	}
	if m.cfg.OriginationNumber != "" {
		attrs["AWS.MM.SMS.OriginationNumber"] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(m.cfg.OriginationNumber)}
	}
	in := &sns.PublishInput{PhoneNumber: &to, Message: &text, MessageAttributes: attrs}
	return m.deliver(ctx, msg, func(ctx context.Context) error {
		if _, err := client.Publish(ctx, in); err != nil {
			return &SendError{Module: m.name, Source: e.TriggerSource, Locale: locale, Err: fmt.Errorf("SNS Publish: %w", err)}
		}
		return nil
	})
}

// lazySNS is the process-wide SNS client as an adapter holding nothing, so that the SDK
// client's other operations stay out of binaries that link templates (see package
// awsclient).
type lazySNS struct{}

var (
	snsOnce   awsclient.Once
	snsShared *sns.Client
)

func (lazySNS) Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error) {
	if err := snsOnce.Do(ctx, func(c aws.Config) { snsShared = sns.NewFromConfig(c) }); err != nil {
		return nil, fmt.Errorf("default AWS client: %w", err)
	}
	return snsShared.Publish(ctx, in, optFns...)
}
