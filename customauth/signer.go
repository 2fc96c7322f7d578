package customauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
)

// LinkSigner signs and checks the tokens of sign-in links ([MagicLinkStep]). Verify
// reports a signature that does not match as false, nil; an error means the check could
// not be made. [HMACSigner] and package customauth/kmssigner implement it.
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
	return hmacSigner{key: append([]byte(nil), key...)}, nil
}

// hmacSigner keeps its key in an unexported field, out of encoding/json and log/slog,
// and its Format keeps every fmt verb from printing it.
type hmacSigner struct{ key []byte }

// Format prints the signer's kind, never its key.
func (hmacSigner) Format(f fmt.State, _ rune) {
	_, _ = f.Write([]byte("customauth.HMACSigner([REDACTED])"))
}

func (k hmacSigner) mac(message []byte) []byte {
	m := hmac.New(sha256.New, k.key)
	m.Write(message)
	return m.Sum(nil)
}

func (k hmacSigner) Sign(_ context.Context, message []byte) ([]byte, error) {
	return k.mac(message), nil
}

func (k hmacSigner) Verify(_ context.Context, message, signature []byte) (bool, error) {
	return hmac.Equal(k.mac(message), signature), nil
}
