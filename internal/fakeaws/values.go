package fakeaws

import (
	"bytes"
	"fmt"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// item is one DynamoDB item: attribute name to value.
type item = map[string]types.AttributeValue

// typeName is the DynamoDB type descriptor of v: "S", "N", "SS", ... and "" for nil or
// an unknown member.
func typeName(v types.AttributeValue) string {
	switch v.(type) {
	case *types.AttributeValueMemberS:
		return "S"
	case *types.AttributeValueMemberN:
		return "N"
	case *types.AttributeValueMemberB:
		return "B"
	case *types.AttributeValueMemberSS:
		return "SS"
	case *types.AttributeValueMemberNS:
		return "NS"
	case *types.AttributeValueMemberBS:
		return "BS"
	case *types.AttributeValueMemberM:
		return "M"
	case *types.AttributeValueMemberL:
		return "L"
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberBOOL:
		return "BOOL"
	}
	return ""
}

// isScalarKeyType reports whether a value of type t can be ordered: N, S or B.
func isScalarKeyType(t string) bool { return t == "S" || t == "N" || t == "B" }

// numberSyntax is the text DynamoDB accepts as a number.
var numberSyntax = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// parseNumber parses a DynamoDB number, enforcing its limits: 38 significant digits,
// magnitude from 1E-130 to below 1E+126.
func parseNumber(s string) (*big.Rat, error) {
	if !numberSyntax.MatchString(strings.TrimSpace(s)) {
		return nil, validationf("The parameter cannot be converted to a numeric value: %s", s)
	}
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		return nil, validationf("The parameter cannot be converted to a numeric value: %s", s)
	}
	if r.Sign() == 0 {
		return r, nil
	}
	digits, exp := decimalDigits(r)
	if len(digits) > 38 {
		return nil, validationf("Attempting to store more than 38 significant digits in a Number")
	}
	// The value is 0.<digits> x 10^exp.
	if exp > 126 {
		return nil, validationf("Number overflow. Attempting to store a number with magnitude larger than supported range")
	}
	if exp < -129 {
		return nil, validationf("Number underflow. Attempting to store a number with magnitude smaller than supported range")
	}
	return r, nil
}

// decimalDigits returns the significant digits of r (which must have a finite decimal
// expansion, as every parsed number has) without leading or trailing zeros, and the
// exponent e such that |r| = 0.<digits> x 10^e.
func decimalDigits(r *big.Rat) (string, int) {
	abs := new(big.Rat).Abs(r)
	text := abs.FloatString(200)
	intPart, frac, _ := strings.Cut(text, ".")
	frac = strings.TrimRight(frac, "0")
	intPart = strings.TrimLeft(intPart, "0")
	if intPart != "" {
		digits := strings.TrimRight(intPart+frac, "0")
		return digits, len(intPart)
	}
	trimmed := strings.TrimLeft(frac, "0")
	return trimmed, -(len(frac) - len(trimmed))
}

// formatNumber writes r as DynamoDB returns numbers: plain decimal notation, no
// exponent, no leading or trailing zeros.
func formatNumber(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	s := strings.TrimRight(r.FloatString(200), "0")
	return strings.TrimSuffix(s, ".")
}

// normalizeNumber parses s and writes it back in DynamoDB's canonical form.
func normalizeNumber(s string) (string, error) {
	r, err := parseNumber(s)
	if err != nil {
		return "", err
	}
	return formatNumber(r), nil
}

