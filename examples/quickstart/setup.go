package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// Where the journey's AWS calls go.
const (
	onFakes  = "memory" // package fakeaws, in this process
	onLocal  = "local"  // local servers started by package awslocal
	onAWS    = "aws"    // the default AWS configuration
	usageDoc = `quickstart tells a user's journey through one Lambda function's Cognito triggers:
a refused and an accepted sign-up, post confirmation, a passwordless sign-in with an
emailed code, and a token with custom claims. It plays Cognito's part itself; the
triggers' own calls to DynamoDB, SES and Cognito go to in-memory fakes by default.

  go run ./examples/quickstart          in memory, nothing but Go
  go run ./examples/quickstart -local   against local servers (needs Node.js 20 and npm)
  go run ./examples/quickstart -aws     against the default AWS configuration: AWS_PROFILE,
                                        AWS_REGION, AWS_ENDPOINT_URL_<SERVICE> apply

With -aws the user pool, the two tables and a verified sender must exist: tables with a
string partition key, "id" for profiles and "pk" for the state table. The journey creates
the user with AdminCreateUser if missing, and asks for the emailed sign-in code on stdin.
Every setting below also reads the environment variable named in brackets; OTP_HMAC_KEY
(32 bytes or more) is the key of the sign-in codes' hash, random for the run when unset.

`
)

// options is what the command line asks for.
type options struct {
	backend       string // onFakes, onLocal or onAWS
	poolID        string
	profilesTable string
	stateTable    string
	from          string
	email         string
	verbose       bool
	otpKey        []byte    // the key of the sign-in codes' keyed hash
	stdin         io.Reader // where the sign-in code is typed when the inbox cannot be read
	logs          io.Writer // the function's log
}

// parseOptions reads the command line, with defaults from getenv.
func parseOptions(args []string, getenv func(string) string, stdin io.Reader, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageDoc)
		fs.PrintDefaults()
	}
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	o := options{stdin: stdin, logs: stderr}
	local := fs.Bool("local", false, "run against local servers started for the run (needs Node.js 20 and npm)")
	onReal := fs.Bool("aws", false, "run against the default AWS configuration instead of in-memory fakes")
	fs.StringVar(&o.poolID, "pool", env("QUICKSTART_USER_POOL_ID", ""), "user pool id, with -aws [QUICKSTART_USER_POOL_ID]")
	fs.StringVar(&o.profilesTable, "profiles-table", env("QUICKSTART_PROFILES_TABLE", "quickstart-profiles"),
		"DynamoDB table of profiles, partition key id (S) [QUICKSTART_PROFILES_TABLE]")
	fs.StringVar(&o.stateTable, "state-table", env("QUICKSTART_STATE_TABLE", "quickstart-state"),
		"DynamoDB table of welcome markers and sign-in codes, partition key pk (S) [QUICKSTART_STATE_TABLE]")
	fs.StringVar(&o.from, "from", env("QUICKSTART_FROM", "hello@example.com"), "sender address, verified in SES [QUICKSTART_FROM]")
	fs.StringVar(&o.email, "email", env("QUICKSTART_EMAIL", "ana.silva@example.com"),
		"the address the journey's user signs up with; with -aws, an inbox you can read [QUICKSTART_EMAIL]")
	fs.BoolVar(&o.verbose, "v", false, "log every trigger invocation to stderr")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.otpKey = otpKey(getenv)
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case *local && *onReal:
		return o, errors.New("-local and -aws exclude each other")
	case *local:
		o.backend = onLocal
	case *onReal:
		o.backend = onAWS
		if o.poolID == "" {
			return o, errors.New("-aws needs the user pool: -pool or QUICKSTART_USER_POOL_ID")
		}
	default:
		o.backend = onFakes
	}
	return o, nil
}

// message is an email as the journey shows it.
type message struct {
	From, Subject, Text string
	To                  []string
}

// backend is where the triggers' AWS calls go, and what the journey needs to look at
// the results.
type backend struct {
	describe string
	db       dynamoDBClient
	mail     sesClient
	idp      cognitoClient
	region   string
	poolID   string
	// inbox returns the emails sent so far; nil when they cannot be read, as in a real
	// account, where the user reads them.
	inbox func(ctx context.Context) ([]message, error)
	close func() error
}

