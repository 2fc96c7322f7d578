package migrate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"time"

	"github.com/lambda-triggers/cognito/triggers"
)

// DefaultHTTPTimeout bounds one call to the legacy endpoint. It is well inside the
// router's budget (a little under Cognito's 5 seconds), so that a slow endpoint fails
// the sign-in with an answer instead of a Cognito timeout.
const DefaultHTTPTimeout = 2 * time.Second

// maxResponse bounds the endpoint's answer; a user's attributes fit many times over.
const maxResponse = 64 << 10

// HTTPStoreConfig configures [NewHTTPStore].
type HTTPStoreConfig struct {
	// Endpoint is the https:// URL of the legacy service (see [HTTPStore]). Required.
	Endpoint string
	// HTTPClient calls the endpoint, for its transport (proxies, client certificates,
	// root CAs). The store copies it and refuses redirects, so that the password is never
	// re-posted to another address. Nil means a client with http.DefaultTransport.
	HTTPClient *http.Client
	// Timeout bounds one call; zero means [DefaultHTTPTimeout]. The router's budget
	// applies as well, whichever ends first.
	Timeout time.Duration
	// Header is added to every request, such as the credential the endpoint expects
	// ("Authorization: Bearer ..."). Header values are never logged.
	Header http.Header
	// SecretSource gives, at each request, the value of the header SecretHeader: a
	// credential kept in Parameter Store or Secrets Manager (see package
	// triggers/secrets), such as a secret that holds "Bearer ...". An error from it fails
	// the call before anything is sent. Nil sends no such header.
	SecretSource triggers.SecretSource
	// SecretHeader names the header SecretSource sets; "" means "Authorization". Only
	// with SecretSource.
	SecretHeader string
	// AllowInsecureHTTP accepts an http:// endpoint, which sends passwords in clear
	// text. It is for a local endpoint in development only.
	AllowInsecureHTTP bool
}

// HTTPStore is a [Store] that asks a legacy service over HTTPS.
//
// Each call is a POST of a JSON object to the endpoint, with the password in the body
// only, never in the URL or a header:
//
//	{"action": "authenticate", "username": "ada@example.com", "password": "..."}
//	{"action": "lookup", "username": "ada@example.com"}
//
// The endpoint answers:
//
//   - 200 with {"attributes": {"email": "ada@example.com", "email_verified": "true"},
//     "resetPassword": false}: the user, whose attributes become the Cognito user's
//     (string values; booleans and numbers are taken as their text), and whether the
//     user must choose a new password at the first sign-in;
//   - 404: the username is unknown;
//   - 401 or 403: the password is wrong. An endpoint that does not want to tell the two
//     apart may answer 401 for both; users see the same text either way.
//
// Any other status, a body that is not such an object, or no answer within the timeout
// fails the sign-in with the router's generic text. The endpoint should take as long
// for an unknown user as for a wrong password.
type HTTPStore struct {
	endpoint     string
	client       *http.Client
	timeout      time.Duration
	header       http.Header
	secretHeader string
	secret       triggers.SecretSource
}

// NewHTTPStore returns a store that calls cfg.Endpoint. The error reports an endpoint
// that is not an absolute https URL (see AllowInsecureHTTP) or that carries credentials
// in the URL, a negative timeout and an empty header name.
func NewHTTPStore(cfg HTTPStoreConfig) (*HTTPStore, error) {
	fail := func(format string, args ...any) (*HTTPStore, error) {
		return nil, fmt.Errorf("migrate.NewHTTPStore: "+format, args...)
	}
	switch {
	case cfg.Timeout < 0:
		return fail("Timeout %s is negative", cfg.Timeout)
	case cfg.Timeout == 0:
		cfg.Timeout = DefaultHTTPTimeout
	}
	header := http.Header{}
	for name, values := range cfg.Header {
		if name == "" {
			return fail("Header has an empty name")
		}
		for _, v := range values {
			header.Add(textproto.CanonicalMIMEHeaderKey(name), v)
		}
	}
	switch {
	case cfg.SecretHeader != "" && cfg.SecretSource == nil:
		return fail("SecretHeader without SecretSource")
	case cfg.SecretHeader == "":
		cfg.SecretHeader = "Authorization"
	}
	u, err := url.Parse(cfg.Endpoint)
	switch {
	case cfg.Endpoint == "":
		return fail("Endpoint is empty")
	case err != nil:
		return fail("Endpoint is not a URL")
	case u.Host == "":
		return fail("Endpoint is not an absolute URL")
	case u.User != nil:
		return fail("Endpoint carries credentials; pass them in Header or with SecretSource")
	case u.Scheme == "https":
	case u.Scheme == "http" && cfg.AllowInsecureHTTP:
	default:
		return fail("Endpoint scheme %q: want https, so that passwords are encrypted in transit", u.Scheme)
	}
	client := http.Client{}
	if cfg.HTTPClient != nil {
		client = *cfg.HTTPClient
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	header.Set("Content-Type", "application/json")
	header.Set("Accept", "application/json")
	return &HTTPStore{endpoint: u.String(), client: &client, timeout: cfg.Timeout, header: header,
		secretHeader: textproto.CanonicalMIMEHeaderKey(cfg.SecretHeader), secret: cfg.SecretSource}, nil
}

type httpRequest struct {
	Action   string `json:"action"`
	Username string `json:"username"`
	Password string `json:"password,omitempty"`
}

type httpResponse struct {
	Attributes    triggers.Attributes `json:"attributes"`
	ResetPassword bool                `json:"resetPassword"`
}

// Authenticate implements [Store].
func (s *HTTPStore) Authenticate(ctx context.Context, username string, password triggers.Secret) (*User, error) {
	return s.call(ctx, httpRequest{Action: "authenticate", Username: username, Password: password.Reveal()})
}

// Lookup implements [Store].
func (s *HTTPStore) Lookup(ctx context.Context, username string) (*User, error) {
	return s.call(ctx, httpRequest{Action: "lookup", Username: username})
}

func (s *HTTPStore) call(ctx context.Context, body httpRequest) (*User, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("migrate: %s: encode request: %w", body.Action, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("migrate: %s: %w", body.Action, err)
	}
	req.Header = s.header.Clone()
	if s.secret != nil {
		v, err := s.secret(ctx)
		if err != nil {
			return nil, fmt.Errorf("migrate: %s: header %s: %w", body.Action, s.secretHeader, err)
		}
		req.Header.Set(s.secretHeader, v.Reveal())
	}
	resp, err := s.client.Do(req)
	if err != nil {
		// The url.Error names the endpoint and the cause; the body, and so the
		// password, is not part of it.
		return nil, fmt.Errorf("migrate: %s: %w", body.Action, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("migrate: %s: read response: %w", body.Action, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, ErrUnknownUser
	case http.StatusUnauthorized, http.StatusForbidden:
		return nil, ErrWrongPassword
	default:
		// The body is left out: an endpoint might echo the request.
		return nil, fmt.Errorf("migrate: %s: endpoint answered %s", body.Action, resp.Status)
	}
	if len(data) > maxResponse {
		return nil, fmt.Errorf("migrate: %s: response larger than %d bytes", body.Action, maxResponse)
	}
	var out httpResponse
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("migrate: %s: response is not the expected JSON object", body.Action)
	}
	return &User{Attributes: out.Attributes, ResetPassword: out.ResetPassword}, nil
}
