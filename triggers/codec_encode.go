package triggers

import (
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The encoder appends JSON to a byte slice, written out field by field in the order of the
// event types' struct fields, so that its output is byte for byte what encoding/json
// would write for the same values with HTML escaping off (maps sorted by key, invalid
// UTF-8 as \ufffd, U+2028 and U+2029 escaped), apart from the deliberate differences the
// codec documents.

const hexDigits = "0123456789abcdef"

// load8 reads 8 bytes of s at i as a little-endian word.
func load8(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// plainByte lists the bytes a JSON string carries as they are: printable ASCII other
// than the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString appends s as a JSON string. Most strings need no escaping: they are
// checked a word at a time and copied in one piece.
func appendString(b []byte, s string) []byte {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if special8(load8(s, i)) != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if !plainByte[s[i]] {
			return appendEscaped(b, s, i)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendEscaped appends s as a JSON string whose bytes before i need no escaping.
func appendEscaped(b []byte, s string, i int) []byte {
	b = append(b, '"')
	start := 0
	for i < len(s) {
		if i+8 <= len(s) {
			t := special8(load8(s, i))
			if t == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(t) >> 3
		}
		c := s[i]
		if plainByte[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			// Valid JSON, but not valid JavaScript: escaped as encoding/json does.
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendKey appends "key": .
func appendKey(b []byte, key string) []byte {
	b = appendString(b, key)
	return append(b, ':')
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// sortedKeys returns the keys of m in order, in buf when they fit.
func sortedKeys[V any](m map[string]V, buf []string) []string {
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

type stringPair struct{ key, value string }

// appendAttributes appends m as an object of strings with its keys in order, null when m
// is nil.
func appendAttributes(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	var buf [24]stringPair
	pairs := buf[:0]
	for k, v := range m {
		pairs = append(pairs, stringPair{k, v})
	}
	if len(pairs) <= 12 {
		for i := 1; i < len(pairs); i++ {
			for j := i; j > 0 && pairs[j].key < pairs[j-1].key; j-- {
				pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
			}
		}
	} else {
		slices.SortFunc(pairs, func(a, b stringPair) int { return strings.Compare(a.key, b.key) })
	}
	b = append(b, '{')
	for i := range pairs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKey(b, pairs[i].key)
		b = appendString(b, pairs[i].value)
	}
	return append(b, '}')
}

// appendStrings appends s as an array of strings, null when s is nil.
func appendStrings(b []byte, s []string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, v := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v)
	}
	return append(b, ']')
}

// appendFloat appends f as encoding/json does: like ES6, shortest form, exponent only for
// very small or very large magnitudes.
func appendFloat(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, fmt.Errorf("unsupported number %s", strconv.FormatFloat(f, 'g', -1, bits))
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// e-09 reads better as e-9.
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// encodeError is a value the encoder cannot write, with the path of the value.
type encodeError struct {
	path []string // innermost first
	err  error
}

func (e *encodeError) Error() string {
	p := ""
	for i := len(e.path) - 1; i >= 0; i-- {
		seg := e.path[i]
		if p != "" && seg[0] != '[' {
			p += "."
		}
		p += seg
	}
	return "encode " + p + ": " + e.err.Error()
}

func (e *encodeError) Unwrap() error { return e.err }

// encodeWithin adds a path segment to an encoding error as it unwinds.
func encodeWithin(err error, seg string) error {
	if e, ok := err.(*encodeError); ok {
		e.path = append(e.path, seg)
		return err
	}
	return &encodeError{path: []string{seg}, err: err}
}

// appendAny appends a claim value. Strings, booleans, integers, floats, json.Number,
// json.RawMessage, []any, []string and map[string]any are written natively; anything
// else goes through encoding/json.
func appendAny(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxDepth {
		return b, fmt.Errorf("nesting deeper than %d levels", maxDepth)
	}
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, v), nil
	case bool:
		return appendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int8:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case uint:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint8:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint16:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint64:
		return strconv.AppendUint(b, v, 10), nil
	case float64:
		return appendFloat(b, v, 64)
	case float32:
		return appendFloat(b, float64(v), 32)
	case json.Number:
		s := string(v)
		if s == "" {
			s = "0"
		}
		if n, ok := scanNumber(s); !ok || n != len(s) {
			return b, fmt.Errorf("invalid json.Number")
		}
		return append(b, s...), nil
	case json.RawMessage:
		return appendRaw(b, v)
	case []string:
		return appendStrings(b, v), nil
	case []any:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendAny(b, e, depth+1); err != nil {
				return b, encodeWithin(err, indexSegment(i))
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		return appendAnyMap(b, v, depth)
	}
	return appendMarshaled(b, v)
}

// appendAnyMap appends m with its keys in order, null when m is nil.
func appendAnyMap(b []byte, m map[string]any, depth int) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	if depth > maxDepth {
		return b, fmt.Errorf("nesting deeper than %d levels", maxDepth)
	}
	var buf [16]string
	b = append(b, '{')
	for i, k := range sortedKeys(m, buf[:]) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKey(b, k)
		var err error
		if b, err = appendAny(b, m[k], depth+1); err != nil {
			return b, encodeWithin(err, keySegment([]byte(k)))
		}
	}
	return append(b, '}'), nil
}

// appendRaw appends a json.RawMessage after checking that it is one JSON value.
func appendRaw(b []byte, raw json.RawMessage) ([]byte, error) {
	if raw == nil {
		return append(b, "null"...), nil
	}
	d := decoder{data: raw}
	padded := d.skipWS()
	clean, err := d.skip()
	stop := d.pos
	if err == nil {
		err = d.end()
	}
	if err != nil {
		return b, fmt.Errorf("invalid json.RawMessage: %w", err)
	}
	if clean && !padded && stop == len(raw) {
		return append(b, raw...), nil
	}
	return appendCompact(b, raw), nil
}

// appendMarshaled writes v through encoding/json, for claim values of types the encoder
// does not know. A panic in a MarshalJSON method becomes an error.
func appendMarshaled(b []byte, v any) (_ []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("value of type %T: panic while encoding", v)
		}
	}()
	out, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, out...), nil
}
