package triggers

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds how deeply objects and arrays may nest, in the input and in claim
// values being encoded, so that hostile input cannot exhaust the stack.
const maxDepth = 1000

// decoder reads one JSON document by hand, without reflection. Every string that needs no
// unescaping is a substring of str, a single copy of the input, so the strings of a whole
// event cost one allocation; a decoded event therefore keeps its payload's bytes alive for
// as long as any of its strings is referenced.
type decoder struct {
	data  []byte
	str   string
	pos   int
	depth int
	buf   []byte // scratch for strings that need unescaping
}

func newDecoder(data []byte) decoder { return decoder{data: data, str: string(data)} }

// wireError is a decoding failure: what is wrong, where (byte offset) and in which field.
// It never holds a value taken from the input, so that no password or code can reach a
// log line or an end user through it.
type wireError struct {
	offset int
	msg    string
	syntax bool     // the input is not JSON, as opposed to JSON of the wrong shape
	path   []string // innermost segment first; added while the error unwinds
}

func (w *wireError) Error() string { return w.reason() }

// reason words the error as "request.userAttributes: expected object, found array at
// byte 40", or for input that is not JSON as "malformed JSON at byte 57 in
// request.userAttributes.email: unexpected end of input".
func (w *wireError) reason() string {
	var path strings.Builder
	for i := len(w.path) - 1; i >= 0; i-- {
		if len(w.path)-i > maxPathSegments {
			// Past the first few levels, a path only repeats itself.
			path.WriteString("...")
			break
		}
		seg := w.path[i]
		if i < len(w.path)-1 && !strings.HasPrefix(seg, "[") {
			path.WriteByte('.')
		}
		path.WriteString(seg)
	}
	at := " at byte " + strconv.Itoa(w.offset)
	if w.syntax {
		in := ""
		if path.Len() > 0 {
			in = " in " + path.String()
		}
		return "malformed JSON" + at + in + ": " + w.msg
	}
	if path.Len() > 0 {
		return path.String() + ": " + w.msg + at
	}
	return w.msg + at
}

// maxPathSegments bounds the path an error names.
const maxPathSegments = 16

// within adds a path segment to err as it leaves the member or element seg.
func within(err error, seg string) error {
	if w, ok := err.(*wireError); ok {
		w.path = append(w.path, seg)
	}
	return err
}

// withinKey adds the object member key to err's path.
func withinKey(err error, key []byte) error {
	if w, ok := err.(*wireError); ok {
		w.path = append(w.path, keySegment(key))
	}
	return err
}

// keySegment names an object member in an error path. Keys are names, not values, but
// they come from the input, so odd ones are quoted and long ones cut.
func keySegment(key []byte) string {
	const limit = 64
	plain := len(key) > 0 && len(key) <= limit
	for _, c := range key {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == ':' || c == '-') {
			plain = false
			break
		}
	}
	if plain {
		return string(key)
	}
	if len(key) > limit {
		return strconv.Quote(strings.ToValidUTF8(string(key[:limit]), "\uFFFD")) + "..."
	}
	return strconv.Quote(string(key))
}

func indexSegment(i int) string { return "[" + strconv.Itoa(i) + "]" }

func (d *decoder) fail(msg string) error { return &wireError{offset: d.pos, msg: msg} }

// syntax reports input that is not JSON at d.pos.
func (d *decoder) syntax(msg string) error {
	return &wireError{offset: d.pos, msg: msg, syntax: true}
}

// unexpected reports the byte at d.pos as malformed JSON. Only structural characters are
// named: anything else might be the start of a value.
func (d *decoder) unexpected() error {
	if d.pos >= len(d.data) {
		return d.syntax("unexpected end of input")
	}
	switch c := d.data[d.pos]; c {
	case '{', '}', '[', ']', ',', ':':
		return d.syntax("unexpected '" + string(rune(c)) + "'")
	}
	return d.syntax("unexpected character")
}

// kind names the JSON value that starts with c, or "" when no value starts with c.
func kind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return "number"
	}
	return ""
}

