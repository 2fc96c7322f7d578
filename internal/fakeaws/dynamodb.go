package fakeaws

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// maxItemSize is DynamoDB's limit on the size of one item.
const maxItemSize = 400 * 1024

// DynamoDB is an in-memory stand-in for the DynamoDB client: the item operations
// (GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan) and the table operations
// (CreateTable, DescribeTable, DeleteTable), with the method signatures of
// *dynamodb.Client, so it satisfies the narrow client interfaces of this module's
// packages. It is a fake for tests and demos, not a database.
//
// Condition, filter, key condition, update and projection expressions are parsed and
// evaluated as DynamoDB does for top-level attributes: comparisons, BETWEEN, IN,
// AND/OR/NOT, attribute_exists, attribute_not_exists, begins_with, contains, size; SET
// (with + and -, if_not_exists and list_append), REMOVE, ADD (numbers and sets) and
// DELETE. Reserved words, undefined or unused ExpressionAttributeNames and
// ExpressionAttributeValues, and type errors are refused with a ValidationException, as
// DynamoDB refuses them. What the fake does not implement (nested paths such as a.b or
// a[0], attribute_type, secondary indexes, the legacy Expected and AttributeUpdates
// parameters) fails with an error wrapping [ErrUnsupported], never silently.
//
// Failures carry the SDK's error types, wrapped as the SDK wraps them:
// *types.ConditionalCheckFailedException, *types.ResourceNotFoundException for a table
// that does not exist, *types.ResourceInUseException for one that exists already, and
// an API error with code ValidationException for an invalid request. Items go in and
// out as deep copies, so a caller cannot change what is stored by changing a map.
//
// Every operation honours its context, and a DynamoDB is safe for concurrent use: each
// operation is atomic, as a single-item operation is in DynamoDB. Items written are
// immediately visible to every read, consistent or not. Time to live is not modelled:
// expired items stay, as they may for hours in DynamoDB, so code must check expiry
// itself there too.
type DynamoDB struct {
	calls calls

	mu     sync.Mutex
	tables map[string]*table
}

// NewDynamoDB returns a DynamoDB with no tables. Create them with [DynamoDB.AddTable] or
// [DynamoDB.CreateTable].
func NewDynamoDB() *DynamoDB { return &DynamoDB{tables: map[string]*table{}} }

type keyDef struct{ name, typ string }

type table struct {
	name  string
	hash  keyDef
	rng   keyDef // name "" when the table has no sort key
	items map[string]item
}

// AddTable creates a table whose partition key, and sort key unless sortKey is "", are
// string attributes. It panics if the table exists or a name is empty: the test is wrong.
func (d *DynamoDB) AddTable(name, partitionKey, sortKey string) {
	in := &dynamodb.CreateTableInput{
		TableName: aws.String(name),
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String(partitionKey), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(partitionKey), AttributeType: types.ScalarAttributeTypeS}},
	}
	if sortKey != "" {
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String(sortKey), KeyType: types.KeyTypeRange})
		in.AttributeDefinitions = append(in.AttributeDefinitions,
			types.AttributeDefinition{AttributeName: aws.String(sortKey), AttributeType: types.ScalarAttributeTypeS})
	}
	if _, err := d.createTable(in); err != nil {
		panic(fmt.Sprintf("fakeaws: AddTable(%q, %q, %q): %v", name, partitionKey, sortKey, err))
	}
}

// Items returns a copy of every item of the table, ordered by key; nil when the table
// does not exist.
func (d *DynamoDB) Items(tableName string) []map[string]types.AttributeValue {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.tables[tableName]
	if t == nil {
		return nil
	}
	out := make([]map[string]types.AttributeValue, 0, len(t.items))
	for _, it := range t.sorted() {
		out = append(out, copyItem(it))
	}
	return out
}

// PlainItems returns the items of the table as plain Go values, ordered by key, for
// assertions that read and print well: S as string, N as int64 when it is an integer that
// fits and float64 when float64 holds it exactly, else as its decimal text, BOOL as
// bool, NULL as nil, B as []byte, SS as sorted []string, NS and BS as []any and [][]byte
// (numbers as for N), L as []any and M as map[string]any. nil when the table does not
// exist.
func (d *DynamoDB) PlainItems(tableName string) []map[string]any {
	items := d.Items(tableName)
	if items == nil {
		return nil
	}
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i] = plainMap(it)
	}
	return out
}

