package postauth

import (
	"fmt"
	"time"
)

// Defaults of the config fields.
const (
	// DefaultRetryWindow is how long after a sign-in a delivery that looks the same is
	// taken for Cognito's retry of it (see [RecordConfig.RetryWindow]). Cognito waits 5
	// seconds for each of its attempts.
	DefaultRetryWindow = 30 * time.Second
	// DefaultAuditRetention is how long [AuditTrail] keeps an entry (see
	// [AuditConfig.Retention]).
	DefaultAuditRetention = 90 * 24 * time.Hour
	// DefaultMarkerRetention is how long [NewDeviceNotice] keeps a sent marker (see
	// [NoticeConfig.Retention]).
	DefaultMarkerRetention = 7 * 24 * time.Hour
)

// MinRetryWindow and MaxRetryWindow bound the RetryWindow field of the configs.
//
// A RetryWindow says how long after a sign-in a second delivery of an event that looks
// the same (same user, app client, SDK, device flag and client metadata) counts as
// Cognito's retry of it rather than a new sign-in. Cognito's post authentication event
// carries nothing that tells one sign-in from another, so this window is the bound of
// the error: two real sign-ins of one user through the same client within it count
// once, and a retry later than it counts twice. The default, [DefaultRetryWindow],
// covers Cognito's three attempts of 5 seconds each.
const (
	MinRetryWindow = 10 * time.Second
	MaxRetryWindow = time.Hour
)

// minRetention is the shortest Retention of [AuditConfig] and [NoticeConfig].
const minRetention = 24 * time.Hour

const (
	modRecord = "RecordSignIn"
	modAudit  = "AuditTrail"
	modNotice = "NewDeviceNotice"
)

// timing is what the configs share: the retry window and the clock.
type timing struct {
	window time.Duration
	now    func() time.Time
}

// resolveTiming validates a config's RetryWindow and Now and fills in their defaults.
func resolveTiming(module string, window time.Duration, now func() time.Time) (timing, error) {
	switch {
	case window == 0:
		window = DefaultRetryWindow
	case window < MinRetryWindow || window > MaxRetryWindow:
		return timing{}, fmt.Errorf("postauth.%s: RetryWindow %s is outside %s to %s", module, window, MinRetryWindow, MaxRetryWindow)
	}
	if now == nil {
		now = time.Now
	}
	return timing{window: window, now: now}, nil
}

// resolveRetention validates a config's Retention and fills in its default.
func resolveRetention(module string, d, def time.Duration) (time.Duration, error) {
	switch {
	case d == 0:
		return def, nil
	case d < minRetention:
		return 0, fmt.Errorf("postauth.%s: Retention %s is shorter than a day", module, d)
	}
	return d, nil
}
