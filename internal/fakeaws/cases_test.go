package fakeaws_test

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// dynamoAPI is what the fake and *dynamodb.Client both provide; every case runs
// against either.
type dynamoAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// callCase is one request against a table holding seed, with the outcome DynamoDB
// gives: the error kind (see outcome), the rendered output and the rendered table
// afterwards. The unit tests hold the fake to it, the integration tests dynalite too.
type callCase struct {
	name     string
	sortKey  bool // the table has sort key sk (S) besides partition key pk (S)
	seed     []item
	run      func(ctx context.Context, db dynamoAPI, table string) (any, error)
	want     string // outcome
	wantOut  string // render of what run returned; "" when run returns nothing
	wantRest string // render of the table after run, ordered by key; "" skips the check
}

func key(pk string) item { return item{"pk": s(pk)} }

// The expressions of the modules, verbatim.
const (
	rateLimitUpdate    = "ADD #count :one, #attempts :attempts SET #expiresAt = if_not_exists(#expiresAt, :end)"
	rateLimitCondition = "(attribute_not_exists(#count) OR #count < :limit) AND NOT contains(#attempts, :attempt)"
	invitationUpdate   = "SET #usedBy = :user, #usedAt = if_not_exists(#usedAt, :now)"
	invitationCond     = "attribute_exists(#code) AND #email = :email AND (attribute_not_exists(#usedBy) OR #usedBy = :user)"
	consumeCond        = "codeId = :id AND (attribute_not_exists(usedBy) OR usedBy = :n) AND (attribute_not_exists(failed) OR size(failed) < :max)"
	claimReclaimCond   = "attribute_not_exists(#pk) OR (#status = :claimed AND #claimedAt < :stale)"
)

func rateLimit(attempt, limit, end string) func(ctx context.Context, db dynamoAPI, table string) (any, error) {
	return func(ctx context.Context, db dynamoAPI, table string) (any, error) {
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(table), Key: key("w1"),
			UpdateExpression:         aws.String(rateLimitUpdate),
			ConditionExpression:      aws.String(rateLimitCondition),
			ExpressionAttributeNames: map[string]string{"#count": "count", "#attempts": "attempts", "#expiresAt": "expiresAt"},
			ExpressionAttributeValues: item{":one": n("1"), ":limit": n(limit), ":attempts": ss(attempt),
				":attempt": s(attempt), ":end": n(end)},
		})
		return nil, err
	}
}

func markUsed(code, email, user, now string) func(ctx context.Context, db dynamoAPI, table string) (any, error) {
	return func(ctx context.Context, db dynamoAPI, table string) (any, error) {
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(table), Key: item{"pk": s(code)},
			UpdateExpression:    aws.String(invitationUpdate),
			ConditionExpression: aws.String(invitationCond),
			ExpressionAttributeNames: map[string]string{"#code": "pk", "#email": "email", "#usedBy": "usedBy",
				"#usedAt": "usedAt"},
			ExpressionAttributeValues: item{":user": s(user), ":email": s(email), ":now": n(now)},
		})
		return nil, err
	}
}

func consume(id, nonce, max string) func(ctx context.Context, db dynamoAPI, table string) (any, error) {
	return func(ctx context.Context, db dynamoAPI, table string) (any, error) {
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(table), Key: key("u"),
			UpdateExpression:          aws.String("SET usedBy = :n"),
			ConditionExpression:       aws.String(consumeCond),
			ExpressionAttributeValues: item{":id": s(id), ":n": s(nonce), ":max": n(max)},
		})
		return nil, err
	}
}

// putCond puts it under condition cond.
func putCond(it item, cond string, names map[string]string, values item) func(ctx context.Context, db dynamoAPI, table string) (any, error) {
	return func(ctx context.Context, db dynamoAPI, table string) (any, error) {
		in := &dynamodb.PutItemInput{TableName: aws.String(table), Item: it, ExpressionAttributeNames: names,
			ExpressionAttributeValues: values}
		if cond != "" {
			in.ConditionExpression = aws.String(cond)
		}
		_, err := db.PutItem(ctx, in)
		return nil, err
	}
}

// check evaluates cond against the item with key "a" by a conditional delete that is
// put back: the outcome is ok when cond holds and ConditionalCheckFailed when not.
func check(cond string, names map[string]string, values item) func(ctx context.Context, db dynamoAPI, table string) (any, error) {
	return func(ctx context.Context, db dynamoAPI, table string) (any, error) {
		out, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: key("a"),
			ConditionExpression: aws.String(cond), ExpressionAttributeNames: names, ExpressionAttributeValues: values,
			ReturnValues: types.ReturnValueAllOld})
		if err == nil && out.Attributes != nil {
			_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: out.Attributes})
		}
		return nil, err
	}
}

func update(expr string, names map[string]string, values item, ret types.ReturnValue) func(ctx context.Context, db dynamoAPI, table string) (any, error) {
	return func(ctx context.Context, db dynamoAPI, table string) (any, error) {
		out, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key("a"),
			UpdateExpression: aws.String(expr), ExpressionAttributeNames: names, ExpressionAttributeValues: values,
			ReturnValues: ret})
		if err != nil || ret == "" {
			return nil, err
		}
		return out.Attributes, nil
	}
}