// validateValue checks v as DynamoDB checks an attribute value in a request: exactly one
// type, numbers in range, sets neither empty nor with duplicates. It returns v with its
// numbers in canonical form, as a copy that shares nothing with v.
func validateValue(v types.AttributeValue) (types.AttributeValue, error) {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return &types.AttributeValueMemberS{Value: v.Value}, nil
	case *types.AttributeValueMemberN:
		n, err := normalizeNumber(v.Value)
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberN{Value: n}, nil
	case *types.AttributeValueMemberB:
		if v.Value == nil {
			return nil, validationf("One or more parameter values were invalid: An AttributeValue may not contain a null binary")
		}
		return &types.AttributeValueMemberB{Value: bytes.Clone(v.Value)}, nil
	case *types.AttributeValueMemberBOOL:
		return &types.AttributeValueMemberBOOL{Value: v.Value}, nil
	case *types.AttributeValueMemberNULL:
		if !v.Value {
			return nil, validationf("One or more parameter values were invalid: Null attribute value types must have the value of true")
		}
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case *types.AttributeValueMemberSS:
		if len(v.Value) == 0 {
			return nil, validationf("One or more parameter values were invalid: An string set  may not be empty")
		}
		seen := make(map[string]bool, len(v.Value))
		for _, s := range v.Value {
			if seen[s] {
				return nil, validationf("Input collection %v contains duplicates.", v.Value)
			}
			seen[s] = true
		}
		return &types.AttributeValueMemberSS{Value: slices.Clone(v.Value)}, nil
	case *types.AttributeValueMemberNS:
		if len(v.Value) == 0 {
			return nil, validationf("One or more parameter values were invalid: An number set  may not be empty")
		}
		out := make([]string, 0, len(v.Value))
		seen := make(map[string]bool, len(v.Value))
		for _, s := range v.Value {
			n, err := normalizeNumber(s)
			if err != nil {
				return nil, err
			}
			if seen[n] {
				return nil, validationf("Input collection %v contains duplicates.", v.Value)
			}
			seen[n] = true
			out = append(out, n)
		}
		return &types.AttributeValueMemberNS{Value: out}, nil
	case *types.AttributeValueMemberBS:
		if len(v.Value) == 0 {
			return nil, validationf("One or more parameter values were invalid: Binary sets should not be empty")
		}
		out := make([][]byte, 0, len(v.Value))
		seen := make(map[string]bool, len(v.Value))
		for _, b := range v.Value {
			if seen[string(b)] {
				return nil, validationf("Input collection contains duplicates.")
			}
			seen[string(b)] = true
			out = append(out, bytes.Clone(b))
		}
		return &types.AttributeValueMemberBS{Value: out}, nil
	case *types.AttributeValueMemberL:
		out := make([]types.AttributeValue, 0, len(v.Value))
		for _, e := range v.Value {
			c, err := validateValue(e)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	case *types.AttributeValueMemberM:
		out := make(map[string]types.AttributeValue, len(v.Value))
		for k, e := range v.Value {
			c, err := validateValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return &types.AttributeValueMemberM{Value: out}, nil
	}
	return nil, validationf("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
}

// validateItem validates every value of in and returns a copy.
func validateItem(in item) (item, error) {
	out := make(item, len(in))
	for name, v := range in {
		if name == "" {
			return nil, validationf("One or more parameter values are not valid. The AttributeName of an attribute must not be empty")
		}
		c, err := validateValue(v)
		if err != nil {
			return nil, err
		}
		out[name] = c
	}
	return out, nil
}

// copyValue returns a deep copy of v, which is already valid.
func copyValue(v types.AttributeValue) types.AttributeValue {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return &types.AttributeValueMemberS{Value: v.Value}
	case *types.AttributeValueMemberN:
		return &types.AttributeValueMemberN{Value: v.Value}
	case *types.AttributeValueMemberB:
		return &types.AttributeValueMemberB{Value: bytes.Clone(v.Value)}
	case *types.AttributeValueMemberBOOL:
		return &types.AttributeValueMemberBOOL{Value: v.Value}
	case *types.AttributeValueMemberNULL:
		return &types.AttributeValueMemberNULL{Value: v.Value}
	case *types.AttributeValueMemberSS:
		return &types.AttributeValueMemberSS{Value: slices.Clone(v.Value)}
	case *types.AttributeValueMemberNS:
		return &types.AttributeValueMemberNS{Value: slices.Clone(v.Value)}
	case *types.AttributeValueMemberBS:
		out := make([][]byte, len(v.Value))
		for i, b := range v.Value {
			out[i] = bytes.Clone(b)
		}
		return &types.AttributeValueMemberBS{Value: out}
	case *types.AttributeValueMemberL:
		out := make([]types.AttributeValue, len(v.Value))
		for i, e := range v.Value {
			out[i] = copyValue(e)
		}
		return &types.AttributeValueMemberL{Value: out}
	case *types.AttributeValueMemberM:
		out := make(map[string]types.AttributeValue, len(v.Value))
		for k, e := range v.Value {
			out[k] = copyValue(e)
		}
		return &types.AttributeValueMemberM{Value: out}
	}
	return v
}

// copyItem returns a deep copy of it, or nil for nil.
func copyItem(it item) item {
	if it == nil {
		return nil
	}
	out := make(item, len(it))
	for k, v := range it {
		out[k] = copyValue(v)
	}
	return out
}

// compareNumbers compares two canonical numbers.
func compareNumbers(a, b string) int {
	x, errX := parseNumber(a)
	y, errY := parseNumber(b)
	if errX != nil || errY != nil {
		return strings.Compare(a, b)
	}
	return x.Cmp(y)
}

// equalValues reports whether a and b are the same DynamoDB value: numbers by value, sets
// regardless of order.
func equalValues(a, b types.AttributeValue) bool {
	switch a := a.(type) {
	case *types.AttributeValueMemberS:
		b, ok := b.(*types.AttributeValueMemberS)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberN:
		b, ok := b.(*types.AttributeValueMemberN)
		return ok && compareNumbers(a.Value, b.Value) == 0
	case *types.AttributeValueMemberB:
		b, ok := b.(*types.AttributeValueMemberB)
		return ok && bytes.Equal(a.Value, b.Value)
	case *types.AttributeValueMemberBOOL:
		b, ok := b.(*types.AttributeValueMemberBOOL)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberNULL:
		_, ok := b.(*types.AttributeValueMemberNULL)
		return ok
	case *types.AttributeValueMemberSS:
		b, ok := b.(*types.AttributeValueMemberSS)
		return ok && sameSet(a.Value, b.Value, func(s string) string { return s })
	case *types.AttributeValueMemberNS:
		b, ok := b.(*types.AttributeValueMemberNS)
		return ok && sameSet(a.Value, b.Value, canonicalNumber)
	case *types.AttributeValueMemberBS:
		b, ok := b.(*types.AttributeValueMemberBS)
		return ok && sameSet(a.Value, b.Value, func(b []byte) string { return string(b) })
	case *types.AttributeValueMemberL:
		b, ok := b.(*types.AttributeValueMemberL)
		return ok && slices.EqualFunc(a.Value, b.Value, equalValues)
	case *types.AttributeValueMemberM:
		b, ok := b.(*types.AttributeValueMemberM)
		return ok && maps.EqualFunc(a.Value, b.Value, equalValues)
	}
	return false
}

func canonicalNumber(s string) string {
	if n, err := normalizeNumber(s); err == nil {
		return n
	}
	return s
}

func sameSet[T any](a, b []T, key func(T) string) bool {
	if len(a) != len(b) {
		return false
	}
	in := make(map[string]bool, len(a))
	for _, x := range a {
		in[key(x)] = true
	}
	for _, y := range b {
		if !in[key(y)] {
			return false
		}
	}
	return true
}

// order compares two values of the same ordered type (S, N or B); ok is false when they
// cannot be ordered against each other.
func order(a, b types.AttributeValue) (c int, ok bool) {
	switch a := a.(type) {
	case *types.AttributeValueMemberS:
		if b, ok := b.(*types.AttributeValueMemberS); ok {
			return strings.Compare(a.Value, b.Value), true
		}
	case *types.AttributeValueMemberN:
		if b, ok := b.(*types.AttributeValueMemberN); ok {
			return compareNumbers(a.Value, b.Value), true
		}
	case *types.AttributeValueMemberB:
		if b, ok := b.(*types.AttributeValueMemberB); ok {
			return bytes.Compare(a.Value, b.Value), true
		}
	}
	return 0, false
}

// sizeOf is what the size function returns for v: the length of a string (in UTF-16
// code units) or binary, the number of elements of a set, list or map; ok is false for
// other types.
func sizeOf(v types.AttributeValue) (int, bool) {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(utf16.Encode([]rune(v.Value))), true
	case *types.AttributeValueMemberB:
		return len(v.Value), true
	case *types.AttributeValueMemberSS:
		return len(v.Value), true
	case *types.AttributeValueMemberNS:
		return len(v.Value), true
	case *types.AttributeValueMemberBS:
		return len(v.Value), true
	case *types.AttributeValueMemberL:
		return len(v.Value), true
	case *types.AttributeValueMemberM:
		return len(v.Value), true
	}
	return 0, false
}

