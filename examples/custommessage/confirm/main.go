// Command confirm is the endpoint that the verification links of ../ (the custom message
// example) open: it confirms the user's sign-up and redirects to the application
// (custommessage.ConfirmHandler). Deploy it as its own Lambda function behind a function
// URL (auth type NONE), whose address is the custom message function's CONFIRM_URL.
// Outside Lambda, -serve ADDR serves it on a local port.
//
//	CLIENT_ID=... REDIRECTURL=http://localhost:3000/welcome go run ./examples/custommessage/confirm -serve 127.0.0.1:9301
//
// Environment:
//
//	CLIENT_ID      the app client users sign up with (required)
//	REDIRECTURL    the page users land on once confirmed; links to any other target are refused (required)
//	CLIENT_SECRET  the app client's secret, for app clients that have one
//
// It needs no IAM permission: ConfirmSignUp is a public Cognito API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/lambda-triggers/cognito/custommessage"
)

func main() {
	h, err := newHandler()
	if err != nil {
		fmt.Fprintln(os.Stderr, "confirm:", err)
		os.Exit(1)
	}
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		lambda.Start(custommessage.FunctionURL(h))
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, h, os.Args[1:], os.Stderr)
	stop()
	os.Exit(code)
}

// newHandler builds the confirmation endpoint from the environment.
func newHandler() (http.Handler, error) {
	clientID := os.Getenv("CLIENT_ID")
	if clientID == "" {
		return nil, errors.New("missing environment variable CLIENT_ID (the app client users sign up with)")
	}
	redirect := os.Getenv("REDIRECTURL")
	if redirect == "" {
		return nil, errors.New("missing environment variable REDIRECTURL (where users land once confirmed)")
	}
	// A nil Client is the process-wide Cognito client, created on first use.
	h, err := custommessage.ConfirmHandler(custommessage.ConfirmHandlerConfig{
		ClientID:         clientID,
		AllowedRedirects: []string{redirect},
		ClientSecret:     os.Getenv("CLIENT_SECRET"), // "" for an app client without a secret
	})
	if err != nil {
		return nil, fmt.Errorf("CLIENT_ID, REDIRECTURL: %w", err)
	}
	return h, nil
}

// run serves h on the address of -serve until ctx ends. It returns 2 for a usage error.
func run(ctx context.Context, h http.Handler, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("confirm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("serve", "", "serve the endpoint on `ADDR` (such as 127.0.0.1:9301)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *addr == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: confirm -serve ADDR\n\nRuns inside AWS Lambda, behind a function URL, when AWS_LAMBDA_RUNTIME_API is set.")
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "confirm:", err)
		return 1
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintln(stderr, "confirm:", err)
		return 1
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			fmt.Fprintln(stderr, "confirm:", err)
			return 1
		}
		return 0
	}
}
