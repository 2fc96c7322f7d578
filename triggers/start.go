package triggers

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Function is what [Start] runs: aws-lambda-go's lambda.Handler, which a [*Router]
// implements.
type Function interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// Start runs f. Inside Lambda (AWS_LAMBDA_RUNTIME_API is set) it hands f to the Lambda
// runtime and never returns. Outside Lambda it reads the command line (see [Run]) and
// exits with Run's status.
//
// A binary built with -tags lambda.norpc, the Lambda build, leaves the command line out
// (it is never used there, and the local server would only add to the binary and its
// cold start): outside Lambda it says how to build for local use and exits 2.
func Start(f Function) {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		lambda.Start(f)
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runOutsideLambda(ctx, f)
	stop()
	os.Exit(code)
}

// Run is the command line of a trigger function outside Lambda:
//
//	-event FILE   invoke once with the event in FILE (- for stdin), print the response
//	              event JSON on stdout and return 0; on failure print
//	              "<Trigger> failed with error <text>." on stderr and return 1
//	-serve ADDR   serve the Lambda Invoke API on ADDR until ctx ends (see [InvokeServer])
//
// Logs go to stderr; stdout carries only the response. It returns 2 for a usage error.
func Run(ctx context.Context, f Function, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trigger", flag.ContinueOnError)
	fs.SetOutput(stderr)
	event := fs.String("event", "", "invoke once with the event JSON in `FILE` (- reads stdin) and print the response")
	serve := fs.String("serve", "", "serve the Lambda Invoke API on `ADDR` (such as 127.0.0.1:9300)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s -event FILE | -serve ADDR\n\nRuns inside AWS Lambda when AWS_LAMBDA_RUNTIME_API is set.\n\n", fs.Name())
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	switch {
	case *event != "" && *serve == "":
		return invokeOnce(ctx, f, *event, stdin, stdout, stderr)
	case *serve != "" && *event == "":
		if err := listenAndServe(ctx, *serve, f, slog.New(slog.NewJSONHandler(stderr, nil))); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	fs.Usage()
	return 2
}

func invokeOnce(ctx context.Context, f Function, path string, stdin io.Reader, stdout, stderr io.Writer) int {
	var payload []byte
	var err error
	if path == "-" {
		payload, err = io.ReadAll(stdin)
	} else {
		payload, err = os.ReadFile(path)
	}
	if err != nil {
		fmt.Fprintf(stderr, "read event: %v\n", err)
		return 1
	}
	out, err := f.Invoke(ctx, payload)
	if err != nil {
		fmt.Fprintln(stderr, failureText(payload, err))
		return 1
	}
	if _, err := stdout.Write(append(out, '\n')); err != nil {
		fmt.Fprintf(stderr, "write response: %v\n", err)
		return 1
	}
	return 0
}

// errorMessage returns the message and errorType Lambda would report for err.
func errorMessage(err error) (msg, typ string) {
	var ive messages.InvokeResponse_Error
	if errors.As(err, &ive) {
		return ive.Message, ive.Type
	}
	var ie *InvokeError
	if errors.As(err, &ie) {
		return ie.Message, ie.Type
	}
	return err.Error(), ErrorTypeInternal
}

// failureText words err as Cognito would show it to the end user.
func failureText(payload []byte, err error) string {
	msg, _ := errorMessage(err)
	var trigger Trigger
	if src, _, perr := peekHeader(payload); perr == nil {
		trigger = src.Trigger()
	}
	return (&InvokeError{Trigger: trigger, Message: msg}).Text()
}

// ListenAndServe serves the Lambda Invoke API for f on addr until ctx ends, then shuts
// down gracefully. Once it listens, it logs one line with the address through
// slog.Default().
func ListenAndServe(ctx context.Context, addr string, f Function) error {
	return listenAndServe(ctx, addr, f, slog.Default())
}

func listenAndServe(ctx context.Context, addr string, f Function, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger.LogAttrs(ctx, slog.LevelInfo, "serving the Lambda Invoke API",
		slog.String("addr", ln.Addr().String()),
		slog.String("url", "http://"+ln.Addr().String()+"/2015-03-31/functions/{name}/invocations"))
	srv := &http.Server{Handler: InvokeServer(f), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	}
}
