package custommessage_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambda-triggers/cognito/custommessage"
)

func functionURLRequest(method, rawPath, rawQuery string) events.LambdaFunctionURLRequest {
	return events.LambdaFunctionURLRequest{
		Version:        "2.0",
		RawPath:        rawPath,
		RawQueryString: rawQuery,
		Headers:        map[string]string{"accept": "text/html", "user-agent": "Mozilla/5.0"},
		RequestContext: events.LambdaFunctionURLRequestContext{
			DomainName: "abc123.lambda-url.eu-central-1.on.aws",
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{
				Method: method, Path: rawPath, SourceIP: "203.0.113.7",
			},
		},
	}
}

func TestFunctionURLConfirms(t *testing.T) {
	t.Parallel()
	client := &fakeConfirm{}
	h := must(custommessage.ConfirmHandler(confirmConfig(client)))(t)
	fn := custommessage.FunctionURL(h)

	query := "client_id=client-1&username=j%C3%BCrgen%2Btest%40example.com&redirect_uri=https%3A%2F%2Fapp.example.com%2Fwelcome&code=123456"
	resp, err := fn(context.Background(), functionURLRequest("GET", "/", query))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSeeOther || resp.Headers["Location"] != "https://app.example.com/welcome" {
		t.Fatalf("response = %+v", resp)
	}
	if got := client.Calls(); len(got) != 1 || *got[0].Username != "jürgen+test@example.com" || *got[0].ConfirmationCode != "123456" {
		t.Errorf("ConfirmSignUp calls = %v", got)
	}

	resp, err = fn(context.Background(), functionURLRequest("GET", "/", "client_id=client-1"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest || resp.IsBase64Encoded ||
		!strings.HasPrefix(resp.Headers["Content-Type"], "text/html") || !strings.Contains(resp.Body, "This link is not valid") {
		t.Errorf("response = %+v", resp)
	}
}

func TestFunctionURLRequestAndResponse(t *testing.T) {
	t.Parallel()
	var seen *http.Request
	var body []byte
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		body, _ = io.ReadAll(r.Body)
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		w.Header().Add("Vary", "Accept")
		w.Header().Add("Vary", "Cookie")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte{0xff, 0x00, 0x01})
	})
	req := functionURLRequest("POST", "/confirm/%C3%A4", "x=1&y=%2F")
	req.Cookies = []string{"session=s1", "theme=dark"}
	req.Body = base64.StdEncoding.EncodeToString([]byte("payload"))
	req.IsBase64Encoded = true
	ctx := context.WithValue(context.Background(), ctxKey{}, "invocation")

	resp, err := custommessage.FunctionURL(h)(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if seen.Method != "POST" || seen.URL.Path != "/confirm/ä" || seen.URL.RawQuery != "x=1&y=%2F" ||
		seen.Host != "abc123.lambda-url.eu-central-1.on.aws" || seen.RemoteAddr != "203.0.113.7" {
		t.Errorf("request = %s %s host %s from %s", seen.Method, seen.URL, seen.Host, seen.RemoteAddr)
	}
	if seen.Header.Get("User-Agent") != "Mozilla/5.0" || seen.Header.Get("Cookie") != "session=s1; theme=dark" {
		t.Errorf("headers = %v", seen.Header)
	}
	if string(body) != "payload" {
		t.Errorf("body = %q", body)
	}
	if seen.Context().Value(ctxKey{}) != "invocation" {
		t.Error("the request does not carry the invocation's context")
	}
	if resp.StatusCode != http.StatusTeapot || resp.Headers["Vary"] != "Accept, Cookie" {
		t.Errorf("response = %+v", resp)
	}
	if len(resp.Cookies) != 2 || resp.Cookies[0] != "a=1" || resp.Cookies[1] != "b=2" {
		t.Errorf("cookies = %q", resp.Cookies)
	}
	if _, ok := resp.Headers["Set-Cookie"]; ok {
		t.Error("Set-Cookie is a header as well as cookies")
	}
	if !resp.IsBase64Encoded || resp.Body != base64.StdEncoding.EncodeToString([]byte{0xff, 0x00, 0x01}) {
		t.Errorf("binary body = %q (base64 %v)", resp.Body, resp.IsBase64Encoded)
	}
}

func TestFunctionURLBadRequest(t *testing.T) {
	t.Parallel()
	fn := custommessage.FunctionURL(http.NotFoundHandler())
	req := functionURLRequest("POST", "/", "")
	req.Body, req.IsBase64Encoded = "not base64!", true
	resp, err := fn(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", resp.StatusCode)
	}
}

type ctxKey struct{}