// Calls returns how many times operation ("PutItem") was called, whatever the outcome;
// all operations together for "".
func (d *DynamoDB) Calls(operation string) int { return d.calls.calls(operation) }

// FailNext makes the next call of operation ("UpdateItem") fail with err, wrapped as the
// SDK wraps errors, without doing anything. Calls queue: two FailNext fail two calls.
func (d *DynamoDB) FailNext(operation string, err error) { d.calls.failNext(operation, err) }

// SetHook sets a function called before every operation, outside the fake's lock, with
// the operation's name; a non-nil error fails the operation as [DynamoDB.FailNext] does.
// Use it to add latency, count, or make two calls race. nil removes it.
func (d *DynamoDB) SetHook(hook func(ctx context.Context, operation string) error) {
	d.calls.setHook(hook)
}

// table returns the table named name, or ResourceNotFoundException. d.mu must be held.
func (d *DynamoDB) table(name *string) (*table, error) {
	t := d.tables[aws.ToString(name)]
	if t == nil {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Cannot do operations on a non-existent table")}
	}
	return t, nil
}

func requireTableName(name *string) error {
	if aws.ToString(name) == "" {
		return validationf("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")
	}
	return nil
}

// keyOf returns the identity of the item with key attributes in it. exact requires it
// to hold nothing but the key, as a Key parameter must.
func (t *table) keyOf(it item, exact bool) (string, error) {
	defs := []keyDef{t.hash}
	if t.rng.name != "" {
		defs = append(defs, t.rng)
	}
	if exact && len(it) != len(defs) {
		return "", validationf("The provided key element does not match the schema")
	}
	var b strings.Builder
	for _, k := range defs {
		v, ok := it[k.name]
		if !ok {
			if exact {
				return "", validationf("The provided key element does not match the schema")
			}
			return "", validationf("One or more parameter values were invalid: Missing the key %s in the item", k.name)
		}
		if got := typeName(v); got != k.typ {
			if exact {
				return "", validationf("The provided key element does not match the schema")
			}
			return "", validationf("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", k.name, k.typ, got)
		}
		b.WriteString(k.typ)
		b.WriteByte(':')
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			if v.Value == "" {
				return "", validationf("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", k.name)
			}
			fmt.Fprintf(&b, "%d:%s", len(v.Value), v.Value)
		case *types.AttributeValueMemberN:
			fmt.Fprintf(&b, "%d:%s", len(v.Value), v.Value)
		case *types.AttributeValueMemberB:
			if len(v.Value) == 0 {
				return "", validationf("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: %s", k.name)
			}
			b.WriteString(hex.EncodeToString(v.Value))
		}
		b.WriteByte(0)
	}
	return b.String(), nil
}

// keyItem returns the key attributes of it.
func (t *table) keyItem(it item) item {
	out := item{t.hash.name: copyValue(it[t.hash.name])}
	if t.rng.name != "" {
		out[t.rng.name] = copyValue(it[t.rng.name])
	}
	return out
}

func (t *table) isKey(name string) bool {
	return name == t.hash.name || (t.rng.name != "" && name == t.rng.name)
}

// expressions compiles the expressions of one request. Each field is compiled only when
// its expression is given; unused names and values are an error, as in DynamoDB.
type expressions struct {
	condition  *cond
	keyCond    *cond
	filter     *cond
	update     []action
	projection []string
}

type exprInput struct {
	condition, keyCondition, filter, update, projection *string
	names                                               map[string]string
	values                                              map[string]types.AttributeValue
}