// connect returns the backend o asks for, with the tables and the user pool in place.
func connect(ctx context.Context, o options) (*backend, error) {
	switch o.backend {
	case onLocal:
		return connectLocal(ctx, o)
	case onAWS:
		return connectAWS(ctx, o)
	}
	return connectFakes(o), nil
}

func connectFakes(o options) *backend {
	db, mail, idp := fakeaws.NewDynamoDB(), fakeaws.NewSES(), fakeaws.NewCognito()
	db.AddTable(o.profilesTable, "id", "")
	db.AddTable(o.stateTable, "pk", "")
	return &backend{
		describe: "in-memory fakes (package fakeaws)",
		db:       db, mail: mail, idp: idp,
		region: "eu-west-1", poolID: "eu-west-1_QuickStart",
		inbox: func(context.Context) ([]message, error) {
			var out []message
			for _, e := range mail.Sent() {
				out = append(out, message{From: e.From, To: e.To, Subject: e.Subject, Text: e.Text})
			}
			return out, nil
		},
		close: func() error { return nil },
	}
}

func connectLocal(ctx context.Context, o options) (*backend, error) {
	start, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	srv, err := awslocal.StartServers(start, awslocal.Config{DynamoDB: true, SES: true, Cognito: &awslocal.CognitoConfig{}})
	if err != nil {
		return nil, fmt.Errorf("start the local servers: %w", err)
	}
	fail := func(err error) (*backend, error) {
		_ = srv.Close()
		return nil, err
	}
	for table, key := range map[string]string{o.profilesTable: "id", o.stateTable: "pk"} {
		if err := srv.CreateTableContext(ctx, table, key, ""); err != nil {
			return fail(fmt.Errorf("create table %s: %w", table, err))
		}
	}
	pool, err := srv.CreateUserPoolContext(ctx)
	if err != nil {
		return fail(err)
	}
	return &backend{
		describe: "local servers (package awslocal: dynalite, aws-ses-v2-local, cognito-local)",
		db:       srv.DynamoDB, mail: srv.SES, idp: srv.Cognito,
		region: srv.Region, poolID: pool.ID,
		inbox: func(ctx context.Context) ([]message, error) {
			sent, err := srv.SentEmails(ctx)
			if err != nil {
				return nil, err
			}
			var out []message
			for _, e := range sent {
				out = append(out, message{From: e.From, To: e.To, Subject: e.Subject, Text: e.Text})
			}
			return out, nil
		},
		close: srv.Close,
	}, nil
}

func connectAWS(ctx context.Context, o options) (*backend, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load the AWS configuration: %w", err)
	}
	return &backend{
		describe: fmt.Sprintf("the default AWS configuration (region %s)", cfg.Region),
		db:       dynamodb.NewFromConfig(cfg), mail: sesv2.NewFromConfig(cfg), idp: cip.NewFromConfig(cfg),
		region: cfg.Region, poolID: o.poolID,
		close: func() error { return nil },
	}, nil
}

// otpKey is the key of the sign-in codes' keyed hash: OTP_HMAC_KEY as a Lambda function
// would read it, or a random key for this run.
func otpKey(getenv func(string) string) []byte {
	if k := getenv(customauth.OTPKeyEnv); len(k) >= 32 {
		return []byte(k)
	}
	return []byte(rand.Text() + rand.Text())
}

// driver is the triggertest.TB through which the journey uses the test kit outside a
// test. The kit fails only when it cannot encode an event, a mistake in the journey
// itself: FailNow then stops the journey, and run reports what was recorded.
type driver struct {
	ctx  context.Context
	errs []string
}

// errStopped is what driver.FailNow panics with; run recovers it.
var errStopped = errors.New("journey stopped")

func (d *driver) Helper() {}
func (d *driver) Errorf(format string, args ...any) {
	d.errs = append(d.errs, fmt.Sprintf(format, args...))
}
func (d *driver) FailNow()                 { panic(errStopped) }
func (d *driver) Context() context.Context { return d.ctx }

func (d *driver) err() error {
	if len(d.errs) == 0 {
		return errStopped
	}
	return errors.New(strings.Join(d.errs, "; "))
}

// readLine reads one line of r, for the sign-in code typed by the user.
func readLine(r io.Reader) (string, error) {
	if r == nil {
		r = os.Stdin
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", err
	}
	return strings.TrimSpace(line), nil
}
