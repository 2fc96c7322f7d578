// Package kmssigner signs the tokens of customauth's sign-in links (customauth.MagicLinkStep)
// with an asymmetric KMS key. It is a package of its own so that a function that signs
// with an HMAC key does not link the KMS client.
//
//	links, err := customauth.MagicLinkStep(customauth.MagicLinkConfig{
//		Signer: &kmssigner.Signer{KeyID: "alias/sign-in-links"},
//		// From, Store, RedirectURL, ...
//	})
package kmssigner

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/lambda-triggers/cognito/internal/awsclient/lazykms"
)

// KMSAPI is the part of the KMS client that [Signer] uses; *kms.Client satisfies it.
type KMSAPI interface {
	Sign(ctx context.Context, in *kms.SignInput, optFns ...func(*kms.Options)) (*kms.SignOutput, error)
	Verify(ctx context.Context, in *kms.VerifyInput, optFns ...func(*kms.Options)) (*kms.VerifyOutput, error)
}

// Signer is a customauth.LinkSigner backed by an asymmetric KMS key (key usage
// SIGN_VERIFY): the private key never leaves KMS, and the function's role needs kms:Sign
// and kms:Verify on the key only.
type Signer struct {
	// Client is the KMS client; nil uses the process-wide client, created on first use.
	Client KMSAPI
	// KeyID is the key's id, ARN or alias. Required.
	KeyID string
	// Algorithm is the signing algorithm: ECDSA_SHA_256 (for an ECC_NIST_P256 key)
	// when empty.
	Algorithm kmstypes.SigningAlgorithmSpec
}

func (s *Signer) client(ctx context.Context) (KMSAPI, error) {
	if s.Client != nil {
		return s.Client, nil
	}
	return lazykms.Default(ctx)
}

func (s *Signer) algorithm() kmstypes.SigningAlgorithmSpec {
	if s.Algorithm == "" {
		return kmstypes.SigningAlgorithmSpecEcdsaSha256
	}
	return s.Algorithm
}

// Sign implements customauth.LinkSigner with KMS Sign over the raw message.
func (s *Signer) Sign(ctx context.Context, message []byte) ([]byte, error) {
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

// Verify implements customauth.LinkSigner with KMS Verify; KMS's invalid signature error is a
// false result.
func (s *Signer) Verify(ctx context.Context, message, signature []byte) (bool, error) {
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
