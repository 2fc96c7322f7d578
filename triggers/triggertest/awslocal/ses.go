package awslocal

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// Email is a message accepted by aws-ses-v2-local, as its store reports it.
type Email struct {
	MessageID string
	From      string
	ReplyTo   []string
	To        []string
	CC        []string
	BCC       []string
	Subject   string
	Text      string
	HTML      string
	Headers   []EmailHeader
	// SentAt has a resolution of one second.
	SentAt time.Time
}

// EmailHeader is a header given in a simple SendEmail request.
type EmailHeader struct {
	Name  string
	Value string
}

// storedEmail mirrors one entry of GET /store.
type storedEmail struct {
	MessageID   string   `json:"messageId"`
	From        string   `json:"from"`
	ReplyTo     []string `json:"replyTo"`
	Destination struct {
		To  []string `json:"to"`
		CC  []string `json:"cc"`
		BCC []string `json:"bcc"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		Text string `json:"text"`
		HTML string `json:"html"`
	} `json:"body"`
	Headers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	At int64 `json:"at"`
}

// SentEmails returns every message the SES server has accepted since it
// started or was last cleared, oldest first.
func (s *Servers) SentEmails(ctx context.Context) ([]Email, error) {
	var store struct {
		Emails []storedEmail `json:"emails"`
	}
	if err := s.sesStore(ctx, http.MethodGet, "/store", &store); err != nil {
		return nil, err
	}
	out := make([]Email, 0, len(store.Emails))
	for _, e := range store.Emails {
		m := Email{
			MessageID: e.MessageID,
			From:      e.From,
			ReplyTo:   e.ReplyTo,
			To:        e.Destination.To,
			CC:        e.Destination.CC,
			BCC:       e.Destination.BCC,
			Subject:   e.Subject,
			Text:      e.Body.Text,
			HTML:      e.Body.HTML,
			SentAt:    time.Unix(e.At, 0),
		}
		for _, h := range e.Headers {
			m.Headers = append(m.Headers, EmailHeader{Name: h.Name, Value: h.Value})
		}
		out = append(out, m)
	}
	return out, nil
}

// ClearSentEmails empties the SES server's store of sent messages.
func (s *Servers) ClearSentEmails(ctx context.Context) error {
	return s.sesStore(ctx, http.MethodPost, "/clear-store", nil)
}

// Emails is [Servers.SentEmails] that fails t on error.
func (s *Servers) Emails(t testing.TB) []Email {
	t.Helper()
	ctx, cancel := helperContext()
	defer cancel()
	emails, err := s.SentEmails(ctx)
	if err != nil {
		t.Fatalf("awslocal: %v", err)
	}
	return emails
}

// ClearEmails is [Servers.ClearSentEmails] that fails t on error.
func (s *Servers) ClearEmails(t testing.TB) {
	t.Helper()
	ctx, cancel := helperContext()
	defer cancel()
	if err := s.ClearSentEmails(ctx); err != nil {
		t.Fatalf("awslocal: %v", err)
	}
}

func (s *Servers) sesStore(ctx context.Context, method, path string, into any) error {
	if s.SESEndpoint == "" {
		return fmt.Errorf("%s %s: SES was not started; set Config.SES", method, path)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.SESEndpoint+path, nil)
	if err != nil {
		return err
	}
	resp, err := loopbackClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, body)
	}
	if into == nil {
		return nil
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("%s %s: decode: %w", method, path, err)
	}
	return nil
}
