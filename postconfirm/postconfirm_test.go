package postconfirm_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers"
)

// ran counts its calls.
type ran struct{ n atomic.Int32 }

func (r *ran) module() postconfirm.Handler {
	return func(context.Context, *postconfirm.Event) error { r.n.Add(1); return nil }
}

func failing(err error) postconfirm.Handler {
	return func(context.Context, *postconfirm.Event) error { return err }
}

func panicking(context.Context, *postconfirm.Event) error { panic("module bug") }

func TestBestEffortThroughRouter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// build gets a module that counts, to place after the module under test.
		build     func(after postconfirm.Handler) postconfirm.Handler
		wantErr   bool
		wantAfter int32
		// wantModule is the module name of the logged failure, "" for no such line.
		wantModule string
		wantInLog  string
		// wantFailures is the number of failure lines when more than one.
		wantFailures int
	}{
		{
			name:       "unnamed module is logged under its function name",
			build:      func(after postconfirm.Handler) postconfirm.Handler { return postconfirm.BestEffort(panicking, after) },
			wantAfter:  1,
			wantModule: "postconfirm_test.panicking",
			wantInLog:  "panic: module bug",
		},
		{
			name: "named failure is logged under its name",
			build: func(after postconfirm.Handler) postconfirm.Handler {
				return postconfirm.BestEffort(postconfirm.Named("invoice", failing(errBoom)), after)
			},
			wantAfter:  1,
			wantModule: "invoice",
			wantInLog:  "invoice: boom",
		},
		{
			name: "panic in a named module is logged and the user confirmed",
			build: func(after postconfirm.Handler) postconfirm.Handler {
				return postconfirm.BestEffort(postconfirm.Named("crm", panicking), after)
			},
			wantAfter:  1,
			wantModule: "crm",
			wantInLog:  "crm: panic: module bug",
		},
		{
			name: "critical failure fails the trigger and stops the chain",
			build: func(after postconfirm.Handler) postconfirm.Handler {
				return postconfirm.BestEffort(postconfirm.Critical(failing(errBoom)), after)
			},
			wantErr: true,
		},
		{
			name: "critical panic fails the trigger",
			build: func(after postconfirm.Handler) postconfirm.Handler {
				return postconfirm.BestEffort(postconfirm.Critical(panicking), after)
			},
			wantErr: true,
		},
		{
			name: "critical success lets the chain go on",
			build: func(after postconfirm.Handler) postconfirm.Handler {
				var ok ran
				return postconfirm.BestEffort(postconfirm.Critical(ok.module()), nil, after)
			},
			wantAfter: 1,
		},
		{
			name: "best-effort failure inside Parallel",
			build: func(after postconfirm.Handler) postconfirm.Handler {
				return postconfirm.Parallel(failing(errBoom), panicking, after)
			},
			wantAfter:    1,
			wantModule:   "postconfirm_test.panicking",
			wantFailures: 2,
		},
		{
			name: "critical failure inside Parallel fails the trigger, the others still run",
			build: func(after postconfirm.Handler) postconfirm.Handler {
				return postconfirm.Parallel(postconfirm.Critical(failing(errBoom)), after)
			},
			wantErr:   true,
			wantAfter: 1,
		},
		{
			name: "critical failure inside Parallel inside BestEffort",
			build: func(after postconfirm.Handler) postconfirm.Handler {
				return postconfirm.BestEffort(postconfirm.Parallel(failing(errBoom), postconfirm.Critical(panicking)), after)
			},
			wantErr: true,
		},
		{
			name: "plain error without BestEffort is swallowed by the router",
			build: func(after postconfirm.Handler) postconfirm.Handler {
				return triggers.Chain(after, failing(errBoom))
			},
			wantAfter: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var after ran
			router, logs := newRouter(tt.build(after.module()))
			out, ierr := router.Handle(t.Context(), payload(t, signUpEvent))
			if tt.wantErr {
				if ierr == nil {
					t.Fatalf("Handle succeeded, want an error")
				}
				if ierr.Message != triggers.DefaultErrorMessage {
					t.Errorf("error message %q leaks internals, want the generic text", ierr.Message)
				}
			} else if ierr != nil {
				t.Fatalf("Handle: %v, want success", ierr.Text())
			} else if !strings.Contains(string(out), `"triggerSource":"PostConfirmation_ConfirmSignUp"`) {
				t.Errorf("response %s is not the event", out)
			}
			if got := after.n.Load(); got != tt.wantAfter {
				t.Errorf("module after ran %d times, want %d", got, tt.wantAfter)
			}
			failed := logs.Find(t, "post confirmation module failed")
			if tt.wantModule == "" {
				return
			}
			if want := max(tt.wantFailures, 1); len(failed) != want {
				t.Fatalf("%d failures logged, want %d; logs:\n%s", len(failed), want, logs)
			}
			var line map[string]any
			for _, l := range failed {
				if l["module"] == tt.wantModule {
					line = l
				}
			}
			if line == nil {
				t.Fatalf("no failure logged for module %q:\n%s", tt.wantModule, logs)
			}
			if line["level"] != "ERROR" || line["userName"] != testSub || line["triggerSource"] != "PostConfirmation_ConfirmSignUp" {
				t.Errorf("failure logged as %v, want ERROR with the user name and trigger source", line)
			}
			if !strings.Contains(line["error"].(string), tt.wantInLog) {
				t.Errorf("logged error %q does not contain %q", line["error"], tt.wantInLog)
			}
			if len(logs.Find(t, "trigger failed")) != 0 {
				t.Errorf("a swallowed failure was logged as a failed trigger:\n%s", logs)
			}
		})
	}
}

