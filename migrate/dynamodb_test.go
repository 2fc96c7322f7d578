package migrate_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/crypto/bcrypt"

	"github.com/lambda-triggers/cognito/migrate"
	"github.com/lambda-triggers/cognito/triggers"
)

// fakeTable is a table of legacy users keyed by the string value of its key attribute.
type fakeTable struct {
	items map[string]map[string]types.AttributeValue
	err   error
}

func (f *fakeTable) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.err != nil {
		return nil, f.err
	}
	for _, v := range in.Key {
		return &dynamodb.GetItemOutput{Item: f.items[v.(*types.AttributeValueMemberS).Value]}, nil
	}
	return nil, errors.New("no key")
}

// countingHasher is bcrypt that counts comparisons and remembers the hashes compared.
type countingHasher struct {
	mu     sync.Mutex
	hashes []string
}

func (h *countingHasher) Compare(hash, password []byte) error {
	h.mu.Lock()
	h.hashes = append(h.hashes, string(hash))
	h.mu.Unlock()
	return bcrypt.CompareHashAndPassword(hash, password)
}

func (h *countingHasher) compared() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.hashes...)
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func hash(t testing.TB, password string, cost int) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

var legacyAttributes = map[string]string{"mail": "email", "mailVerified": "email_verified", "fullName": "name", "logins": "custom:logins"}

func legacyTable(t testing.TB, cost int) *fakeTable {
	return &fakeTable{items: map[string]map[string]types.AttributeValue{
		"ada@example.com": {
			"username": s("ada@example.com"), "passwordHash": s(hash(t, adaPassword, cost)),
			"mail": s("ada@example.com"), "mailVerified": &types.AttributeValueMemberBOOL{Value: true},
			"fullName": s("Ada Lovelace"), "logins": &types.AttributeValueMemberN{Value: "42"},
			"salt": s("never copied"),
		},
		"nohash@example.com": {"username": s("nohash@example.com"), "mail": s("nohash@example.com")},
		"broken@example.com": {"username": s("broken@example.com"), "passwordHash": s("md5:5f4dcc3b5aa765d61d8327deb882cf99")},
	}}
}

func TestDynamoDBStore(t *testing.T) {
	t.Parallel()
	dummy := hash(t, "nobody knows this", bcrypt.MinCost)
	tests := []struct {
		name, username, password string
		wantErr                  error
		wantCompared             string // "stored" or "dummy"
	}{
		{"right password", "ada@example.com", adaPassword, nil, "stored"},
		{"wrong password", "ada@example.com", "Tr0ub4dor&3", migrate.ErrWrongPassword, "stored"},
		{"unknown user", "nobody@example.com", adaPassword, migrate.ErrUnknownUser, "dummy"},
		{"empty username", "", adaPassword, migrate.ErrUnknownUser, "dummy"},
		{"item without hash", "nohash@example.com", adaPassword, migrate.ErrWrongPassword, "dummy"},
		{"unreadable hash", "broken@example.com", "s3cret-Zebra-42", migrate.ErrWrongPassword, "stored"},
	}
	table := legacyTable(t, bcrypt.MinCost)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hasher := &countingHasher{}
			store, err := migrate.NewDynamoDBStore(migrate.DynamoDBStoreConfig{Client: table, Table: "legacy",
				KeyAttribute: "username", Attributes: legacyAttributes, Hasher: hasher, DummyHash: []byte(dummy)})
			if err != nil {
				t.Fatal(err)
			}
			user, err := store.Authenticate(context.Background(), tt.username, triggers.Secret(tt.password))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), tt.password) {
				t.Errorf("error %q contains the password", err)
			}
			// Every path costs exactly one bcrypt comparison, so that an unknown user
			// takes as long as a wrong password.
			compared := hasher.compared()
			if len(compared) != 1 {
				t.Fatalf("%d comparisons, want exactly 1", len(compared))
			}
			if (compared[0] == dummy) != (tt.wantCompared == "dummy") {
				t.Errorf("compared with %q, want the %s hash", compared[0], tt.wantCompared)
			}
			if tt.wantErr == nil {
				want := `{"custom:logins":"42","email":"ada@example.com","email_verified":"true","name":"Ada Lovelace"}`
				if got := jsonText(t, user.Attributes); got != want {
					t.Errorf("attributes = %s, want %s", got, want)
				}
			}
		})
	}
}

func TestDynamoDBStoreLookup(t *testing.T) {
	t.Parallel()
	hasher := &countingHasher{}
	store, err := migrate.NewDynamoDBStore(migrate.DynamoDBStoreConfig{Client: legacyTable(t, bcrypt.MinCost), Table: "legacy",
		KeyAttribute: "username", Attributes: legacyAttributes, Hasher: hasher, DummyHash: []byte(hash(t, "x", bcrypt.MinCost))})
	if err != nil {
		t.Fatal(err)
	}
	user, err := store.Lookup(context.Background(), "ada@example.com")
	if err != nil || user.Attributes["email"] != "ada@example.com" {
		t.Errorf("Lookup = %+v, %v", user, err)
	}
	if _, err := store.Lookup(context.Background(), "nobody@example.com"); !errors.Is(err, migrate.ErrUnknownUser) {
		t.Errorf("unknown user: %v, want ErrUnknownUser", err)
	}
	if n := len(hasher.compared()); n != 0 {
		t.Errorf("Lookup compared %d hashes, want none", n)
	}
}