func compile(in exprInput) (*expressions, error) {
	r, err := newRefs(in.names, in.values)
	if err != nil {
		return nil, err
	}
	var out expressions
	given := false
	conds := []struct {
		kind string
		expr *string
		dst  **cond
	}{
		{"KeyConditionExpression", in.keyCondition, &out.keyCond},
		{"ConditionExpression", in.condition, &out.condition},
		{"FilterExpression", in.filter, &out.filter},
	}
	for _, c := range conds {
		if c.expr == nil {
			continue
		}
		given = true
		parsed, err := parseCondition(*c.expr, r)
		if err != nil {
			return nil, invalid(c.kind, err)
		}
		*c.dst = parsed
	}
	if in.update != nil {
		given = true
		if out.update, err = parseUpdate(*in.update, r); err != nil {
			return nil, invalid("UpdateExpression", err)
		}
	}
	if in.projection != nil {
		given = true
		if out.projection, err = parseProjection(*in.projection, r); err != nil {
			return nil, invalid("ProjectionExpression", err)
		}
	}
	if !given {
		switch {
		case in.names != nil:
			return nil, validationf("ExpressionAttributeNames can only be specified when using expressions")
		case in.values != nil:
			return nil, validationf("ExpressionAttributeValues can only be specified when using expressions")
		}
	}
	if err := r.unused(); err != nil {
		return nil, err
	}
	return &out, nil
}

// invalid turns a parse error into the ValidationException DynamoDB returns.
func invalid(kind string, err error) error {
	var ee *exprError
	if errors.As(err, &ee) {
		return validationf("Invalid %s: %s", kind, ee.msg)
	}
	return err
}

func conditionFailed(old item, ret types.ReturnValuesOnConditionCheckFailure) error {
	e := &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
	if ret == types.ReturnValuesOnConditionCheckFailureAllOld && old != nil {
		e.Item = copyItem(old)
	}
	return e
}

// checkWrite checks what PutItem and DeleteItem share: a table name, no legacy condition
// parameters, and return values they support.
func checkWrite(op string, table *string, legacy bool, rv types.ReturnValue, onFailure types.ReturnValuesOnConditionCheckFailure) error {
	if err := requireTableName(table); err != nil {
		return err
	}
	if legacy {
		return unsupportedf("%s: the legacy parameters Expected and ConditionalOperator; use ConditionExpression", op)
	}
	switch rv {
	case "", types.ReturnValueNone, types.ReturnValueAllOld:
	default:
		return validationf("ReturnValues can only be ALL_OLD or NONE")
	}
	return checkReturnOnFailure(onFailure)
}

func checkReturnOnFailure(r types.ReturnValuesOnConditionCheckFailure) error {
	switch r {
	case "", types.ReturnValuesOnConditionCheckFailureNone, types.ReturnValuesOnConditionCheckFailureAllOld:
		return nil
	}
	return validationf("1 validation error detected: Value '%s' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]", r)
}

// project returns the attributes of it named in names, or a copy of it all when names is nil.
func project(it item, names []string) item {
	if names == nil {
		return copyItem(it)
	}
	out := item{}
	for _, n := range names {
		if v, ok := it[n]; ok {
			out[n] = copyValue(v)
		}
	}
	return out
}

// GetItem returns the item with the given key; Item is nil when there is none.
// ProjectionExpression is honoured; ConsistentRead makes no difference, since every
// read sees every write.
func (d *DynamoDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	out, err := d.getItem(ctx, in)
	return out, opError("DynamoDB", "GetItem", err)
}

func (d *DynamoDB) getItem(ctx context.Context, in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
	if err := d.calls.begin(ctx, "GetItem"); err != nil {
		return nil, err
	}
	if err := requireTableName(in.TableName); err != nil {
		return nil, err
	}
	if in.AttributesToGet != nil {
		return nil, unsupportedf("GetItem: the legacy parameter AttributesToGet; use ProjectionExpression")
	}
	ex, err := compile(exprInput{projection: in.ProjectionExpression, names: in.ExpressionAttributeNames})
	if err != nil {
		return nil, err
	}
	key, err := validateItem(in.Key)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	t, err := d.table(in.TableName)
	if err != nil {
		return nil, err
	}
	k, err := t.keyOf(key, true)
	if err != nil {
		return nil, err
	}
	out := &dynamodb.GetItemOutput{}
	if it, ok := t.items[k]; ok {
		out.Item = project(it, ex.projection)
	}
	return out, nil
}