func get(pk string, projection string, names map[string]string) func(ctx context.Context, db dynamoAPI, table string) (any, error) {
	return func(ctx context.Context, db dynamoAPI, table string) (any, error) {
		in := &dynamodb.GetItemInput{TableName: aws.String(table), Key: key(pk), ConsistentRead: aws.Bool(true),
			ExpressionAttributeNames: names}
		if projection != "" {
			in.ProjectionExpression = aws.String(projection)
		}
		out, err := db.GetItem(ctx, in)
		if err != nil {
			return nil, err
		}
		return out.Item, nil
	}
}

func query(in dynamodb.QueryInput) func(ctx context.Context, db dynamoAPI, table string) (any, error) {
	return func(ctx context.Context, db dynamoAPI, table string) (any, error) {
		in.TableName = aws.String(table)
		out, err := db.Query(ctx, &in)
		if err != nil {
			return nil, err
		}
		items := make([]any, len(out.Items))
		for i, it := range out.Items {
			items[i] = plainItem(it)
		}
		return map[string]any{"items": items, "count": out.Count, "scanned": out.ScannedCount,
			"last": plainItem(out.LastEvaluatedKey)}, nil
	}
}

func sortItems(pk string, sks ...string) []item {
	var out []item
	for i, sk := range sks {
		out = append(out, item{"pk": s(pk), "sk": s(sk), "v": n(string(rune('1' + i)))})
	}
	return out
}

var seedA = []item{{"pk": s("a"), "num": n("9"), "str": s("9"), "text": s("hello world"),
	"set": ss("x", "y"), "list": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("x"), n("2")}},
	"map": &types.AttributeValueMemberM{Value: item{"k": s("v")}}, "flag": &types.AttributeValueMemberBOOL{Value: true}}}