func TestDynamoDBStoreDefaultHasherAndErrors(t *testing.T) {
	t.Parallel()
	table := legacyTable(t, bcrypt.MinCost)
	store, err := migrate.NewDynamoDBStore(migrate.DynamoDBStoreConfig{Client: table, Table: "legacy", KeyAttribute: "username", Attributes: legacyAttributes})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := store.Authenticate(ctx, "ada@example.com", adaPassword); err != nil {
		t.Errorf("right password with the default bcrypt hasher: %v", err)
	}
	if _, err := store.Authenticate(ctx, "nobody@example.com", adaPassword); !errors.Is(err, migrate.ErrUnknownUser) {
		t.Errorf("unknown user with the default dummy hash: %v", err)
	}
	failing := &fakeTable{err: errors.New("ThrottlingException")}
	store, _ = migrate.NewDynamoDBStore(migrate.DynamoDBStoreConfig{Client: failing, Table: "legacy", KeyAttribute: "username", Attributes: legacyAttributes})
	_, err = store.Authenticate(ctx, "ada@example.com", adaPassword)
	if err == nil || errors.Is(err, migrate.ErrUnknownUser) || errors.Is(err, migrate.ErrWrongPassword) || !errors.Is(err, failing.err) {
		t.Errorf("table failure: %v, want the DynamoDB error, not a credentials error", err)
	}
}

func TestDynamoDBStoreBadConfiguration(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		cfg  migrate.DynamoDBStoreConfig
		want string
	}{
		"no table":     {migrate.DynamoDBStoreConfig{KeyAttribute: "u", Attributes: legacyAttributes}, "Table is empty"},
		"no key":       {migrate.DynamoDBStoreConfig{Table: "t", Attributes: legacyAttributes}, "KeyAttribute is empty"},
		"no mapping":   {migrate.DynamoDBStoreConfig{Table: "t", KeyAttribute: "u"}, "Attributes is empty"},
		"empty target": {migrate.DynamoDBStoreConfig{Table: "t", KeyAttribute: "u", Attributes: map[string]string{"a": ""}}, "empty attribute name"},
		"hash exposed": {migrate.DynamoDBStoreConfig{Table: "t", KeyAttribute: "u",
			Attributes: map[string]string{"passwordHash": "custom:hash"}}, "holds the password hash"},
		"custom hash exposed": {migrate.DynamoDBStoreConfig{Table: "t", KeyAttribute: "u", HashAttribute: "pw",
			Attributes: map[string]string{"pw": "custom:pw"}}, "holds the password hash"},
		"sub": {migrate.DynamoDBStoreConfig{Table: "t", KeyAttribute: "u", Attributes: map[string]string{"id": "sub"}}, "assigns sub"},
		"hasher without dummy": {migrate.DynamoDBStoreConfig{Table: "t", KeyAttribute: "u", Attributes: legacyAttributes,
			Hasher: migrate.Bcrypt}, "Hasher without DummyHash"},
	}
	for name, tt := range tests {
		st, err := migrate.NewDynamoDBStore(tt.cfg)
		if err == nil || st != nil || !strings.HasPrefix(err.Error(), "migrate.NewDynamoDBStore: ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: store %v, error %v; want only an error from migrate.NewDynamoDBStore with %q", name, st != nil, err, tt.want)
		}
	}
}

func TestDummyBcryptHash(t *testing.T) {
	t.Parallel()
	h, err := migrate.DummyBcryptHash(bcrypt.MinCost + 1)
	if err != nil {
		t.Fatal(err)
	}
	if cost, err := bcrypt.Cost(h); err != nil || cost != bcrypt.MinCost+1 {
		t.Errorf("cost = %d, %v; want %d", cost, err, bcrypt.MinCost+1)
	}
	h2, _ := migrate.DummyBcryptHash(bcrypt.MinCost + 1)
	if string(h) == string(h2) {
		t.Error("two dummy hashes are equal; the password must be random")
	}
	if _, err := migrate.DummyBcryptHash(bcrypt.MaxCost + 1); err == nil {
		t.Error("cost above bcrypt's maximum accepted")
	}
}

// The unknown-user path must cost about what the wrong-password path costs: both are one
// bcrypt comparison at the store's cost (10, bcrypt's default, here) plus one GetItem.
// Compare the two ns/op figures:
//
//	go test -run ^$ -bench DynamoDBStoreTiming -benchtime 20x ./migrate/
func BenchmarkDynamoDBStoreTiming(b *testing.B) {
	table := legacyTable(b, bcrypt.DefaultCost)
	store, err := migrate.NewDynamoDBStore(migrate.DynamoDBStoreConfig{Client: table, Table: "legacy", KeyAttribute: "username", Attributes: legacyAttributes})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, bc := range []struct {
		name, username string
		want           error
	}{
		{"wrong-password", "ada@example.com", migrate.ErrWrongPassword},
		{"unknown-user", "nobody@example.com", migrate.ErrUnknownUser},
		{"right-password", "ada@example.com", nil},
	} {
		password := triggers.Secret("Tr0ub4dor&3")
		if bc.want == nil {
			password = adaPassword
		}
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := store.Authenticate(ctx, bc.username, password); !errors.Is(err, bc.want) {
					b.Fatalf("err = %v, want %v", err, bc.want)
				}
			}
		})
	}
}
