// Package smsotp is a one-time code step of package customauth whose codes go by SMS
// through SNS. It is a package of its own so that a function that sends no SMS does not
// link the SNS client.
//
//	step, err := smsotp.Step(smsotp.Config{Store: &customauth.DynamoDBStore{Table: "sign-in-codes"}}) // key: OTP_HMAC_KEY
//	if err != nil {
//		log.Fatal(err)
//	}
//	flow := customauth.Must(customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{step}}))
//	triggers.Start(flow.Register(triggers.NewRouter(triggers.RouterConfig{})))
package smsotp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"os"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazysns"
	"github.com/lambda-triggers/cognito/triggers"
)

// StepName is the name of the step [Step] returns.
const StepName = "SMS_OTP"

// DefaultText is the text of the code message when [Config] sets none.
const DefaultText = "Your sign-in code is {{.Code}}. It expires in {{.Minutes}} minutes."

// maxSMSLength is the longest message sent: SNS splits longer texts into several
// messages, each charged.
const maxSMSLength = 140

// SNSAPI is the part of the SNS client that [Config] uses; *sns.Client satisfies it.
type SNSAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Data is what the message template of [Config] is executed with.
type Data struct {
	Code    string // the one-time code
	Minutes int    // minutes until the code expires, rounded up
}

// Config configures [Step] and [Flow]. Zero fields take the defaults named in their
// comments; Key, KeySource, CodeLength, CodeTTL, Cooldown and Store mean what they mean
// in customauth.EmailOTPConfig.
type Config struct {
	// Key is the secret key of the keyed hash that stands in for the code everywhere
	// outside the message. At least 32 bytes. Empty: the value of OTP_HMAC_KEY.
	Key []byte

	// KeySource, instead of Key, gives the key when a code is issued or checked, such as
	// one kept in Parameter Store or Secrets Manager (see package triggers/secrets); it
	// must give at least 32 bytes. An error from it fails that sign-in step closed.
	KeySource triggers.SecretSource

	// CodeLength is the number of digits: 4 to 12, customauth.DefaultCodeLength when zero.
	CodeLength int

	// CodeTTL is how long a code is accepted after it is sent: customauth.DefaultCodeTTL when zero.
	CodeTTL time.Duration

	// Cooldown is how long after sending a code no other message goes to the same user
	// (with a Store). customauth.DefaultCodeCooldown when zero; negative turns it off.
	Cooldown time.Duration

	// Store keeps one record per user across sign-in attempts; see
	// customauth.EmailOTPConfig. A store shared with another step keeps a record per step.
	Store customauth.CodeStore

	// Client is the SNS client that sends the message. Nil: the process-wide client,
	// created on first use.
	Client SNSAPI

	// Text is the message, a text/template template executed with [Data]; it must show
	// the code and render to at most 140 bytes (UTF-8: fewer letters outside ASCII).
	// [DefaultText] when empty.
	Text string

	// SenderID, when set, is the sender ID shown where carriers support one.
	SenderID string

	// PhoneAttribute is the user attribute holding the number: "phone_number" when empty.
	PhoneAttribute string

	// AllowUnverifiedPhone sends codes also to numbers whose phone_number_verified is not
	// "true". By default such users go through the same challenge and always fail, as
	// unknown users do: a code to an unverified number proves nothing about the user.
	AllowUnverifiedPhone bool

	// Now is the clock: time.Now when nil.
	Now func() time.Time

	// Password makes [Flow] ask for the user's password (SRP) before the code, as
	// customauth.FlowConfig's Password does. False: passwordless. A setting of the flow:
	// [Step] refuses it.
	Password bool

	// MaxWrongAnswers is how many wrong answers end a sign-in of [Flow], as
	// customauth.FlowConfig's MaxWrongAnswers: customauth.DefaultMaxWrongAnswers when
	// zero. A setting of the flow: [Step] refuses it.
	MaxWrongAnswers int
}

type smsOTP struct {
	cfg     Config
	ttl     time.Duration
	message *texttemplate.Template
	attr    string
}

// Step returns a step that sends a one-time code by SMS through SNS (Publish to a phone
// number, as a transactional message) and accepts it as the answer: customauth.CodeStep
// with an SNS sender, so with the guarantees of customauth.EmailOTPStep. Public
// parameters are "phone" (the number, masked to its last four digits, such as
// "+*******0100") and "codeLength".
//
// Codes go only to verified numbers in E.164 form unless AllowUnverifiedPhone is set.
// For a user Cognito did not find, or one without a usable number, nothing is sent and
// the challenge looks the same from outside: a masked number made up from the user name
// with the key, the same parameters and tries, about the time a real code takes to
// issue (recent real sends in this process), and a failure at the end.
//
// Each code sent adds 1 to the count "SMS_OTP.Sent" of the router's metrics
// (triggers.AddCount).
//
// It reports a configuration error: a missing or short key, a code length or TTL out of
// range, a message template that does not parse, does not show the code or is longer
// than 140 bytes, or a flow setting (Password, MaxWrongAnswers), which belongs in
// customauth.FlowConfig.
func Step(cfg Config) (customauth.Step, error) {
	const fn = "smsotp.Step"
	if cfg.Password || cfg.MaxWrongAnswers != 0 {
		return customauth.Step{}, fmt.Errorf("%s: Password and MaxWrongAnswers are settings of a flow; set them in customauth.FlowConfig", fn)
	}
	return step(fn, cfg)
}