// PutItem creates or replaces an item, if ConditionExpression holds for the item it
// replaces (an empty item when there is none).
func (d *DynamoDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	out, err := d.putItem(ctx, in)
	return out, opError("DynamoDB", "PutItem", err)
}

func (d *DynamoDB) putItem(ctx context.Context, in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
	if err := d.calls.begin(ctx, "PutItem"); err != nil {
		return nil, err
	}
	if err := checkWrite("PutItem", in.TableName, in.Expected != nil || in.ConditionalOperator != "",
		in.ReturnValues, in.ReturnValuesOnConditionCheckFailure); err != nil {
		return nil, err
	}
	ex, err := compile(exprInput{condition: in.ConditionExpression,
		names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues})
	if err != nil {
		return nil, err
	}
	it, err := validateItem(in.Item)
	if err != nil {
		return nil, err
	}
	if itemSize(it) > maxItemSize {
		return nil, validationf("Item size has exceeded the maximum allowed size")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	t, err := d.table(in.TableName)
	if err != nil {
		return nil, err
	}
	k, err := t.keyOf(it, false)
	if err != nil {
		return nil, err
	}
	old := t.items[k]
	if ex.condition != nil && !ex.condition.eval(old) {
		return nil, conditionFailed(old, in.ReturnValuesOnConditionCheckFailure)
	}
	t.items[k] = it
	out := &dynamodb.PutItemOutput{}
	if in.ReturnValues == types.ReturnValueAllOld && old != nil {
		out.Attributes = copyItem(old)
	}
	return out, nil
}

// UpdateItem changes the item with the given key, creating it when there is none, if
// ConditionExpression holds for the item as it was.
func (d *DynamoDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	out, err := d.updateItem(ctx, in)
	return out, opError("DynamoDB", "UpdateItem", err)
}

func (d *DynamoDB) updateItem(ctx context.Context, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
	if err := d.calls.begin(ctx, "UpdateItem"); err != nil {
		return nil, err
	}
	if err := requireTableName(in.TableName); err != nil {
		return nil, err
	}
	if in.AttributeUpdates != nil || in.Expected != nil || in.ConditionalOperator != "" {
		return nil, unsupportedf("UpdateItem: the legacy parameters AttributeUpdates, Expected and ConditionalOperator; use UpdateExpression and ConditionExpression")
	}
	switch in.ReturnValues {
	case "", types.ReturnValueNone, types.ReturnValueAllOld, types.ReturnValueAllNew,
		types.ReturnValueUpdatedOld, types.ReturnValueUpdatedNew:
	default:
		return nil, validationf("1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", in.ReturnValues)
	}
	if err := checkReturnOnFailure(in.ReturnValuesOnConditionCheckFailure); err != nil {
		return nil, err
	}
	ex, err := compile(exprInput{condition: in.ConditionExpression, update: in.UpdateExpression,
		names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues})
	if err != nil {
		return nil, err
	}
	key, err := validateItem(in.Key)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	t, err := d.table(in.TableName)
	if err != nil {
		return nil, err
	}
	k, err := t.keyOf(key, true)
	if err != nil {
		return nil, err
	}
	for _, a := range ex.update {
		if t.isKey(a.path) {
			return nil, validationf("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", a.path)
		}
	}
	old := t.items[k]
	if ex.condition != nil && !ex.condition.eval(old) {
		return nil, conditionFailed(old, in.ReturnValuesOnConditionCheckFailure)
	}
	next, err := applyUpdate(old, ex.update)
	if err != nil {
		return nil, err
	}
	maps.Copy(next, key)
	if itemSize(next) > maxItemSize {
		return nil, validationf("Item size to update has exceeded the maximum allowed size")
	}
	t.items[k] = next
	out := &dynamodb.UpdateItemOutput{}
	updated := make([]string, 0, len(ex.update))
	for _, a := range ex.update {
		updated = append(updated, a.path)
	}
	switch in.ReturnValues {
	case types.ReturnValueAllOld:
		if old != nil {
			out.Attributes = copyItem(old)
		}
	case types.ReturnValueAllNew:
		out.Attributes = copyItem(next)
	case types.ReturnValueUpdatedOld:
		out.Attributes = project(old, updated)
	case types.ReturnValueUpdatedNew:
		out.Attributes = project(next, updated)
	}
	return out, nil
}

// DeleteItem deletes the item with the given key, if ConditionExpression holds for it.
// Deleting an item that does not exist succeeds.
func (d *DynamoDB) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	out, err := d.deleteItem(ctx, in)
	return out, opError("DynamoDB", "DeleteItem", err)
}

