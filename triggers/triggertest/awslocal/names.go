package awslocal

import (
	"crypto/rand"
	"strings"
)

// UniqueName returns prefix followed by a random suffix, such as
// "orders-k3v9q2m7xw4p". Servers shared by several tests, or by one test
// replayed with -count, then never see the same table, pool or user twice.
// The suffix uses only lower-case letters and digits, valid in DynamoDB
// table names, Cognito pool and group names, and e-mail local parts.
func UniqueName(prefix string) string {
	return prefix + "-" + strings.ToLower(rand.Text()[:12])
}
