// Command postauth is a post authentication trigger configured by environment variables:
// it records each sign-in on a per-user item, writes an audit trail entry, and emails the
// user when they signed in from a new device, at the same time (postauth.Parallel). Each
// module is on when its variables are set; a function with none set refuses to start. A
// module's failure is logged and the sign-in goes on; a retried event is recorded and
// notified once.
//
//	SIGNIN_TABLE=sign-ins go run ./examples/postauth -event event.json
//	SIGNIN_TABLE=sign-ins go run ./examples/postauth -serve 127.0.0.1:9300
//
// Environment:
//
//	SIGNIN_TABLE      DynamoDB table of sign-in records (partition key id (S), the user's sub)
//	AUDIT_TABLE       DynamoDB table of the audit trail (partition key pk (S), sort key sk (S),
//	                  TTL on expiresAt)
//	AUDIT_RETENTION   how long audit entries are kept, such as 2160h (the default, 90 days)
//	NEW_DEVICE_FROM   sender of the new-device notice, an address verified in SES
//	NEW_DEVICE_TABLE  DynamoDB table that records sent notices (partition key pk (S), TTL on
//	                  expiresAt); required with NEW_DEVICE_FROM
//
// AWS clients come from the default configuration on first use.
package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/lambda-triggers/cognito/postauth"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter()
	if err != nil {
		fmt.Fprintln(os.Stderr, "postauth:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

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

// newRouter serves, all at the same time, the post authentication modules the
// environment turns on. They only do independent I/O, so postauth.Parallel runs them
// concurrently; each one's failure is logged and the sign-in goes on.
func newRouter() (*triggers.Router, error) {
	var mods []postauth.Handler
	if table := os.Getenv("SIGNIN_TABLE"); table != "" {
		h, err := postauth.RecordSignIn(postauth.RecordConfig{Table: table, PartitionKey: "id"})
		if err != nil {
			return nil, fmt.Errorf("SIGNIN_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	if table := os.Getenv("AUDIT_TABLE"); table != "" {
		var retention time.Duration // zero: postauth.DefaultAuditRetention
		if v := os.Getenv("AUDIT_RETENTION"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return nil, fmt.Errorf("AUDIT_RETENTION: want a duration such as 2160h, got %q", v)
			}
			retention = d
		}
		h, err := postauth.AuditTrail(postauth.AuditConfig{Table: table, Retention: retention})
		if err != nil {
			return nil, fmt.Errorf("AUDIT_TABLE, AUDIT_RETENTION: %w", err)
		}
		mods = append(mods, h)
	}
	if from := os.Getenv("NEW_DEVICE_FROM"); from != "" {
		table := os.Getenv("NEW_DEVICE_TABLE")
		if table == "" {
			return nil, errors.New("missing environment variable NEW_DEVICE_TABLE (the DynamoDB table that records sent new-device notices), required with NEW_DEVICE_FROM")
		}
		h, err := postauth.NewDeviceNotice(postauth.NoticeConfig{
			Table: table,
			Email: postauth.Email{From: from, Subject: noticeSubject, Text: noticeText, HTML: noticeHTML},
		})
		if err != nil {
			return nil, fmt.Errorf("NEW_DEVICE_FROM, NEW_DEVICE_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	if len(mods) == 0 {
		return nil, errors.New("no module configured: set SIGNIN_TABLE, AUDIT_TABLE or NEW_DEVICE_FROM")
	}
	return triggers.NewRouter(triggers.RouterConfig{}).PostAuthentication(postauth.Parallel(mods...)), nil
}
