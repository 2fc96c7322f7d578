package triggers

import (
	"errors"
	"fmt"
)

// The wire codec. decodeEvent and appendEvent are the only places that read and write
// event JSON; the router, the Invoke helpers and the events' JSON methods all go through
// them, and find the event type's codec in the table of triggers (table.go). The codec
// uses no reflection: it is code, generated member by member from the struct definitions
// (codec_gen.go) or written by hand where a type has rules of its own (codec_events.go).
// Decoding an event allocates its maps and one copy of the payload that backs all of its
// strings, and encoding appends to the caller's buffer.
//
// Decoding is lenient, because Cognito's payloads vary more than its documentation says:
//   - unknown members are ignored at any depth, except in response objects (and the pre
//     token override details), where they are kept as their JSON text in the Unknown
//     field and written back after the known members; a known key that appears twice
//     takes its last value;
//   - null where an object, array, string or boolean is expected is that type's zero value;
//   - attribute maps (user attributes, validation data, client metadata, the provider's
//     claims, challenge parameters, version 1 claims) accept booleans and numbers as their
//     JSON text ("true", "42", "1.5e3"), nested objects and arrays as their compact JSON
//     text, and drop null values;
//   - version may be a string or a number ("1" or 1 reads as "1");
//   - string escapes are decoded as encoding/json does, surrogate pairs included, and bytes
//     that are not UTF-8 become U+FFFD;
//   - claim values of version 2 and 3 pre token events decode to string, bool, nil,
//     json.Number (so that the number's text survives the round trip exactly), []any or
//     map[string]any.
//
// Encoding is faithful: a response member nobody set is left out (see the omitempty tags
// on the response types), so that a chain with no modules answers what Cognito sent. A
// pre token event answers in the override details of its own version only, and inbound
// federation's nil userAttributesToMap is sent as {}. Request and header members are
// echoed, nil maps as null. Secrets are written with their real value.
//
// Bad input is a *DecodeError that names the member path and byte offset of the fault.
// It quotes no value from the input: only member names, and an unknown triggerSource when
// it has the shape of a trigger source name. Nesting is bounded by maxDepth.

// PeekSource reads the triggerSource of an event without decoding the rest of it, as
// [Router.Handle] does to pick the chain. The error, a [*DecodeError], quotes no value of
// the event.
func PeekSource(payload []byte) (TriggerSource, error) {
	src, _, err := peekHeader(payload)
	return src, err
}

// peekHeader reads the trigger source and version of an event without decoding the rest.
// It stops once it has both, so a triggerSource given twice is checked again by
// decodeEvent, which keeps the last one.
func peekHeader(data []byte) (TriggerSource, string, error) {
	d := decoder{data: data}
	if d.peek() != '{' {
		return "", "", decodeFailure("", d.mismatch("a JSON object"))
	}
	var (
		src, version         string
		haveSrc, haveVersion bool
	)
	_, err := d.object(func(key []byte) error {
		switch string(key) {
		case "triggerSource":
			b, err := d.peekString()
			if err != nil {
				return err
			}
			src, haveSrc = internSource(b), b != nil
		case "version":
			switch d.peek() {
			case '"', 'n':
				b, err := d.peekString()
				if err != nil {
					return err
				}
				version = internVersion(b)
			default:
				if kind(d.peek()) != "number" {
					return d.mismatch("string or number")
				}
				s, e, err := d.number()
				if err != nil {
					return err
				}
				version = internVersion(d.data[s:e])
			}
			haveVersion = true
		default:
			return d.skipValue()
		}
		if haveSrc && haveVersion {
			return errPeekDone
		}
		return nil
	})
	if err != nil && err != errPeekDone {
		return "", "", decodeFailure("", err)
	}
	if err == nil {
		if err := d.end(); err != nil {
			return "", "", decodeFailure("", err)
		}
	}
	if src == "" {
		return "", "", &DecodeError{Reason: "missing triggerSource"}
	}
	ts := TriggerSource(src)
	if ts.Trigger() == "" {
		return "", "", &DecodeError{Reason: unknownSource(ts)}
	}
	return ts, version, nil
}

// errPeekDone stops peekHeader's walk once it has what it needs.
var errPeekDone = errors.New("header read")

