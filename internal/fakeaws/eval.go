package fakeaws

import (
	"bytes"
	"errors"
	"math/big"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func isUnsupported(err error) bool { return errors.Is(err, ErrUnsupported) }

// resolve returns the value of o in it, and false when it has none: a missing
// attribute, or size() of a missing attribute or of a type that has no size.
func (o operand) resolve(it item) (types.AttributeValue, bool) {
	if o.isVal {
		return o.value, true
	}
	v, ok := it[o.path]
	if !ok {
		return nil, false
	}
	if o.size {
		n, ok := sizeOf(v)
		if !ok {
			return nil, false
		}
		return &types.AttributeValueMemberN{Value: big.NewInt(int64(n)).String()}, true
	}
	return v, true
}

// eval evaluates c against it, which is empty for an item that does not exist.
func (c *cond) eval(it item) bool {
	switch c.kind {
	case condAnd:
		return c.sub[0].eval(it) && c.sub[1].eval(it)
	case condOr:
		return c.sub[0].eval(it) || c.sub[1].eval(it)
	case condNot:
		return !c.sub[0].eval(it)
	case condGroup:
		return c.sub[0].eval(it)
	case condExists:
		_, ok := it[c.args[0].path]
		return ok
	case condNotExists:
		_, ok := it[c.args[0].path]
		return !ok
	}
	vals := make([]types.AttributeValue, len(c.args))
	present := make([]bool, len(c.args))
	for i, a := range c.args {
		vals[i], present[i] = a.resolve(it)
	}
	switch c.kind {
	case condCompare:
		if c.op == "<>" {
			// A missing operand or one of another type is not equal.
			return !(present[0] && present[1] && equalValues(vals[0], vals[1]))
		}
		if !present[0] || !present[1] {
			return false
		}
		if c.op == "=" {
			return equalValues(vals[0], vals[1])
		}
		cmp, ok := order(vals[0], vals[1])
		if !ok {
			return false
		}
		switch c.op {
		case "<":
			return cmp < 0
		case "<=":
			return cmp <= 0
		case ">":
			return cmp > 0
		}
		return cmp >= 0
	case condBetween:
		if !present[0] || !present[1] || !present[2] {
			return false
		}
		lo, ok1 := order(vals[0], vals[1])
		hi, ok2 := order(vals[0], vals[2])
		return ok1 && ok2 && lo >= 0 && hi <= 0
	case condIn:
		if !present[0] {
			return false
		}
		for i := 1; i < len(vals); i++ {
			if present[i] && equalValues(vals[0], vals[i]) {
				return true
			}
		}
		return false
	case condBeginsWith:
		if !present[0] || !present[1] {
			return false
		}
		switch a := vals[0].(type) {
		case *types.AttributeValueMemberS:
			b, ok := vals[1].(*types.AttributeValueMemberS)
			return ok && strings.HasPrefix(a.Value, b.Value)
		case *types.AttributeValueMemberB:
			b, ok := vals[1].(*types.AttributeValueMemberB)
			return ok && bytes.HasPrefix(a.Value, b.Value)
		}
		return false
	case condContains:
		if !present[0] || !present[1] {
			return false
		}
		return contains(vals[0], vals[1])
	}
	return false
}

// contains is the contains function: a substring of a string, a member of a set, an
// element of a list.
func contains(haystack, needle types.AttributeValue) bool {
	switch h := haystack.(type) {
	case *types.AttributeValueMemberS:
		n, ok := needle.(*types.AttributeValueMemberS)
		return ok && strings.Contains(h.Value, n.Value)
	case *types.AttributeValueMemberB:
		n, ok := needle.(*types.AttributeValueMemberB)
		return ok && bytes.Contains(h.Value, n.Value)
	case *types.AttributeValueMemberSS:
		n, ok := needle.(*types.AttributeValueMemberS)
		return ok && slices.Contains(h.Value, n.Value)
	case *types.AttributeValueMemberNS:
		n, ok := needle.(*types.AttributeValueMemberN)
		return ok && slices.ContainsFunc(h.Value, func(s string) bool { return compareNumbers(s, n.Value) == 0 })
	case *types.AttributeValueMemberBS:
		n, ok := needle.(*types.AttributeValueMemberB)
		return ok && slices.ContainsFunc(h.Value, func(b []byte) bool { return bytes.Equal(b, n.Value) })
	case *types.AttributeValueMemberL:
		return slices.ContainsFunc(h.Value, func(e types.AttributeValue) bool { return equalValues(e, needle) })
	}
	return false
}

// paths returns the attribute names c refers to.
func (c *cond) paths() []string {
	var out []string
	for _, a := range c.args {
		if !a.isVal {
			out = append(out, a.path)
		}
	}
	for _, s := range c.sub {
		out = append(out, s.paths()...)
	}
	return out
}

// applyUpdate applies actions to a copy of old (nil when the item does not exist) and
// returns the new item. Errors are ValidationExceptions about the item's current values,
// such as adding a number to a string.
func applyUpdate(old item, actions []action) (item, error) {
	cur := copyItem(old)
	if cur == nil {
		cur = item{}
	}
	// Every value is computed from the item as it was before the update.
	for _, a := range actions {
		switch a.kind {
		case updSet:
			v, err := a.value.eval(old)
			if err != nil {
				return nil, err
			}
			cur[a.path] = v
		case updRemove:
			delete(cur, a.path)
		case updAdd:
			v, err := add(old[a.path], a.arg)
			if err != nil {
				return nil, err
			}
			cur[a.path] = v
		case updDelete:
			v, err := deleteFromSet(old[a.path], a.arg)
			if err != nil {
				return nil, err
			}
			if v == nil {
				delete(cur, a.path)
			} else {
				cur[a.path] = v
			}
		}
	}
	return cur, nil
}

func (s setValue) eval(it item) (types.AttributeValue, error) {
	left, err := s.left.eval(it)
	if err != nil {
		return nil, err
	}
	if s.op == "" {
		return copyValue(left), nil
	}
	right, err := s.right.eval(it)
	if err != nil {
		return nil, err
	}
	a, ok1 := left.(*types.AttributeValueMemberN)
	b, ok2 := right.(*types.AttributeValueMemberN)
	if !ok1 || !ok2 {
		bad := typeName(left)
		if ok1 {
			bad = typeName(right)
		}
		return nil, validationf("An operand in the update expression has an incorrect data type; operator: %s, operand type: %s", s.op, bad)
	}
	x, err := parseNumber(a.Value)
	if err != nil {
		return nil, err
	}
	y, err := parseNumber(b.Value)
	if err != nil {
		return nil, err
	}
	if s.op == "+" {
		x.Add(x, y)
	} else {
		x.Sub(x, y)
	}
	return numberValue(x)
}

func numberValue(r *big.Rat) (types.AttributeValue, error) {
	n, err := normalizeNumber(formatNumber(r))
	if err != nil {
		return nil, err
	}
	return &types.AttributeValueMemberN{Value: n}, nil
}

func (t *term) eval(it item) (types.AttributeValue, error) {
	switch {
	case t.isVal:
		return t.value, nil
	case t.fn == "if_not_exists":
		if v, ok := it[t.fnTarget]; ok {
			return v, nil
		}
		return t.fnArgs[0].eval(it)
	case t.fn == "list_append":
		a, err := t.fnArgs[0].eval(it)
		if err != nil {
			return nil, err
		}
		b, err := t.fnArgs[1].eval(it)
		if err != nil {
			return nil, err
		}
		la, ok1 := a.(*types.AttributeValueMemberL)
		lb, ok2 := b.(*types.AttributeValueMemberL)
		if !ok1 || !ok2 {
			bad := typeName(a)
			if ok1 {
				bad = typeName(b)
			}
			return nil, validationf("An operand in the update expression has an incorrect data type; operator or function: list_append, operand type: %s", bad)
		}
		out := make([]types.AttributeValue, 0, len(la.Value)+len(lb.Value))
		for _, e := range append(slices.Clone(la.Value), lb.Value...) {
			out = append(out, copyValue(e))
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	}
	v, ok := it[t.path]
	if !ok {
		return nil, validationf("The provided expression refers to an attribute that does not exist in the item")
	}
	return v, nil
}

// add is the ADD action: a number is added to, a set merged into the current value.
func add(cur, arg types.AttributeValue) (types.AttributeValue, error) {
	if cur == nil {
		return copyValue(arg), nil
	}
	mismatch := validationf("An operand in the update expression has an incorrect data type")
	switch a := arg.(type) {
	case *types.AttributeValueMemberN:
		c, ok := cur.(*types.AttributeValueMemberN)
		if !ok {
			return nil, mismatch
		}
		x, err := parseNumber(c.Value)
		if err != nil {
			return nil, err
		}
		y, err := parseNumber(a.Value)
		if err != nil {
			return nil, err
		}
		return numberValue(x.Add(x, y))
	case *types.AttributeValueMemberSS:
		c, ok := cur.(*types.AttributeValueMemberSS)
		if !ok {
			return nil, mismatch
		}
		return &types.AttributeValueMemberSS{Value: union(c.Value, a.Value, func(s string) string { return s })}, nil
	case *types.AttributeValueMemberNS:
		c, ok := cur.(*types.AttributeValueMemberNS)
		if !ok {
			return nil, mismatch
		}
		return &types.AttributeValueMemberNS{Value: union(c.Value, a.Value, canonicalNumber)}, nil
	case *types.AttributeValueMemberBS:
		c, ok := cur.(*types.AttributeValueMemberBS)
		if !ok {
			return nil, mismatch
		}
		return &types.AttributeValueMemberBS{Value: union(c.Value, a.Value, func(b []byte) string { return string(b) })}, nil
	}
	return nil, mismatch
}

func union[T any](a, b []T, key func(T) string) []T {
	out := slices.Clone(a)
	seen := make(map[string]bool, len(a)+len(b))
	for _, x := range a {
		seen[key(x)] = true
	}
	for _, y := range b {
		if !seen[key(y)] {
			seen[key(y)] = true
			out = append(out, y)
		}
	}
	return out
}

// deleteFromSet is the DELETE action; it returns nil when the set ends up empty, since
// DynamoDB then removes the attribute.
func deleteFromSet(cur, arg types.AttributeValue) (types.AttributeValue, error) {
	if cur == nil {
		return nil, nil
	}
	mismatch := validationf("An operand in the update expression has an incorrect data type")
	switch a := arg.(type) {
	case *types.AttributeValueMemberSS:
		c, ok := cur.(*types.AttributeValueMemberSS)
		if !ok {
			return nil, mismatch
		}
		if rest := minus(c.Value, a.Value, func(s string) string { return s }); len(rest) > 0 {
			return &types.AttributeValueMemberSS{Value: rest}, nil
		}
		return nil, nil
	case *types.AttributeValueMemberNS:
		c, ok := cur.(*types.AttributeValueMemberNS)
		if !ok {
			return nil, mismatch
		}
		if rest := minus(c.Value, a.Value, canonicalNumber); len(rest) > 0 {
			return &types.AttributeValueMemberNS{Value: rest}, nil
		}
		return nil, nil
	case *types.AttributeValueMemberBS:
		c, ok := cur.(*types.AttributeValueMemberBS)
		if !ok {
			return nil, mismatch
		}
		if rest := minus(c.Value, a.Value, func(b []byte) string { return string(b) }); len(rest) > 0 {
			return &types.AttributeValueMemberBS{Value: rest}, nil
		}
		return nil, nil
	}
	return nil, mismatch
}

func minus[T any](a, b []T, key func(T) string) []T {
	drop := make(map[string]bool, len(b))
	for _, y := range b {
		drop[key(y)] = true
	}
	var out []T
	for _, x := range a {
		if !drop[key(x)] {
			out = append(out, x)
		}
	}
	return out
}
