// Command amplify runs Amplify's Cognito trigger modules, in Go: a function that Amplify
// generated from its Node.js templates keeps its configuration (the MODULES list and the
// modules' environment variables) and changes only its code. One process may hold modules
// of several triggers; it serves each trigger's modules, in the order listed, through one
// router.
//
//	MODULES=email-filter-denylist DOMAINDENYLIST=tempmail.test go run ./examples/amplify -event event.json
//	MODULES=email-filter-denylist,add-to-group DOMAINDENYLIST=tempmail.test GROUP=members \
//		go run ./examples/amplify -serve 127.0.0.1:9300
//
// Modules and their environment:
//
//	email-filter-allowlist        PreSignUp            DOMAINALLOWLIST
//	email-filter-denylist         PreSignUp            DOMAINDENYLIST
//	add-to-group                  PostConfirmation     GROUP
//	verification-link             CustomMessage        REDIRECTURL, EMAILSUBJECT, EMAILMESSAGE, CONFIRM_URL
//	alter-claims                  PreTokenGeneration   CLAIMS_TO_ADD_OR_OVERRIDE (a JSON object), CLAIMS_TO_SUPPRESS
//	captcha-define-challenge      DefineAuthChallenge
//	captcha-create-challenge      CreateAuthChallenge
//	captcha-verify                VerifyAuthChallenge  RECAPTCHASECRET (the secret, or ssm:/name or
//	                                                   secretsmanager:name[#member] where it is kept),
//	                                                   RECAPTCHA_VERIFY_URL
//	boilerplate-define-challenge  DefineAuthChallenge
//	boilerplate-create-challenge  CreateAuthChallenge
//	boilerplate-verify            VerifyAuthChallenge  CHALLENGEANSWER
//
// An unknown module name, a missing variable or a bad value stops the function at
// start-up with a message naming it. AWS clients come from the default configuration on
// first use (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER and its kin point them elsewhere).
//
// Where the Go modules differ from the templates, they differ on purpose: domain lists
// match case-insensitively and never by suffix; the verification link opens the confirm
// endpoint at CONFIRM_URL (examples/custommessage/confirm) instead of an S3 page, and also
// goes out with a resent code; a wrong CAPTCHA or answer ends the sign-in with "Incorrect
// username or password." instead of a trigger error; and CHALLENGEANSWER is read by the
// function that verifies, not the one that creates the challenge.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/pretoken"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/secrets"

	// RECAPTCHASECRET may name a parameter or a secret.
	_ "github.com/lambda-triggers/cognito/triggers/secrets/parameterstore"
	_ "github.com/lambda-triggers/cognito/triggers/secrets/secretsmanager"
)