func (d *DynamoDB) deleteItem(ctx context.Context, in *dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) {
	if err := d.calls.begin(ctx, "DeleteItem"); err != nil {
		return nil, err
	}
	if err := checkWrite("DeleteItem", in.TableName, in.Expected != nil || in.ConditionalOperator != "",
		in.ReturnValues, in.ReturnValuesOnConditionCheckFailure); err != nil {
		return nil, err
	}
	ex, err := compile(exprInput{condition: in.ConditionExpression,
		names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues})
	if err != nil {
		return nil, err
	}
	key, err := validateItem(in.Key)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	t, err := d.table(in.TableName)
	if err != nil {
		return nil, err
	}
	k, err := t.keyOf(key, true)
	if err != nil {
		return nil, err
	}
	old := t.items[k]
	if ex.condition != nil && !ex.condition.eval(old) {
		return nil, conditionFailed(old, in.ReturnValuesOnConditionCheckFailure)
	}
	delete(t.items, k)
	out := &dynamodb.DeleteItemOutput{}
	if in.ReturnValues == types.ReturnValueAllOld && old != nil {
		out.Attributes = copyItem(old)
	}
	return out, nil
}

// Query returns the items of one partition in sort key order, as DynamoDB does for a
// table (not an index): KeyConditionExpression, FilterExpression, ProjectionExpression,
// ScanIndexForward, Limit, ExclusiveStartKey and Select (ALL_ATTRIBUTES, COUNT,
// SPECIFIC_ATTRIBUTES) are honoured. IndexName is not supported.
func (d *DynamoDB) Query(ctx context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := d.query(ctx, in)
	return out, opError("DynamoDB", "Query", err)
}

func (d *DynamoDB) query(ctx context.Context, in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
	if err := d.calls.begin(ctx, "Query"); err != nil {
		return nil, err
	}
	if err := requireTableName(in.TableName); err != nil {
		return nil, err
	}
	switch {
	case in.IndexName != nil:
		return nil, unsupportedf("Query: secondary indexes (IndexName %q)", aws.ToString(in.IndexName))
	case in.KeyConditions != nil || in.QueryFilter != nil || in.AttributesToGet != nil || in.ConditionalOperator != "":
		return nil, unsupportedf("Query: the legacy parameters KeyConditions, QueryFilter, AttributesToGet and ConditionalOperator; use expressions")
	case in.KeyConditionExpression == nil:
		return nil, validationf("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	ex, err := compile(exprInput{keyCondition: in.KeyConditionExpression, filter: in.FilterExpression,
		projection: in.ProjectionExpression, names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues})
	if err != nil {
		return nil, err
	}
	page, err := checkPaging(in.Limit, in.Select, ex.projection)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	t, err := d.table(in.TableName)
	if err != nil {
		return nil, err
	}
	hash, rng, err := t.keyCondition(ex.keyCond)
	if err != nil {
		return nil, err
	}
	if err := t.checkFilter(ex.filter); err != nil {
		return nil, err
	}
	var matching []item
	for _, it := range t.sorted() {
		if hash.eval(it) && (rng == nil || rng.eval(it)) {
			matching = append(matching, it)
		}
	}
	if in.ScanIndexForward != nil && !*in.ScanIndexForward {
		slices.Reverse(matching)
	}
	backward := in.ScanIndexForward != nil && !*in.ScanIndexForward
	items, count, scanned, last, err := t.page(matching, in.ExclusiveStartKey, backward, ex.filter, ex.projection, page)
	if err != nil {
		return nil, err
	}
	return &dynamodb.QueryOutput{Items: items, Count: count, ScannedCount: scanned, LastEvaluatedKey: last}, nil
}

