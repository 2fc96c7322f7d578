package triggers

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
)

// maxPayload is Lambda's limit on a synchronous invocation's request.
const maxPayload = 6 << 20

// InvokeServer returns an http.Handler that speaks the Lambda Invoke API
// (POST /2015-03-31/functions/{name}/invocations) for f, so that a local Cognito emulator
// or any AWS SDK can call the triggers on a developer's machine. Every function name
// reaches f, whose router picks the trigger from the event. A failed invocation answers
// as Lambda does: HTTP 200 with X-Amz-Function-Error: Unhandled and a body of
// {"errorMessage": ..., "errorType": ...}. As in Lambda, X-Amz-Invocation-Type: Event
// answers 202 with no body and runs the invocation after answering, and DryRun answers
// 204 and runs nothing.
func InvokeServer(f Function) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", func(w http.ResponseWriter, r *http.Request) {
		payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayload))
		if err != nil {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{
				"Type": "User", "message": "request payload too large or unreadable"})
			return
		}
		switch r.Header.Get("X-Amz-Invocation-Type") {
		case "DryRun":
			w.WriteHeader(http.StatusNoContent)
			return
		case "Event":
			ctx := context.WithoutCancel(r.Context())
			go func() { _, _ = f.Invoke(ctx, payload) }()
			w.WriteHeader(http.StatusAccepted)
			return
		}
		out, err := f.Invoke(r.Context(), payload)
		if err != nil {
			msg, typ := errorMessage(err)
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			writeJSON(w, http.StatusOK, map[string]string{"errorMessage": msg, "errorType": typ})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		_, _ = w.Write(out)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