func main() {
	router, err := build(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "amplify:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// module is one of Amplify's trigger modules: the trigger it belongs to, and how it adds
// itself to the function being assembled.
type module struct {
	trigger triggers.Trigger
	add     func(f *function) error
}

// modules maps Amplify's module names to their Go counterparts.
var modules = map[string]module{
	"email-filter-allowlist": {triggers.TriggerPreSignUp, func(f *function) error {
		domains, err := f.list("DOMAINALLOWLIST")
		if err != nil {
			return err
		}
		h, err := presignup.AllowDomains(presignup.DomainsConfig{Allow: domains, Sources: allSignUps})
		f.preSignUp = append(f.preSignUp, h)
		return err
	}},
	"email-filter-denylist": {triggers.TriggerPreSignUp, func(f *function) error {
		domains, err := f.list("DOMAINDENYLIST")
		if err != nil {
			return err
		}
		h, err := presignup.DenyDomains(presignup.DomainsConfig{Deny: domains, Sources: allSignUps})
		f.preSignUp = append(f.preSignUp, h)
		return err
	}},
	"add-to-group": {triggers.TriggerPostConfirmation, func(f *function) error {
		group, err := f.required("GROUP", "the group every confirmed user joins")
		if err != nil {
			return err
		}
		// As in Amplify, the group is created when missing, every confirmation adds the
		// user (a password reset too), and a failure fails the trigger.
		h, err := postconfirm.AddToGroup(postconfirm.GroupConfig{
			Groups:  postconfirm.StaticGroups(group),
			Sources: triggers.Sources{triggers.PostConfirmationConfirmSignUp, triggers.PostConfirmationConfirmForgotPassword},
		})
		f.postConfirmation = append(f.postConfirmation, postconfirm.Critical(h))
		return err
	}},
	"verification-link": {triggers.TriggerCustomMessage, func(f *function) error {
		redirect, err := f.required("REDIRECTURL", "where users land once confirmed")
		if err != nil {
			return err
		}
		confirmURL, err := f.required("CONFIRM_URL", "the address of the confirm endpoint, examples/custommessage/confirm")
		if err != nil {
			return err
		}
		link, err := custommessage.NewConfirmLink(confirmURL, redirect)
		if err != nil {
			return err
		}
		h, err := custommessage.VerificationLink(custommessage.VerificationLinkConfig{
			Link:    link,
			Subject: f.env("EMAILSUBJECT"), // "" is the module's default, as in Amplify
			Text:    f.env("EMAILMESSAGE"),
		})
		f.customMessage = append(f.customMessage, h)
		return err
	}},
	"alter-claims": {triggers.TriggerPreTokenGeneration, func(f *function) error {
		add, suppress := f.env("CLAIMS_TO_ADD_OR_OVERRIDE"), f.env("CLAIMS_TO_SUPPRESS")
		if add == "" && suppress == "" {
			return errors.New("missing environment variable CLAIMS_TO_ADD_OR_OVERRIDE (a JSON object of claims) or CLAIMS_TO_SUPPRESS (comma-separated claims)")
		}
		var claims map[string]any
		if add != "" {
			// One JSON object; numbers stay as written (json.Number) instead of float64,
			// which would round large ones.
			dec := json.NewDecoder(strings.NewReader(add))
			dec.UseNumber()
			if err := dec.Decode(&claims); err != nil || claims == nil || dec.More() {
				return fmt.Errorf(`CLAIMS_TO_ADD_OR_OVERRIDE: want a JSON object such as {"plan":"free"}, got %q`, add)
			}
		}
		var suppressed []string
		for _, name := range strings.Split(suppress, ",") {
			if name = strings.TrimSpace(name); name != "" {
				suppressed = append(suppressed, name)
			}
		}
		h, err := pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: claims, Suppress: suppressed})
		f.preToken = append(f.preToken, h)
		return err
	}},
	"captcha-define-challenge":     {triggers.TriggerDefineAuthChallenge, func(f *function) error { return nil }},
	"boilerplate-define-challenge": {triggers.TriggerDefineAuthChallenge, func(f *function) error { return nil }},
	"captcha-create-challenge":     {triggers.TriggerCreateAuthChallenge, func(f *function) error { return nil }},
	"boilerplate-create-challenge": {triggers.TriggerCreateAuthChallenge, func(f *function) error { return nil }},
	"captcha-verify": {triggers.TriggerVerifyAuthChallenge, func(f *function) error {
		secret, err := f.required("RECAPTCHASECRET", "the reCAPTCHA secret key, or where it is kept")
		if err != nil {
			return err
		}
		cfg := customauth.CaptchaConfig{VerifyURL: f.env("RECAPTCHA_VERIFY_URL")}
		if secrets.IsReference(secret) {
			// Read from Parameter Store or Secrets Manager on the first check, then
			// kept for secrets.DefaultTTL.
			ref, err := secrets.Parse(secrets.Config{Value: secret})
			if err != nil {
				return fmt.Errorf("RECAPTCHASECRET: %w", err)
			}
			cfg.SecretSource = ref.Get
		} else {
			cfg.Secret = secret
		}
		step, err := customauth.CaptchaStep(cfg)
		f.verify = step.Verify
		return err
	}},
	"boilerplate-verify": {triggers.TriggerVerifyAuthChallenge, func(f *function) error {
		answer, err := f.required("CHALLENGEANSWER", "the answer to the custom challenge")
		if err != nil {
			return err
		}
		step, err := customauth.StaticAnswerStep(customauth.StaticAnswerConfig{Answer: answer})
		f.verify = step.Verify
		return err
	}},
}

// allSignUps makes the domain filters act on every pre sign-up, as Amplify's do, users
// created by an administrator included.
var allSignUps = triggers.Sources{presignup.SignUp, presignup.AdminCreateUser, presignup.ExternalProvider}

// challengeStep names the one custom challenge of Amplify's custom auth templates. The
// captcha and boilerplate define templates are the same (password, then one custom
// challenge), so both kinds of module share one step, and a function may verify with
// either.
const challengeStep = "AMPLIFY_CHALLENGE"

