package custommessage

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	htemplate "html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/internal/awsclient/lazycognito"
	"github.com/lambda-triggers/cognito/internal/redirect"
)

// ConfirmClient is the part of the Cognito user pools API that [ConfirmHandler] calls.
// *cognitoidentityprovider.Client satisfies it.
type ConfirmClient interface {
	ConfirmSignUp(ctx context.Context, in *cip.ConfirmSignUpInput, optFns ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error)
}

// ConfirmHandlerConfig configures [ConfirmHandler].
type ConfirmHandlerConfig struct {
	// Client calls ConfirmSignUp; nil means the process-wide client from the default AWS
	// configuration, created on first use.
	Client ConfirmClient
	// ClientID is the app client users sign up with; links for any other are refused.
	// Required.
	ClientID string
	// AllowedRedirects are the targets users may be sent to once confirmed: origins with
	// path prefixes such as "https://app.example.com/welcome", which allows /welcome and
	// /welcome/..., with any query. Required.
	AllowedRedirects []string
	// ClientSecret is the app client's secret, for app clients that have one: every
	// ConfirmSignUp call then carries the SECRET_HASH Cognito requires of them.
	ClientSecret string
	// Logger receives the handler's logs; nil means slog.Default(). Codes are never
	// logged.
	Logger *slog.Logger
	// PageTemplate replaces the page shown when the user cannot be confirmed, to match
	// the application's look or language; it executes on a [Page]. Nil means a plain
	// built-in page.
	PageTemplate *htemplate.Template
}

// Outcome says why [ConfirmHandler] shows a page instead of redirecting.
type Outcome string

// Outcomes of a confirmation link that did not confirm the user.
const (
	// OutcomeInvalidLink: a parameter is missing or repeated, the link is for another
	// app client, its redirect target is not allowed, or the user does not exist.
	OutcomeInvalidLink Outcome = "invalid-link"
	// OutcomeCodeMismatch: the code is wrong, typically from an older email.
	OutcomeCodeMismatch Outcome = "code-mismatch"
	// OutcomeCodeExpired: the code has expired (Cognito's codes last 24 hours).
	OutcomeCodeExpired Outcome = "code-expired"
	// OutcomeAliasExists: another account has confirmed this email address already.
	OutcomeAliasExists Outcome = "alias-exists"
	// OutcomeTooManyAttempts: Cognito is throttling the user or the pool.
	OutcomeTooManyAttempts Outcome = "too-many-attempts"
	// OutcomeUnavailable: any other failure; the details are logged.
	OutcomeUnavailable Outcome = "unavailable"
)

// Page is what the page template of [ConfirmHandler] executes on.
type Page struct {
	Status  int
	Outcome Outcome
	Title   string
	Message string
}

var pageTexts = map[Outcome][2]string{
	OutcomeInvalidLink: {"This link is not valid",
		"The confirmation link is incomplete or has been changed. Please open the link from your email again, or request a new one."},
	OutcomeCodeMismatch: {"This code is not valid",
		"The code in this link does not match. Please use the link from the most recent email, or request a new one."},
	OutcomeCodeExpired: {"This link has expired",
		"Please request a new confirmation email and open the link in it."},
	OutcomeAliasExists: {"Email address already in use",
		"Another account already uses this email address. Please sign in with that account, or sign up with another address."},
	OutcomeTooManyAttempts: {"Too many attempts",
		"Please wait a few minutes and try again."},
	OutcomeUnavailable: {"Something went wrong",
		"Your account could not be confirmed right now. Please try again later."},
}

