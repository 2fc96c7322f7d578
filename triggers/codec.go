package triggers

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// The wire codec. decodeEvent and appendEvent are the only places that read and write
// event JSON; the router, Invoke helpers and the events' JSON methods all go through them.

// peekHeader reads the trigger source and version of an event without decoding it.
func peekHeader(data []byte) (TriggerSource, string, error) {
	var h struct {
		TriggerSource *string         `json:"triggerSource"`
		Version       json.RawMessage `json:"version"`
	}
	if err := json.Unmarshal(data, &h); err != nil {
		return "", "", &DecodeError{Reason: describeJSONError(err)}
	}
	if h.TriggerSource == nil || *h.TriggerSource == "" {
		return "", "", &DecodeError{Reason: "missing triggerSource"}
	}
	src := TriggerSource(*h.TriggerSource)
	if src.Trigger() == "" {
		return "", "", &DecodeError{Reason: fmt.Sprintf("unknown triggerSource %q", truncate(string(src), 64))}
	}
	return src, string(bytes.Trim(h.Version, `"`)), nil
}

// decodeEvent decodes data into e leniently: unknown fields are ignored, null is accepted
// where an object or list is expected, and attribute values may be booleans or numbers.
func decodeEvent(data []byte, e Event) error {
	if err := json.Unmarshal(data, e); err != nil {
		return &DecodeError{Trigger: e.Trigger(), Reason: describeJSONError(err)}
	}
	return nil
}

// appendEvent appends the JSON of e to dst. Response fields nobody set are left out, so
// that Cognito reads them as it would have read the event it sent.
func appendEvent(dst []byte, e Event) ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

func describeJSONError(err error) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return fmt.Sprintf("malformed JSON at byte %d", e.Offset)
	case *json.UnmarshalTypeError:
		return fmt.Sprintf("field %s: expected %s, got JSON %s", e.Field, e.Type, e.Value)
	}
	return "malformed JSON"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// UnmarshalJSON decodes a JSON object whose values may be strings, booleans, numbers or
// null; non-string values are kept as their JSON text, null values are dropped.
func (a *Attributes) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	if raw == nil {
		*a = nil
		return nil
	}
	m := make(Attributes, len(raw))
	for k, v := range raw {
		switch {
		case len(v) == 0 || string(v) == "null":
			continue
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			m[k] = s
		default:
			m[k] = string(v)
		}
	}
	*a = m
	return nil
}