// mismatch reports a value of the wrong shape, or malformed JSON when what is there is
// not a value at all (so that "nope" is not called a null).
func (d *decoder) mismatch(want string) error {
	var c byte
	if d.pos < len(d.data) {
		c = d.data[d.pos]
	}
	k := kind(c)
	if k == "" {
		return d.unexpected()
	}
	if k == "boolean" || k == "null" || k == "number" {
		probe := *d
		if _, err := probe.skip(); err != nil {
			return err
		}
	}
	return d.fail("expected " + want + ", found " + k)
}

// skipWS skips whitespace and reports whether there was any.
func (d *decoder) skipWS() bool {
	start := d.pos
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
			continue
		}
		break
	}
	return d.pos != start
}

// peek skips whitespace and returns the next byte, or 0 at the end of the input.
func (d *decoder) peek() byte {
	d.skipWS()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// literal consumes lit at d.pos; a mismatch is reported where the literal starts.
func (d *decoder) literal(lit string) error {
	if len(d.data)-d.pos >= len(lit) && string(d.data[d.pos:d.pos+len(lit)]) == lit {
		d.pos += len(lit)
		return nil
	}
	for i := 0; i < len(lit) && d.pos+i < len(d.data); i++ {
		if d.data[d.pos+i] != lit[i] {
			return d.syntax("invalid literal")
		}
	}
	d.pos = len(d.data)
	return d.unexpected()
}

// null consumes a null literal at d.pos.
func (d *decoder) null() error { return d.literal("null") }

// boolean consumes true or false at d.pos.
func (d *decoder) boolean() (bool, error) {
	if d.data[d.pos] == 't' {
		return true, d.literal("true")
	}
	return false, d.literal("false")
}

func (d *decoder) push() error {
	d.depth++
	if d.depth > maxDepth {
		return d.fail("nesting deeper than " + strconv.Itoa(maxDepth) + " levels")
	}
	return nil
}

// number consumes a JSON number at d.pos and returns its extent.
func (d *decoder) number() (start, end int, err error) {
	start = d.pos
	n, ok := scanNumber(d.data[d.pos:])
	d.pos += n
	if !ok {
		return start, d.pos, d.unexpectedInNumber()
	}
	return start, d.pos, nil
}

func (d *decoder) unexpectedInNumber() error {
	if d.pos >= len(d.data) {
		return d.unexpected()
	}
	return d.syntax("invalid number")
}

// scanNumber returns the length of the JSON number at the start of b and whether it is
// well formed; when it is not, the length is where it goes wrong.
func scanNumber[T string | []byte](b T) (int, bool) {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return i, false
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return i, false
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	return i, true
}

// String flags: what scanString found between the quotes.
const (
	strEscaped = 1 << iota // a backslash escape
	strInvalid             // bytes that are not UTF-8
)

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special8 flags the bytes of the little-endian word x that end or escape a string, are
// control characters or start a multi-byte sequence: it returns 0 when there is none, and
// otherwise a mask whose lowest set bit is in the first such byte. (The word-at-a-time
// tests may also flag bytes above the first hit, never below it.)
func special8(x uint64) uint64 {
	q := x ^ (lsb * '"')
	s := x ^ (lsb * '\\')
	return (((x - lsb*0x20) & ^x) | ((q - lsb) & ^q) | ((s - lsb) & ^s) | x) & msb
}

// scanString validates the string whose opening quote is at d.pos, leaves d.pos after the
// closing quote and returns the extent of its contents with the flags above.
func (d *decoder) scanString() (start, end, flags int, err error) {
	data := d.data
	start = d.pos + 1
	i := start
	for i < len(data) {
		if i+8 <= len(data) {
			t := special8(binary.LittleEndian.Uint64(data[i:]))
			if t == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(t) >> 3
		}
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return start, i, flags, nil
		case c == '\\':
			flags |= strEscaped
			n, ok := escapeLen(data[i:])
			if !ok {
				d.pos = i
				if i+n >= len(data) {
					d.pos = len(data)
					return start, i, flags, d.unexpected()
				}
				return start, i, flags, d.syntax("invalid escape in string")
			}
			i += n
		case c < 0x20:
			d.pos = i
			return start, i, flags, d.syntax("control character in string")
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n == 1 {
				flags |= strInvalid
			}
			i += n
		}
	}
	d.pos = len(data)
	return start, i, flags, d.unexpected()
}