// function is the function being assembled from modules.
type function struct {
	env              func(string) string
	preSignUp        []presignup.Handler
	postConfirmation []postconfirm.Handler
	preToken         []pretoken.Handler
	customMessage    []custommessage.Handler
	verify           func(context.Context, *customauth.Answer) (bool, error)
	auth             map[triggers.Trigger]bool // custom auth triggers with a module
}

// required returns the value of the environment variable name, or an error naming it.
func (f *function) required(name, what string) (string, error) {
	if v := f.env(name); v != "" {
		return v, nil
	}
	return "", fmt.Errorf("missing environment variable %s (%s)", name, what)
}

// list returns the comma-separated entries of a required variable.
func (f *function) list(name string) ([]string, error) {
	v, err := f.required(name, "comma-separated email domains")
	if err != nil {
		return nil, err
	}
	if l := splitList(v); len(l) > 0 {
		return l, nil
	}
	return nil, fmt.Errorf("%s holds no domain", name)
}

// build assembles the function that the MODULES variable of env names.
func build(env func(string) string) (*triggers.Router, error) {
	names := splitList(env("MODULES"))
	if len(names) == 0 {
		return nil, errors.New("missing environment variable MODULES (comma-separated Amplify module names, such as email-filter-denylist,add-to-group)")
	}
	f := &function{env: env, auth: map[triggers.Trigger]bool{}}
	owner := map[triggers.Trigger]string{}
	seen := map[string]bool{}
	var errs []error
	for _, name := range names {
		m, ok := modules[name]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("MODULES: unknown module %q; known modules: %s", name, strings.Join(moduleNames(), ", ")))
			continue
		case seen[name]:
			errs = append(errs, fmt.Errorf("MODULES: %s is listed twice", name))
			continue
		}
		seen[name] = true
		switch m.trigger {
		case triggers.TriggerDefineAuthChallenge, triggers.TriggerCreateAuthChallenge, triggers.TriggerVerifyAuthChallenge:
			if prev, dup := owner[m.trigger]; dup {
				errs = append(errs, fmt.Errorf("MODULES: %s and %s both answer %s; list one", prev, name, m.trigger))
				continue
			}
			owner[m.trigger] = name
			f.auth[m.trigger] = true
		}
		if err := m.add(f); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return f.router()
}

// router registers the chains of the triggers that have modules, each in MODULES order.
func (f *function) router() (*triggers.Router, error) {
	r := triggers.NewRouter(triggers.RouterConfig{})
	if len(f.preSignUp) > 0 {
		r.PreSignUp(presignup.Chain(f.preSignUp...))
	}
	if len(f.postConfirmation) > 0 {
		r.PostConfirmation(postconfirm.BestEffort(f.postConfirmation...))
	}
	if len(f.preToken) > 0 {
		r.PreTokenGeneration(pretoken.Chain(f.preToken...))
	}
	if len(f.customMessage) > 0 {
		r.CustomMessage(custommessage.Chain(f.customMessage...))
	}
	if len(f.auth) == 0 {
		return r, nil
	}
	verify := f.verify
	if verify == nil {
		// This function does not verify answers: its Verify is never registered.
		verify = func(context.Context, *customauth.Answer) (bool, error) { return false, nil }
	}
	// Amplify's define templates allow one wrong answer: anything but a passed custom
	// challenge after the password ends the sign-in.
	flow, err := customauth.NewFlow(customauth.FlowConfig{
		Steps:           []customauth.Step{{Name: challengeStep, Create: createChallenge, Verify: verify}},
		Password:        true,
		MaxWrongAnswers: 1,
	})
	if err != nil {
		return nil, err
	}
	if f.auth[triggers.TriggerDefineAuthChallenge] {
		r.DefineAuthChallenge(flow.Define())
	}
	if f.auth[triggers.TriggerCreateAuthChallenge] {
		r.CreateAuthChallenge(flow.Create())
	}
	if f.auth[triggers.TriggerVerifyAuthChallenge] {
		r.VerifyAuthChallenge(flow.Verify())
	}
	return r, nil
}

// createChallenge returns the public challenge parameter that Amplify's create templates
// return, for clients that look for it. The answer never goes in the parameters.
func createChallenge(_ context.Context, c *customauth.Challenge) error {
	c.Public["trigger"] = "true"
	return nil
}

func moduleNames() []string {
	names := make([]string, 0, len(modules))
	for name := range modules {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// splitList returns the comma-separated, trimmed, non-empty entries of s.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