// Flow returns a flow whose one step is [Step]: passwordless sign-in by a code sent by
// SMS, or, with Password, the password and then the code. It reports the configuration
// errors of Step and of customauth.NewFlow.
func Flow(cfg Config) (*customauth.Flow, error) {
	const fn = "smsotp.Flow"
	s, err := step(fn, cfg)
	if err != nil {
		return nil, err
	}
	f, err := customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{s}, Password: cfg.Password, MaxWrongAnswers: cfg.MaxWrongAnswers})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return f, nil
}

func step(fn string, cfg Config) (customauth.Step, error) {
	key := cfg.Key
	if len(key) == 0 && cfg.KeySource == nil {
		key = []byte(os.Getenv(customauth.OTPKeyEnv))
	}
	o := &smsOTP{cfg: cfg, ttl: cfg.CodeTTL, attr: cfg.PhoneAttribute}
	if o.ttl <= 0 {
		o.ttl = customauth.DefaultCodeTTL // CodeStep refuses a negative TTL
	}
	if o.attr == "" {
		o.attr = "phone_number"
	}
	var err error
	if o.message, err = texttemplate.New("sms").Parse(orDefault(cfg.Text, DefaultText)); err != nil {
		return customauth.Step{}, fmt.Errorf("%s: Text: SMS message template: %w", fn, err)
	}
	length := cfg.CodeLength
	if length <= 0 {
		length = customauth.DefaultCodeLength
	}
	probe := strings.Repeat("7", length)
	text, err := o.render(probe)
	switch {
	case err != nil:
		return customauth.Step{}, fmt.Errorf("%s: Text: SMS message template: %w", fn, err)
	case !strings.Contains(text, probe):
		return customauth.Step{}, fmt.Errorf("%s: Text: the SMS message template does not show {{.Code}}", fn)
	case len(text) > maxSMSLength:
		return customauth.Step{}, fmt.Errorf("%s: Text: the SMS message is %d bytes long, more than %d", fn, len(text), maxSMSLength)
	}
	s, err := customauth.CodeStep(customauth.CodeConfig{
		Name:           StepName,
		KeyedRecipient: o.recipient,
		Public:         func(c *customauth.Challenge, phone string) { c.Public["phone"] = maskPhone(phone) },
		Send:           o.send,
		Key:            key, KeySource: cfg.KeySource, CodeLength: cfg.CodeLength, CodeTTL: cfg.CodeTTL,
		Cooldown: cfg.Cooldown, Store: cfg.Store, Now: cfg.Now,
	})
	if err != nil {
		return customauth.Step{}, fmt.Errorf("%s: %w", fn, err)
	}
	return s, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (o *smsOTP) render(code string) (string, error) {
	var b strings.Builder
	if err := o.message.Execute(&b, Data{Code: code, Minutes: int((o.ttl + time.Minute - 1) / time.Minute)}); err != nil {
		return "", err
	}
	return b.String(), nil
}

// recipient returns the number to show (masked) and whether a code may be sent to it;
// key is the hash key in force for the call, which a made-up number is derived with.
func (o *smsOTP) recipient(key []byte, e *customauth.CreateEvent) (string, bool) {
	if e.Request.UserNotFound {
		return decoyPhone(key, e.UserName), false
	}
	phone := e.Request.UserAttributes[o.attr]
	if !isE164(phone) {
		return decoyPhone(key, e.UserName), false
	}
	if !o.cfg.AllowUnverifiedPhone && e.Request.UserAttributes["phone_number_verified"] != "true" {
		return phone, false
	}
	return phone, true
}

func (o *smsOTP) send(ctx context.Context, phone, code string) error {
	text, err := o.render(code)
	if err != nil {
		return err
	}
	client := o.cfg.Client
	if client == nil {
		c, err := lazysns.Default(ctx)
		if err != nil {
			return err
		}
		client = c
	}
	str := "String"
	attrs := map[string]snstypes.MessageAttributeValue{
		"AWS.SNS.SMS.SMSType": {DataType: &str, StringValue: ptr("Transactional")},
	}
	if o.cfg.SenderID != "" {
		attrs["AWS.SNS.SMS.SenderID"] = snstypes.MessageAttributeValue{DataType: &str, StringValue: &o.cfg.SenderID}
	}
	_, err = client.Publish(ctx, &sns.PublishInput{PhoneNumber: &phone, Message: &text, MessageAttributes: attrs})
	return err
}

func ptr[T any](v T) *T { return &v }

// isE164 reports whether s is a phone number as Cognito stores them: "+", then 7 to 15
// digits, the first not 0.
func isE164(s string) bool {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decoyPhone is the number shown, masked, when no code is sent: derived from the user
// name with key, so that probing a name twice shows the same number.
func decoyPhone(key []byte, userName string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("customauth decoy phone\x00" + userName))
	h := m.Sum(nil)
	digits := make([]byte, 11)
	digits[0] = '1' + h[0]%9
	for i := 1; i < len(digits); i++ {
		digits[i] = '0' + h[i]%10
	}
	return "+" + string(digits)
}

// maskPhone shows the last four digits of a number: "+*******0100".
func maskPhone(phone string) string {
	if len(phone) <= 5 {
		return "+****"
	}
	return "+" + strings.Repeat("*", len(phone)-5) + phone[len(phone)-4:]
}
