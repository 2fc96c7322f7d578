package customauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/lambda-triggers/cognito/internal/awsclient/lazykms"
)

// LinkSigner signs and checks the tokens of sign-in links ([MagicLinkStep]). Verify
// reports a signature that does not match as false, nil; an error means the check could
// not be made. [HMACSigner] and [KMSSigner] implement it.
type LinkSigner interface {
	Sign(ctx context.Context, message []byte) ([]byte, error)
	Verify(ctx context.Context, message, signature []byte) (bool, error)
}

// HMACSigner returns a [LinkSigner] that signs with HMAC-SHA256 under key, at least 32
// bytes. The key must stay secret: whoever holds it can make links for any user.
func HMACSigner(key []byte) (LinkSigner, error) {
	if len(key) < minKeyLen {
		return nil, fmt.Errorf("customauth: link signing key must be at least %d bytes", minKeyLen)
	}
	return hmacSigner(append([]byte(nil), key...)), nil
}

type hmacSigner []byte

func (k hmacSigner) mac(message []byte) []byte {
	m := hmac.New(sha256.New, k)
	m.Write(message)
	return m.Sum(nil)
}

func (k hmacSigner) Sign(_ context.Context, message []byte) ([]byte, error) {
	return k.mac(message), nil
}

func (k hmacSigner) Verify(_ context.Context, message, signature []byte) (bool, error) {
	return hmac.Equal(k.mac(message), signature), nil
}

// KMSAPI is the part of the KMS client that [KMSSigner] uses; *kms.Client satisfies it.
type KMSAPI interface {
	Sign(ctx context.Context, in *kms.SignInput, optFns ...func(*kms.Options)) (*kms.SignOutput, error)
	Verify(ctx context.Context, in *kms.VerifyInput, optFns ...func(*kms.Options)) (*kms.VerifyOutput, error)
}

// KMSSigner is a [LinkSigner] backed by an asymmetric KMS key (key usage SIGN_VERIFY):
// the private key never leaves KMS, and the function's role needs kms:Sign and
// kms:Verify on the key only.
type KMSSigner struct {
	// Client is the KMS client; nil uses the process-wide client, created on first use.
	Client KMSAPI
	// KeyID is the key's id, ARN or alias. Required.
	KeyID string
	// Algorithm is the signing algorithm: ECDSA_SHA_256 (for an ECC_NIST_P256 key)
	// when empty.
	Algorithm kmstypes.SigningAlgorithmSpec
}

func (s *KMSSigner) client(ctx context.Context) (KMSAPI, error) {
	if s.Client != nil {
		return s.Client, nil
	}
	return lazykms.Default(ctx)
}

func (s *KMSSigner) algorithm() kmstypes.SigningAlgorithmSpec {
	if s.Algorithm == "" {
		return kmstypes.SigningAlgorithmSpecEcdsaSha256
	}
	return s.Algorithm
}

// Sign implements [LinkSigner] with KMS Sign over the raw message.
func (s *KMSSigner) Sign(ctx context.Context, message []byte) ([]byte, error) {
	if s.KeyID == "" {
		return nil, errors.New("KMS signer has no key id")
	}
	c, err := s.client(ctx)
	if err != nil {
		return nil, err
	}
	out, err := c.Sign(ctx, &kms.SignInput{KeyId: &s.KeyID, Message: message,
		MessageType: kmstypes.MessageTypeRaw, SigningAlgorithm: s.algorithm()})
	if err != nil {
		return nil, fmt.Errorf("sign with KMS key %s: %w", s.KeyID, err)
	}
	return out.Signature, nil
}

// Verify implements [LinkSigner] with KMS Verify; KMS's invalid signature error is a
// false result.
func (s *KMSSigner) Verify(ctx context.Context, message, signature []byte) (bool, error) {
	if s.KeyID == "" {
		return false, errors.New("KMS signer has no key id")
	}
	c, err := s.client(ctx)
	if err != nil {
		return false, err
	}
	out, err := c.Verify(ctx, &kms.VerifyInput{KeyId: &s.KeyID, Message: message, Signature: signature,
		MessageType: kmstypes.MessageTypeRaw, SigningAlgorithm: s.algorithm()})
	var invalid *kmstypes.KMSInvalidSignatureException
	switch {
	case errors.As(err, &invalid):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("verify with KMS key %s: %w", s.KeyID, err)
	}
	return out.SignatureValid, nil
}