// Scan returns every item of the table, ordered by key (DynamoDB's order is by hash and
// not predictable either): FilterExpression, ProjectionExpression, Limit,
// ExclusiveStartKey and Select are honoured. IndexName and parallel scans are not
// supported.
func (d *DynamoDB) Scan(ctx context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	out, err := d.scan(ctx, in)
	return out, opError("DynamoDB", "Scan", err)
}

func (d *DynamoDB) scan(ctx context.Context, in *dynamodb.ScanInput) (*dynamodb.ScanOutput, error) {
	if err := d.calls.begin(ctx, "Scan"); err != nil {
		return nil, err
	}
	if err := requireTableName(in.TableName); err != nil {
		return nil, err
	}
	switch {
	case in.IndexName != nil:
		return nil, unsupportedf("Scan: secondary indexes (IndexName %q)", aws.ToString(in.IndexName))
	case in.Segment != nil || in.TotalSegments != nil:
		return nil, unsupportedf("Scan: parallel scans (Segment, TotalSegments)")
	case in.ScanFilter != nil || in.AttributesToGet != nil || in.ConditionalOperator != "":
		return nil, unsupportedf("Scan: the legacy parameters ScanFilter, AttributesToGet and ConditionalOperator; use expressions")
	}
	ex, err := compile(exprInput{filter: in.FilterExpression, projection: in.ProjectionExpression,
		names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues})
	if err != nil {
		return nil, err
	}
	page, err := checkPaging(in.Limit, in.Select, ex.projection)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	t, err := d.table(in.TableName)
	if err != nil {
		return nil, err
	}
	items, count, scanned, last, err := t.page(t.sorted(), in.ExclusiveStartKey, false, ex.filter, ex.projection, page)
	if err != nil {
		return nil, err
	}
	return &dynamodb.ScanOutput{Items: items, Count: count, ScannedCount: scanned, LastEvaluatedKey: last}, nil
}

type paging struct {
	limit int
	count bool // Select COUNT
}

