package customauth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/lambda-triggers/cognito/triggers"
)

// randomID returns 128 random bits, base64url encoded.
func randomID() string { return randomB64(16) }

// randomB64 returns n random bytes, base64url encoded.
func randomB64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// issued is one code as the challenge, the session and the store know it: never the code
// itself.
type issued struct {
	codeID   string
	issuedAt time.Time // millisecond precision, as stored
	hash     string    // base64url HMAC
}

// Private parameter keys of the one-time code steps.
const (
	paramCodeHash = "codeHash"
	paramCodeID   = "codeId"
	paramIssuedAt = "issuedAt"
	paramNonce    = "nonce"
)

// The carry is "v1.<code id>.<issue time, unix ms>.<hash>".
const carryVersion = "v1"

func (c issued) carry() string {
	return strings.Join([]string{carryVersion, c.codeID, strconv.FormatInt(c.issuedAt.UnixMilli(), 10), c.hash}, ".")
}

func parseCarry(s string) (issued, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 || parts[0] != carryVersion || parts[1] == "" || parts[3] == "" {
		return issued{}, false
	}
	ms, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return issued{}, false
	}
	return issued{codeID: parts[1], issuedAt: time.UnixMilli(ms), hash: parts[3]}, true
}

func storeKey(h *triggers.Header) string { return h.UserPoolID + "#" + h.UserName }

// codeChannel is what differs between the one-time code steps: how a code reaches the
// user and how the destination is shown.
type codeChannel struct {
	// logPrefix starts every log message of the step, such as "email OTP".
	logPrefix string
	// sentCount is the metric counted for each code delivered, such as "EMAIL_OTP.Sent".
	sentCount string
	// hashLabel separates the keyed hashes of one channel from another's.
	hashLabel string
	// storeSuffix is appended to the store key, so that steps sharing a store keep a
	// record each; "" for the email step, whose records predate the others.
	storeSuffix string
	// recipient returns the destination to show (masked) and whether a code may be
	// sent to it; key is the hash key in force for this call, which a made-up
	// destination is derived with.
	recipient func(key []byte, e *CreateEvent) (string, bool)
	// public fills the public parameters that show the masked destination.
	public func(c *Challenge, dest string)
	// deliver sends code to dest.
	deliver func(ctx context.Context, dest, code string) error
}

// oneTimeCode is the machinery of the one-time code steps, [EmailOTPStep] and
// [CodeStep]: codes from crypto/rand, their keyed hash in the challenge, the session
// and the store, a constant-time check, expiry, the cooldown, single use and the limit
// of wrong answers across sign-in attempts.
type oneTimeCode struct {
	key       []byte
	keySource triggers.SecretSource // instead of key, when set
	length    int
	ttl       time.Duration
	cool      time.Duration
	store     CodeStore
	now       func() time.Time
	ch        codeChannel
	pace      pacer // times issuing a code, and waits as long where none is issued
}

// keyFor returns the hash key: Key, or what KeySource gives now.
func (o *oneTimeCode) keyFor(ctx context.Context) ([]byte, error) {
	if o.keySource == nil {
		return o.key, nil
	}
	k, err := o.keySource(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s hash key: %w", o.ch.logPrefix, err)
	}
	if len(k) < minKeyLen {
		return nil, fmt.Errorf("%s hash key from KeySource: shorter than %d bytes", o.ch.logPrefix, minKeyLen)
	}
	return []byte(k.Reveal()), nil
}

