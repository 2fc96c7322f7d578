package custommessage

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// FunctionURL adapts h to a Lambda function URL (buffered invoke mode), so that the
// [ConfirmHandler] can run as its own small Lambda function:
//
//	h, err := custommessage.ConfirmHandler(custommessage.ConfirmHandlerConfig{
//		ClientID: clientID, AllowedRedirects: allowed})
//	...
//	lambda.Start(custommessage.FunctionURL(h))
//
// The request's method, raw path and query, headers, cookies, body and source IP become
// an *http.Request whose context is the invocation's; the response's status, headers
// (Set-Cookie as cookies) and body go back to the function URL. A body that is not UTF-8
// text is returned base64-encoded.
func FunctionURL(h http.Handler) func(context.Context, events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	return func(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
		r, ok := functionURLRequest(ctx, &req)
		if !ok {
			return events.LambdaFunctionURLResponse{
				StatusCode: http.StatusBadRequest,
				Headers:    map[string]string{"Content-Type": "text/plain; charset=utf-8"},
				Body:       "bad request\n",
			}, nil
		}
		w := &bufferedResponse{header: http.Header{}}
		h.ServeHTTP(w, r)
		return w.result(), nil
	}
}

func functionURLRequest(ctx context.Context, req *events.LambdaFunctionURLRequest) (*http.Request, bool) {
	method := req.RequestContext.HTTP.Method
	if method == "" {
		method = http.MethodGet
	}
	path := req.RawPath
	if path == "" {
		path = "/"
	}
	u, err := url.ParseRequestURI(path)
	if err != nil {
		return nil, false
	}
	u.RawQuery = req.RawQueryString
	u.Scheme, u.Host = "https", req.RequestContext.DomainName

	body := []byte(req.Body)
	if req.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
			return nil, false
		}
	}
	r, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, false
	}
	for k, v := range req.Headers {
		r.Header.Set(k, v)
	}
	if len(req.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(req.Cookies, "; "))
	}
	r.RequestURI = u.RequestURI()
	r.RemoteAddr = req.RequestContext.HTTP.SourceIP
	if host := r.Header.Get("Host"); host != "" {
		r.Host = host
	}
	return r, true
}

// bufferedResponse collects what a handler writes, for one function URL response.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

func (b *bufferedResponse) result() events.LambdaFunctionURLResponse {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	resp := events.LambdaFunctionURLResponse{StatusCode: b.status, Headers: make(map[string]string, len(b.header))}
	for k, vs := range b.header {
		if k == "Set-Cookie" {
			resp.Cookies = append(resp.Cookies, vs...)
			continue
		}
		resp.Headers[k] = strings.Join(vs, ", ")
	}
	if utf8.Valid(b.body.Bytes()) {
		resp.Body = b.body.String()
	} else {
		resp.Body = base64.StdEncoding.EncodeToString(b.body.Bytes())
		resp.IsBase64Encoded = true
	}
	return resp
}
