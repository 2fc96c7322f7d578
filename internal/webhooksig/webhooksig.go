// Package webhooksig signs the JSON documents that modules post to HTTPS endpoints, one
// scheme for every module: "sha256=" and the hex HMAC-SHA256, keyed with a shared
// secret, of the timestamp, a ".", and the body.
package webhooksig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"strconv"
	"time"
)

// Headers of a signed delivery.
const (
	SignatureHeader = "X-Signature-SHA256"
	TimestampHeader = "X-Signature-Timestamp"
)

// Sign returns the signature header value of body signed at timestamp.
func Sign(key []byte, timestamp string, body []byte) string {
	return "sha256=" + hex.EncodeToString(MAC(key, timestamp, body))
}

// MAC is the HMAC-SHA256 of timestamp "." body.
func MAC(key []byte, timestamp string, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(timestamp))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Timestamp is the timestamp header value for t: Unix seconds.
func Timestamp(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// IsLoopback reports whether host is localhost or a loopback IP, to which http is
// allowed for local development.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
