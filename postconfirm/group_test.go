package postconfirm_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers"
)

func TestAddToGroup(t *testing.T) {
	t.Parallel()
	roles := postconfirm.GroupsByAttribute("custom:role", map[string]string{"admin": "admins", "staff": "staff"}, "members")
	tests := []struct {
		name         string
		existing     []string
		groups       postconfirm.Groups
		attrs        map[string]string
		existingOnly bool
		race         bool
		wantCalls    []string
		wantIn       []string
	}{
		{
			name:      "missing group is created, then the user added",
			groups:    postconfirm.StaticGroups("members"),
			wantCalls: []string{"GetGroup members", "CreateGroup members", "AdminAddUserToGroup members"},
			wantIn:    []string{"members"},
		},
		{
			name:      "existing group is not created",
			existing:  []string{"members"},
			groups:    postconfirm.StaticGroups("members"),
			wantCalls: []string{"GetGroup members", "AdminAddUserToGroup members"},
			wantIn:    []string{"members"},
		},
		{
			name:      "group created meanwhile by another invocation",
			groups:    postconfirm.StaticGroups("members"),
			race:      true,
			wantCalls: []string{"GetGroup members", "CreateGroup members", "AdminAddUserToGroup members"},
			wantIn:    []string{"members"},
		},
		{
			name:      "several groups, duplicates once",
			existing:  []string{"a", "b"},
			groups:    postconfirm.StaticGroups("a", "b", "a"),
			wantCalls: []string{"GetGroup a", "AdminAddUserToGroup a", "GetGroup b", "AdminAddUserToGroup b"},
			wantIn:    []string{"a", "b"},
		},
		{
			name:      "role attribute picks the group",
			existing:  []string{"admins"},
			groups:    roles,
			attrs:     map[string]string{"custom:role": "admin"},
			wantCalls: []string{"GetGroup admins", "AdminAddUserToGroup admins"},
			wantIn:    []string{"admins"},
		},
		{
			name:      "unknown role falls back",
			existing:  []string{"members"},
			groups:    roles,
			attrs:     map[string]string{"custom:role": "owner"},
			wantCalls: []string{"GetGroup members", "AdminAddUserToGroup members"},
			wantIn:    []string{"members"},
		},
		{
			name:      "no role falls back",
			existing:  []string{"members"},
			groups:    roles,
			wantCalls: []string{"GetGroup members", "AdminAddUserToGroup members"},
			wantIn:    []string{"members"},
		},
		{
			name:   "no role and no fallback: nothing to do",
			groups: postconfirm.GroupsByAttribute("custom:role", map[string]string{"admin": "admins"}),
		},
		{
			name: "function chooses",
			groups: postconfirm.GroupsFunc(func(e *postconfirm.Event) ([]string, error) {
				return []string{"plan-" + e.Request.UserAttributes["custom:plan"]}, nil
			}),
			attrs:     map[string]string{"custom:plan": "pro"},
			existing:  []string{"plan-pro"},
			wantCalls: []string{"GetGroup plan-pro", "AdminAddUserToGroup plan-pro"},
			wantIn:    []string{"plan-pro"},
		},
		{
			name:         "existing groups only: no lookup",
			existing:     []string{"members"},
			groups:       postconfirm.StaticGroups("members"),
			existingOnly: true,
			wantCalls:    []string{"AdminAddUserToGroup members"},
			wantIn:       []string{"members"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cognito := newFakeCognito(tt.existing...)
			cognito.raceCreate = tt.race
			h := must(postconfirm.AddToGroup(postconfirm.GroupConfig{
				Client:             cognito,
				Groups:             tt.groups,
				ExistingGroupsOnly: tt.existingOnly,
			}))
			attrs := map[string]string{"sub": "user-1"}
			for k, v := range tt.attrs {
				attrs[k] = v
			}
			if err := h(t.Context(), signUp(attrs)); err != nil {
				t.Fatal(err)
			}
			if got := cognito.Calls(); !slices.Equal(got, tt.wantCalls) {
				t.Errorf("calls %q, want %q", got, tt.wantCalls)
			}
			for _, g := range tt.wantIn {
				if m := cognito.Members(g); !slices.Equal(m, []string{"user-1"}) {
					t.Errorf("group %s has members %v", g, m)
				}
			}
		})
	}
}