// hash is the keyed hash of code as issued to the user of e at issuedAt under codeID.
// Binding the pool, user, id and time keeps a hash from standing for any other code.
// key is the hash key in force for this call (see keyFor).
func (o *oneTimeCode) hash(key []byte, poolID, userName, codeID string, issuedAt time.Time, code string) []byte {
	m := hmac.New(sha256.New, key)
	for _, s := range []string{o.ch.hashLabel, poolID, userName, codeID,
		strconv.FormatInt(issuedAt.UnixMilli(), 10), code} {
		m.Write([]byte(s))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

func (o *oneTimeCode) storeKey(h *triggers.Header) string { return storeKey(h) + o.ch.storeSuffix }

func (o *oneTimeCode) create(ctx context.Context, c *Challenge) error {
	e := c.Event
	now := o.now()
	logger := triggers.Logger(ctx)
	hk, err := o.keyFor(ctx)
	if err != nil {
		return err
	}
	dest, deliverable := o.ch.recipient(hk, e)

	// A later attempt in the same sign-in keeps the code already sent while it is valid.
	if prev, ok := parseCarry(c.Previous); ok && now.Before(prev.issuedAt.Add(o.ttl)) {
		o.fill(c, dest, prev)
		logger.LogAttrs(ctx, slog.LevelDebug, o.ch.logPrefix+": same code, next attempt", slog.Int("attempt", c.Attempt))
		return nil
	}
	// Issuing a code (store read and write, delivery) is timed, and a decoy or a code
	// sent recently takes as long, so that neither a missing user nor a second request
	// answers sooner than a real code would.
	issuing := o.pace.start()
	if !deliverable {
		// Looks like a sent code from outside; its hash matches no answer.
		if err := issuing.wait(ctx); err != nil {
			return fmt.Errorf("send code: %w", err)
		}
		decoy := issued{codeID: randomID(), issuedAt: now.Truncate(time.Millisecond), hash: randomB64(sha256.Size)}
		o.fill(c, dest, decoy)
		logger.LogAttrs(ctx, slog.LevelInfo, o.ch.logPrefix+": no code sent", slog.Bool("userNotFound", e.Request.UserNotFound))
		return nil
	}

	key := o.storeKey(&e.Header)
	replaces := ""
	if o.store != nil {
		rec, err := o.store.Get(ctx, key)
		if err != nil {
			return fmt.Errorf("read code record: %w", err)
		}
		if rec != nil && o.reusable(rec, now) {
			if err := issuing.wait(ctx); err != nil {
				return fmt.Errorf("send code: %w", err)
			}
			o.fill(c, dest, rec.issued())
			logger.LogAttrs(ctx, slog.LevelInfo, o.ch.logPrefix+": code sent recently, not sending another")
			return nil
		}
		if rec != nil {
			replaces = rec.CodeID
		}
	}

	code, err := NewCode(o.length)
	if err != nil {
		return err
	}
	iss := issued{codeID: randomID(), issuedAt: now.Truncate(time.Millisecond)}
	iss.hash = base64.RawURLEncoding.EncodeToString(o.hash(hk, e.UserPoolID, e.UserName, iss.codeID, iss.issuedAt, code))
	if o.store != nil {
		rec := CodeRecord{CodeID: iss.codeID, Hash: iss.hash, IssuedAt: iss.issuedAt, ExpiresAt: iss.issuedAt.Add(o.ttl)}
		stored, err := o.store.Put(ctx, key, rec, replaces)
		if err != nil {
			return fmt.Errorf("store code record: %w", err)
		}
		if !stored {
			// A concurrent invocation (Cognito retrying this one) stored its code
			// first and sends that one: ask for it, so that the user gets one message.
			winner, err := o.store.Get(ctx, key)
			if err != nil {
				return fmt.Errorf("read code record: %w", err)
			}
			if winner == nil || !o.reusable(winner, now) {
				return errors.New("code record changed while a code was being issued")
			}
			o.fill(c, dest, winner.issued())
			return nil
		}
	}
	if err := o.ch.deliver(ctx, dest, code); err != nil {
		if o.store != nil {
			// Forget the code nobody received, so that a retry sends one; also when
			// the send failed because the budget ran out.
			forget(ctx, o.store, key, iss.codeID, o.ch.logPrefix)
		}
		return fmt.Errorf("send code: %w", err)
	}
	issuing.delivered()
	triggers.AddCount(ctx, o.ch.sentCount, 1)
	o.fill(c, dest, iss)
	logger.LogAttrs(ctx, slog.LevelInfo, o.ch.logPrefix+": code sent", slog.Int("attempt", c.Attempt))
	return nil
}

// forget deletes the record of a secret that never reached the user, with a second of
// its own when ctx is done.
func forget(ctx context.Context, store CodeStore, key, id, logPrefix string) {
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := store.Delete(cleanup, key, id); err != nil {
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelWarn, logPrefix+": remove record of an unsent message",
			slog.String("error", err.Error()))
	}
}

// reusable reports whether a stored code is to be asked for again instead of sending a
// new one: it was sent within the cooldown, has not signed anyone in, and has not
// expired. A code that has had too many wrong answers is reused too, so that no message
// goes out within the cooldown; it can no longer be answered.
func (o *oneTimeCode) reusable(rec *CodeRecord, now time.Time) bool {
	return rec.UsedBy == "" && now.Sub(rec.IssuedAt) < o.cool && now.Before(rec.ExpiresAt)
}

func (o *oneTimeCode) fill(c *Challenge, dest string, iss issued) {
	o.ch.public(c, dest)
	c.Public["codeLength"] = strconv.Itoa(o.length)
	c.Private[paramCodeHash] = iss.hash
	c.Private[paramCodeID] = iss.codeID
	c.Private[paramIssuedAt] = strconv.FormatInt(iss.issuedAt.UnixMilli(), 10)
	// The nonce tells this challenge from others that share the code, so that the store
	// can let a retried Verify of the same challenge succeed again and no other.
	c.Private[paramNonce] = randomID()
	c.Carry = iss.carry()
}

func (o *oneTimeCode) verify(ctx context.Context, a *Answer) (bool, error) {
	e := a.Event
	answer := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '-' {
			return -1
		}
		return r
	}, a.Value.Reveal())
	codeID, nonce := a.Private[paramCodeID], a.Private[paramNonce]
	ms, err := strconv.ParseInt(a.Private[paramIssuedAt], 10, 64)
	want, herr := base64.RawURLEncoding.DecodeString(a.Private[paramCodeHash])
	logger := triggers.Logger(ctx)
	if err != nil || herr != nil || codeID == "" || nonce == "" {
		logger.LogAttrs(ctx, slog.LevelWarn, o.ch.logPrefix+": malformed private parameters")
		return false, nil
	}
	issuedAt := time.UnixMilli(ms)
	hk, err := o.keyFor(ctx)
	if err != nil {
		return false, err
	}
	got := o.hash(hk, e.UserPoolID, e.UserName, codeID, issuedAt, answer)
	match := subtle.ConstantTimeCompare(got, want) == 1 && len(answer) == o.length
	if !o.now().Before(issuedAt.Add(o.ttl)) {
		logger.LogAttrs(ctx, slog.LevelInfo, o.ch.logPrefix+": code expired")
		return false, nil
	}
	if o.store == nil || e.Request.UserNotFound {
		return match, nil
	}
	key := o.storeKey(&e.Header)
	if !match {
		if err := o.store.Fail(ctx, key, codeID, nonce); err != nil {
			logger.LogAttrs(ctx, slog.LevelWarn, o.ch.logPrefix+": record wrong answer", slog.String("error", err.Error()))
		}
		return false, nil
	}
	ok, err := o.store.Consume(ctx, key, codeID, nonce, a.MaxWrongAnswers)
	if err != nil {
		return false, fmt.Errorf("consume code: %w", err)
	}
	if !ok {
		logger.LogAttrs(ctx, slog.LevelInfo, o.ch.logPrefix+": code already used, replaced or locked")
	}
	return ok, nil
}

