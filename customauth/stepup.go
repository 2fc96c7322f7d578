package customauth

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lambda-triggers/cognito/triggers"
)

// StepUpStepName is the name of the step [StepUpStep] returns.
const StepUpStepName = "STEP_UP"

// StepUpTokenKey is the client metadata key in which the client sends the user's
// current access token with RespondToAuthChallenge, to pass [StepUpStep].
const StepUpTokenKey = "accessToken"

// Defaults of [StepUpConfig].
const (
	DefaultJWKSRefresh = 5 * time.Minute
	DefaultJWKSTimeout = 2 * time.Second
)

// maxJWKS bounds the key set read; Cognito's holds two keys.
const maxJWKS = 64 << 10

// maxAccessToken bounds the tokens checked; Cognito's are 1 to 2 kilobytes.
const maxAccessToken = 16 << 10

// StepUpConfig configures [StepUpStep]. Zero fields take the defaults named in their
// comments.
type StepUpConfig struct {
	// ClientIDs are the app clients whose access tokens count. Empty: only the app
	// client of the sign-in (the event's callerContext.clientId).
	ClientIDs []string

	// IssuerBase is the issuer's address without the pool id:
	// "https://cognito-idp.<region>.amazonaws.com" (the event's region) when empty. The
	// token's iss must be IssuerBase + "/" + the event's user pool id, and the keys come
	// from iss + "/.well-known/jwks.json" over https.
	IssuerBase string

	// MaxAge, when set, refuses tokens of a sign-in (auth_time) longer ago.
	MaxAge time.Duration

	// RefreshInterval is how soon after fetching the key set a token signed with a key
	// it lacks may fetch it again: [DefaultJWKSRefresh] when zero. It bounds what tokens
	// with made-up key ids can make the function fetch.
	RefreshInterval time.Duration

	// Timeout bounds one key set fetch: [DefaultJWKSTimeout] when zero.
	Timeout time.Duration

	// HTTPClient fetches the key set; nil uses a shared client.
	HTTPClient *http.Client

	// Now is the clock: time.Now when nil.
	Now func() time.Time
}

type stepUp struct {
	cfg     StepUpConfig
	refresh time.Duration
	timeout time.Duration
	client  *http.Client
	now     func() time.Time

	mu   sync.Mutex
	sets map[string]*keySet // by JWKS URL
}

// keySet is a JWKS as last fetched.
type keySet struct {
	keys      map[string]*rsa.PublicKey
	fetchedAt time.Time
}

// StepUpStep returns a step that passes only for a client that sends, in client metadata
// key [StepUpTokenKey] of its RespondToAuthChallenge, a valid access token of the user
// signing in: signed (RS256) by a key of the pool's JWKS, issued by the event's pool for
// one of ClientIDs, token_use "access", not expired, and naming the same user (username,
// and sub when the event has it). Put it before a step that sends a code ([EmailOTPStep],
// [CodeStep]) to ask a signed-in user for a fresh code before a sensitive action: no
// code goes out before the token is checked. The challenge's answer is not used.
//
// The key set is fetched on first use and cached; a token signed with a key it lacks
// fetches it again, at most once per RefreshInterval. Any failure (no token, a bad one,
// an unreachable key set) makes the answer wrong: the step fails closed.
//
// It reports a configuration error: an IssuerBase that is not an https URL, or a
// negative MaxAge.
func StepUpStep(cfg StepUpConfig) (Step, error) {
	s := &stepUp{cfg: cfg, refresh: cfg.RefreshInterval, timeout: cfg.Timeout, client: cfg.HTTPClient,
		now: cfg.Now, sets: map[string]*keySet{}}
	const fn = "customauth.StepUpStep"
	if cfg.IssuerBase != "" {
		u, err := url.Parse(cfg.IssuerBase)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return Step{}, fmt.Errorf("%s: IssuerBase %q is not an https URL", fn, cfg.IssuerBase)
		}
	}
	if cfg.MaxAge < 0 {
		return Step{}, fmt.Errorf("%s: MaxAge must not be negative, got %s", fn, cfg.MaxAge)
	}
	if s.refresh <= 0 {
		s.refresh = DefaultJWKSRefresh
	}
	if s.timeout <= 0 {
		s.timeout = DefaultJWKSTimeout
	}
	if s.client == nil {
		s.client = defaultCaptchaClient
	}
	if s.now == nil {
		s.now = time.Now
	}
	return Step{Name: StepUpStepName, Create: s.create, Verify: s.verify}, nil
}

func (s *stepUp) create(_ context.Context, c *Challenge) error {
	c.Public["clientMetadataKey"] = StepUpTokenKey
	return nil
}

func (s *stepUp) issuer(e *VerifyEvent) string {
	base := s.cfg.IssuerBase
	if base == "" {
		base = "https://cognito-idp." + e.Region + ".amazonaws.com"
	}
	return strings.TrimSuffix(base, "/") + "/" + e.UserPoolID
}

