package migrate

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/crypto/bcrypt"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazydynamodb"
	"github.com/lambda-triggers/cognito/triggers"
)

// GetItemAPI is the part of the DynamoDB client that [DynamoDBStore] uses;
// *dynamodb.Client satisfies it as is.
type GetItemAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// PasswordHasher checks a password against a stored hash. Compare returns nil when
// they match, an error wrapping [ErrWrongPassword] (or bcrypt's
// ErrMismatchedHashAndPassword) when they do not, and any other error for a hash it
// cannot read. It must take the same time whatever the password, and its errors must
// not contain the password.
type PasswordHasher interface {
	Compare(hash, password []byte) error
}

// Bcrypt checks bcrypt hashes ($2a$, $2b$, $2y$), the usual format of legacy stores.
var Bcrypt PasswordHasher = bcryptHasher{}

type bcryptHasher struct{}

func (bcryptHasher) Compare(hash, password []byte) error {
	return bcrypt.CompareHashAndPassword(hash, password)
}

// defaultDummyHash is a bcrypt hash, at bcrypt's default cost of 10, of a random
// password nobody knows. An unknown user's password is compared with it so that the
// answer takes as long as for a known user with a wrong password.
var defaultDummyHash = []byte("$2a$10$qhGQT2qrMgO5s9K6uY2CR.tAFJcbPHbUA6FEDqvBBdNyrxkAoPZDO")

// DynamoDBStoreConfig configures [NewDynamoDBStore].
type DynamoDBStoreConfig struct {
	// Client reads the table; nil means the process-wide DynamoDB client, created on
	// first use.
	Client GetItemAPI
	// Table is the table of legacy users, one item per user. Required.
	Table string
	// KeyAttribute names the item's string key attribute that holds the username.
	// Required.
	KeyAttribute string
	// Attributes maps item attributes to the Cognito user attributes they become, such
	// as {"mail": "email", "mailVerified": "email_verified"}; string, number and boolean
	// item values are taken, as their text. Required.
	Attributes map[string]string
	// HashAttribute names the item attribute that holds the password hash; "" means
	// "passwordHash".
	HashAttribute string
	// Hasher checks passwords against the stored hashes; nil means [Bcrypt]. A Hasher
	// needs DummyHash.
	Hasher PasswordHasher
	// DummyHash is a hash in the stored format, and of the same cost, of a password
	// nobody knows: an unknown user's password is compared with it, so that an unknown
	// username costs the same time as a wrong password. Nil means a bcrypt hash of cost
	// 10; for bcrypt hashes of another cost, take one from [DummyBcryptHash].
	DummyHash []byte
	// ConsistentRead makes lookups strongly consistent reads, for a legacy table that is
	// still being written to.
	ConsistentRead bool
}

// DummyBcryptHash returns a bcrypt hash of the given cost of a random password, for
// DynamoDBStoreConfig.DummyHash when the stored hashes are not of cost 10. It takes as long as one
// bcrypt hash of that cost; call it once, at start.
func DummyBcryptHash(cost int) ([]byte, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), cost)
	if err != nil {
		return nil, fmt.Errorf("migrate: DummyBcryptHash: %w", err)
	}
	return h, nil
}

// DynamoDBStore is a [Store] over a DynamoDB table of legacy users, one item per user,
// keyed by username, holding a password hash and attributes.
type DynamoDBStore struct {
	client     *awsclient.Lazy[GetItemAPI]
	table      string
	keyAttr    string
	attributes map[string]string // item attribute -> user attribute
	hashAttr   string
	hasher     PasswordHasher
	dummy      []byte
	consistent bool
	projection string
	names      map[string]string
}