var callCases = []callCase{
	// presignup.RateLimit
	{name: "rate limit: the first attempt creates the counter", run: rateLimit("a1", "2", "100"), want: "ok",
		wantRest: `[{"attempts":{"SS":["a1"]},"count":{"N":"1"},"expiresAt":{"N":"100"},"pk":{"S":"w1"}}]`},
	{name: "rate limit: the same attempt again fails the condition",
		seed: []item{{"pk": s("w1"), "count": n("1"), "attempts": ss("a1"), "expiresAt": n("100")}},
		run:  rateLimit("a1", "2", "200"), want: "ConditionalCheckFailed",
		wantRest: `[{"attempts":{"SS":["a1"]},"count":{"N":"1"},"expiresAt":{"N":"100"},"pk":{"S":"w1"}}]`},
	{name: "rate limit: a new attempt under the limit counts and keeps the window's end",
		seed: []item{{"pk": s("w1"), "count": n("1"), "attempts": ss("a1"), "expiresAt": n("100")}},
		run:  rateLimit("a2", "2", "200"), want: "ok",
		wantRest: `[{"attempts":{"SS":["a1","a2"]},"count":{"N":"2"},"expiresAt":{"N":"100"},"pk":{"S":"w1"}}]`},
	{name: "rate limit: a new attempt at the limit fails the condition",
		seed: []item{{"pk": s("w1"), "count": n("2"), "attempts": ss("a1", "a2"), "expiresAt": n("100")}},
		run:  rateLimit("a3", "2", "100"), want: "ConditionalCheckFailed"},
	{name: "rate limit: the attempts are read back with a projection",
		seed:    []item{{"pk": s("w1"), "count": n("2"), "attempts": ss("a1", "a2"), "expiresAt": n("100")}},
		run:     get("w1", "#attempts", map[string]string{"#attempts": "attempts"}),
		want:    "ok",
		wantOut: `{"attempts":{"SS":["a1","a2"]}}`},

	// presignup.RequireInvitation and postconfirm.MarkInvitationUsed
	{name: "invitation: marked used",
		seed: []item{{"pk": s("INV1"), "email": s("ana@example.com"), "expiresAt": n("500")}},
		run:  markUsed("INV1", "ana@example.com", "ana", "100"), want: "ok",
		wantRest: `[{"email":{"S":"ana@example.com"},"expiresAt":{"N":"500"},"pk":{"S":"INV1"},"usedAt":{"N":"100"},"usedBy":{"S":"ana"}}]`},
	{name: "invitation: the same user again keeps the first usedAt",
		seed: []item{{"pk": s("INV1"), "email": s("ana@example.com"), "usedBy": s("ana"), "usedAt": n("100")}},
		run:  markUsed("INV1", "ana@example.com", "ana", "200"), want: "ok",
		wantRest: `[{"email":{"S":"ana@example.com"},"pk":{"S":"INV1"},"usedAt":{"N":"100"},"usedBy":{"S":"ana"}}]`},
	{name: "invitation: another user fails the condition",
		seed: []item{{"pk": s("INV1"), "email": s("ana@example.com"), "usedBy": s("ana"), "usedAt": n("100")}},
		run:  markUsed("INV1", "ana@example.com", "bob", "200"), want: "ConditionalCheckFailed"},
	{name: "invitation: a missing invitation fails the condition and creates nothing",
		run: markUsed("INV9", "ana@example.com", "ana", "200"), want: "ConditionalCheckFailed", wantRest: `[]`},
	{name: "invitation: another address fails the condition",
		seed: []item{{"pk": s("INV1"), "email": s("bob@example.com")}},
		run:  markUsed("INV1", "ana@example.com", "ana", "200"), want: "ConditionalCheckFailed"},
	{name: "invitation: read with a consistent GetItem",
		seed: []item{{"pk": s("INV1"), "email": s("ana@example.com")}},
		run:  get("INV1", "", nil), want: "ok", wantOut: `{"email":{"S":"ana@example.com"},"pk":{"S":"INV1"}}`},
	{name: "get: a missing item is no item", run: get("nobody", "", nil), want: "ok", wantOut: `null`},

	// customauth.DynamoDBStore
	{name: "code store: put a first record",
		run:  putCond(item{"pk": s("u"), "codeId": s("c1")}, "attribute_not_exists(#k)", map[string]string{"#k": "pk"}, nil),
		want: "ok", wantRest: `[{"codeId":{"S":"c1"},"pk":{"S":"u"}}]`},
	{name: "code store: a second first record fails",
		seed: []item{{"pk": s("u"), "codeId": s("c1")}},
		run:  putCond(item{"pk": s("u"), "codeId": s("c2")}, "attribute_not_exists(#k)", map[string]string{"#k": "pk"}, nil),
		want: "ConditionalCheckFailed", wantRest: `[{"codeId":{"S":"c1"},"pk":{"S":"u"}}]`},
	{name: "code store: replace the record holding the old code",
		seed: []item{{"pk": s("u"), "codeId": s("c1"), "usedBy": s("x")}},
		run:  putCond(item{"pk": s("u"), "codeId": s("c2")}, "codeId = :old", nil, item{":old": s("c1")}),
		want: "ok", wantRest: `[{"codeId":{"S":"c2"},"pk":{"S":"u"}}]`},
	{name: "code store: replacing a newer record fails",
		seed: []item{{"pk": s("u"), "codeId": s("c3")}},
		run:  putCond(item{"pk": s("u"), "codeId": s("c2")}, "codeId = :old", nil, item{":old": s("c1")}),
		want: "ConditionalCheckFailed"},
	{name: "code store: replacing a missing record fails",
		run:  putCond(item{"pk": s("u"), "codeId": s("c2")}, "codeId = :old", nil, item{":old": s("c1")}),
		want: "ConditionalCheckFailed", wantRest: `[]`},
	{name: "code store: delete only the record holding the code",
		seed: []item{{"pk": s("u"), "codeId": s("c1")}},
		run: func(ctx context.Context, db dynamoAPI, table string) (any, error) {
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: key("u"),
				ConditionExpression: aws.String("codeId = :id"), ExpressionAttributeValues: item{":id": s("c2")}})
			var ccf *types.ConditionalCheckFailedException
			if !errors.As(err, &ccf) {
				return "first delete: " + outcome(err), nil
			}
			_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: key("u"),
				ConditionExpression: aws.String("codeId = :id"), ExpressionAttributeValues: item{":id": s("c1")}})
			return nil, err
		},
		want: "ok", wantRest: `[]`},
	{name: "code store: consume an unused code",
		seed: []item{{"pk": s("u"), "codeId": s("c1")}},
		run:  consume("c1", "n1", "3"), want: "ok", wantRest: `[{"codeId":{"S":"c1"},"pk":{"S":"u"},"usedBy":{"S":"n1"}}]`},
	{name: "code store: consume again in the same challenge",
		seed: []item{{"pk": s("u"), "codeId": s("c1"), "usedBy": s("n1")}},
		run:  consume("c1", "n1", "3"), want: "ok"},
	{name: "code store: consume in another challenge fails",
		seed: []item{{"pk": s("u"), "codeId": s("c1"), "usedBy": s("n1")}},
		run:  consume("c1", "n2", "3"), want: "ConditionalCheckFailed"},
	{name: "code store: consume under the limit of wrong answers",
		seed: []item{{"pk": s("u"), "codeId": s("c1"), "failed": ss("f1", "f2")}},
		run:  consume("c1", "n1", "3"), want: "ok"},
	{name: "code store: consume at the limit of wrong answers fails",
		seed: []item{{"pk": s("u"), "codeId": s("c1"), "failed": ss("f1", "f2", "f3")}},
		run:  consume("c1", "n1", "3"), want: "ConditionalCheckFailed"},
	{name: "code store: consume a replaced code fails",
		seed: []item{{"pk": s("u"), "codeId": s("c2")}},
		run:  consume("c1", "n1", "3"), want: "ConditionalCheckFailed"},
	{name: "code store: record a wrong answer",
		seed: []item{{"pk": s("u"), "codeId": s("c1"), "failed": ss("f1")}},
		run: func(ctx context.Context, db dynamoAPI, table string) (any, error) {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key("u"),
				UpdateExpression: aws.String("ADD failed :n"), ConditionExpression: aws.String("codeId = :id"),
				ExpressionAttributeValues: item{":id": s("c1"), ":n": ss("f2")}})
			return nil, err
		},
		want: "ok", wantRest: `[{"codeId":{"S":"c1"},"failed":{"SS":["f1","f2"]},"pk":{"S":"u"}}]`},
	{name: "code store: a wrong answer for a missing record fails and creates nothing",
		run: func(ctx context.Context, db dynamoAPI, table string) (any, error) {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key("u"),
				UpdateExpression: aws.String("ADD failed :n"), ConditionExpression: aws.String("codeId = :id"),
				ExpressionAttributeValues: item{":id": s("c1"), ":n": ss("f2")}})
			return nil, err
		},
		want: "ConditionalCheckFailed", wantRest: `[]`},

	// postconfirm.WelcomeEmail and CreateProfile
	{name: "welcome: claim a new marker",
		run: putCond(item{"pk": s("m"), "status": s("claimed"), "claim": s("t1"), "claimedAt": n("1000")},
			"attribute_not_exists(#pk)", map[string]string{"#pk": "pk"}, nil),
		want: "ok"},
	{name: "welcome: a marker that exists is not claimed again",
		seed: []item{{"pk": s("m"), "status": s("sent"), "claim": s("t1")}},
		run: putCond(item{"pk": s("m"), "status": s("claimed"), "claim": s("t2"), "claimedAt": n("1000")},
			"attribute_not_exists(#pk)", map[string]string{"#pk": "pk"}, nil),
		want: "ConditionalCheckFailed", wantRest: `[{"claim":{"S":"t1"},"pk":{"S":"m"},"status":{"S":"sent"}}]`},
	{name: "welcome: a stale claim is taken over",
		seed: []item{{"pk": s("m"), "status": s("claimed"), "claim": s("t1"), "claimedAt": n("100")}},
		run: putCond(item{"pk": s("m"), "status": s("claimed"), "claim": s("t2"), "claimedAt": n("1000")},
			claimReclaimCond, map[string]string{"#pk": "pk", "#status": "status", "#claimedAt": "claimedAt"},
			item{":claimed": s("claimed"), ":stale": n("500")}),
		want: "ok", wantRest: `[{"claim":{"S":"t2"},"claimedAt":{"N":"1000"},"pk":{"S":"m"},"status":{"S":"claimed"}}]`},
	{name: "welcome: a fresh claim is not taken over",
		seed: []item{{"pk": s("m"), "status": s("claimed"), "claim": s("t1"), "claimedAt": n("900")}},
		run: putCond(item{"pk": s("m"), "status": s("claimed"), "claim": s("t2"), "claimedAt": n("1000")},
			claimReclaimCond, map[string]string{"#pk": "pk", "#status": "status", "#claimedAt": "claimedAt"},
			item{":claimed": s("claimed"), ":stale": n("500")}),
		want: "ConditionalCheckFailed"},
	{name: "welcome: a sent marker is never taken over",
		seed: []item{{"pk": s("m"), "status": s("sent"), "claim": s("t1"), "claimedAt": n("100")}},
		run: putCond(item{"pk": s("m"), "status": s("claimed"), "claim": s("t2"), "claimedAt": n("1000")},
			claimReclaimCond, map[string]string{"#pk": "pk", "#status": "status", "#claimedAt": "claimedAt"},
			item{":claimed": s("claimed"), ":stale": n("500")}),
		want: "ConditionalCheckFailed"},
	{name: "welcome: release only our own claim",
		seed: []item{{"pk": s("a"), "status": s("claimed"), "claim": s("t1")}},
		run: check("#claim = :token AND #status = :claimed", map[string]string{"#claim": "claim", "#status": "status"},
			item{":token": s("t2"), ":claimed": s("claimed")}),
		want: "ConditionalCheckFailed"},
	{name: "welcome: mark sent",
		seed: []item{{"pk": s("a"), "status": s("claimed"), "claim": s("t1"), "claimedAt": n("1000")}},
		run: func(ctx context.Context, db dynamoAPI, table string) (any, error) {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key("a"),
				UpdateExpression:    aws.String("SET #status = :sent, #sentAt = :now, #messageId = :id"),
				ConditionExpression: aws.String("#claim = :token"),
				ExpressionAttributeNames: map[string]string{"#status": "status", "#sentAt": "sentAt",
					"#messageId": "messageId", "#claim": "claim"},
				ExpressionAttributeValues: item{":sent": s("sent"), ":now": s("2026-01-02T03:04:05Z"),
					":id": s("msg-1"), ":token": s("t1")}})
			return nil, err
		},
		want:     "ok",
		wantRest: `[{"claim":{"S":"t1"},"claimedAt":{"N":"1000"},"messageId":{"S":"msg-1"},"pk":{"S":"a"},"sentAt":{"S":"2026-01-02T03:04:05Z"},"status":{"S":"sent"}}]`},
	{name: "profile: an existing profile is not overwritten",
		seed: []item{{"pk": s("sub-1"), "email": s("old@example.com")}},
		run: putCond(item{"pk": s("sub-1"), "email": s("new@example.com")}, "attribute_not_exists(#pk)",
			map[string]string{"#pk": "pk"}, nil),
		want: "ConditionalCheckFailed", wantRest: `[{"email":{"S":"old@example.com"},"pk":{"S":"sub-1"}}]`},

	// pretoken.ClaimsFromDynamoDB and migrate's store: projections through names
	{name: "projection: named attributes, a missing one left out",
		seed: []item{{"pk": s("u"), "permissions": ss("read", "write"), "plan": s("pro"), "secret": s("x")}},
		run:  get("u", "#a0, #a1, #a2", map[string]string{"#a0": "permissions", "#a1": "plan", "#a2": "absent"}),
		want: "ok", wantOut: `{"permissions":{"SS":["read","write"]},"plan":{"S":"pro"}}`},

	// Condition semantics
	{name: "cond: <> holds for a missing attribute", seed: seedA, run: check("nothing <> :v", nil, item{":v": s("x")}), want: "ok"},
	{name: "cond: = fails for a missing attribute", seed: seedA, run: check("nothing = :v", nil, item{":v": s("x")}), want: "ConditionalCheckFailed"},
	{name: "cond: = is false across types", seed: seedA, run: check("num = :v", nil, item{":v": s("9")}), want: "ConditionalCheckFailed"},
	{name: "cond: <> is true across types", seed: seedA, run: check("num <> :v", nil, item{":v": s("9")}), want: "ok"},
	{name: "cond: numbers compare by value", seed: seedA, run: check("num < :v", nil, item{":v": n("10")}), want: "ok"},
	{name: "cond: strings compare by bytes", seed: seedA, run: check("str > :v", nil, item{":v": s("10")}), want: "ok"},
	{name: "cond: < across types is false", seed: seedA, run: check("num < :v", nil, item{":v": s("99")}), want: "ConditionalCheckFailed"},
	{name: "cond: equal numbers written differently", seed: seedA, run: check("num = :v", nil, item{":v": n("9.000")}), want: "ok"},
	{name: "cond: BETWEEN", seed: seedA, run: check("num BETWEEN :a AND :b", nil, item{":a": n("9"), ":b": n("12")}), want: "ok"},
	{name: "cond: IN", seed: seedA, run: check("str IN (:a, :b)", nil, item{":a": s("8"), ":b": s("9")}), want: "ok"},
	{name: "cond: begins_with", seed: seedA, run: check("begins_with(#t, :p)", map[string]string{"#t": "text"}, item{":p": s("hell")}), want: "ok"},
	{name: "cond: contains on a string", seed: seedA, run: check("contains(#t, :p)", map[string]string{"#t": "text"}, item{":p": s("o w")}), want: "ok"},
	{name: "cond: contains on a set", seed: seedA, run: check("contains(#s, :p)", map[string]string{"#s": "set"}, item{":p": s("y")}), want: "ok"},
	{name: "cond: contains on a list", seed: seedA, run: check("contains(#l, :p)", map[string]string{"#l": "list"}, item{":p": n("2")}), want: "ok"},
	{name: "cond: contains on a missing attribute", seed: seedA, run: check("contains(nothing, :p)", nil, item{":p": s("x")}), want: "ConditionalCheckFailed"},
	{name: "cond: NOT contains on a missing attribute", seed: seedA, run: check("NOT contains(nothing, :p)", nil, item{":p": s("x")}), want: "ok"},
	{name: "cond: size of a string", seed: seedA, run: check("size(#t) = :n", map[string]string{"#t": "text"}, item{":n": n("11")}), want: "ok"},
	{name: "cond: size of a set, list and map", seed: seedA,
		run: check("size(#s) = :two AND size(#l) = :two AND size(#m) = :one",
			map[string]string{"#s": "set", "#l": "list", "#m": "map"}, item{":two": n("2"), ":one": n("1")}), want: "ok"},
	{name: "cond: size of a number compares false", seed: seedA, run: check("size(num) >= :n", nil, item{":n": n("0")}), want: "ConditionalCheckFailed"},
	{name: "cond: AND binds tighter than OR", seed: seedA,
		run: check("num = :v OR num = :w AND str = :w", nil, item{":v": n("9"), ":w": s("x")}), want: "ok"},
	{name: "cond: parentheses around an operand", seed: seedA, run: check("(num) = :v", nil, item{":v": n("9")}), want: "ok"},
	{name: "cond: NOT of a group", seed: seedA, run: check("NOT (attribute_not_exists(flag) OR flag = :f)", nil, item{":f": &types.AttributeValueMemberBOOL{Value: false}}), want: "ok"},
	{name: "cond: keywords in any case", seed: seedA, run: check("attribute_exists(num) and not (str between :a and :b)", nil, item{":a": s("0"), ":b": s("1")}), want: "ok"},

	// Update semantics
	{name: "update: arithmetic and list_append", seed: seedA,
		run: update("SET num = num + :one, #l = list_append(#l, :more), extra = :one - :two",
			map[string]string{"#l": "list"}, item{":one": n("1"), ":two": n("2.5"),
				":more": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("z")}}}, types.ReturnValueUpdatedNew),
		want: "ok", wantOut: `{"extra":{"N":"-1.5"},"list":{"L":[{"S":"x"},{"N":"2"},{"S":"z"}]},"num":{"N":"10"}}`},
	{name: "update: REMOVE and DELETE the last members of a set", seed: seedA,
		run:  update("REMOVE #t, flag DELETE #s :gone", map[string]string{"#t": "text", "#s": "set"}, item{":gone": ss("x", "y")}, types.ReturnValueAllNew),
		want: "ok", wantOut: `{"list":{"L":[{"S":"x"},{"N":"2"}]},"map":{"M":{"k":{"S":"v"}}},"num":{"N":"9"},"pk":{"S":"a"},"str":{"S":"9"}}`},
	{name: "update: ADD to a number and a missing attribute", seed: seedA,
		run:  update("ADD num :n, fresh :n", nil, item{":n": n("-10")}, types.ReturnValueUpdatedOld),
		want: "ok", wantOut: `{"num":{"N":"9"}}`},
	{name: "update: ALL_OLD", seed: []item{{"pk": s("a"), "v": n("1")}},
		run: update("SET v = :v", nil, item{":v": n("2")}, types.ReturnValueAllOld), want: "ok", wantOut: `{"pk":{"S":"a"},"v":{"N":"1"}}`},
	{name: "update: a missing item is created", run: update("SET v = :v", nil, item{":v": s("x")}, types.ReturnValueAllNew),
		want: "ok", wantOut: `{"pk":{"S":"a"},"v":{"S":"x"}}`},
	{name: "update: numbers come back in canonical form", run: update("SET v = :v", nil, item{":v": n("0012.50")}, types.ReturnValueAllNew),
		want: "ok", wantOut: `{"pk":{"S":"a"},"v":{"N":"12.5"}}`},

	// Requests DynamoDB refuses
	{name: "refused: a reserved word as a name", seed: seedA, run: check("status = :v", nil, item{":v": s("x")}), want: "ValidationException"},
	{name: "refused: an unused value", seed: seedA, run: check("num = :v", nil, item{":v": n("9"), ":w": n("1")}), want: "ValidationException"},
	{name: "refused: an unused name", seed: seedA, run: check("num = :v", map[string]string{"#x": "x"}, item{":v": n("9")}), want: "ValidationException"},
	{name: "refused: an undefined name", seed: seedA, run: check("#x = :v", nil, item{":v": n("9")}), want: "ValidationException"},
	{name: "refused: an undefined value", seed: seedA, run: check("num = :v", nil, nil), want: "ValidationException"},
	{name: "refused: empty ExpressionAttributeValues", seed: seedA, run: check("attribute_exists(num)", nil, item{}), want: "ValidationException"},
	{name: "refused: redundant parentheses", seed: seedA, run: check("((num = :v))", nil, item{":v": n("9")}), want: "ValidationException"},
	{name: "refused: a syntax error", seed: seedA, run: check("num = = :v", nil, item{":v": n("9")}), want: "ValidationException"},
	{name: "refused: an unknown function", seed: seedA, run: check("exists(num)", nil, nil), want: "ValidationException"},
	{name: "refused: a function used as an operand", seed: seedA, run: check("begins_with(str, :v) = :v", nil, item{":v": s("9")}), want: "ValidationException"},
	{name: "cond: < with a set is false", seed: seedA, run: check("num < :v", nil, item{":v": ss("1")}), want: "ConditionalCheckFailed"},
	{name: "refused: BETWEEN with bounds reversed", seed: seedA, run: check("num BETWEEN :a AND :b", nil, item{":a": n("5"), ":b": n("1")}), want: "ValidationException"},
	{name: "refused: a path compared with itself", seed: seedA, run: check("num = num", nil, nil), want: "ValidationException"},
	{name: "refused: overlapping update paths", seed: seedA, run: update("SET num = :v REMOVE num", nil, item{":v": n("1")}, ""), want: "ValidationException"},
	{name: "refused: a section twice", seed: seedA, run: update("SET num = :v SET str = :v", nil, item{":v": n("1")}, ""), want: "ValidationException"},
	{name: "refused: updating the key", seed: seedA, run: update("SET pk = :v", nil, item{":v": s("b")}, ""), want: "ValidationException"},
	{name: "refused: ADD a string", seed: seedA, run: update("ADD str :v", nil, item{":v": s("1")}, ""), want: "ValidationException"},
	{name: "refused: ADD a number to a string", seed: seedA, run: update("ADD str :v", nil, item{":v": n("1")}, ""), want: "ValidationException",
		wantRest: render(seedA)},
	{name: "refused: arithmetic on a missing attribute", seed: seedA, run: update("SET nothing = nothing + :v", nil, item{":v": n("1")}, ""), want: "ValidationException"},
	{name: "refused: an empty set", run: putCond(item{"pk": s("a"), "e": ss()}, "", nil, nil), want: "ValidationException"},
	{name: "refused: a set with duplicates", run: putCond(item{"pk": s("a"), "e": ss("x", "x")}, "", nil, nil), want: "ValidationException"},
	{name: "refused: a number that is not one", run: putCond(item{"pk": s("a"), "e": n("1e")}, "", nil, nil), want: "ValidationException"},
	{name: "refused: an item without its key", run: putCond(item{"id": s("a")}, "", nil, nil), want: "ValidationException"},
	{name: "refused: a key of the wrong type", run: putCond(item{"pk": n("1")}, "", nil, nil), want: "ValidationException"},
	{name: "refused: an empty string key", run: putCond(item{"pk": s("")}, "", nil, nil), want: "ValidationException"},
	{name: "refused: a Key with more than the key", seed: seedA,
		run: func(ctx context.Context, db dynamoAPI, table string) (any, error) {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: item{"pk": s("a"), "num": n("9")}})
			return nil, err
		}, want: "ValidationException"},
	{name: "refused: names without expressions", seed: seedA,
		run: func(ctx context.Context, db dynamoAPI, table string) (any, error) {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key("a"),
				ExpressionAttributeNames: map[string]string{"#a": "num"}})
			return nil, err
		}, want: "ValidationException"},
	{name: "missing table", run: func(ctx context.Context, db dynamoAPI, table string) (any, error) {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table + "-missing"), Item: key("a")})
		return nil, err
	}, want: "ResourceNotFound"},

	// Query
	{name: "query: a partition in sort key order", sortKey: true,
		seed: append(sortItems("p", "c", "a", "b"), sortItems("q", "a")...),
		run:  query(dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("p")}}),
		want: "ok", wantOut: `{"count":3,"items":[{"pk":{"S":"p"},"sk":{"S":"a"},"v":{"N":"2"}},{"pk":{"S":"p"},"sk":{"S":"b"},"v":{"N":"3"}},{"pk":{"S":"p"},"sk":{"S":"c"},"v":{"N":"1"}}],"last":null,"scanned":3}`},
	{name: "query: backwards, a page at a time", sortKey: true, seed: sortItems("p", "a", "b", "c"),
		run: query(dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("p")},
			ScanIndexForward: aws.Bool(false), Limit: aws.Int32(2), ProjectionExpression: aws.String("sk")}),
		want: "ok", wantOut: `{"count":2,"items":[{"sk":{"S":"c"}},{"sk":{"S":"b"}}],"last":{"pk":{"S":"p"},"sk":{"S":"b"}},"scanned":2}`},
	{name: "query: from an exclusive start key", sortKey: true, seed: sortItems("p", "a", "b", "c"),
		run: query(dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("p")},
			ExclusiveStartKey: item{"pk": s("p"), "sk": s("a")}, Select: types.SelectCount}),
		want: "ok", wantOut: `{"count":2,"items":[],"last":null,"scanned":2}`},
	{name: "query: sort key conditions and a filter", sortKey: true, seed: sortItems("p", "a1", "a2", "a3", "b1"),
		run: query(dynamodb.QueryInput{KeyConditionExpression: aws.String("#k = :p AND begins_with(#s, :a)"),
			FilterExpression:          aws.String("v <> :two"),
			ExpressionAttributeNames:  map[string]string{"#k": "pk", "#s": "sk"},
			ExpressionAttributeValues: item{":p": s("p"), ":a": s("a"), ":two": n("2")}, ProjectionExpression: aws.String("sk")}),
		want: "ok", wantOut: `{"count":2,"items":[{"sk":{"S":"a1"}},{"sk":{"S":"a3"}}],"last":null,"scanned":3}`},
	{name: "query: BETWEEN on the sort key", sortKey: true, seed: sortItems("p", "a", "b", "c", "d"),
		run: query(dynamodb.QueryInput{KeyConditionExpression: aws.String("sk BETWEEN :x AND :y AND pk = :p"),
			ExpressionAttributeValues: item{":p": s("p"), ":x": s("b"), ":y": s("c")}, Select: types.SelectCount}),
		want: "ok", wantOut: `{"count":2,"items":[],"last":null,"scanned":2}`},
	{name: "query refused: no partition key condition", sortKey: true,
		run:  query(dynamodb.QueryInput{KeyConditionExpression: aws.String("sk = :x"), ExpressionAttributeValues: item{":x": s("a")}}),
		want: "ValidationException"},
	{name: "query refused: OR in the key condition", sortKey: true,
		run:  query(dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p OR sk = :x"), ExpressionAttributeValues: item{":p": s("p"), ":x": s("a")}}),
		want: "ValidationException"},
	{name: "query refused: a filter on the key", sortKey: true,
		run: query(dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("sk = :x"),
			ExpressionAttributeValues: item{":p": s("p"), ":x": s("a")}}),
		want: "ValidationException"},
	// More edges, where the fake follows what the server does
	{name: "edge: REMOVE on a missing item creates it with its key", run: update("REMOVE v", nil, nil, types.ReturnValueAllNew),
		want: "ok", wantOut: `{"pk":{"S":"a"}}`, wantRest: `[{"pk":{"S":"a"}}]`},
	{name: "edge: UpdateItem without an update creates the key", run: func(ctx context.Context, db dynamoAPI, table string) (any, error) {
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key("a")})
		return nil, err
	}, want: "ok", wantRest: `[{"pk":{"S":"a"}}]`},
	{name: "edge: UPDATED_OLD of attributes that did not exist", seed: []item{key("a")},
		run: update("SET v = :v", nil, item{":v": n("1")}, types.ReturnValueUpdatedOld), want: "ok", wantOut: `{}`},
	{name: "edge: ADD a set to a missing item", run: update("ADD tags :t", nil, item{":t": ss("x")}, types.ReturnValueAllNew),
		want: "ok", wantOut: `{"pk":{"S":"a"},"tags":{"SS":["x"]}}`},
	{name: "edge: ADD a number set", seed: []item{{"pk": s("a"), "ns": &types.AttributeValueMemberNS{Value: []string{"1", "2"}}}},
		run:  update("ADD ns :t", nil, item{":t": &types.AttributeValueMemberNS{Value: []string{"2", "3.0"}}}, types.ReturnValueUpdatedNew),
		want: "ok", wantOut: `{"ns":{"NS":["1","2","3"]}}`},
	{name: "edge: size counts UTF-16 units of a string", seed: []item{{"pk": s("a"), "t": s("héllo😀")}},
		run: check("size(t) = :n", nil, item{":n": n("7")}), want: "ok"},
	{name: "edge: IN with a missing attribute", seed: seedA, run: check("nothing IN (:a)", nil, item{":a": s("x")}), want: "ConditionalCheckFailed"},
	{name: "edge: a number written with zeros is stored without them", run: putCond(item{"pk": s("a"), "v": n("1.50")}, "", nil, nil),
		want: "ok", wantRest: `[{"pk":{"S":"a"},"v":{"N":"1.5"}}]`},
	{name: "edge: deleting a missing item succeeds", run: func(ctx context.Context, db dynamoAPI, table string) (any, error) {
		_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: key("a")})
		return nil, err
	}, want: "ok"},
	{name: "edge: a condition on a missing item sees no attributes", run: check("attribute_not_exists(pk) AND NOT begins_with(pk, :p)", nil, item{":p": s("a")}),
		want: "ok"},
	{name: "refused: BETWEEN with bounds of two types", seed: seedA, run: check("num BETWEEN :a AND :b", nil, item{":a": n("1"), ":b": s("5")}), want: "ValidationException"},
	{name: "refused: begins_with a number", seed: seedA, run: check("begins_with(str, :v)", nil, item{":v": n("9")}), want: "ValidationException"},
	{name: "refused: attribute_exists of a value", seed: seedA, run: check("attribute_exists(:v)", nil, item{":v": n("9")}), want: "ValidationException"},
	{name: "refused: size of a number value", seed: seedA, run: check("size(:v) > :w", nil, item{":v": n("9"), ":w": n("0")}), want: "ValidationException"},
	{name: "cond: size of a string value", seed: seedA, run: check("size(:v) = :w", nil, item{":v": s("abc"), ":w": n("3")}), want: "ok"},
	{name: "edge: ALL_OLD of a new item is nothing", run: update("SET v = :v", nil, item{":v": n("1")}, types.ReturnValueAllOld),
		want: "ok", wantOut: `null`},
	{name: "edge: ALL_OLD of a put without an old item is nothing", run: func(ctx context.Context, db dynamoAPI, table string) (any, error) {
		out, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: key("a"), ReturnValues: types.ReturnValueAllOld})
		if err != nil {
			return nil, err
		}
		return out.Attributes, nil
	}, want: "ok", wantOut: `null`},
	{name: "refused: a function with too many operands", seed: seedA, run: check("attribute_exists(num, str)", nil, nil), want: "ValidationException"},
	{name: "refused: an empty expression", seed: seedA, run: check("", nil, nil), want: "ValidationException"},
	{name: "refused: an unused name in a projection", seed: seedA, run: get("a", "num", map[string]string{"#x": "str"}), want: "ValidationException"},
	{name: "refused: a projection of a reserved word", seed: seedA, run: get("a", "size", nil), want: "ValidationException"},
	{name: "query: an exclusive start key between items", sortKey: true, seed: sortItems("p", "a", "c", "e"),
		run: query(dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("p")},
			ExclusiveStartKey: item{"pk": s("p"), "sk": s("b")}, ProjectionExpression: aws.String("sk")}),
		want: "ok", wantOut: `{"count":2,"items":[{"sk":{"S":"c"}},{"sk":{"S":"e"}}],"last":null,"scanned":2}`},
	{name: "query: backwards from an exclusive start key", sortKey: true, seed: sortItems("p", "a", "c", "e"),
		run: query(dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("p")},
			ExclusiveStartKey: item{"pk": s("p"), "sk": s("d")}, ScanIndexForward: aws.Bool(false), ProjectionExpression: aws.String("sk")}),
		want: "ok", wantOut: `{"count":2,"items":[{"sk":{"S":"c"}},{"sk":{"S":"a"}}],"last":null,"scanned":2}`},
	{name: "query: a limit that ends the partition still returns the last key", sortKey: true, seed: sortItems("p", "a", "b"),
		run: query(dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("p")},
			Limit: aws.Int32(2), Select: types.SelectCount}),
		want: "ok", wantOut: `{"count":2,"items":[],"last":{"pk":{"S":"p"},"sk":{"S":"b"}},"scanned":2}`},
	{name: "query: a table without sort key", seed: []item{key("a"), key("b")},
		run:  query(dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("b")}}),
		want: "ok", wantOut: `{"count":1,"items":[{"pk":{"S":"b"}}],"last":null,"scanned":1}`},
}
