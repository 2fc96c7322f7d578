package postauth

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Option configures the modules of this package. Each option names the modules it
// applies to, and a constructor given an option that does not apply to it reports it.
type Option struct {
	name    string
	modules []string
	set     func(*config) error
}

type config struct {
	window       time.Duration
	now          func() time.Time
	retention    time.Duration
	ttlAttribute string
	partitionKey string
	sortKey      string
	markerKey    string
	unverified   bool
}

// Defaults of the options.
const (
	// DefaultRetryWindow is how long after a sign-in a delivery that looks the same is
	// taken for Cognito's retry of it (see [RetryWindow]). Cognito waits 5 seconds for
	// each of its attempts.
	DefaultRetryWindow = 30 * time.Second
	// DefaultAuditRetention is how long [AuditTrail] keeps an entry (see [Retention]).
	DefaultAuditRetention = 90 * 24 * time.Hour
	// DefaultMarkerRetention is how long [NewDeviceNotice] keeps a sent marker.
	DefaultMarkerRetention = 7 * 24 * time.Hour
)

const (
	modRecord = "RecordSignIn"
	modAudit  = "AuditTrail"
	modNotice = "NewDeviceNotice"
)

func defaults(module string) config {
	c := config{window: DefaultRetryWindow, now: time.Now, ttlAttribute: "expiresAt",
		partitionKey: "pk", sortKey: "sk", markerKey: "pk"}
	switch module {
	case modAudit:
		c.retention = DefaultAuditRetention
	case modNotice:
		c.retention = DefaultMarkerRetention
	}
	return c
}

func build(module string, opts []Option) (config, error) {
	c := defaults(module)
	for _, o := range opts {
		if o.set == nil {
			continue
		}
		if !slices.Contains(o.modules, module) {
			return c, fmt.Errorf("postauth.%s: option %s applies only to %s", module, o.name, strings.Join(o.modules, ", "))
		}
		if err := o.set(&c); err != nil {
			return c, fmt.Errorf("postauth.%s: %s: %w", module, o.name, err)
		}
	}
	return c, nil
}

// MinRetryWindow and MaxRetryWindow bound [RetryWindow].
const (
	MinRetryWindow = 10 * time.Second
	MaxRetryWindow = time.Hour
)

// RetryWindow sets how long after a sign-in a second delivery of an event that looks
// the same (same user, app client, SDK, device flag and client metadata) counts as
// Cognito's retry of it rather than a new sign-in. Cognito's post authentication event
// carries nothing that tells one sign-in from another, so this window is the bound of
// the error: two real sign-ins of one user through the same client within d count once,
// and a retry later than d counts twice. The default, [DefaultRetryWindow], covers
// Cognito's three attempts of 5 seconds each. It applies to [RecordSignIn],
// [AuditTrail] and [NewDeviceNotice].
func RetryWindow(d time.Duration) Option {
	return Option{name: "RetryWindow", modules: []string{modRecord, modAudit, modNotice}, set: func(c *config) error {
		if d < MinRetryWindow || d > MaxRetryWindow {
			return fmt.Errorf("%s is outside %s to %s", d, MinRetryWindow, MaxRetryWindow)
		}
		c.window = d
		return nil
	}}
}

// Clock replaces time.Now for the times the modules record, for tests.
func Clock(now func() time.Time) Option {
	return Option{name: "Clock", modules: []string{modRecord, modAudit, modNotice}, set: func(c *config) error {
		if now == nil {
			return errors.New("nil function")
		}
		c.now = now
		return nil
	}}
}

// Retention sets how long an [AuditTrail] entry, or a [NewDeviceNotice] marker, is kept:
// its TTL attribute (see [TTLAttribute]) is set this far ahead, for the table's
// DynamoDB TTL to remove it. At least one day.
func Retention(d time.Duration) Option {
	return Option{name: "Retention", modules: []string{modAudit, modNotice}, set: func(c *config) error {
		if d < 24*time.Hour {
			return fmt.Errorf("%s is shorter than a day", d)
		}
		c.retention = d
		return nil
	}}
}

// TTLAttribute names the number attribute, in seconds since the epoch, that the table's
// DynamoDB TTL is enabled on; the default is "expiresAt". It applies to [AuditTrail].
func TTLAttribute(name string) Option {
	return Option{name: "TTLAttribute", modules: []string{modAudit}, set: func(c *config) error {
		if name == "" {
			return errors.New("empty name")
		}
		c.ttlAttribute = name
		return nil
	}}
}

// AuditKeys names the partition and sort key attributes of the [AuditTrail] table; the
// defaults are "pk" and "sk", both strings.
func AuditKeys(partition, sort string) Option {
	return Option{name: "AuditKeys", modules: []string{modAudit}, set: func(c *config) error {
		if partition == "" || sort == "" || partition == sort {
			return fmt.Errorf("keys %q and %q: want two different, non-empty names", partition, sort)
		}
		c.partitionKey, c.sortKey = partition, sort
		return nil
	}}
}

// MarkerKey names the partition key of the [NewDeviceNotice] marker table; the default
// is "pk".
func MarkerKey(name string) Option {
	return Option{name: "MarkerKey", modules: []string{modNotice}, set: func(c *config) error {
		if name == "" {
			return errors.New("empty name")
		}
		c.markerKey = name
		return nil
	}}
}

// AllowUnverifiedEmail lets [NewDeviceNotice] write to an address whose email_verified
// attribute is not "true". By default such users are skipped: the address may not be
// theirs.
func AllowUnverifiedEmail() Option {
	return Option{name: "AllowUnverifiedEmail", modules: []string{modNotice}, set: func(c *config) error {
		c.unverified = true
		return nil
	}}
}
