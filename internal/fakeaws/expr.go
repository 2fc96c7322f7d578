package fakeaws

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The expression language of DynamoDB, as far as the fake implements it:
//
//	condition  := or
//	or         := and { OR and }
//	and        := not { AND not }
//	not        := NOT not | primary
//	primary    := "(" condition ")" | function | operand comparator operand
//	            | operand BETWEEN operand AND operand | operand IN "(" operand { "," operand } ")"
//	function   := attribute_exists(path) | attribute_not_exists(path)
//	            | begins_with(operand, operand) | contains(operand, operand)
//	operand    := path | :value | size(path) | size(:value) | "(" operand ")"
//	path       := name | #name              (top-level attributes only)
//
//	update     := clause { clause }, each of SET, REMOVE, ADD, DELETE at most once
//	SET        := path = value { , path = value }
//	value      := term [ (+ | -) term ]
//	term       := path | :value | if_not_exists(path, term) | list_append(term, term)
//	REMOVE     := path { , path }
//	ADD/DELETE := path :value { , path :value }
//
//	projection := path { , path }
//
// Anything else the real service accepts (nested paths such as a.b or a[0],
// attribute_type) is refused with ErrUnsupported; anything it refuses is refused with a
// ValidationException.

type tokenKind int

const (
	tokEOF    tokenKind = iota
	tokIdent            // attribute name or keyword or function name
	tokName             // #name
	tokValue            // :value
	tokPunct            // ( ) , = <> < <= > >= + - . [ ]
	tokNumber           // digits, only inside [ ]
)

type token struct {
	kind tokenKind
	text string
}

func (t token) is(punct string) bool { return t.kind == tokPunct && t.text == punct }

// keyword reports whether t is the keyword kw, which DynamoDB matches in any case.
func (t token) keyword(kw string) bool { return t.kind == tokIdent && strings.EqualFold(t.text, kw) }

func (t token) String() string {
	if t.kind == tokEOF {
		return "<EOF>"
	}
	return t.text
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || '0' <= c && c <= '9' }

// lex splits an expression into tokens.
func lex(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#' || c == ':':
			j := i + 1
			for j < len(s) && isIdentPart(s[j]) {
				j++
			}
			if j == i+1 {
				return nil, syntaxError(s, string(c))
			}
			kind := tokName
			if c == ':' {
				kind = tokValue
			}
			out = append(out, token{kind, s[i:j]})
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentPart(s[j]) {
				j++
			}
			out = append(out, token{tokIdent, s[i:j]})
			i = j
		case '0' <= c && c <= '9':
			j := i + 1
			for j < len(s) && '0' <= s[j] && s[j] <= '9' {
				j++
			}
			out = append(out, token{tokNumber, s[i:j]})
			i = j
		case c == '<' && i+1 < len(s) && (s[i+1] == '=' || s[i+1] == '>'):
			out = append(out, token{tokPunct, s[i : i+2]})
			i += 2
		case c == '>' && i+1 < len(s) && s[i+1] == '=':
			out = append(out, token{tokPunct, ">="})
			i += 2
		case strings.IndexByte("(),=<>+-.[]", c) >= 0:
			out = append(out, token{tokPunct, string(c)})
			i++
		default:
			return nil, syntaxError(s, string(c))
		}
	}
	return append(out, token{kind: tokEOF}), nil
}

// exprError is a ValidationException message about one expression, before the
// "Invalid <Kind>: " prefix is added.
type exprError struct{ msg string }

func (e *exprError) Error() string { return e.msg }

func syntaxError(expr, tok string) error {
	return &exprError{fmt.Sprintf("Syntax error; token: %q, near: %q", tok, expr)}
}

// refs resolves the #names and :values of one request's expressions and tracks which
// were used, since DynamoDB refuses unused ones.
type refs struct {
	names      map[string]string
	values     map[string]types.AttributeValue
	usedNames  map[string]bool
	usedValues map[string]bool
}

var (
	nameKey  = regexp.MustCompile(`^#[0-9A-Za-z_]+$`)
	valueKey = regexp.MustCompile(`^:[0-9A-Za-z_]+$`)
)