func checkPaging(limit *int32, sel types.Select, projection []string) (paging, error) {
	p := paging{}
	if limit != nil {
		if *limit < 1 {
			return p, validationf("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *limit)
		}
		p.limit = int(*limit)
	}
	switch sel {
	case "", types.SelectAllAttributes:
		if sel != "" && projection != nil {
			return p, validationf("Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES")
		}
	case types.SelectCount:
		if projection != nil {
			return p, validationf("Cannot specify the ProjectionExpression when choosing to get COUNT")
		}
		p.count = true
	case types.SelectSpecificAttributes:
		if projection == nil {
			return p, validationf("Must specify the ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
		}
	case types.SelectAllProjectedAttributes:
		return p, validationf("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
	default:
		return p, validationf("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", sel)
	}
	return p, nil
}

// page applies ExclusiveStartKey, Limit, the filter and the projection to items, which
// are in the order the operation returns them. The start key need not be an item's:
// reading resumes after the place it would have, as in DynamoDB. backward is true for a
// query read in descending sort key order.
func (t *table) page(items []item, start item, backward bool, filter *cond, projection []string, p paging) (out []item, count, scanned int32, last item, err error) {
	if start != nil {
		start, err = validateItem(start)
		if err != nil {
			return nil, 0, 0, nil, err
		}
		if _, err := t.keyOf(start, true); err != nil {
			return nil, 0, 0, nil, validationf("The provided starting key is invalid: %s", apiMessage(err))
		}
		i := 0
		for ; i < len(items); i++ {
			c := t.compareKeys(items[i], start)
			if (!backward && c > 0) || (backward && c < 0) {
				break
			}
		}
		items = items[i:]
	}
	for _, it := range items {
		if p.limit > 0 && int(scanned) == p.limit {
			break
		}
		scanned++
		if p.limit > 0 && int(scanned) == p.limit {
			last = t.keyItem(it)
		}
		if filter != nil && !filter.eval(it) {
			continue
		}
		count++
		if !p.count {
			out = append(out, project(it, projection))
		}
	}
	if out == nil && !p.count {
		out = []item{}
	}
	return out, count, scanned, last, nil
}

// compareKeys orders items by partition key, then sort key: the fake's scan order, and
// a query's within its partition.
func (t *table) compareKeys(a, b item) int {
	if c, _ := order(a[t.hash.name], b[t.hash.name]); c != 0 || t.rng.name == "" {
		return c
	}
	c, _ := order(a[t.rng.name], b[t.rng.name])
	return c
}

// sorted returns the table's items in key order.
func (t *table) sorted() []item {
	all := slices.Collect(maps.Values(t.items))
	slices.SortFunc(all, t.compareKeys)
	return all
}

// keyCondition checks a KeyConditionExpression as DynamoDB does and splits it into the
// partition key's condition and the sort key's, if any.
func (t *table) keyCondition(c *cond) (hash, rng *cond, err error) {
	var leaves []*cond
	var walk func(c *cond) error
	walk = func(c *cond) error {
		switch c.kind {
		case condAnd:
			for _, s := range c.sub {
				if err := walk(s); err != nil {
					return err
				}
			}
			return nil
		case condGroup:
			return walk(c.sub[0])
		case condOr, condNot, condIn, condExists, condNotExists, condContains:
			return validationf("Invalid operator used in KeyConditionExpression: %s", keyOpName(c))
		case condCompare:
			if c.op == "<>" {
				return validationf("Invalid operator used in KeyConditionExpression: <>")
			}
		}
		leaves = append(leaves, c)
		return nil
	}
	if err := walk(c); err != nil {
		return nil, nil, err
	}
	if len(leaves) > 2 {
		return nil, nil, validationf("Conditions can be of length 1 or 2 only")
	}
	for _, l := range leaves {
		path := ""
		for i, a := range l.args {
			if a.size {
				return nil, nil, validationf("KeyConditionExpressions cannot contain nested operations")
			}
			if a.isPath() {
				if path != "" {
					return nil, nil, validationf("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
				}
				if i != 0 && l.kind != condCompare {
					return nil, nil, validationf("Invalid condition in KeyConditionExpression: %s operator must have the key attribute as its first operand", keyOpName(l))
				}
				path = a.path
			}
		}
		switch {
		case path == "":
			return nil, nil, validationf("Invalid condition in KeyConditionExpression: No key attribute specified")
		case path == t.hash.name:
			if hash != nil {
				return nil, nil, validationf("KeyConditionExpressions must only contain one condition per key")
			}
			if l.kind != condCompare || l.op != "=" {
				return nil, nil, validationf("Query key condition not supported")
			}
			hash = l
		case t.rng.name != "" && path == t.rng.name:
			if rng != nil {
				return nil, nil, validationf("KeyConditionExpressions must only contain one condition per key")
			}
			rng = l
		default:
			return nil, nil, validationf("Query condition missed key schema element: %s", t.hash.name)
		}
	}
	if hash == nil {
		return nil, nil, validationf("Query condition missed key schema element: %s", t.hash.name)
	}
	return hash, rng, nil
}

func keyOpName(c *cond) string {
	switch c.kind {
	case condOr:
		return "OR"
	case condNot:
		return "NOT"
	case condIn:
		return "IN"
	case condExists:
		return "attribute_exists"
	case condNotExists:
		return "attribute_not_exists"
	case condContains:
		return "contains"
	case condBeginsWith:
		return "begins_with"
	case condBetween:
		return "BETWEEN"
	}
	return c.op
}

func (t *table) checkFilter(f *cond) error {
	if f == nil {
		return nil
	}
	for _, p := range f.paths() {
		if t.isKey(p) {
			return validationf("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s", p)
		}
	}
	return nil
}

// CreateTable creates a table with a partition key and an optional sort key of type S,
// N or B. Secondary indexes and streams are not supported; billing, throughput, tags and
// the like are accepted and ignored. The table is ACTIVE at once.
func (d *DynamoDB) CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	if err := d.calls.begin(ctx, "CreateTable"); err != nil {
		return nil, opError("DynamoDB", "CreateTable", err)
	}
	out, err := d.createTable(in)
	return out, opError("DynamoDB", "CreateTable", err)
}

func (d *DynamoDB) createTable(in *dynamodb.CreateTableInput) (*dynamodb.CreateTableOutput, error) {
	if err := requireTableName(in.TableName); err != nil {
		return nil, err
	}
	if len(in.GlobalSecondaryIndexes) > 0 || len(in.LocalSecondaryIndexes) > 0 {
		return nil, unsupportedf("CreateTable: secondary indexes")
	}
	if in.StreamSpecification != nil && aws.ToBool(in.StreamSpecification.StreamEnabled) {
		return nil, unsupportedf("CreateTable: streams")
	}
	defs := map[string]string{}
	for _, a := range in.AttributeDefinitions {
		defs[aws.ToString(a.AttributeName)] = string(a.AttributeType)
	}
	t := &table{name: aws.ToString(in.TableName), items: map[string]item{}}
	for _, k := range in.KeySchema {
		name := aws.ToString(k.AttributeName)
		typ, ok := defs[name]
		if !ok {
			return nil, validationf("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: %v", name, slices.Sorted(maps.Keys(defs)))
		}
		if !isScalarKeyType(typ) {
			return nil, validationf("Member must satisfy enum value set: [B, N, S]")
		}
		switch {
		case k.KeyType == types.KeyTypeHash && t.hash.name == "":
			t.hash = keyDef{name, typ}
		case k.KeyType == types.KeyTypeRange && t.rng.name == "" && t.hash.name != "":
			t.rng = keyDef{name, typ}
		default:
			return nil, validationf("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
		}
	}
	if t.hash.name == "" {
		return nil, validationf("1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: Member must not be null")
	}
	if want := len(in.KeySchema); len(defs) != want {
		return nil, validationf("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tables[t.name] != nil {
		return nil, &types.ResourceInUseException{Message: aws.String("Table already exists: " + t.name)}
	}
	d.tables[t.name] = t
	return &dynamodb.CreateTableOutput{TableDescription: t.describe()}, nil
}

func (t *table) describe() *types.TableDescription {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(t.hash.name), KeyType: types.KeyTypeHash}}
	ad := []types.AttributeDefinition{{AttributeName: aws.String(t.hash.name), AttributeType: types.ScalarAttributeType(t.hash.typ)}}
	if t.rng.name != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(t.rng.name), KeyType: types.KeyTypeRange})
		ad = append(ad, types.AttributeDefinition{AttributeName: aws.String(t.rng.name), AttributeType: types.ScalarAttributeType(t.rng.typ)})
	}
	return &types.TableDescription{
		TableName:            aws.String(t.name),
		TableStatus:          types.TableStatusActive,
		KeySchema:            ks,
		AttributeDefinitions: ad,
		ItemCount:            aws.Int64(int64(len(t.items))),
	}
}

