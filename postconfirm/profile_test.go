package postconfirm_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/postconfirm"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func TestCreateProfile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		key     string
		item    postconfirm.ItemBuilder
		attrs   map[string]string
		wantKey string
		want    map[string]string // string attributes of the item
	}{
		{
			name:    "columns, keyed by sub",
			key:     "id",
			item:    postconfirm.Columns{"email": "email", "given_name": "firstName"},
			attrs:   map[string]string{"sub": "user-1", "email": "ana@example.com", "given_name": "Ana", "family_name": "Lima"},
			wantKey: "user-1",
			want:    map[string]string{"id": "user-1", "email": "ana@example.com", "firstName": "Ana"},
		},
		{
			name:    "missing attribute left out",
			key:     "id",
			item:    postconfirm.Columns{"email": "email", "given_name": "firstName"},
			attrs:   map[string]string{"sub": "user-1", "email": "ana@example.com"},
			wantKey: "user-1",
			want:    map[string]string{"id": "user-1", "email": "ana@example.com"},
		},
		{
			name: "function sets its own key",
			key:  "pk",
			item: postconfirm.ItemFunc(func(e *postconfirm.Event) (map[string]types.AttributeValue, error) {
				return map[string]types.AttributeValue{
					"pk":      s("USER#" + e.Request.UserAttributes["sub"]),
					"sk":      s("PROFILE"),
					"premium": &types.AttributeValueMemberBOOL{Value: false},
				}, nil
			}),
			attrs:   map[string]string{"sub": "user-1"},
			wantKey: "USER#user-1",
			want:    map[string]string{"pk": "USER#user-1", "sk": "PROFILE"},
		},
		{
			name:    "function returning nil gets the key",
			key:     "id",
			item:    postconfirm.ItemFunc(func(*postconfirm.Event) (map[string]types.AttributeValue, error) { return nil, nil }),
			attrs:   map[string]string{"sub": "user-1"},
			wantKey: "user-1",
			want:    map[string]string{"id": "user-1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := newFakeDynamo(tt.key)
			h := must(postconfirm.CreateProfile(postconfirm.ProfileConfig{
				Client:       db,
				Table:        "profiles",
				PartitionKey: tt.key,
				Item:         tt.item,
			}))
			if err := h(t.Context(), signUp(tt.attrs)); err != nil {
				t.Fatal(err)
			}
			item := db.Item(tt.wantKey)
			got := map[string]string{}
			for k, v := range item {
				if sv, ok := v.(*types.AttributeValueMemberS); ok {
					got[k] = sv.Value
				}
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("item %v, want %v", got, tt.want)
			}
		})
	}
}

// TestCreateProfileNeverOverwrites replays the event with changed attributes: the first
// profile stays.
func TestCreateProfileNeverOverwrites(t *testing.T) {
	t.Parallel()
	db := newFakeDynamo("id")
	h := must(postconfirm.CreateProfile(postconfirm.ProfileConfig{
		Client:       db,
		Table:        "profiles",
		PartitionKey: "id",
		Item:         postconfirm.Columns{"given_name": "name"},
		CreatedAt:    "createdAt",
	}))
	for _, name := range []string{"Ana", "Eve", "Mallory"} {
		if err := h(t.Context(), signUp(map[string]string{"sub": "user-1", "given_name": name})); err != nil {
			t.Fatalf("replay with %s: %v", name, err)
		}
	}
	item := db.Item("user-1")
	if str(item["name"]) != "Ana" {
		t.Errorf("name %q, want the first delivery's Ana", str(item["name"]))
	}
	created, err := time.Parse(time.RFC3339, str(item["createdAt"]))
	if err != nil || time.Since(created) > time.Minute || created.Location() != time.UTC {
		t.Errorf("createdAt %q: %v", str(item["createdAt"]), err)
	}
	if got := db.Calls(); !slices.Equal(got, []string{"PutItem", "PutItem", "PutItem"}) {
		t.Errorf("calls %v", got)
	}
}

func TestCreateProfileErrors(t *testing.T) {
	t.Parallel()
	t.Run("put fails", func(t *testing.T) {
		t.Parallel()
		db := newFakeDynamo("id")
		db.fail["PutItem"] = errBoom
		err := must(postconfirm.CreateProfile(postconfirm.ProfileConfig{
			Client:       db,
			Table:        "profiles",
			PartitionKey: "id",
			Item:         postconfirm.Columns{},
		}))(t.Context(), signUp(map[string]string{"sub": "u"}))
		if err == nil || !strings.Contains(err.Error(), `CreateProfile: put profile in table "profiles": boom`) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("no sub", func(t *testing.T) {
		t.Parallel()
		db := newFakeDynamo("id")
		err := must(postconfirm.CreateProfile(postconfirm.ProfileConfig{
			Client:       db,
			Table:        "profiles",
			PartitionKey: "id",
			Item:         postconfirm.Columns{},
		}))(t.Context(), signUp(map[string]string{"email": "a@b.c"}))
		if err == nil || len(db.Calls()) != 0 {
			t.Errorf("error %v, calls %v; want an error and no write", err, db.Calls())
		}
	})
	t.Run("builder fails", func(t *testing.T) {
		t.Parallel()
		db := newFakeDynamo("id")
		build := postconfirm.ItemFunc(func(*postconfirm.Event) (map[string]types.AttributeValue, error) { return nil, errBoom })
		err := must(postconfirm.CreateProfile(postconfirm.ProfileConfig{
			Client:       db,
			Table:        "profiles",
			PartitionKey: "id",
			Item:         build,
		}))(t.Context(), signUp(map[string]string{"sub": "u"}))
		if err == nil || len(db.Calls()) != 0 {
			t.Errorf("error %v, calls %v; want an error and no write", err, db.Calls())
		}
	})
}

func TestCreateProfileConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, table, key string
		item             postconfirm.ItemBuilder
		createdAt        string
	}{
		{"no table", "", "id", postconfirm.Columns{}, ""},
		{"no key", "profiles", "", postconfirm.Columns{}, ""},
		{"no builder", "profiles", "id", nil, ""},
		{"column over the key", "profiles", "id", postconfirm.Columns{"email": "id"}, ""},
		{"two attributes in one column", "profiles", "id", postconfirm.Columns{"email": "contact", "phone_number": "contact"}, ""},
		{"empty column", "profiles", "id", postconfirm.Columns{"email": ""}, ""},
		{"created at the key", "profiles", "id", postconfirm.Columns{}, "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := postconfirm.CreateProfile(postconfirm.ProfileConfig{
				Table:        tt.table,
				PartitionKey: tt.key,
				Item:         tt.item,
				CreatedAt:    tt.createdAt,
			}); err == nil {
				t.Error("CreateProfile accepted the configuration")
			}
		})
	}
}