// escapeLen returns the length of the escape sequence at the start of b.
func escapeLen(b []byte) (int, bool) {
	if len(b) < 2 {
		return 1, false
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, true
	case 'u':
		for i := 2; i < 6; i++ {
			if i >= len(b) {
				return i, false
			}
			if unhex(b[i]) < 0 {
				return i, false
			}
		}
		return 6, true
	}
	return 1, false
}

func unhex(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// u4 decodes the four hex digits after "\u" at the start of b, or returns -1.
func u4(b []byte) rune {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range b[2:6] {
		h := unhex(c)
		if h < 0 {
			return -1
		}
		r = r<<4 | h
	}
	return r
}

// unquote appends the value of the validated string contents b to dst, as encoding/json
// does: a surrogate pair of escapes becomes one character, and a lone surrogate or a byte
// that is not UTF-8 becomes U+FFFD.
func unquote(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '\\':
			switch b[i+1] {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r := u4(b[i:])
				i += 6
				if utf16.IsSurrogate(r) {
					if r2 := u4(b[i:]); r2 >= 0 {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							dst = utf8.AppendRune(dst, dec)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, r)
				continue
			default: // '"', '\\', '/'
				dst = append(dst, b[i+1])
			}
			i += 2
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				dst = append(dst, "\uFFFD"...)
			} else {
				dst = append(dst, b[i:i+n]...)
			}
			i += n
		}
	}
	return dst
}

// readString reads the string at d.pos.
func (d *decoder) readString() (string, error) {
	start, end, flags, err := d.scanString()
	if err != nil {
		return "", err
	}
	if flags == 0 {
		return d.str[start:end], nil
	}
	d.buf = unquote(d.buf[:0], d.data[start:end])
	return string(d.buf), nil
}

// key reads an object key and the colon after it. The bytes are valid until the next
// call that reads a string.
func (d *decoder) key() ([]byte, error) {
	if d.peek() != '"' {
		if d.pos < len(d.data) && d.data[d.pos] != '}' {
			return nil, d.syntax("expected a string as object key")
		}
		return nil, d.unexpected()
	}
	start, end, flags, err := d.scanString()
	if err != nil {
		return nil, err
	}
	key := d.data[start:end]
	if flags != 0 {
		key = unquote(nil, key)
	}
	if d.peek() != ':' {
		return nil, d.unexpectedAfter("object key", "':'")
	}
	d.pos++
	return key, nil
}

func (d *decoder) unexpectedAfter(what, want string) error {
	if d.pos >= len(d.data) {
		return d.unexpected()
	}
	return d.syntax("expected " + want + " after " + what)
}

// object reads an object, calling field for each member with its key; field must consume
// the value. A null is accepted and reported as present == false. Errors name the member
// they happened in.
func (d *decoder) object(field func(key []byte) error) (present bool, err error) {
	switch d.peek() {
	case '{':
	case 'n':
		return false, d.null()
	default:
		return false, d.mismatch("object")
	}
	if err := d.push(); err != nil {
		return true, err
	}
	d.pos++
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return true, nil
	}
	for {
		key, err := d.key()
		if err != nil {
			return true, err
		}
		if err := field(key); err != nil {
			return true, withinKey(err, key)
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return true, nil
		default:
			return true, d.unexpectedAfter("object member", "',' or '}'")
		}
	}
}

// array reads an array, calling elem for each element; elem must consume it. A null is
// accepted and reported as present == false.
func (d *decoder) array(elem func(i int) error) (present bool, err error) {
	switch d.peek() {
	case '[':
	case 'n':
		return false, d.null()
	default:
		return false, d.mismatch("array")
	}
	if err := d.push(); err != nil {
		return true, err
	}
	d.pos++
	if d.peek() == ']' {
		d.pos++
		d.depth--
		return true, nil
	}
	for i := 0; ; i++ {
		if err := elem(i); err != nil {
			return true, within(err, indexSegment(i))
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			return true, nil
		default:
			return true, d.unexpectedAfter("array element", "',' or ']'")
		}
	}
}

// skip validates and consumes the value at d.pos. clean reports that its text holds no
// whitespace and no invalid UTF-8, so that it is already the compact form.
func (d *decoder) skip() (clean bool, err error) {
	switch d.peek() {
	case '"':
		_, _, flags, err := d.scanString()
		return flags&strInvalid == 0, err
	case 't':
		return true, d.literal("true")
	case 'f':
		return true, d.literal("false")
	case 'n':
		return true, d.null()
	case '{':
		return d.skipObject()
	case '[':
		return d.skipArray()
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		_, _, err := d.number()
		return true, err
	}
	return false, d.unexpected()
}