// accessClaims are the claims of a Cognito access token the step checks.
type accessClaims struct {
	Issuer   string  `json:"iss"`
	ClientID string  `json:"client_id"`
	TokenUse string  `json:"token_use"`
	Expires  float64 `json:"exp"`
	IssuedAt float64 `json:"iat"`
	AuthTime float64 `json:"auth_time"`
	Username string  `json:"username"`
	Sub      string  `json:"sub"`
}

func (s *stepUp) verify(ctx context.Context, a *Answer) (bool, error) {
	e := a.Event
	logger := triggers.Logger(ctx)
	reject := func(reason string) (bool, error) {
		logger.LogAttrs(ctx, slog.LevelInfo, "step-up rejected", slog.String("reason", reason))
		return false, nil
	}
	token := e.Request.ClientMetadata[StepUpTokenKey]
	if token == "" {
		return reject("no access token in client metadata")
	}
	if len(token) > maxAccessToken {
		return reject("access token too long")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return reject("not a JWT")
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var claims accessClaims
	sig, serr := base64.RawURLEncoding.DecodeString(parts[2])
	if decodeSegment(parts[0], &header) != nil || decodeSegment(parts[1], &claims) != nil || serr != nil {
		return reject("malformed JWT")
	}
	if header.Alg != "RS256" {
		return reject("algorithm is not RS256")
	}
	iss := s.issuer(e)
	// The issuer is checked before any key is fetched, so that a token cannot point
	// the function at another pool's keys.
	if claims.Issuer != iss {
		return reject("issued by another user pool")
	}
	key, err := s.key(ctx, iss+"/.well-known/jwks.json", header.Kid)
	if err != nil {
		logger.LogAttrs(ctx, slog.LevelWarn, "step-up: key set unavailable", slog.String("error", err.Error()))
		return false, nil
	}
	if key == nil {
		return reject("signed with an unknown key")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig) != nil {
		return reject("bad signature")
	}
	now := s.now()
	clients := s.cfg.ClientIDs
	if len(clients) == 0 {
		clients = []string{e.CallerContext.ClientID}
	}
	switch {
	case claims.TokenUse != "access":
		return reject("not an access token")
	case claims.ClientID == "" || !slices.Contains(clients, claims.ClientID):
		return reject("issued to another app client")
	case claims.Expires == 0 || !now.Before(unixTime(claims.Expires)):
		return reject("expired")
	case unixTime(claims.IssuedAt).After(now.Add(linkTokenClockSkew)):
		return reject("issued in the future")
	case claims.Username != e.UserName:
		return reject("another user's token")
	case e.Request.UserAttributes["sub"] != "" && claims.Sub != e.Request.UserAttributes["sub"]:
		return reject("another user's token")
	case s.cfg.MaxAge > 0 && now.Sub(unixTime(claims.AuthTime)) > s.cfg.MaxAge:
		return reject("signed in too long ago")
	}
	return true, nil
}

func unixTime(sec float64) time.Time { return time.Unix(int64(sec), 0) }

func decodeSegment(seg string, into any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

// key returns the key kid of the key set at jwksURL, fetching the set when it is not
// cached or lacks kid and was fetched at least RefreshInterval ago; nil when there is
// no such key.
func (s *stepUp) key(ctx context.Context, jwksURL, kid string) (*rsa.PublicKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := s.sets[jwksURL]
	if set != nil {
		if k := set.keys[kid]; k != nil {
			return k, nil
		}
		if s.now().Sub(set.fetchedAt) < s.refresh {
			return nil, nil
		}
	}
	// Holding the lock while fetching keeps concurrent invocations to one fetch.
	keys, err := s.fetch(ctx, jwksURL)
	if err != nil {
		if set != nil {
			set.fetchedAt = s.now() // a failing endpoint is not asked again at once either
		}
		return nil, err
	}
	s.sets[jwksURL] = &keySet{keys: keys, fetchedAt: s.now()}
	return keys[kid], nil
}

func (s *stepUp) fetch(ctx context.Context, jwksURL string) (map[string]*rsa.PublicKey, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, jwksURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("key set %s: status %d", jwksURL, resp.StatusCode)
	}
	return parseJWKS(io.LimitReader(resp.Body, maxJWKS))
}

// parseJWKS reads the RSA signing keys of a JSON Web Key Set, of at least 2048 bits.
func parseJWKS(r io.Reader) (map[string]*rsa.PublicKey, error) {
	var set struct {
		Keys []struct {
			Kty, Kid, Use, Alg, N, E string
		} `json:"keys"`
	}
	if err := json.NewDecoder(r).Decode(&set); err != nil {
		return nil, fmt.Errorf("key set: %w", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Kid == "" || (k.Use != "" && k.Use != "sig") || (k.Alg != "" && k.Alg != "RS256") {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			continue
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if pub.N.BitLen() < 2048 || pub.E < 3 || pub.E%2 == 0 {
			continue
		}
		keys[k.Kid] = pub
	}
	if len(keys) == 0 {
		return nil, errors.New("key set has no usable RSA key")
	}
	return keys, nil
}