func TestPanicLogHasStack(t *testing.T) {
	t.Parallel()
	router, logs := newRouter(postconfirm.BestEffort(panicking))
	if _, ierr := router.Handle(t.Context(), payload(t, signUpEvent)); ierr != nil {
		t.Fatalf("Handle: %v", ierr.Text())
	}
	failed := logs.Find(t, "post confirmation module failed")
	if len(failed) != 1 {
		t.Fatalf("%d failure lines, want 1:\n%s", len(failed), logs)
	}
	if stack, _ := failed[0]["stack"].(string); !strings.Contains(stack, "panicking") {
		t.Errorf("stack %q does not show the panicking function", stack)
	}
}

func TestCriticalErrorIsFound(t *testing.T) {
	t.Parallel()
	h := postconfirm.BestEffort(postconfirm.Critical(postconfirm.Named("billing", failing(errBoom))))
	err := h(t.Context(), event(t, signUpEvent))
	if !errors.Is(err, triggers.ErrCritical) || !errors.Is(err, errBoom) {
		t.Fatalf("error %v does not wrap ErrCritical and the module's error", err)
	}
	var me *postconfirm.ModuleError
	if !errors.As(err, &me) || me.Module != "billing" {
		t.Fatalf("error %v carries no ModuleError named billing", err)
	}
	if postconfirm.Critical(nil) != nil || postconfirm.Named("x", nil) != nil {
		t.Error("Critical(nil) or Named(name, nil) is not nil")
	}
}

func TestEmptyChains(t *testing.T) {
	t.Parallel()
	for _, h := range []postconfirm.Handler{postconfirm.BestEffort(), postconfirm.Parallel(), postconfirm.BestEffort(nil, nil)} {
		if err := h(t.Context(), event(t, signUpEvent)); err != nil {
			t.Errorf("empty chain: %v", err)
		}
	}
}

