package awslocal_test

import (
	"encoding/base64"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// TestIntegrationKMS checks local-kms and the JavaScript encryption together: a code
// encrypted as Cognito does is a message of format 1 with the signed suite, and KMS
// decrypts its data key.
func TestIntegrationKMS(t *testing.T) {
	t.Parallel()
	srv := awslocal.Start(t, awslocal.Config{KMS: true})
	key := srv.CreateKMSKey(t)
	if _, err := srv.KMS.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: &key}); err != nil {
		t.Fatal(err)
	}
	out, err := srv.EncryptCodes(t.Context(), []awslocal.CodeToEncrypt{
		{KeyARN: key, UserPoolID: "us-east-1_aaaaaaaaa", Code: "123456"},
		{KeyARN: key, UserPoolID: "us-east-1_bbbbbbbbb", Code: "654321"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range out {
		raw, err := base64.StdEncoding.DecodeString(ct)
		if err != nil {
			t.Fatalf("not base64: %v", err)
		}
		// Format 1 (0x01), type 0x80, suite 0x0378: AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384.
		if len(raw) < 4 || raw[0] != 0x01 || raw[1] != 0x80 || raw[2] != 0x03 || raw[3] != 0x78 {
			t.Errorf("header % x, want 01 80 03 78", raw[:min(4, len(raw))])
		}
	}
	if out[0] == out[1] {
		t.Error("two codes gave the same ciphertext")
	}
	found := false
	for _, e := range srv.Env() {
		found = found || e == "AWS_ENDPOINT_URL_KMS="+srv.KMSEndpoint
	}
	if !found {
		t.Errorf("Env() %q lacks AWS_ENDPOINT_URL_KMS", srv.Env())
	}
}

// TestIntegrationKMSSigningKey checks that local-kms signs and verifies with an
// asymmetric key as KMS does: a signature verifies for its message only, and a wrong one
// is KMS's invalid signature error.
func TestIntegrationKMSSigningKey(t *testing.T) {
	t.Parallel()
	srv := awslocal.Start(t, awslocal.Config{KMS: true})
	key := srv.CreateKMSSigningKey(t)
	ctx := t.Context()
	desc, err := srv.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &key})
	if err != nil {
		t.Fatal(err)
	}
	if m := desc.KeyMetadata; m.KeySpec != kmstypes.KeySpecEccNistP256 || m.KeyUsage != kmstypes.KeyUsageTypeSignVerify {
		t.Fatalf("key spec %s usage %s", m.KeySpec, m.KeyUsage)
	}
	alg := kmstypes.SigningAlgorithmSpecEcdsaSha256
	msg := []byte("message")
	signed, err := srv.KMS.Sign(ctx, &kms.SignInput{KeyId: &key, Message: msg, MessageType: kmstypes.MessageTypeRaw, SigningAlgorithm: alg})
	if err != nil {
		t.Fatal(err)
	}
	verify := func(msg []byte) error {
		out, err := srv.KMS.Verify(ctx, &kms.VerifyInput{KeyId: &key, Message: msg, Signature: signed.Signature,
			MessageType: kmstypes.MessageTypeRaw, SigningAlgorithm: alg})
		if err == nil && !out.SignatureValid {
			t.Fatal("Verify returned no error and an invalid signature")
		}
		return err
	}
	if err := verify(msg); err != nil {
		t.Fatalf("Verify of the signed message: %v", err)
	}
	var invalid *kmstypes.KMSInvalidSignatureException
	if err := verify([]byte("massage")); !errors.As(err, &invalid) {
		t.Fatalf("Verify of another message: %v, want KMSInvalidSignatureException", err)
	}
}
