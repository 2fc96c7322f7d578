package awslocal

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// ServeLambda serves h, a handler of the Lambda Invoke API such as the library's
// InvokeServer around a trigger router, on a free port of 127.0.0.1 until t ends, and
// returns its base URL for [CognitoConfig.LambdaEndpoint].
//
// cognito-local labels every event version "0"; the library's pre token generation
// event treats that as version 1, the shape cognito-local reads back.
func ServeLambda(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// Log returns the last lines the named server wrote to its standard output
// and error, oldest first, without terminal colours: nil for a server that
// was not started. Only the last 64 lines are kept.
//
// cognito-local sends no e-mail or SMS. It prints each message it would
// send instead: the user, the destination, the code, and the subject and
// text a CustomMessage trigger returned, with the code placeholder filled
// in. Its log is therefore where a test sees what the user would have
// received. The lines reach the log shortly after the API call returns, so
// a test polls for them.
func (s *Servers) Log(server string) []string {
	for _, p := range s.procs {
		if p.name == server {
			return p.logs.Lines()
		}
	}
	return nil
}
