package fakeaws

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// maxRecipients is SES's limit on the recipients of one message.
const maxRecipients = 50

// Email is a message [SES] accepted.
type Email struct {
	// MessageID is the id SendEmail returned: "fake-000001", "fake-000002", ... in the
	// order the messages were sent.
	MessageID string
	From      string
	To        []string
	CC        []string
	BCC       []string
	ReplyTo   []string
	Subject   string
	// Text and HTML are the bodies; "" when the message has no such part.
	Text string
	HTML string
	// ConfigurationSet is the configuration set the message was sent with, if any.
	ConfigurationSet string
}

// Recipients returns every address the message went to: To, CC and BCC.
func (e Email) Recipients() []string {
	return slices.Concat(e.To, e.CC, e.BCC)
}

// SES is an in-memory stand-in for the SES v2 client's SendEmail, with its method
// signature, so it satisfies the narrow email interfaces of this module's packages. It
// keeps every message it accepts for [SES.Sent] instead of delivering it. It is a fake
// for tests and demos, not a mail server.
//
// It accepts simple messages (a subject and a text and/or HTML body) and refuses, with
// the SDK's *types.BadRequestException, a message without sender, recipient, subject or
// body, more than 50 recipients, and addresses that do not parse. Raw and templated
// messages fail with an error wrapping [ErrUnsupported]. [SES.RequireVerified] makes it
// refuse unverified senders, as SES does in its sandbox.
//
// Every call honours its context, and an SES is safe for concurrent use.
type SES struct {
	calls calls

	mu       sync.Mutex
	sent     []Email
	n        int
	verified []string // nil: every sender may send
}

// NewSES returns an SES that has sent nothing.
func NewSES() *SES { return &SES{} }

// Sent returns a copy of the messages sent so far, oldest first.
func (s *SES) Sent() []Email {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Email, len(s.sent))
	for i, e := range s.sent {
		out[i] = e.clone()
	}
	return out
}

// SentTo returns the messages sent so far with address among their recipients,
// compared without regard to case, oldest first.
func (s *SES) SentTo(address string) []Email {
	var out []Email
	for _, e := range s.Sent() {
		if slices.ContainsFunc(e.Recipients(), func(r string) bool { return sameAddress(r, address) }) {
			out = append(out, e)
		}
	}
	return out
}

// Clear forgets the messages sent so far; message ids keep counting.
func (s *SES) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = nil
}

// RequireVerified makes SendEmail refuse, with the SDK's *types.MessageRejected, a
// sender that is not one of identities: email addresses, or domains that verify every
// address at them. Calls add to the list.
func (s *SES) RequireVerified(identities ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.verified = append(slices.Clip(s.verified), identities...)
	if s.verified == nil {
		s.verified = []string{}
	}
}

// Calls returns how many times operation ("SendEmail") was called, whatever the
// outcome; every operation together for "".
func (s *SES) Calls(operation string) int { return s.calls.calls(operation) }

// FailNext makes the next call of operation fail with err, wrapped as the SDK wraps
// errors, without sending anything.
func (s *SES) FailNext(operation string, err error) { s.calls.failNext(operation, err) }

// SetHook sets a function called before every operation with its name; a non-nil error
// fails the operation as [SES.FailNext] does. nil removes it.
func (s *SES) SetHook(hook func(ctx context.Context, operation string) error) { s.calls.setHook(hook) }

// SendEmail accepts a simple message and keeps it for [SES.Sent].
func (s *SES) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	out, err := s.sendEmail(ctx, in)
	return out, opError("SESv2", "SendEmail", err)
}

func badRequest(format string, args ...any) error {
	return &sestypes.BadRequestException{Message: aws.String(fmt.Sprintf(format, args...))}
}

func (s *SES) sendEmail(ctx context.Context, in *sesv2.SendEmailInput) (*sesv2.SendEmailOutput, error) {
	if err := s.calls.begin(ctx, "SendEmail"); err != nil {
		return nil, err
	}
	c := in.Content
	switch {
	case c == nil:
		return nil, badRequest("Missing required parameter: Content")
	case c.Raw != nil:
		return nil, unsupportedf("SendEmail: raw messages; the fake keeps simple messages only")
	case c.Template != nil:
		return nil, unsupportedf("SendEmail: templated messages; the fake keeps simple messages only")
	case c.Simple == nil:
		return nil, badRequest("Missing required parameter: Content.Simple")
	}
	msg := c.Simple
	e := Email{From: aws.ToString(in.FromEmailAddress), ConfigurationSet: aws.ToString(in.ConfigurationSetName)}
	if in.Destination != nil {
		e.To = slices.Clone(in.Destination.ToAddresses)
		e.CC = slices.Clone(in.Destination.CcAddresses)
		e.BCC = slices.Clone(in.Destination.BccAddresses)
	}
	e.ReplyTo = slices.Clone(in.ReplyToAddresses)
	if msg.Subject != nil {
		e.Subject = aws.ToString(msg.Subject.Data)
	}
	if msg.Body != nil {
		if msg.Body.Text != nil {
			e.Text = aws.ToString(msg.Body.Text.Data)
		}
		if msg.Body.Html != nil {
			e.HTML = aws.ToString(msg.Body.Html.Data)
		}
	}
	switch n := len(e.Recipients()); {
	case e.From == "":
		return nil, badRequest("Missing required parameter: FromEmailAddress")
	case n == 0:
		return nil, badRequest("Missing required parameter: Destination; the message has no recipient")
	case n > maxRecipients:
		return nil, badRequest("Recipient count exceeds %d.", maxRecipients)
	case msg.Subject == nil || msg.Subject.Data == nil:
		return nil, badRequest("Missing required parameter: Content.Simple.Subject")
	case msg.Body == nil || (msg.Body.Text == nil && msg.Body.Html == nil):
		return nil, badRequest("Missing required parameter: Content.Simple.Body")
	}
	for _, addr := range slices.Concat([]string{e.From}, e.Recipients(), e.ReplyTo) {
		if _, err := mail.ParseAddress(addr); err != nil {
			return nil, badRequest("Illegal address: %q", addr)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.verified != nil && !s.isVerified(e.From) {
		return nil, &sestypes.MessageRejected{Message: aws.String(
			"Email address is not verified. The following identities failed the check: " + e.From)}
	}
	s.n++
	e.MessageID = fmt.Sprintf("fake-%06d", s.n)
	s.sent = append(s.sent, e)
	return &sesv2.SendEmailOutput{MessageId: aws.String(e.MessageID)}, nil
}

func (s *SES) isVerified(from string) bool {
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return false
	}
	_, domain, _ := strings.Cut(addr.Address, "@")
	for _, id := range s.verified {
		if sameAddress(id, addr.Address) || strings.EqualFold(id, domain) {
			return true
		}
	}
	return false
}

func sameAddress(a, b string) bool {
	if pa, err := mail.ParseAddress(a); err == nil {
		a = pa.Address
	}
	if pb, err := mail.ParseAddress(b); err == nil {
		b = pb.Address
	}
	return strings.EqualFold(a, b)
}

func (e Email) clone() Email {
	e.To, e.CC, e.BCC, e.ReplyTo = slices.Clone(e.To), slices.Clone(e.CC), slices.Clone(e.BCC), slices.Clone(e.ReplyTo)
	return e
}
