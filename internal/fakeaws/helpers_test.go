package fakeaws_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
)

// plain turns an attribute value into a value encoding/json writes deterministically:
// {"S":"x"}, {"N":"1"}, sets sorted.
func plain(v types.AttributeValue) any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": slices.Sorted(slices.Values(v.Value))}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": slices.Sorted(slices.Values(v.Value))}
	case *types.AttributeValueMemberBS:
		out := make([]string, len(v.Value))
		for i, b := range v.Value {
			out[i] = base64.StdEncoding.EncodeToString(b)
		}
		sort.Strings(out)
		return map[string]any{"BS": out}
	case *types.AttributeValueMemberL:
		out := make([]any, len(v.Value))
		for i, e := range v.Value {
			out[i] = plain(e)
		}
		return map[string]any{"L": out}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": plainItem(v.Value)}
	}
	return nil
}

func plainItem(it map[string]types.AttributeValue) map[string]any {
	if it == nil {
		return nil
	}
	out := make(map[string]any, len(it))
	for k, v := range it {
		out[k] = plain(v)
	}
	return out
}

// render writes an item, a list of items or anything else as compact JSON.
func render(v any) string {
	switch v := v.(type) {
	case map[string]types.AttributeValue:
		return render(plainItem(v))
	case []map[string]types.AttributeValue:
		out := make([]any, len(v))
		for i, it := range v {
			out[i] = plainItem(it)
		}
		return render(out)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(data)
}

// outcome classifies an error as the tests compare errors: by kind, not by text.
func outcome(err error) string {
	var ccf *types.ConditionalCheckFailedException
	var rnf *types.ResourceNotFoundException
	var riu *types.ResourceInUseException
	var api smithy.APIError
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, fakeaws.ErrUnsupported):
		return "Unsupported"
	case errors.As(err, &ccf):
		return "ConditionalCheckFailed"
	case errors.As(err, &rnf):
		return "ResourceNotFound"
	case errors.As(err, &riu):
		return "ResourceInUse"
	case errors.As(err, &api):
		return api.ErrorCode()
	}
	return "error: " + err.Error()
}

func s(v string) *types.AttributeValueMemberS { return &types.AttributeValueMemberS{Value: v} }
func n(v string) *types.AttributeValueMemberN { return &types.AttributeValueMemberN{Value: v} }
func ss(v ...string) *types.AttributeValueMemberSS {
	return &types.AttributeValueMemberSS{Value: v}
}

type item = map[string]types.AttributeValue
