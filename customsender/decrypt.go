package customsender

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	mpl "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygenerated"
	mpltypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygeneratedtypes"
	esdk "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygenerated"
	esdktypes "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygeneratedtypes"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/triggers"
)

// UserPoolContextKey is the encryption context key under which Cognito binds an
// encrypted code to its user pool.
const UserPoolContextKey = "userpool-id"

// Errors a [Decrypter] returns, wrapped in a [*DecryptError]; match with errors.Is.
var (
	// ErrNoCode: the event carries no code to decrypt.
	ErrNoCode = errors.New("no code in the event")
	// ErrNotBase64: the code is not standard base64, so it was not encrypted by Cognito.
	ErrNotBase64 = errors.New("code is not base64")
	// ErrUndecryptable: the Encryption SDK refused the message: it is malformed or was
	// changed, or none of the keyring's keys wrapped its data key, or KMS refused.
	ErrUndecryptable = errors.New("code does not decrypt")
	// ErrWrongUserPool: the message decrypted, but its encryption context binds it to
	// another user pool (or to none).
	ErrWrongUserPool = errors.New("code was encrypted for another user pool")
)

// DecryptError reports a code that could not be turned into its plaintext. It is for
// operators: it names the user pool and the reason, never the ciphertext or the plaintext.
type DecryptError struct {
	UserPoolID string
	Err        error // one of ErrNoCode, ErrNotBase64, ErrUndecryptable, ErrWrongUserPool, or a setup error
	// Detail says why the Encryption SDK refused the code, in a fixed phrase.
	Detail string
}