// NewDynamoDBStore returns a store that reads the item whose key attribute
// (cfg.KeyAttribute) is the username, and checks the password against its hash (bcrypt
// unless cfg.Hasher says otherwise).
//
// An unknown username costs one comparison with a dummy hash, so that it takes as long
// as a wrong password; a user whose item has no usable hash is a wrong password.
func NewDynamoDBStore(cfg DynamoDBStoreConfig) (*DynamoDBStore, error) {
	fail := func(format string, args ...any) (*DynamoDBStore, error) {
		return nil, fmt.Errorf("migrate.NewDynamoDBStore: "+format, args...)
	}
	switch {
	case cfg.Table == "":
		return fail("Table is empty")
	case cfg.KeyAttribute == "":
		return fail("KeyAttribute is empty")
	case len(cfg.Attributes) == 0:
		return fail("Attributes is empty: no item attribute to map to a user attribute")
	case cfg.Hasher != nil && len(cfg.DummyHash) == 0:
		return fail("Hasher without DummyHash")
	}
	if cfg.HashAttribute == "" {
		cfg.HashAttribute = "passwordHash"
	}
	if cfg.Hasher == nil {
		cfg.Hasher = Bcrypt
	}
	dummy := slices.Clone(cfg.DummyHash)
	if len(dummy) == 0 {
		dummy = defaultDummyHash
	}
	attributes := cfg.Attributes
	s := &DynamoDBStore{
		client:     awsclient.NewLazy(cfg.Client, func(ctx context.Context) (GetItemAPI, error) { return lazydynamodb.Default(ctx) }),
		table:      cfg.Table,
		keyAttr:    cfg.KeyAttribute,
		attributes: maps.Clone(attributes),
		hashAttr:   cfg.HashAttribute,
		hasher:     cfg.Hasher,
		dummy:      dummy,
		consistent: cfg.ConsistentRead,
		names:      map[string]string{"#h": cfg.HashAttribute},
	}
	projection := []string{"#h"}
	for i, attr := range slices.Sorted(maps.Keys(attributes)) {
		switch {
		case attr == "" || attributes[attr] == "":
			return fail("Attributes: empty attribute name in %q: %q", attr, attributes[attr])
		case attr == cfg.HashAttribute:
			return fail("Attributes: %q holds the password hash; it must never become a user attribute", attr)
		case attributes[attr] == "sub":
			return fail("Attributes: %q: Cognito assigns sub itself", attr)
		}
		ph := "#a" + strconv.Itoa(i)
		s.names[ph] = attr
		projection = append(projection, ph)
	}
	s.projection = strings.Join(projection, ", ")
	return s, nil
}

// Authenticate implements [Store].
func (s *DynamoDBStore) Authenticate(ctx context.Context, username string, password triggers.Secret) (*User, error) {
	item, err := s.get(ctx, username)
	if err != nil {
		return nil, err
	}
	if item == nil {
		_ = s.hasher.Compare(s.dummy, []byte(password.Reveal()))
		return nil, ErrUnknownUser
	}
	hash, ok := item[s.hashAttr].(*types.AttributeValueMemberS)
	if !ok || hash.Value == "" {
		_ = s.hasher.Compare(s.dummy, []byte(password.Reveal()))
		return nil, fmt.Errorf("%w: the item has no %s", ErrWrongPassword, s.hashAttr)
	}
	if err := s.hasher.Compare([]byte(hash.Value), []byte(password.Reveal())); err != nil {
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) || errors.Is(err, ErrWrongPassword) {
			return nil, ErrWrongPassword
		}
		// A hash the hasher cannot read is the operator's problem, but the user must see
		// the same answer as for any wrong password.
		return nil, fmt.Errorf("%w: stored hash not usable: %v", ErrWrongPassword, err)
	}
	return s.user(item), nil
}

// Lookup implements [Store].
func (s *DynamoDBStore) Lookup(ctx context.Context, username string) (*User, error) {
	item, err := s.get(ctx, username)
	if err != nil {
		return nil, err
	}
	if item == nil {
		return nil, ErrUnknownUser
	}
	return s.user(item), nil
}

func (s *DynamoDBStore) get(ctx context.Context, username string) (map[string]types.AttributeValue, error) {
	if username == "" {
		return nil, nil
	}
	client, err := s.client.Get(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: default DynamoDB client: %w", err)
	}
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(s.table),
		Key:                      map[string]types.AttributeValue{s.keyAttr: &types.AttributeValueMemberS{Value: username}},
		ProjectionExpression:     aws.String(s.projection),
		ExpressionAttributeNames: s.names,
		ConsistentRead:           aws.Bool(s.consistent),
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: get user from table %q: %w", s.table, err)
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	return out.Item, nil
}

func (s *DynamoDBStore) user(item map[string]types.AttributeValue) *User {
	attrs := make(triggers.Attributes, len(s.attributes))
	for from, to := range s.attributes {
		switch v := item[from].(type) {
		case *types.AttributeValueMemberS:
			attrs[to] = v.Value
		case *types.AttributeValueMemberN:
			attrs[to] = v.Value
		case *types.AttributeValueMemberBOOL:
			attrs[to] = strconv.FormatBool(v.Value)
		}
	}
	return &User{Attributes: attrs}
}