func (d *decoder) skipObject() (clean bool, err error) {
	if err := d.push(); err != nil {
		return false, err
	}
	d.pos++
	clean = !d.skipWS()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		return clean, nil
	}
	for {
		if d.skipWS() {
			clean = false
		}
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return false, d.key1()
		}
		start, end, flags, err := d.scanString()
		if err != nil {
			return false, err
		}
		if flags&strInvalid != 0 {
			clean = false
		}
		if d.skipWS() {
			clean = false
		}
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return false, d.unexpectedAfter("object key", "':'")
		}
		d.pos++
		if d.pos < len(d.data) && isSpace(d.data[d.pos]) {
			clean = false
		}
		c, err := d.skip()
		if err != nil {
			return false, withinKey(err, d.data[start:end])
		}
		if !c {
			clean = false
		}
		if d.skipWS() {
			clean = false
		}
		if d.pos >= len(d.data) {
			return false, d.unexpected()
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return clean, nil
		default:
			return false, d.unexpectedAfter("object member", "',' or '}'")
		}
	}
}

func (d *decoder) skipArray() (clean bool, err error) {
	if err := d.push(); err != nil {
		return false, err
	}
	d.pos++
	clean = !d.skipWS()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		d.depth--
		return clean, nil
	}
	for i := 0; ; i++ {
		if d.pos < len(d.data) && isSpace(d.data[d.pos]) {
			clean = false
		}
		c, err := d.skip()
		if err != nil {
			return false, within(err, indexSegment(i))
		}
		if !c {
			clean = false
		}
		if d.skipWS() {
			clean = false
		}
		if d.pos >= len(d.data) {
			return false, d.unexpected()
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			return clean, nil
		default:
			return false, d.unexpectedAfter("array element", "',' or ']'")
		}
	}
}