// itemSize approximates DynamoDB's item size: attribute names plus values, in bytes.
func itemSize(it item) int {
	n := 0
	for name, v := range it {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return len(v.Value)/2 + 1
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += len(s)/2 + 1
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range v.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range v.Value {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	}
	return 1
}

// describe writes v briefly, for error messages: {S:abc}, {N:5}, {SS:[a b]}.
func describe(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return "{S:" + v.Value + "}"
	case *types.AttributeValueMemberN:
		return "{N:" + v.Value + "}"
	case *types.AttributeValueMemberSS:
		return fmt.Sprintf("{SS:%v}", v.Value)
	case *types.AttributeValueMemberNS:
		return fmt.Sprintf("{NS:%v}", v.Value)
	}
	return "{" + typeName(v) + "}"
}

func plainMap(m map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = plainValue(v)
	}
	return out
}

func plainValue(v types.AttributeValue) any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return plainNumber(v.Value)
	case *types.AttributeValueMemberBOOL:
		return v.Value
	case *types.AttributeValueMemberNULL:
		return nil
	case *types.AttributeValueMemberB:
		return slices.Clone(v.Value)
	case *types.AttributeValueMemberSS:
		return slices.Sorted(slices.Values(v.Value))
	case *types.AttributeValueMemberNS:
		out := make([]any, len(v.Value))
		for i, n := range v.Value {
			out[i] = plainNumber(n)
		}
		return out
	case *types.AttributeValueMemberBS:
		out := make([][]byte, len(v.Value))
		for i, b := range v.Value {
			out[i] = slices.Clone(b)
		}
		return out
	case *types.AttributeValueMemberL:
		out := make([]any, len(v.Value))
		for i, e := range v.Value {
			out[i] = plainValue(e)
		}
		return out
	case *types.AttributeValueMemberM:
		return plainMap(v.Value)
	}
	return nil
}

// plainNumber is a DynamoDB number as int64 or float64 when they hold it exactly, else
// its decimal text.
func plainNumber(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	r, err := parseNumber(s)
	if err != nil {
		return s
	}
	if f, exact := r.Float64(); exact {
		return f
	}
	return s
}