// CodeConfig configures [CodeStep]: the settings every one-time code step shares, which
// mean what they mean in [EmailOTPConfig] and take the same defaults, and how the codes
// reach the user, such as package customauth/smsotp's text messages or a channel of
// your own.
type CodeConfig struct {
	// Name is the step's name. It also keeps the step's keyed hashes and store records
	// apart from other steps' (the store key gets "#<Name>"). Required.
	Name string

	// Recipient returns the destination to show and whether a code may be sent to it.
	// For a user Cognito did not find, or one who may not get a code, it returns false
	// and a destination that looks real: made up from the user name with a secret, the
	// same on every attempt. Required, unless KeyedRecipient is set instead.
	Recipient func(e *CreateEvent) (dest string, ok bool)

	// KeyedRecipient, instead of Recipient, is also given the hash key in force for the
	// call (Key, or what KeySource gives now), for a sender that makes up destinations
	// with it.
	KeyedRecipient func(key []byte, e *CreateEvent) (dest string, ok bool)

	// Public sets the public parameters that show dest, masked. Required.
	Public func(c *Challenge, dest string)

	// Send delivers code to dest. Required.
	Send func(ctx context.Context, dest, code string) error

	// Key is the secret key of the keyed hash, at least 32 bytes; see
	// [EmailOTPConfig].Key. Required unless KeySource is set; CodeStep reads no
	// environment variable.
	Key []byte

	// KeySource, instead of Key, gives the key when a code is issued or checked; what it
	// gives must be at least 32 bytes.
	KeySource triggers.SecretSource

	// CodeLength is the number of digits: 4 to 12, [DefaultCodeLength] when zero.
	CodeLength int

	// CodeTTL is how long a code is accepted after it is sent: [DefaultCodeTTL] when zero.
	CodeTTL time.Duration

	// Cooldown is how long after sending a code no other goes to the same user (with a
	// Store): [DefaultCodeCooldown] when zero; negative turns it off.
	Cooldown time.Duration

	// Store keeps one record per user across sign-in attempts; see [EmailOTPConfig].Store.
	// Nil keeps everything in Cognito's session.
	Store CodeStore

	// Now is the clock: time.Now when nil.
	Now func() time.Time
}

