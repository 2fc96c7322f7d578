package customauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/lambda-triggers/cognito/internal/awsclient/lazysns"
)

// SMSOTPStepName is the name of the step [SMSOTPStep] returns.
const SMSOTPStepName = "SMS_OTP"

// DefaultSMSMessage is the text of the code message when [SMSOTPConfig] sets none.
const DefaultSMSMessage = "Your sign-in code is {{.Code}}. It expires in {{.Minutes}} minutes."

// maxSMSLength is the longest message sent: SNS splits longer texts into several
// messages, each charged.
const maxSMSLength = 140

// SMSSender is the part of the SNS client that [SMSOTPConfig] uses; *sns.Client satisfies
// it.
type SMSSender interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// SMSData is what the message template of [SMSOTPConfig] is executed with.
type SMSData struct {
	Code    string // the one-time code
	Minutes int    // minutes until the code expires, rounded up
}

// SMSOTPConfig configures [SMSOTP] and [SMSOTPStep]. Zero fields take the defaults named
// in their comments; Key, CodeLength, CodeTTL, Cooldown and Store mean what they mean in
// [EmailOTPConfig].
type SMSOTPConfig struct {
	// Key is the secret key of the keyed hash that stands in for the code everywhere
	// outside the message. At least 32 bytes. Empty: the value of OTP_HMAC_KEY.
	Key []byte

	// CodeLength is the number of digits: 4 to 12, [DefaultCodeLength] when zero.
	CodeLength int

	// CodeTTL is how long a code is accepted after it is sent: [DefaultCodeTTL] when zero.
	CodeTTL time.Duration

	// Cooldown is how long after sending a code no other message goes to the same user
	// (with a Store). [DefaultCodeCooldown] when zero; negative turns it off.
	Cooldown time.Duration

	// Store keeps one record per user across sign-in attempts; see
	// [EmailOTPConfig].Store. A store shared with [EmailOTPStep] keeps a record per step.
	Store CodeStore

	// SNS sends the message. Nil: the process-wide SNS client, created on first use.
	SNS SMSSender

	// Message is a text/template template executed with [SMSData]; it must show the
	// code and render to at most 140 characters. [DefaultSMSMessage] when empty.
	Message string

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
}

type smsOTP struct {
	*oneTimeCode
	cfg     SMSOTPConfig
	message *texttemplate.Template
	attr    string
}

// SMSOTPStep returns a step that sends a one-time code by SMS through SNS (Publish to a
// phone number, as a transactional message) and accepts it as the answer. It gives the
// guarantees of [EmailOTPStep], by the same machinery: codes from crypto/rand, only
// their keyed hash outside the message, a constant-time check, the flow's limit of wrong
// answers, expiry, and with a Store the cooldown, single use and wrong answers counted
// across sign-in attempts. Public parameters are "phone" (the number, masked to its
// last four digits, such as "+*******0100") and "codeLength".
//
// Codes go only to verified numbers in E.164 form unless AllowUnverifiedPhone is set.
// For a user Cognito did not find, or one without a usable number, nothing is sent and
// the challenge looks the same from outside: a masked number derived from the user name
// with the key, the same parameters and tries, and a failure at the end.
//
// It reports a configuration error: a missing or short key, a code length or TTL out of
// range, or a message template that does not parse, does not show the code or is longer
// than 140 characters.
func SMSOTPStep(cfg SMSOTPConfig) (Step, error) {
	o, err := newSMSOTP(cfg)
	if err != nil {
		return Step{}, err
	}
	return Step{Name: SMSOTPStepName, Create: o.create, Verify: o.verify}, nil
}

// SMSOTP returns a flow whose one step is [SMSOTPStep]: passwordless sign-in by a code
// sent by SMS, or, with [WithPassword], the password and then the code.
func SMSOTP(cfg SMSOTPConfig, opts ...FlowOption) (*Flow, error) {
	s, err := SMSOTPStep(cfg)
	if err != nil {
		return nil, err
	}
	return NewFlow([]Step{s}, opts...)
}

func newSMSOTP(cfg SMSOTPConfig) (*smsOTP, error) {
	key := cfg.Key
	if len(key) == 0 {
		key = []byte(os.Getenv(OTPKeyEnv))
	}
	code, err := codeSettings("SMS OTP", key, cfg.CodeLength, cfg.CodeTTL, cfg.Cooldown, cfg.Store, cfg.Now)
	if err != nil {
		return nil, err
	}
	o := &smsOTP{oneTimeCode: code, cfg: cfg, attr: cfg.PhoneAttribute}
	if o.attr == "" {
		o.attr = "phone_number"
	}
	if o.message, err = texttemplate.New("sms").Parse(orDefault(cfg.Message, DefaultSMSMessage)); err != nil {
		return nil, fmt.Errorf("customauth: SMS message template: %w", err)
	}
	probe := strings.Repeat("7", o.length)
	text, err := o.render(SMSData{Code: probe, Minutes: int((o.ttl + time.Minute - 1) / time.Minute)})
	switch {
	case err != nil:
		return nil, fmt.Errorf("customauth: SMS message template: %w", err)
	case !strings.Contains(text, probe):
		return nil, errors.New("customauth: the SMS message template does not show {{.Code}}")
	case len(text) > maxSMSLength:
		return nil, fmt.Errorf("customauth: the SMS message is %d characters long, more than %d", len(text), maxSMSLength)
	}
	o.ch = codeChannel{
		logPrefix:   "SMS OTP",
		hashLabel:   "customauth SMS OTP v1",
		storeSuffix: "#" + SMSOTPStepName,
		recipient:   o.recipient,
		public:      func(c *Challenge, phone string) { c.Public["phone"] = maskPhone(phone) },
		deliver:     o.send,
	}
	return o, nil
}

func (o *smsOTP) render(d SMSData) (string, error) {
	var b strings.Builder
	if err := o.message.Execute(&b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}

// recipient returns the number to show (masked) and whether a code may be sent to it.
func (o *smsOTP) recipient(e *CreateEvent) (string, bool) {
	if e.Request.UserNotFound {
		return o.decoyPhone(e.UserName), false
	}
	phone := e.Request.UserAttributes[o.attr]
	if !isE164(phone) {
		return o.decoyPhone(e.UserName), false
	}
	if !o.cfg.AllowUnverifiedPhone && e.Request.UserAttributes["phone_number_verified"] != "true" {
		return phone, false
	}
	return phone, true
}

func (o *smsOTP) send(ctx context.Context, phone, code string) error {
	text, err := o.render(SMSData{Code: code, Minutes: int((o.ttl + time.Minute - 1) / time.Minute)})
	if err != nil {
		return err
	}
	client := o.cfg.SNS
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
// name with the key, so that probing a name twice shows the same number.
func (o *smsOTP) decoyPhone(userName string) string {
	m := hmac.New(sha256.New, o.key)
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