func TestAddToGroupIdempotent(t *testing.T) {
	t.Parallel()
	cognito := newFakeCognito()
	h := must(postconfirm.AddToGroup(postconfirm.GroupConfig{Client: cognito, Groups: postconfirm.StaticGroups("members")}))
	e := signUp(map[string]string{"sub": "user-1"})
	for range 3 {
		if err := h(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	if m := cognito.Members("members"); !slices.Equal(m, []string{"user-1"}) {
		t.Errorf("members %v", m)
	}
	// The group is looked up and created once; later deliveries only add.
	want := []string{"GetGroup members", "CreateGroup members", "AdminAddUserToGroup members",
		"AdminAddUserToGroup members", "AdminAddUserToGroup members"}
	if got := cognito.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
}

func TestAddToGroupGroupDeletedMeanwhile(t *testing.T) {
	t.Parallel()
	cognito := newFakeCognito()
	h := must(postconfirm.AddToGroup(postconfirm.GroupConfig{Client: cognito, Groups: postconfirm.StaticGroups("members"), NewGroupSettings: func(in *cip.CreateGroupInput) {
		in.Precedence = aws.Int32(7)
		in.GroupName = aws.String("ignored")
	}}))
	if err := h(t.Context(), signUp(map[string]string{"sub": "user-1"})); err != nil {
		t.Fatal(err)
	}
	cognito.mu.Lock()
	delete(cognito.groups, "members")
	cognito.members = map[string][]string{}
	cognito.mu.Unlock()
	if err := h(t.Context(), signUp(map[string]string{"sub": "user-2"})); err != nil {
		t.Fatal(err)
	}
	if m := cognito.Members("members"); !slices.Equal(m, []string{"user-2"}) {
		t.Errorf("members %v", m)
	}
	cognito.mu.Lock()
	g := cognito.groups["members"]
	cognito.mu.Unlock()
	if g == nil || aws.ToInt32(g.Precedence) != 7 || !strings.Contains(aws.ToString(g.Description), "AddToGroup") {
		t.Errorf("group recreated as %+v, want the settings and description", g)
	}
}

func TestAddToGroupErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		existing     []string
		fail         string
		groups       postconfirm.Groups
		existingOnly bool
		want         string
	}{
		{name: "lookup fails", fail: "GetGroup members", groups: postconfirm.StaticGroups("members"), want: `look up group "members"`},
		{name: "create fails", fail: "CreateGroup members", groups: postconfirm.StaticGroups("members"), want: `create group "members"`},
		{name: "add fails", existing: []string{"members"}, fail: "AdminAddUserToGroup members", groups: postconfirm.StaticGroups("members"), want: `add user "user-1" to group "members"`},
		{name: "missing group not created", groups: postconfirm.StaticGroups("members"), existingOnly: true, want: "Group not found"},
		{name: "chooser fails", groups: postconfirm.GroupsFunc(func(*postconfirm.Event) ([]string, error) { return nil, errBoom }), want: "choose groups: boom"},
		{name: "chooser returns a bad name", groups: postconfirm.GroupsFunc(func(*postconfirm.Event) ([]string, error) { return []string{""}, nil }), want: "invalid group name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cognito := newFakeCognito(tt.existing...)
			if tt.fail != "" {
				cognito.fail[tt.fail] = errBoom
			}
			h := must(postconfirm.AddToGroup(postconfirm.GroupConfig{
				Client:             cognito,
				Groups:             tt.groups,
				ExistingGroupsOnly: tt.existingOnly,
			}))
			err := h(t.Context(), signUp(map[string]string{"sub": "user-1"}))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "AddToGroup: ") {
				t.Errorf("error %v, want one from AddToGroup containing %q", err, tt.want)
			}
		})
	}
}

func TestAddToGroupConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		groups  postconfirm.Groups
		sources triggers.Sources
	}{
		{"no groups value", postconfirm.Groups{}, nil},
		{"empty static name", postconfirm.StaticGroups("ok", ""), nil},
		{"name too long", postconfirm.StaticGroups(strings.Repeat("g", 129)), nil},
		{"name with a space", postconfirm.StaticGroups("two words"), nil},
		{"bad mapped name", postconfirm.GroupsByAttribute("custom:role", map[string]string{"admin": "bad name"}), nil},
		{"bad fallback", postconfirm.GroupsByAttribute("custom:role", nil, "bad\nname"), nil},
		{"empty attribute", postconfirm.GroupsByAttribute("", map[string]string{"a": "b"}), nil},
		{"nil function", postconfirm.GroupsFunc(nil), nil},
		{"source of another trigger", postconfirm.StaticGroups("ok"), triggers.Sources{triggers.PreSignUpSignUp}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := postconfirm.AddToGroup(postconfirm.GroupConfig{Groups: tt.groups, Sources: tt.sources}); err == nil {
				t.Error("AddToGroup accepted the configuration")
			}
		})
	}
}

// A module whose client fails on a cancelled context shows that the context reaches
// the call.
func TestAddToGroupHonoursContext(t *testing.T) {
	t.Parallel()
	cognito := newFakeCognito("members")
	cognito.latency = 10 * time.Second // never reached
	h := must(postconfirm.AddToGroup(postconfirm.GroupConfig{Client: cognito, Groups: postconfirm.StaticGroups("members")}))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := h(ctx, signUp(map[string]string{"sub": "user-1"})); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}