// key1 reports a missing object key where skip expected one.
func (d *decoder) key1() error {
	if d.pos >= len(d.data) || d.data[d.pos] == '}' {
		return d.unexpected()
	}
	return d.syntax("expected a string as object key")
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (d *decoder) skipValue() error {
	_, err := d.skip()
	return err
}

// rawText consumes the value at d.pos and returns its compact JSON text.
func (d *decoder) rawText() (string, error) {
	start := d.pos
	clean, err := d.skip()
	if err != nil {
		return "", err
	}
	if clean {
		return d.str[start:d.pos], nil
	}
	return string(appendCompact(nil, d.data[start:d.pos])), nil
}

// appendCompact appends the validated JSON text src without insignificant whitespace and
// with every byte that is not UTF-8 inside a string replaced by U+FFFD.
func appendCompact(dst, src []byte) []byte {
	inString := false
	for i := 0; i < len(src); {
		c := src[i]
		if inString {
			switch {
			case c == '"':
				inString = false
			case c == '\\':
				dst = append(dst, c, src[i+1])
				i += 2
				continue
			case c >= utf8.RuneSelf:
				r, n := utf8.DecodeRune(src[i:])
				if r == utf8.RuneError && n == 1 {
					dst = append(dst, "\uFFFD"...)
				} else {
					dst = append(dst, src[i:i+n]...)
				}
				i += n
				continue
			}
			dst = append(dst, c)
			i++
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		case '"':
			inString = true
		}
		dst = append(dst, c)
		i++
	}
	return dst
}

// stringInto reads a string or null (the empty string) into p.
func (d *decoder) stringInto(p *string) error {
	switch d.peek() {
	case '"':
		s, err := d.readString()
		*p = s
		return err
	case 'n':
		*p = ""
		return d.null()
	}
	return d.mismatch("string")
}

// boolInto reads a boolean or null (false) into p.
func (d *decoder) boolInto(p *bool) error {
	switch d.peek() {
	case 't', 'f':
		v, err := d.boolean()
		*p = v
		return err
	case 'n':
		*p = false
		return d.null()
	}
	return d.mismatch("boolean")
}

// stringsInto reads an array of strings or null into p. A null element is "".
func (d *decoder) stringsInto(p *[]string) error {
	var out []string
	present, err := d.array(func(int) error {
		var s string
		err := d.stringInto(&s)
		out = append(out, s)
		return err
	})
	if present && out == nil {
		out = []string{}
	}
	*p = out
	return err
}

// attrPair is one member of an attribute object; drop marks a null value, json a value
// that was not a string.
type attrPair struct {
	key, value string
	drop, json bool
}

// attributes reads an object of attribute values leniently: strings are kept, booleans
// and numbers become their JSON text, nested objects and arrays their compact JSON text,
// and null values are dropped. null as a whole is a nil map. The map is sized once.
func (d *decoder) attributes() (map[string]string, error) { return d.attributesRaw(nil) }

// attributesRaw is [decoder.attributes] that also records, in *raw when raw is not nil,
// the members whose value was not a string (left nil when there are none).
func (d *decoder) attributesRaw(raw *map[string]string) (map[string]string, error) {
	switch d.peek() {
	case '{':
	case 'n':
		return nil, d.null()
	default:
		return nil, d.mismatch("object")
	}
	if err := d.push(); err != nil {
		return nil, err
	}
	d.pos++
	var stack [16]attrPair
	pairs := stack[:0]
	if d.peek() == '}' {
		d.pos++
	} else {
		for {
			if d.peek() != '"' {
				return nil, d.key1()
			}
			start, end, flags, err := d.scanString()
			if err != nil {
				return nil, err
			}
			var key string
			if flags == 0 {
				key = d.str[start:end]
			} else {
				key = string(unquote(nil, d.data[start:end]))
			}
			if d.peek() != ':' {
				return nil, d.unexpectedAfter("object key", "':'")
			}
			d.pos++
			p := attrPair{key: key}
			switch d.peek() {
			case '"':
				p.value, err = d.readString()
			case 'n':
				p.drop, err = true, d.null()
			case 't':
				p.value, p.json, err = "true", true, d.literal("true")
			case 'f':
				p.value, p.json, err = "false", true, d.literal("false")
			case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
				var s, e int
				s, e, err = d.number()
				p.value, p.json = d.str[s:e], true
			default:
				p.json = true
				p.value, err = d.rawText()
			}
			if err != nil {
				return nil, withinKey(err, []byte(key))
			}
			pairs = append(pairs, p)
			if c := d.peek(); c == ',' {
				d.pos++
				continue
			} else if c == '}' {
				d.pos++
				break
			}
			return nil, d.unexpectedAfter("object member", "',' or '}'")
		}
	}
	d.depth--
	m := make(map[string]string, len(pairs))
	for _, p := range pairs {
		if p.drop {
			delete(m, p.key)
		} else {
			m[p.key] = p.value
		}
		if raw != nil {
			switch {
			case p.json && !p.drop:
				if *raw == nil {
					*raw = map[string]string{}
				}
				(*raw)[p.key] = p.value
			case *raw != nil:
				delete(*raw, p.key)
			}
		}
	}
	return m, nil
}

// anyValue reads any JSON value as encoding/json does with UseNumber: string, bool, nil,
// json.Number, []any or map[string]any.
func (d *decoder) anyValue() (any, error) {
	switch d.peek() {
	case '"':
		return d.readString()
	case 't', 'f':
		return d.boolean()
	case 'n':
		return nil, d.null()
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		s, e, err := d.number()
		return json.Number(d.str[s:e]), err
	case '{':
		return d.anyMap()
	case '[':
		out := []any{}
		_, err := d.array(func(int) error {
			v, err := d.anyValue()
			out = append(out, v)
			return err
		})
		return out, err
	}
	return nil, d.unexpected()
}

// anyMap reads an object of arbitrary values, or null (a nil map).
func (d *decoder) anyMap() (map[string]any, error) {
	var m map[string]any
	present, err := d.object(func(key []byte) error {
		if m == nil {
			m = make(map[string]any)
		}
		v, err := d.anyValue()
		m[string(key)] = v
		return err
	})
	if present && m == nil {
		m = map[string]any{}
	}
	return m, err
}

// end checks that nothing but whitespace follows the document.
func (d *decoder) end() error {
	if d.peek() != 0 || d.pos < len(d.data) {
		return d.syntax("unexpected data after the top-level value")
	}
	return nil
}
