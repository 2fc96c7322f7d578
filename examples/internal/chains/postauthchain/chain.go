// Package postauthchain builds the post authentication modules of examples/postauth and
// examples/allinone from environment variables, so that a variable means the same and a
// bad value gets the same start-up error in both.
package postauthchain

import (
	"errors"
	"fmt"

	"github.com/lambda-triggers/cognito/examples/internal/envvar"
	"github.com/lambda-triggers/cognito/postauth"
)

// New-device notice templates: Subject and Text are text/template, HTML is
// html/template, each executed with postauth.NoticeData.
const (
	noticeSubject = "New sign-in to your account"
	noticeText    = "Hello{{with .Attributes.given_name}} {{.}}{{end}},\n\n" +
		"your account {{.Attributes.email}} was signed in to from a new device at " +
		"{{.SignedInAt.Format \"2006-01-02 15:04 MST\"}}.\n" +
		"If that was not you, change your password now.\n"
	noticeHTML = "<p>Hello{{with .Attributes.given_name}} {{.}}{{end}},</p>" +
		"<p>your account {{.Attributes.email}} was signed in to from a new device at " +
		"{{.SignedInAt.Format \"2006-01-02 15:04 MST\"}}.</p><p>If that was not you, change your password now.</p>"
)

// FromEnv returns the post authentication modules the environment configures. They
// only do independent I/O, so the caller runs them in parallel (postauth.Parallel):
//
//	SIGNIN_TABLE                       postauth.RecordSignIn, keyed by the user's sub (id)
//	AUDIT_TABLE, AUDIT_RETENTION       postauth.AuditTrail (pk, sk), entries kept AUDIT_RETENTION (default 2160h)
//	NEW_DEVICE_FROM, NEW_DEVICE_TABLE  postauth.NewDeviceNotice, at most once per sign-in
func FromEnv(env func(string) string) ([]postauth.Handler, error) {
	var mods []postauth.Handler
	if table := env("SIGNIN_TABLE"); table != "" {
		h, err := postauth.RecordSignIn(nil, table, "id")
		if err != nil {
			return nil, fmt.Errorf("SIGNIN_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("AUDIT_TABLE"); table != "" {
		retention, err := envvar.Duration(env, "AUDIT_RETENTION", postauth.DefaultAuditRetention)
		if err != nil {
			return nil, err
		}
		h, err := postauth.AuditTrail(nil, table, postauth.Retention(retention))
		if err != nil {
			return nil, fmt.Errorf("AUDIT_TABLE, AUDIT_RETENTION: %w", err)
		}
		mods = append(mods, h)
	}
	if from := env("NEW_DEVICE_FROM"); from != "" {
		table := env("NEW_DEVICE_TABLE")
		if table == "" {
			return nil, errors.New("missing environment variable NEW_DEVICE_TABLE (the DynamoDB table that records sent new-device notices), required with NEW_DEVICE_FROM")
		}
		h, err := postauth.NewDeviceNotice(nil, nil, table, postauth.Email{
			From: from, Subject: noticeSubject, Text: noticeText, HTML: noticeHTML})
		if err != nil {
			return nil, fmt.Errorf("NEW_DEVICE_FROM, NEW_DEVICE_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	return mods, nil
}