// newRefs validates a request's ExpressionAttributeNames and ExpressionAttributeValues.
func newRefs(names map[string]string, values map[string]types.AttributeValue) (*refs, error) {
	r := &refs{names: names, values: map[string]types.AttributeValue{},
		usedNames: map[string]bool{}, usedValues: map[string]bool{}}
	if names != nil && len(names) == 0 {
		return nil, validationf("ExpressionAttributeNames must not be empty")
	}
	if values != nil && len(values) == 0 {
		return nil, validationf("ExpressionAttributeValues must not be empty")
	}
	for _, k := range slices.Sorted(maps.Keys(names)) {
		if !nameKey.MatchString(k) {
			return nil, validationf("ExpressionAttributeNames contains invalid key: Syntax error; key: %q", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if !valueKey.MatchString(k) {
			return nil, validationf("ExpressionAttributeValues contains invalid key: Syntax error; key: %q", k)
		}
		v, err := validateValue(values[k])
		if err != nil {
			return nil, validationf("ExpressionAttributeValues contains invalid value: %s for key %s", apiMessage(err), k)
		}
		r.values[k] = v
	}
	return r, nil
}

// unused reports names and values that no expression used.
func (r *refs) unused() error {
	var names, values []string
	for k := range r.names {
		if !r.usedNames[k] {
			names = append(names, k)
		}
	}
	for k := range r.values {
		if !r.usedValues[k] {
			values = append(values, k)
		}
	}
	slices.Sort(names)
	slices.Sort(values)
	switch {
	case len(names) > 0:
		return validationf("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", strings.Join(names, ", "))
	case len(values) > 0:
		return validationf("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", strings.Join(values, ", "))
	}
	return nil
}

// parser reads one expression.
type parser struct {
	expr string
	toks []token
	pos  int
	refs *refs
}

func newParser(expr string, r *refs) (*parser, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, &exprError{"The expression can not be empty;"}
	}
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	return &parser{expr: expr, toks: toks, refs: r}, nil
}

func (p *parser) peek() token        { return p.toks[p.pos] }
func (p *parser) peekAt(n int) token { return p.toks[min(p.pos+n, len(p.toks)-1)] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *parser) syntax(t token) error { return syntaxError(p.expr, t.String()) }

func (p *parser) expect(punct string) error {
	if t := p.next(); !t.is(punct) {
		return p.syntax(t)
	}
	return nil
}

func (p *parser) end() error {
	if t := p.peek(); t.kind != tokEOF {
		return p.syntax(t)
	}
	return nil
}

// path reads an attribute path and returns the attribute name it stands for.
func (p *parser) path() (string, error) {
	t := p.next()
	var name string
	switch t.kind {
	case tokName:
		n, ok := p.refs.names[t.text]
		if !ok {
			return "", &exprError{"An expression attribute name used in the document path is not defined; attribute name: " + t.text}
		}
		p.refs.usedNames[t.text] = true
		name = n
	case tokIdent:
		if isReserved(t.text) {
			return "", &exprError{"Attribute name is a reserved keyword; reserved keyword: " + t.text}
		}
		name = t.text
	default:
		return "", p.syntax(t)
	}
	if n := p.peek(); n.is(".") || n.is("[") {
		return "", unsupportedf("nested attribute path after %q in %q: only top-level attributes are implemented", t.text, p.expr)
	}
	return name, nil
}

// value reads a :value reference.
func (p *parser) value() (types.AttributeValue, error) {
	t := p.next()
	if t.kind != tokValue {
		return nil, p.syntax(t)
	}
	v, ok := p.refs.values[t.text]
	if !ok {
		return nil, &exprError{"An expression attribute value used in expression is not defined; attribute value: " + t.text}
	}
	p.refs.usedValues[t.text] = true
	return v, nil
}

// isFunction reports whether the next tokens are a function call.
func (p *parser) isFunction() bool { return p.peek().kind == tokIdent && p.peekAt(1).is("(") }

// Condition expressions.

// operand is a path, a value or size(path).
type operand struct {
	path  string               // attribute name, when a path
	value types.AttributeValue // when a :value
	size  bool                 // size(path)
	isVal bool                 // a :value
}

func (o operand) isPath() bool { return !o.isVal && !o.size }

// staticType is the type of a value operand, "N" for size(), and "" for a path, whose
// type is known only at run time.
func (o operand) staticType() string {
	switch {
	case o.isVal:
		return typeName(o.value)
	case o.size:
		return "N"
	}
	return ""
}

type condKind int

const (
	condAnd condKind = iota
	condOr
	condNot
	condGroup // parentheses, kept to spot redundant ones
	condCompare
	condBetween
	condIn
	condExists
	condNotExists
	condBeginsWith
	condContains
)

// cond is a node of a condition expression.
type cond struct {
	kind condKind
	op   string // comparator of condCompare
	sub  []*cond
	args []operand
}

// parseCondition parses a condition, filter or key condition expression.
func parseCondition(expr string, r *refs) (*cond, error) {
	p, err := newParser(expr, r)
	if err != nil {
		return nil, err
	}
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return c, nil
}

func (p *parser) or() (*cond, error)  { return p.leftAssoc("OR", condOr, p.and) }
func (p *parser) and() (*cond, error) { return p.leftAssoc("AND", condAnd, p.not) }

// leftAssoc parses operand (keyword operand)*, grouping from the left: a OR b OR c is
// (a OR b) OR c.
func (p *parser) leftAssoc(keyword string, kind condKind, operand func() (*cond, error)) (*cond, error) {
	left, err := operand()
	if err != nil {
		return nil, err
	}
	for p.peek().keyword(keyword) {
		p.next()
		right, err := operand()
		if err != nil {
			return nil, err
		}
		left = &cond{kind: kind, sub: []*cond{left, right}}
	}
	return left, nil
}

func (p *parser) not() (*cond, error) {
	if p.peek().keyword("NOT") {
		p.next()
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		return &cond{kind: condNot, sub: []*cond{c}}, nil
	}
	return p.primary()
}

func (p *parser) primary() (*cond, error) {
	if p.peek().is("(") {
		// Either a parenthesised condition or a parenthesised operand of a comparison:
		// try the first, and fall back to the second.
		start := p.pos
		p.next()
		inner, err := p.or()
		if err == nil {
			err = p.expect(")")
		}
		if err == nil {
			if inner.kind == condGroup {
				return nil, &exprError{"The expression has redundant parentheses;"}
			}
			return &cond{kind: condGroup, sub: []*cond{inner}}, nil
		}
		if isUnsupported(err) {
			return nil, err
		}
		p.pos = start
	}
	if p.isFunction() {
		name := p.peek().text
		switch name {
		case "attribute_exists", "attribute_not_exists", "begins_with", "contains":
			return p.function()
		case "size":
		case "attribute_type":
			return nil, unsupportedf("function attribute_type in %q", p.expr)
		default:
			return nil, &exprError{"Invalid function name; function: " + name}
		}
	}
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	t := p.next()
	switch {
	case t.is("=") || t.is("<>") || t.is("<") || t.is("<=") || t.is(">") || t.is(">="):
		right, err := p.operand()
		if err != nil {
			return nil, err
		}
		if err := checkComparison(t.text, left, right); err != nil {
			return nil, err
		}
		return &cond{kind: condCompare, op: t.text, args: []operand{left, right}}, nil
	case t.keyword("BETWEEN"):
		lo, err := p.operand()
		if err != nil {
			return nil, err
		}
		if t := p.next(); !t.keyword("AND") {
			return nil, p.syntax(t)
		}
		hi, err := p.operand()
		if err != nil {
			return nil, err
		}
		if err := checkBetween(lo, hi); err != nil {
			return nil, err
		}
		return &cond{kind: condBetween, args: []operand{left, lo, hi}}, nil
	case t.keyword("IN"):
		if err := p.expect("("); err != nil {
			return nil, err
		}
		args := []operand{left}
		for {
			o, err := p.operand()
			if err != nil {
				return nil, err
			}
			args = append(args, o)
			if p.peek().is(",") {
				p.next()
				continue
			}
			break
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		if len(args) > 101 {
			return nil, &exprError{fmt.Sprintf("Too many operands for IN; number of operands: %d", len(args)-1)}
		}
		return &cond{kind: condIn, args: args}, nil
	}
	return nil, p.syntax(t)
}

// operand reads a path, a :value, size(path) or one of them in parentheses.
func (p *parser) operand() (operand, error) {
	switch t := p.peek(); {
	case t.is("("):
		p.next()
		if p.peek().is("(") {
			return operand{}, &exprError{"The expression has redundant parentheses;"}
		}
		o, err := p.operand()
		if err != nil {
			return operand{}, err
		}
		return o, p.expect(")")
	case t.kind == tokValue:
		v, err := p.value()
		return operand{value: v, isVal: true}, err
	case p.isFunction():
		switch t.text {
		case "size":
		case "attribute_exists", "attribute_not_exists", "begins_with", "contains", "attribute_type":
			return operand{}, &exprError{"The function is not allowed to be used this way in an expression; function: " + t.text}
		default:
			return operand{}, &exprError{"Invalid function name; function: " + t.text}
		}
		p.next()
		p.next()
		if p.peek().kind == tokValue {
			// The size of a value is known now.
			v, err := p.value()
			if err != nil {
				return operand{}, err
			}
			size, ok := sizeOf(v)
			if !ok {
				return operand{}, &exprError{"Incorrect operand type for operator or function; operator or function: size, operand type: " + typeName(v)}
			}
			if err := p.expect(")"); err != nil {
				return operand{}, err
			}
			return operand{value: &types.AttributeValueMemberN{Value: strconv.Itoa(size)}, isVal: true}, nil
		}
		name, err := p.path()
		if err != nil {
			return operand{}, err
		}
		if t := p.next(); !t.is(")") {
			if t.is(",") {
				return operand{}, &exprError{"Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"}
			}
			return operand{}, p.syntax(t)
		}
		return operand{path: name, size: true}, nil
	}
	name, err := p.path()
	return operand{path: name}, err
}

// function reads one of the condition functions.
func (p *parser) function() (*cond, error) {
	name := p.next().text
	p.next() // "("
	var args []operand
	for {
		o, err := p.operand()
		if err != nil {
			return nil, err
		}
		args = append(args, o)
		if p.peek().is(",") {
			p.next()
			continue
		}
		break
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	want := map[string]int{"attribute_exists": 1, "attribute_not_exists": 1, "begins_with": 2, "contains": 2}[name]
	if len(args) != want {
		return nil, &exprError{fmt.Sprintf("Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(args))}
	}
	switch name {
	case "attribute_exists", "attribute_not_exists":
		if !args[0].isPath() {
			return nil, &exprError{"Operator or function requires a document path; operator or function: " + name}
		}
		kind := condExists
		if name == "attribute_not_exists" {
			kind = condNotExists
		}
		return &cond{kind: kind, args: args}, nil
	case "begins_with":
		for _, a := range args {
			if t := a.staticType(); t != "" && t != "S" && t != "B" {
				return nil, &exprError{"Incorrect operand type for operator or function; operator or function: begins_with, operand type: " + t}
			}
		}
		if err := checkDistinct(name, args[0], args[1]); err != nil {
			return nil, err
		}
		return &cond{kind: condBeginsWith, args: args}, nil
	}
	if err := checkDistinct(name, args[0], args[1]); err != nil {
		return nil, err
	}
	return &cond{kind: condContains, args: args}, nil
}

func checkDistinct(op string, a, b operand) error {
	if a.isPath() && b.isPath() && a.path == b.path {
		return &exprError{fmt.Sprintf("The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: [%s]", op, a.path)}
	}
	return nil
}

// checkComparison refuses a path compared with itself. Operand types are not checked
// here: a comparison of values that cannot be ordered is simply false.
func checkComparison(op string, left, right operand) error {
	return checkDistinct(op, left, right)
}

// checkBetween refuses bounds of different types, or in the wrong order.
func checkBetween(lo, hi operand) error {
	if lo.isVal && hi.isVal {
		if typeName(lo.value) != typeName(hi.value) {
			return &exprError{fmt.Sprintf("The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s", describe(lo.value), describe(hi.value))}
		}
		if c, ok := order(lo.value, hi.value); ok && c > 0 {
			return &exprError{fmt.Sprintf("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s", describe(lo.value), describe(hi.value))}
		}
	}
	return nil
}

// Update expressions.

type updateKind int

const (
	updSet updateKind = iota
	updRemove
	updAdd
	updDelete
)

// term is one side of a SET value.
type term struct {
	path     string               // a path
	value    types.AttributeValue // a :value
	isVal    bool                 // a :value
	fn       string               // "if_not_exists" or "list_append"
	fnTarget string               // the path if_not_exists tests
	fnArgs   []*term              // if_not_exists: the fallback; list_append: both lists
}

// setValue is term [op term].
type setValue struct {
	left  *term
	op    string // "", "+" or "-"
	right *term
}

// action is one action of an update expression.
type action struct {
	kind  updateKind
	path  string
	value setValue             // SET
	arg   types.AttributeValue // ADD, DELETE
}

func parseUpdate(expr string, r *refs) ([]action, error) {
	p, err := newParser(expr, r)
	if err != nil {
		return nil, err
	}
	var actions []action
	seen := map[string]bool{}
	for p.peek().kind != tokEOF {
		t := p.next()
		var kind updateKind
		switch {
		case t.keyword("SET"):
			kind = updSet
		case t.keyword("REMOVE"):
			kind = updRemove
		case t.keyword("ADD"):
			kind = updAdd
		case t.keyword("DELETE"):
			kind = updDelete
		default:
			return nil, p.syntax(t)
		}
		section := strings.ToUpper(t.text)
		if seen[section] {
			return nil, &exprError{fmt.Sprintf("The %q section can only be used once in an update expression;", section)}
		}
		seen[section] = true
		for {
			a, err := p.action(kind)
			if err != nil {
				return nil, err
			}
			actions = append(actions, a)
			if !p.peek().is(",") {
				break
			}
			p.next()
		}
	}
	targets := map[string]bool{}
	for _, a := range actions {
		if targets[a.path] {
			return nil, &exprError{fmt.Sprintf("Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [%s], path two: [%s]", a.path, a.path)}
		}
		targets[a.path] = true
	}
	return actions, nil
}

func (p *parser) action(kind updateKind) (action, error) {
	name, err := p.path()
	if err != nil {
		return action{}, err
	}
	a := action{kind: kind, path: name}
	switch kind {
	case updSet:
		if err := p.expect("="); err != nil {
			return action{}, err
		}
		left, err := p.term()
		if err != nil {
			return action{}, err
		}
		a.value.left = left
		if t := p.peek(); t.is("+") || t.is("-") {
			p.next()
			right, err := p.term()
			if err != nil {
				return action{}, err
			}
			a.value.op, a.value.right = t.text, right
			for _, side := range []*term{left, right} {
				if side.isVal {
					if tn := typeName(side.value); tn != "N" {
						return action{}, &exprError{fmt.Sprintf("Incorrect operand type for operator or function; operator: %s, operand type: %s", t.text, tn)}
					}
				}
			}
		}
	case updAdd, updDelete:
		if p.peek().kind != tokValue {
			return action{}, p.syntax(p.peek())
		}
		v, err := p.value()
		if err != nil {
			return action{}, err
		}
		t := typeName(v)
		op := "ADD"
		ok := t == "N" || t == "SS" || t == "NS" || t == "BS"
		if kind == updDelete {
			op = "DELETE"
			ok = t == "SS" || t == "NS" || t == "BS"
		}
		if !ok {
			return action{}, &exprError{fmt.Sprintf("Incorrect operand type for operator or function; operator: %s, operand type: %s", op, t)}
		}
		a.arg = v
	}
	return a, nil
}

func (p *parser) term() (*term, error) {
	t := p.peek()
	switch {
	case t.kind == tokValue:
		v, err := p.value()
		return &term{value: v, isVal: true}, err
	case p.isFunction():
		switch t.text {
		case "if_not_exists", "list_append":
		case "attribute_exists", "attribute_not_exists", "begins_with", "contains", "size", "attribute_type":
			return nil, &exprError{"The function is not allowed in an update expression; function: " + t.text}
		default:
			return nil, &exprError{"Invalid function name; function: " + t.text}
		}
		p.next()
		p.next()
		out := &term{fn: t.text}
		if t.text == "if_not_exists" {
			target, err := p.path()
			if err != nil {
				return nil, err
			}
			out.fnTarget = target
			if err := p.expect(","); err != nil {
				return nil, err
			}
			fallback, err := p.term()
			if err != nil {
				return nil, err
			}
			out.fnArgs = []*term{fallback}
		} else {
			a, err := p.term()
			if err != nil {
				return nil, err
			}
			if err := p.expect(","); err != nil {
				return nil, err
			}
			b, err := p.term()
			if err != nil {
				return nil, err
			}
			for _, x := range []*term{a, b} {
				if x.isVal && typeName(x.value) != "L" {
					return nil, &exprError{"Incorrect operand type for operator or function; operator or function: list_append, operand type: " + typeName(x.value)}
				}
			}
			out.fnArgs = []*term{a, b}
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return out, nil
	}
	name, err := p.path()
	return &term{path: name}, err
}

// parseProjection parses a projection expression into attribute names.
func parseProjection(expr string, r *refs) ([]string, error) {
	p, err := newParser(expr, r)
	if err != nil {
		return nil, err
	}
	var names []string
	seen := map[string]bool{}
	for {
		name, err := p.path()
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, &exprError{fmt.Sprintf("Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [%s], path two: [%s]", name, name)}
		}
		seen[name] = true
		names = append(names, name)
		if !p.peek().is(",") {
			break
		}
		p.next()
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return names, nil
}