// TestForgotPasswordDoesNothing runs every module on a password reset: none may call
// AWS or the webhook.
func TestForgotPasswordDoesNothing(t *testing.T) {
	t.Parallel()
	cognito := newFakeCognito()
	profiles := newFakeDynamo("id")
	markers := newFakeDynamo("pk")
	ses := &fakeSES{}
	var hooks atomic.Int32
	srv := newWebhookServer(t, func() { hooks.Add(1) })

	mods := map[string]postconfirm.Handler{
		"AddToGroup": must(postconfirm.AddToGroup(postconfirm.GroupConfig{
			Client: cognito,
			Groups: postconfirm.StaticGroups("members"),
		})),
		"CreateProfile": must(postconfirm.CreateProfile(postconfirm.ProfileConfig{
			Client:       profiles,
			Table:        "profiles",
			PartitionKey: "id",
			Item:         postconfirm.Columns{"email": "email"},
		})),
		"WelcomeEmail": must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
			Sender:  ses,
			Markers: markers,
			Table:   "markers",
			Email:   testEmail,
		})),
		"Webhook": must(postconfirm.Webhook(postconfirm.WebhookConfig{Endpoint: srv.URL, Secret: testSecret})),
	}
	for name, m := range mods {
		t.Run(name, func(t *testing.T) {
			router, _ := newRouter(postconfirm.BestEffort(postconfirm.Critical(m)))
			if _, ierr := router.Handle(t.Context(), payload(t, forgotEvent)); ierr != nil {
				t.Fatalf("Handle: %v", ierr.Text())
			}
		})
	}
	if c := cognito.Calls(); len(c) != 0 {
		t.Errorf("Cognito calls %v", c)
	}
	if c := append(profiles.Calls(), markers.Calls()...); len(c) != 0 {
		t.Errorf("DynamoDB calls %v", c)
	}
	if s := ses.Sent(); len(s) != 0 {
		t.Errorf("%d emails sent", len(s))
	}
	if n := hooks.Load(); n != 0 {
		t.Errorf("%d webhook deliveries", n)
	}
}

// TestSourcesOptIn shows the modules whose config has Sources acting on a password reset.
func TestSourcesOptIn(t *testing.T) {
	t.Parallel()
	both := triggers.Sources{triggers.PostConfirmationConfirmSignUp, triggers.PostConfirmationConfirmForgotPassword}
	cognito := newFakeCognito()
	profiles := newFakeDynamo("id")
	var hooks atomic.Int32
	srv := newWebhookServer(t, func() { hooks.Add(1) })
	h := postconfirm.BestEffort(
		postconfirm.Critical(must(postconfirm.AddToGroup(postconfirm.GroupConfig{
			Client:  cognito,
			Groups:  postconfirm.StaticGroups("members"),
			Sources: both,
		}))),
		postconfirm.Critical(must(postconfirm.CreateProfile(postconfirm.ProfileConfig{
			Client:       profiles,
			Table:        "profiles",
			PartitionKey: "id",
			Item:         postconfirm.Columns{},
			Sources:      both,
		}))),
		postconfirm.Critical(must(postconfirm.Webhook(postconfirm.WebhookConfig{
			Endpoint: srv.URL,
			Secret:   testSecret,
			Sources:  both,
		}))),
	)
	if err := h(t.Context(), event(t, forgotEvent)); err != nil {
		t.Fatal(err)
	}
	if len(cognito.Members("members")) != 1 || profiles.Len() != 1 || hooks.Load() != 1 {
		t.Errorf("members %v, profiles %d, webhooks %d; want one each",
			cognito.Members("members"), profiles.Len(), hooks.Load())
	}
}

func TestSourcesValidation(t *testing.T) {
	t.Parallel()
	bad := []triggers.Sources{
		{triggers.PreSignUpSignUp},
		{triggers.PostConfirmationConfirmSignUp, triggers.PostAuthenticationAuthentication},
		{"Other"},
	}
	for _, o := range bad {
		if _, err := postconfirm.AddToGroup(postconfirm.GroupConfig{
			Groups:  postconfirm.StaticGroups("g"),
			Sources: o,
		}); err == nil {
			t.Errorf("AddToGroup accepted %v", o)
		}
		if _, err := postconfirm.CreateProfile(postconfirm.ProfileConfig{
			Table:        "t",
			PartitionKey: "id",
			Item:         postconfirm.Columns{},
			Sources:      o,
		}); err == nil {
			t.Errorf("CreateProfile accepted %v", o)
		}
		if _, err := postconfirm.Webhook(postconfirm.WebhookConfig{
			Endpoint: "https://example.com/hook",
			Secret:   testSecret,
			Sources:  o,
		}); err == nil {
			t.Errorf("Webhook accepted %v", o)
		}
	}
}