// DescribeTable describes a table: its name, key schema, status (always ACTIVE) and item
// count.
func (d *DynamoDB) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	if err := d.calls.begin(ctx, "DescribeTable"); err != nil {
		return nil, opError("DynamoDB", "DescribeTable", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	t, err := d.table(in.TableName)
	if err != nil {
		return nil, opError("DynamoDB", "DescribeTable", err)
	}
	return &dynamodb.DescribeTableOutput{Table: t.describe()}, nil
}

// DeleteTable deletes a table and its items.
func (d *DynamoDB) DeleteTable(ctx context.Context, in *dynamodb.DeleteTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	if err := d.calls.begin(ctx, "DeleteTable"); err != nil {
		return nil, opError("DynamoDB", "DeleteTable", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	t, err := d.table(in.TableName)
	if err != nil {
		return nil, opError("DynamoDB", "DeleteTable", err)
	}
	delete(d.tables, t.name)
	desc := t.describe()
	desc.TableStatus = types.TableStatusDeleting
	return &dynamodb.DeleteTableOutput{TableDescription: desc}, nil
}

// apiMessage returns the message of an API error, or the error's text.
func apiMessage(err error) string {
	var api interface{ ErrorMessage() string }
	if errors.As(err, &api) {
		return api.ErrorMessage()
	}
	return err.Error()
}