func (e *DecryptError) Error() string {
	s := fmt.Sprintf("decrypt code for user pool %q: %v", e.UserPoolID, e.Err)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Unwrap returns the reason.
func (e *DecryptError) Unwrap() error { return e.Err }

// Decrypter turns the code Cognito put in a custom sender event into its plaintext. The
// modules of this package take one, so that their tests can pass a fake; [KMSDecrypter]
// is the real one.
type Decrypter interface {
	// Decrypt returns the plaintext of code, which Cognito encrypted for userPoolID.
	Decrypt(ctx context.Context, userPoolID string, code triggers.Secret) (triggers.Secret, error)
}

// KMSDecrypter returns the [Decrypter] Cognito's codes need: the AWS Encryption SDK with
// a KMS keyring over keyARNs (the user pool's KMSKeyID, plus older keys while rotating),
// and the commitment policy REQUIRE_ENCRYPT_ALLOW_DECRYPT, which accepts Cognito's
// message format 1 with its signed, non-committing suite as well as format 2. A code
// decrypts only when its encryption context's "userpool-id" is the event's user pool.
//
// The KMS clients, the keyring and the Encryption SDK client are built on the first
// Decrypt, from the process-wide AWS configuration (so AWS_ENDPOINT_URL_KMS points them
// at a local server), once per process; each KMS client uses its key's region. Key ARNs
// are checked here: a key ID or alias is refused, because the keyring matches a
// message's data keys by ARN. Decrypt is safe for concurrent use; calls are serialised,
// as the SDK's keyring is not.
func KMSDecrypter(keyARNs ...string) (Decrypter, error) {
	if len(keyARNs) == 0 {
		return nil, errors.New("KMS decrypter: no key ARN")
	}
	for _, arn := range keyARNs {
		if _, err := keyRegion(arn); err != nil {
			return nil, fmt.Errorf("KMS decrypter: %w", err)
		}
	}
	return &kmsDecrypter{keyARNs: append([]string(nil), keyARNs...)}, nil
}

// keyRegion returns the region of a KMS key ARN, arn:<partition>:kms:<region>:<account>:key/<id>.
func keyRegion(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "kms" || parts[3] == "" ||
		parts[4] == "" || !strings.HasPrefix(parts[5], "key/") || len(parts[5]) == len("key/") {
		return "", fmt.Errorf("%q is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)", arn)
	}
	return parts[3], nil
}

type kmsDecrypter struct {
	keyARNs []string

	mu    sync.Mutex
	ready bool
	// decrypting serialises Decrypt: the keyring of the Encryption SDK for Go writes to
	// shared state while it decrypts (the race detector finds it), and Lambda hands a
	// process one event at a time anyway.
	decrypting sync.Mutex
	client     *esdk.Client
	keyring    mpltypes.IKeyring
}

// setup builds the clients and the keyring once; a failure is tried again next time.
func (d *kmsDecrypter) setup(ctx context.Context) (*esdk.Client, mpltypes.IKeyring, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ready {
		return d.client, d.keyring, nil
	}
	cfg, err := awsclient.Config(ctx)
	if err != nil {
		return nil, nil, err
	}
	providers, err := mpl.NewClient(mpltypes.MaterialProvidersConfig{})
	if err != nil {
		return nil, nil, fmt.Errorf("material providers: %w", err)
	}
	clients := map[string]*kms.Client{}
	keyrings := make([]mpltypes.IKeyring, 0, len(d.keyARNs))
	for _, arn := range d.keyARNs {
		region, _ := keyRegion(arn)
		c, ok := clients[region]
		if !ok {
			c = kms.NewFromConfig(cfg, func(o *kms.Options) { o.Region = region })
			clients[region] = c
		}
		kr, err := providers.CreateAwsKmsKeyring(ctx, mpltypes.CreateAwsKmsKeyringInput{KmsClient: c, KmsKeyId: arn})
		if err != nil {
			return nil, nil, fmt.Errorf("KMS keyring for %s: %w", arn, err)
		}
		keyrings = append(keyrings, kr)
	}
	keyring := keyrings[0]
	if len(keyrings) > 1 {
		if keyring, err = providers.CreateMultiKeyring(ctx, mpltypes.CreateMultiKeyringInput{
			Generator: keyrings[0], ChildKeyrings: keyrings[1:],
		}); err != nil {
			return nil, nil, fmt.Errorf("multi-keyring: %w", err)
		}
	}
	policy := mpltypes.ESDKCommitmentPolicyRequireEncryptAllowDecrypt
	client, err := esdk.NewClient(esdktypes.AwsEncryptionSdkConfig{CommitmentPolicy: &policy, MaxEncryptedDataKeys: aws.Int64(maxDataKeys)})
	if err != nil {
		return nil, nil, fmt.Errorf("encryption SDK client: %w", err)
	}
	d.client, d.keyring, d.ready = client, keyring, true
	return client, keyring, nil
}

// maxDataKeys bounds the encrypted data keys a message may carry. Cognito's have one;
// a message with many would make the keyring try KMS once for each.
const maxDataKeys = 10

func (d *kmsDecrypter) Decrypt(ctx context.Context, userPoolID string, code triggers.Secret) (triggers.Secret, error) {
	fail := func(err error, detail string) (triggers.Secret, error) {
		return "", &DecryptError{UserPoolID: userPoolID, Err: err, Detail: detail}
	}
	if code == "" {
		return fail(ErrNoCode, "")
	}
	ciphertext, err := base64.StdEncoding.DecodeString(strings.TrimSpace(code.Reveal()))
	if err != nil {
		return fail(ErrNotBase64, "")
	}
	client, keyring, err := d.setup(ctx)
	if err != nil {
		return fail(err, "")
	}
	d.decrypting.Lock()
	out, err := client.Decrypt(ctx, esdktypes.DecryptInput{Ciphertext: ciphertext, Keyring: keyring})
	d.decrypting.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return fail(ctx.Err(), "")
		}
		return fail(ErrUndecryptable, reason(err))
	}
	if got, ok := out.EncryptionContext[UserPoolContextKey]; !ok || got != userPoolID {
		return fail(ErrWrongUserPool, "")
	}
	return triggers.Secret(out.Plaintext), nil
}

// reason turns the Encryption SDK's error into one of a few fixed phrases. The SDK's
// own text describes the parsed message, so a changed message would put its bytes in
// a log line; these phrases never carry data.
func reason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "No Encrypted Data Keys found to match"):
		return "no data key under the keyring's keys: encrypted under another key, or changed"
	case strings.Contains(msg, "Unable to decrypt data key"):
		return "KMS did not decrypt the data key"
	case strings.Contains(msg, "commitment"), strings.Contains(msg, "Commitment"):
		return "refused by the commitment policy"
	default:
		return "malformed or changed message"
	}
}