// peekString reads a string or null (nil) and returns its value as bytes valid until the
// next read.
func (d *decoder) peekString() ([]byte, error) {
	switch d.peek() {
	case '"':
		start, end, flags, err := d.scanString()
		if err != nil {
			return nil, err
		}
		if flags != 0 {
			return unquote([]byte{}, d.data[start:end]), nil
		}
		return d.data[start:end], nil
	case 'n':
		return nil, d.null()
	}
	return nil, d.mismatch("string")
}

// internSource returns a documented trigger source without allocating.
func internSource(b []byte) string {
	for _, s := range TriggerSources {
		if string(s) == string(b) {
			return string(s)
		}
	}
	return string(b)
}

func internVersion(b []byte) string {
	switch string(b) {
	case "1":
		return "1"
	case "2":
		return "2"
	case "3":
		return "3"
	}
	return string(b)
}

// unknownSource words an unknown trigger source. It is quoted only when it looks like a
// trigger source name, since a field holding something else may hold anything.
func unknownSource(src TriggerSource) string {
	s := string(src)
	ok := len(s) <= 64
	for i := 0; i < len(s) && ok; i++ {
		c := s[i]
		ok = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
	}
	if ok {
		return fmt.Sprintf("unknown triggerSource %q", s)
	}
	return "unknown triggerSource (not a trigger source name)"
}

func decodeFailure(trigger Trigger, err error) *DecodeError {
	if w, ok := err.(*wireError); ok {
		return &DecodeError{Trigger: trigger, Reason: w.reason()}
	}
	return &DecodeError{Trigger: trigger, Reason: err.Error()}
}

// decodeEvent decodes data into e, replacing all of e, and checks that the event's
// triggerSource belongs to e's trigger.
func decodeEvent(data []byte, e Event) error {
	trigger := e.Trigger()
	desc := descriptorOf(trigger)
	if desc == nil {
		return &DecodeError{Reason: fmt.Sprintf("no decoder for event type %T", e)}
	}
	err := desc.decode(data, e)
	if err == errWrongType {
		return &DecodeError{Reason: fmt.Sprintf("no decoder for event type %T", e)}
	}
	if err != nil {
		return decodeFailure(trigger, err)
	}
	src := e.EventHeader().TriggerSource
	switch got := src.Trigger(); {
	case src == "":
		return &DecodeError{Trigger: trigger, Reason: "missing triggerSource"}
	case got == "":
		return &DecodeError{Trigger: trigger, Reason: unknownSource(src)}
	case got != trigger:
		return &DecodeError{Trigger: trigger,
			Reason: fmt.Sprintf("triggerSource of trigger %s where %s was expected", got, trigger)}
	}
	return nil
}

// appendEvent appends the JSON of e to dst. On error dst is returned as it was, so that
// no half-written response can reach Cognito.
func appendEvent(dst []byte, e Event) ([]byte, error) {
	start := len(dst)
	desc := descriptorOf(e.Trigger())
	if desc == nil {
		return dst, fmt.Errorf("triggers: no encoder for event type %T", e)
	}
	dst, err := desc.encode(dst, e)
	if err == errWrongType {
		return dst, fmt.Errorf("triggers: no encoder for event type %T", e)
	}
	if err != nil {
		return dst[:start], fmt.Errorf("triggers: %s event: %w", e.Trigger(), err)
	}
	return dst, nil
}

// UnmarshalJSON decodes a JSON object whose values may be strings, booleans, numbers,
// nested objects or arrays, or null, as the event decoder does: booleans and numbers are
// kept as their JSON text, objects and arrays as their compact JSON text, and null values
// are dropped. null as a whole leaves a nil map.
func (a *Attributes) UnmarshalJSON(data []byte) error {
	d := newDecoder(data)
	m, err := d.attributes()
	if err == nil {
		err = d.end()
	}
	if err != nil {
		return decodeFailure("", err)
	}
	*a = m
	return nil
}

// isNull reports whether data is the JSON literal null, which encoding/json hands to
// UnmarshalJSON for a null member; by convention that leaves the value unchanged.
func isNull(data []byte) bool {
	d := decoder{data: data}
	if d.peek() != 'n' || d.null() != nil {
		return false
	}
	return d.end() == nil
}

func unmarshalEvent(data []byte, e Event) error {
	if isNull(data) {
		return nil
	}
	return decodeEvent(data, e)
}
