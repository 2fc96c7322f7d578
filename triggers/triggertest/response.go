package triggertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// ResponseDiff compares the response member of two events, as Cognito reads it, and
// describes the differences, one per line, or returns "" when there are none. sent is
// usually the event Cognito sent and got what a function returned.
//
// A null field and a missing one read alike, and so does false, since Cognito reads an
// absent flag as false. Nothing else does: an empty string, list or object where
// Cognito sent null is a difference, because Cognito acts on it (an empty
// groupOverrideDetails removes the user's groups, an empty emailMessage sends an empty
// email).
func ResponseDiff(sent, got []byte) string {
	a, err := responseOf(sent)
	if err != nil {
		return "sent event: " + err.Error()
	}
	b, err := responseOf(got)
	if err != nil {
		return "returned event: " + err.Error()
	}
	var lines []string
	diffValues("response", a, b, &lines)
	return strings.Join(lines, "\n")
}

func responseOf(data []byte) (any, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	resp := normalize(doc["response"])
	if resp == nil {
		resp = map[string]any{}
	}
	return resp, nil
}

// normalize drops the members of objects that Cognito reads as absent: null and false.
// It returns nil for a value that is itself null or false.
func normalize(v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case bool:
		if !v {
			return nil
		}
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if n := normalize(x); n != nil {
				out[k] = n
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalizeElem(x)
		}
		return out
	}
	return v
}

// normalizeElem normalizes a list element, where null and false stay what they are.
func normalizeElem(v any) any {
	if n := normalize(v); n != nil {
		return n
	}
	return v
}

func diffValues(path string, a, b any, lines *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := slices.Collect(maps.Keys(am))
		for k := range bm {
			if _, ok := am[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			diffValues(path+"."+k, am[k], bm[k], lines)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*lines = append(*lines, fmt.Sprintf("%s: sent %s, got %s", path, show(a), show(b)))
	}
}

func show(v any) string {
	if v == nil {
		return "nothing"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