// CodeStep returns a one-time code step with the machinery of [EmailOTPStep] (codes
// from crypto/rand, only their keyed hash outside the message, a constant-time check,
// the flow's limit of wrong answers, expiry, and with a Store the cooldown, single use
// and wrong answers counted across sign-in attempts) and cfg's delivery. Public
// parameters are cfg.Public's and "codeLength". Each code delivered adds 1 to the count
// "<Name>.Sent" of the router's metrics ([triggers.AddCount]). It reports a
// configuration error as [EmailOTPStep] does, and a config without a Name or one of the
// delivery functions.
func CodeStep(cfg CodeConfig) (Step, error) {
	const fn = "customauth.CodeStep"
	if cfg.Name == "" || (cfg.Recipient == nil) == (cfg.KeyedRecipient == nil) || cfg.Public == nil || cfg.Send == nil {
		return Step{}, fmt.Errorf("%s: Name, Recipient or KeyedRecipient (one of them), Public and Send are required", fn)
	}
	recipient := cfg.KeyedRecipient
	if recipient == nil {
		recipient = func(_ []byte, e *CreateEvent) (string, bool) { return cfg.Recipient(e) }
	}
	o, err := codeSettings(fn, cfg.Name, cfg.Key, cfg.KeySource, cfg.CodeLength, cfg.CodeTTL, cfg.Cooldown, cfg.Store, cfg.Now)
	if err != nil {
		return Step{}, err
	}
	o.ch = codeChannel{
		logPrefix:   cfg.Name,
		sentCount:   cfg.Name + ".Sent",
		hashLabel:   "customauth " + cfg.Name + " v1",
		storeSuffix: "#" + cfg.Name,
		recipient:   recipient,
		public:      cfg.Public,
		deliver:     cfg.Send,
	}
	return Step{Name: cfg.Name, Create: o.create, Verify: o.verify}, nil
}

// codeSettings validates the settings every one-time code step shares and returns the
// machinery with them; ch is filled in by the caller. With keySource, key must be empty:
// the key is then read on each call (see keyFor). Errors start with fn, the constructor.
func codeSettings(fn, step string, key []byte, keySource triggers.SecretSource, length int, ttl, cool time.Duration, store CodeStore, now func() time.Time) (*oneTimeCode, error) {
	o := &oneTimeCode{key: key, keySource: keySource, length: length, ttl: ttl, cool: cool, store: store, now: now, pace: newPacer(step)}
	if keySource != nil && len(key) > 0 {
		return nil, fmt.Errorf("%s: %s takes Key or KeySource, not both", fn, step)
	}
	if keySource == nil && len(o.key) < minKeyLen {
		return nil, fmt.Errorf("%s: %s needs a hash key of at least %d bytes (Key or %s)", fn, step, minKeyLen, OTPKeyEnv)
	}
	o.key = append([]byte(nil), o.key...)
	if o.length == 0 {
		o.length = DefaultCodeLength
	}
	if o.length < 4 || o.length > 12 {
		return nil, fmt.Errorf("%s: CodeLength must be 4 to 12, got %d", fn, o.length)
	}
	switch {
	case o.ttl == 0:
		o.ttl = DefaultCodeTTL
	case o.ttl < time.Second:
		return nil, fmt.Errorf("%s: CodeTTL must be at least a second, got %s", fn, o.ttl)
	}
	switch {
	case o.cool == 0:
		o.cool = DefaultCodeCooldown
	case o.cool < 0:
		o.cool = 0
	}
	if o.now == nil {
		o.now = time.Now
	}
	return o, nil
}