// defaultPage is parsed on first use rather than at start-up, so that functions that
// import this package for its trigger modules do not pay for the confirmation page.
var defaultPage = sync.OnceValue(func() *htemplate.Template {
	return htemplate.Must(htemplate.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#222;line-height:1.5}</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
</body>
</html>
`))
})

// defaultPageCSP allows the default page's inline style and nothing else.
const defaultPageCSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// ConfirmHandler returns the HTTP endpoint that the links of [VerificationLink] open. On
// GET with the parameters [ParamClientID], [ParamUsername], [ParamCode] and
// [ParamRedirect] it calls ConfirmSignUp for cfg.ClientID and redirects (303 See Other) to
// the redirect target. A user who is confirmed already is redirected as well, so a
// second click on the link, or a mail scanner's click before the user's, does no harm.
//
// The redirect target must be on cfg.AllowedRedirects, a list of origins with path
// prefixes such as "https://app.example.com/welcome" (which allows /welcome and
// /welcome/..., with any query): exact scheme, host and port, no user info, nothing a browser could
// read differently (see the package documentation). A link with any other target, or
// for another app client, is refused with a 400 page before Cognito is called, so a
// forged link cannot confirm anyone or send anyone elsewhere.
//
// A wrong, expired or throttled code gets an HTML page (400 or 429) saying what to do;
// a missing parameter a 400 page; any other failure a 500 page. Pages never show error
// details or echo the request; the details are logged (without the code).
//
// The handler works behind any router or server; in AWS Lambda, serve it through a
// function URL with [FunctionURL].
func ConfirmHandler(cfg ConfirmHandlerConfig) (http.Handler, error) {
	if cfg.ClientID == "" {
		return nil, errors.New("custommessage.ConfirmHandler: ClientID is empty")
	}
	allow, err := redirect.ParseAllowList(cfg.AllowedRedirects)
	if err != nil {
		return nil, fmt.Errorf("custommessage.ConfirmHandler: AllowedRedirects: %w", err)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &confirmHandler{client: cfg.Client, clientID: cfg.ClientID, allow: allow,
		secret: cfg.ClientSecret, logger: logger, custom: cfg.PageTemplate}, nil
}

type confirmHandler struct {
	client   ConfirmClient
	clientID string
	allow    redirect.AllowList
	secret   string
	logger   *slog.Logger
	custom   *htemplate.Template // the page template, nil for the default page
}

func (h *confirmHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	log := h.logger
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		h.page(ctx, w, http.StatusMethodNotAllowed, OutcomeInvalidLink)
		return
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		h.page(ctx, w, http.StatusBadRequest, OutcomeInvalidLink)
		return
	}
	var missing []string
	param := func(name string) string {
		vs := q[name]
		if len(vs) != 1 || vs[0] == "" {
			missing = append(missing, name)
			return ""
		}
		return vs[0]
	}
	clientID, username, code, redirect := param(ParamClientID), param(ParamUsername), param(ParamCode), param(ParamRedirect)
	if len(missing) > 0 {
		log.LogAttrs(ctx, slog.LevelInfo, "confirmation link refused: missing or repeated parameters",
			slog.Any("parameters", missing))
		h.page(ctx, w, http.StatusBadRequest, OutcomeInvalidLink)
		return
	}
	if clientID != h.clientID {
		log.LogAttrs(ctx, slog.LevelWarn, "confirmation link refused: link is for another app client",
			slog.String("clientId", clientID))
		h.page(ctx, w, http.StatusBadRequest, OutcomeInvalidLink)
		return
	}
	target, ok := h.allow.Match(redirect)
	if !ok {
		log.LogAttrs(ctx, slog.LevelWarn, "confirmation link refused: redirect target not allowed",
			slog.String("redirect", redirect))
		h.page(ctx, w, http.StatusBadRequest, OutcomeInvalidLink)
		return
	}

	client := h.client
	if client == nil {
		c, err := lazycognito.Default(ctx)
		if err != nil {
			log.LogAttrs(ctx, slog.LevelError, "confirmation failed", slog.String("error", err.Error()))
			h.page(ctx, w, http.StatusInternalServerError, OutcomeUnavailable)
			return
		}
		client = c
	}
	in := &cip.ConfirmSignUpInput{
		ClientId:         aws.String(h.clientID),
		Username:         aws.String(username),
		ConfirmationCode: aws.String(code),
	}
	if h.secret != "" {
		in.SecretHash = aws.String(SecretHash(h.secret, username, h.clientID))
	}
	_, err = client.ConfirmSignUp(ctx, in)
	status, outcome := classify(err)
	user := slog.String("username", username)
	switch {
	case err == nil:
		log.LogAttrs(ctx, slog.LevelInfo, "user confirmed by link", user)
	case outcome == "":
		log.LogAttrs(ctx, slog.LevelInfo, "confirmation link for a confirmed user", user)
	case status >= 500:
		log.LogAttrs(ctx, slog.LevelError, "confirmation failed", user, slog.String("error", err.Error()))
	default:
		log.LogAttrs(ctx, slog.LevelInfo, "confirmation refused", user,
			slog.String("outcome", string(outcome)), slog.String("error", err.Error()))
	}
	if outcome != "" {
		h.page(ctx, w, status, outcome)
		return
	}
	hdr := w.Header()
	hdr.Set("Location", target)
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusSeeOther)
}

// classify maps ConfirmSignUp's result to a page; an empty outcome means redirect.
func classify(err error) (int, Outcome) {
	if err == nil {
		return http.StatusSeeOther, ""
	}
	var (
		notAuthorized *types.NotAuthorizedException
		mismatch      *types.CodeMismatchException
		expired       *types.ExpiredCodeException
		notFound      *types.UserNotFoundException
		badParam      *types.InvalidParameterException
		aliasExists   *types.AliasExistsException
		tooManyFailed *types.TooManyFailedAttemptsException
		limit         *types.LimitExceededException
		tooMany       *types.TooManyRequestsException
	)
	switch {
	case errors.As(err, &notAuthorized):
		// Cognito answers a confirmed user this way, whatever the code.
		if strings.Contains(notAuthorized.ErrorMessage(), "Current status is CONFIRMED") {
			return http.StatusSeeOther, ""
		}
		return http.StatusBadRequest, OutcomeInvalidLink
	case errors.As(err, &mismatch):
		return http.StatusBadRequest, OutcomeCodeMismatch
	case errors.As(err, &expired):
		return http.StatusBadRequest, OutcomeCodeExpired
	case errors.As(err, &notFound), errors.As(err, &badParam):
		return http.StatusBadRequest, OutcomeInvalidLink
	case errors.As(err, &aliasExists):
		return http.StatusConflict, OutcomeAliasExists
	case errors.As(err, &tooManyFailed), errors.As(err, &limit), errors.As(err, &tooMany):
		return http.StatusTooManyRequests, OutcomeTooManyAttempts
	}
	return http.StatusInternalServerError, OutcomeUnavailable
}

// page writes the page for outcome. It is rendered before anything is written, so a
// failing custom template falls back to the default page instead of half a page.
func (h *confirmHandler) page(ctx context.Context, w http.ResponseWriter, status int, outcome Outcome) {
	texts := pageTexts[outcome]
	data := Page{Status: status, Outcome: outcome, Title: texts[0], Message: texts[1]}
	var buf bytes.Buffer
	tmpl, custom := defaultPage(), h.custom != nil
	if custom {
		tmpl = h.custom
	}
	if err := tmpl.Execute(&buf, data); err != nil {
		h.logger.LogAttrs(ctx, slog.LevelError, "confirmation page template failed", slog.String("error", err.Error()))
		buf.Reset()
		custom = false
		_ = defaultPage().Execute(&buf, data)
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("X-Frame-Options", "DENY")
	if !custom {
		hdr.Set("Content-Security-Policy", defaultPageCSP)
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// SecretHash returns the SECRET_HASH Cognito requires of calls for an app client with a
// secret: the base64 of HMAC-SHA256 over the user name followed by the client ID, keyed
// with the client secret.
func SecretHash(clientSecret, username, clientID string) string {
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
