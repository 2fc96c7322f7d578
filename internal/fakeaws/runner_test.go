package fakeaws_test

import (
	"context"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// runCase seeds table in db, runs c and checks the outcome, the output and the table
// afterwards against c's expectations.
func runCase(t *testing.T, ctx context.Context, db dynamoAPI, table string, c callCase) {
	t.Helper()
	for _, it := range c.seed {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
			t.Fatalf("seed %s: %v", render(it), err)
		}
	}
	out, err := c.run(ctx, db, table)
	if got := outcome(err); got != c.want {
		t.Errorf("outcome %s, want %s (error: %v)", got, c.want, err)
	}
	if s, ok := out.(string); ok {
		t.Fatalf("case failed early: %s", s)
	}
	if got := renderOut(out); got != c.wantOut {
		t.Errorf("output\n got %s\nwant %s", got, c.wantOut)
	}
	if c.wantRest != "" {
		if got := dump(t, ctx, db, table); got != c.wantRest {
			t.Errorf("table afterwards\n got %s\nwant %s", got, c.wantRest)
		}
	}
}

func renderOut(out any) string {
	if out == nil {
		return ""
	}
	if it, ok := out.(map[string]any); ok {
		return render(it)
	}
	return render(out)
}

// dump renders every item of table, ordered by their rendering.
func dump(t *testing.T, ctx context.Context, db dynamoAPI, table string) string {
	t.Helper()
	out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("scan %s: %v", table, err)
	}
	rendered := make([]string, len(out.Items))
	for i, it := range out.Items {
		rendered[i] = render(it)
	}
	sort.Strings(rendered)
	s := "["
	for i, r := range rendered {
		if i > 0 {
			s += ","
		}
		s += r
	}
	return s + "]"
}
