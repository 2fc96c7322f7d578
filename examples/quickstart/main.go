// Command quickstart tells a user's first day through one Lambda function that serves
// every Cognito trigger below, with the modules of this library:
//
//  1. a sign-up with a disposable address, refused by the pre sign-up trigger;
//  2. a sign-up accepted and confirmed at once;
//  3. post confirmation: a group, a profile item, a welcome email;
//  4. a passwordless sign-in with a code sent by email (custom authentication);
//  5. tokens with custom claims (pre token generation).
//
// The command plays Cognito's part: it builds each event with package triggertest and
// sends it, as JSON, to the router that a Lambda main would pass to triggers.Start. The
// modules' own calls to DynamoDB, SES and Cognito go to in-memory fakes, to local
// servers (-local) or to the default AWS configuration (-aws).
//
//	go run ./examples/quickstart
//	go run ./examples/quickstart -local
//	go run ./examples/quickstart -aws -pool eu-west-1_abc123 -from hello@example.com -email me@example.com
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

func main() {
	o, err := parseOptions(os.Args[1:], os.Getenv, os.Stdin, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run tells the journey on w.
func run(ctx context.Context, w io.Writer, o options) (err error) {
	b, err := connect(ctx, o)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, b.close()) }()

	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelDebug
	}
	logs := slog.New(slog.NewTextHandler(o.logs, &slog.HandlerOptions{Level: level}))
	fn, err := newFunction(b.db, b.mail, b.idp, settings{profilesTable: o.profilesTable, stateTable: o.stateTable,
		from: o.from, otpKey: o.otpKey}, logs)
	if err != nil {
		return fmt.Errorf("build the function: %w", err)
	}

	d := &driver{ctx: ctx}
	defer func() {
		if r := recover(); r != nil {
			if r != errStopped {
				panic(r)
			}
			err = d.err()
		}
	}()
	j := &journey{p: &printer{w: w}, b: b, fn: fn, t: d, o: o}
	if err := j.tell(ctx); err != nil {
		return err
	}
	return j.p.err
}

// journey holds what the story needs: where it prints, the backend, the function.
type journey struct {
	p  *printer
	b  *backend
	fn *triggers.Router
	t  *driver
	o  options
}

// user is the journey's user as Cognito knows them.
type user struct {
	name  string            // the user name Cognito puts in events
	attrs map[string]string // the attributes Cognito sends to triggers
}

func (j *journey) tell(ctx context.Context) error {
	p, o := j.p, j.o
	p.title("A user's first day, through one Lambda function that serves every trigger below.")
	p.title("The function's AWS calls go to %s.", j.b.describe)

	// 1. Cognito calls the pre sign-up trigger before it creates anyone. A rejection's
	// text reaches the app, and so the user, as Cognito words it.
	p.section("1. PreSignUp refuses a disposable address")
	mallory := "mallory@" + deniedDomain
	refused := j.invoke(triggertest.PreSignUp(triggers.PreSignUpSignUp, j.event(
		triggertest.WithUserName(mallory), triggertest.Set("request.userAttributes", map[string]string{"email": mallory}))...))
	p.row("app", "SignUp %s", mallory)
	if refused.OK() {
		return errors.New("the disposable address was accepted")
	}
	p.row("the user", "%s", refused.Text())

	// 2. The same chain accepts a work address, and confirms and verifies it, so that no
	// confirmation code is needed.
	p.section("2. PreSignUp accepts a work address and confirms it at once")
	signUp := map[string]string{"email": o.email, "name": "Ana Silva", "custom:plan": "team"}
	accepted := j.invoke(triggertest.PreSignUp(triggers.PreSignUpSignUp, j.event(
		triggertest.WithUserName(o.email), triggertest.Set("request.userAttributes", signUp))...))
	p.row("app", "SignUp %s, name %q, custom:plan %q", o.email, signUp["name"], signUp["custom:plan"])
	if !accepted.OK() {
		return fmt.Errorf("the sign-up was refused: %s", accepted.Text())
	}
	resp := triggertest.EventAs[triggers.PreSignUpEvent](accepted).Response
	p.row("trigger", "autoConfirmUser %t, autoVerifyEmail %t", resp.AutoConfirmUser, resp.AutoVerifyEmail)
	ana, err := j.createUser(ctx, signUp)
	if err != nil {
		return err
	}
	p.row("Cognito", "creates user %s: CONFIRMED, email verified, sub %s", ana.name, ana.attrs["sub"])

	// 3. Post confirmation: AddToGroup first (Critical), then the profile and the
	// welcome email at the same time. Cognito may deliver the event more than once.
	p.section("3. PostConfirmation adds a group, writes a profile, sends a welcome email")
	existed := j.groupExists(ctx, memberGroup)
	confirmed := triggertest.PostConfirmation(triggers.PostConfirmationConfirmSignUp, j.event(
		triggertest.WithUserName(ana.name), triggertest.Set("request.userAttributes", ana.attrs))...)
	if res := j.invoke(confirmed); !res.OK() {
		return fmt.Errorf("post confirmation failed: %s", res.Text())
	}
	groups, err := j.groupsOf(ctx, ana)
	if err != nil {
		return err
	}
	how := "AddToGroup created " + memberGroup
	if existed {
		how = memberGroup + " existed already"
	}
	p.row("groups", "%s (%s)", strings.Join(groups, ", "), how)
	profile, err := j.profile(ctx, ana)
	if err != nil {
		return err
	}
	p.row("profile", "item in table %s:\n%s", o.profilesTable, profile)
	welcomes, err := j.emails(ctx, ana.attrs["email"], "Welcome")
	if err != nil {
		return err
	}
	if len(welcomes) > 0 {
		p.row("email", "%s", show(welcomes[len(welcomes)-1]))
	} else {
		p.row("email", "sent through SES to %s: look in that inbox", ana.attrs["email"])
	}
	if res := j.invoke(confirmed); !res.OK() {
		return fmt.Errorf("post confirmation delivered again failed: %s", res.Text())
	}
	if again, err := j.emails(ctx, ana.attrs["email"], "Welcome"); err == nil && j.b.inbox != nil {
		p.row("again", "Cognito delivers the event a second time: ok, %d welcome email", len(again))
	}

	// 4. Custom authentication: Define, Create and Verify derived from one flow. The
	// simulator plays Cognito between the app and the three triggers.
	p.section("4. A passwordless sign-in with a code sent by email (custom authentication)")
	signIn := triggertest.NewAuthFlow(j.t, j.fn, triggertest.AuthFlowConfig{
		User:   triggertest.AuthUser{UserName: ana.name, Attributes: ana.attrs},
		Region: j.b.region, UserPoolID: j.b.poolID,
	})
	step := signIn.Start()
	if step.ChallengeName == "" {
		return fmt.Errorf("the sign-in did not start: %v", step.Err)
	}
	p.row("app", "InitiateAuth CUSTOM_AUTH for %s", ana.attrs["email"])
	p.row("Cognito", "%s: a code of %s digits was sent to %s", step.ChallengeName, step.Public["codeLength"], step.Public["email"])
	code, err := j.code(ctx, ana.attrs["email"], step.Public["codeLength"])
	if err != nil {
		return err
	}
	wrong := wrongCode(code)
	step = signIn.Answer(wrong)
	p.row("app", "RespondToAuthChallenge %s", wrong)
	p.row("Cognito", "%s", outcome(step))
	step = signIn.Answer(code)
	p.row("app", "RespondToAuthChallenge %s", code)
	p.row("Cognito", "%s", outcome(step))
	if !step.Tokens {
		return errors.New("the right code did not sign the user in")
	}
	p.row("triggers", "%s", strings.Join(slices.DeleteFunc(signIn.Trace(), func(s string) bool { return s == "start" }), "\n"))

	// 5. Before issuing the tokens, Cognito calls pre token generation; a version 2
	// event can change both tokens.
	p.section("5. PreTokenGeneration adds custom claims to the tokens (event version 2)")
	tokenEvent := triggertest.PreTokenGeneration(triggers.TokenGenerationAuthentication, "2", j.event(
		triggertest.WithUserName(ana.name), triggertest.Set("request.userAttributes", ana.attrs),
		triggertest.WithGroups(groups...), triggertest.Unset("request.groupConfiguration.iamRolesToOverride"),
		triggertest.Unset("request.groupConfiguration.preferredRole"))...)
	tokens := j.invoke(tokenEvent)
	if !tokens.OK() {
		return fmt.Errorf("pre token generation failed: %s", tokens.Text())
	}
	claims, err := responseFields(tokens.Response)
	if err != nil {
		return err
	}
	p.row("response", "%s", claims)
	p.row("groups", "groupOverrideDetails repeats the request: the tokens keep cognito:groups %v", groups)
	return nil
}

// invoke sends event through the function's JSON boundary, as Lambda does.
func (j *journey) invoke(event triggers.Event) triggertest.Result {
	return triggertest.InvokeEvent(j.t, j.fn, event)
}

// event returns the options that make a fixture event the journey's: from the backend's
// user pool, with only the request fields opts set besides what Cognito always sends.
func (j *journey) event(opts ...triggertest.Option) []triggertest.Option {
	return append([]triggertest.Option{
		triggertest.Set("userPoolId", j.b.poolID), triggertest.Set("region", j.b.region),
		triggertest.Unset("request.clientMetadata"), triggertest.Unset("request.validationData"),
	}, opts...)
}

// createUser stands in for Cognito creating the user SignUp accepted: AdminCreateUser,
// or the user an earlier run created. It returns the user as triggers then see them.
func (j *journey) createUser(ctx context.Context, signUp map[string]string) (user, error) {
	pool, email := aws.String(j.b.poolID), signUp["email"]
	out, err := j.b.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: pool, Username: aws.String(email), MessageAction: ciptypes.MessageActionTypeSuppress,
		UserAttributes: []ciptypes.AttributeType{
			{Name: aws.String("email"), Value: aws.String(email)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
			{Name: aws.String("name"), Value: aws.String(signUp["name"])},
		},
	})
	var name *string
	var attrs []ciptypes.AttributeType
	var exists *ciptypes.UsernameExistsException
	switch {
	case errors.As(err, &exists):
		got, err := j.b.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String(email)})
		if err != nil {
			return user{}, fmt.Errorf("look up user %s: %w", email, err)
		}
		name, attrs = got.Username, got.UserAttributes
	case err != nil:
		return user{}, fmt.Errorf("create user %s: %w", email, err)
	default:
		name, attrs = out.User.Username, out.User.Attributes
	}
	u := user{name: aws.ToString(name), attrs: map[string]string{}}
	for _, a := range attrs {
		u.attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	if u.attrs["sub"] == "" {
		return user{}, fmt.Errorf("user %s has no sub", email)
	}
	// What Cognito sends to triggers once the user is confirmed: the stored attributes,
	// the sign-up's custom ones, and the status.
	u.attrs["custom:plan"] = signUp["custom:plan"]
	u.attrs["email_verified"] = "true"
	u.attrs["cognito:user_status"] = "CONFIRMED"
	return u, nil
}

func (j *journey) groupExists(ctx context.Context, group string) bool {
	_, err := j.b.idp.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(j.b.poolID), GroupName: aws.String(group)})
	return err == nil
}

// groupsOf returns the user's groups, sorted, leaving out the placeholder group the
// local Cognito server needs in every pool.
func (j *journey) groupsOf(ctx context.Context, u user) ([]string, error) {
	out, err := j.b.idp.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{
		UserPoolId: aws.String(j.b.poolID), Username: aws.String(u.name)})
	if err != nil {
		return nil, fmt.Errorf("list the groups of %s: %w", u.name, err)
	}
	var names []string
	for _, g := range out.Groups {
		names = append(names, aws.ToString(g.GroupName))
	}
	slices.Sort(names)
	return names, nil
}

// profile returns the user's profile item, one attribute a line.
func (j *journey) profile(ctx context.Context, u user) (string, error) {
	out, err := j.b.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(j.o.profilesTable),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: u.attrs["sub"]}}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("read the profile: %w", err)
	}
	if len(out.Item) == 0 {
		return "", errors.New("no profile was written")
	}
	return table(slices.Sorted(maps.Keys(out.Item)), func(k string) string {
		if s, ok := out.Item[k].(*types.AttributeValueMemberS); ok {
			return s.Value
		}
		return fmt.Sprintf("%v", out.Item[k])
	}), nil
}

// emails returns the messages sent to address whose subject starts with subject;
// nothing when the backend's inbox cannot be read.
func (j *journey) emails(ctx context.Context, address, subject string) ([]message, error) {
	if j.b.inbox == nil {
		return nil, nil
	}
	all, err := j.b.inbox(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the sent emails: %w", err)
	}
	var out []message
	for _, m := range all {
		if strings.HasPrefix(m.Subject, subject) && slices.ContainsFunc(m.To, func(to string) bool { return strings.EqualFold(to, address) }) {
			out = append(out, m)
		}
	}
	return out, nil
}

// code returns the sign-in code sent to address: read from the inbox, and shown, or
// typed by the user when the inbox cannot be read.
func (j *journey) code(ctx context.Context, address, length string) (string, error) {
	if j.b.inbox == nil {
		j.p.row("you", "type the code emailed to %s: ", address)
		code, err := readLine(j.o.stdin)
		if err != nil {
			return "", fmt.Errorf("read the code: %w", err)
		}
		return code, nil
	}
	n, err := strconv.Atoi(length)
	if err != nil || n < 1 {
		return "", fmt.Errorf("the challenge names no code length: %q", length)
	}
	digits := regexp.MustCompile(`\b\d{` + strconv.Itoa(n) + `}\b`)
	deadline := time.Now().Add(5 * time.Second)
	for {
		sent, err := j.emails(ctx, address, customauth.DefaultEmailSubject)
		if err != nil {
			return "", err
		}
		if len(sent) > 0 {
			m := sent[len(sent)-1]
			j.p.row("email", "%s", show(m))
			if code := digits.FindString(m.Text); code != "" {
				return code, nil
			}
			return "", errors.New("the sign-in email shows no code")
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no sign-in email reached %s", address)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wrongCode is code with its first digit changed.
func wrongCode(code string) string {
	if code == "" || code[0] < '0' || code[0] > '9' {
		return "000000"
	}
	return string('0'+(code[0]-'0'+1)%10) + code[1:]
}

// outcome says what the app sees after an answer.
func outcome(s triggertest.AuthStep) string {
	switch {
	case s.Tokens:
		return "tokens issued: ID, access and refresh token"
	case s.Failed:
		return "sign-in failed: " + s.Err.Error()
	}
	return fmt.Sprintf("wrong code: %s again, no new email", s.ChallengeName)
}

// show writes an email as a reader sees it.
func show(m message) string {
	return fmt.Sprintf("From: %s\nTo: %s\nSubject: %s\n\n%s", m.From, strings.Join(m.To, ", "), m.Subject, strings.TrimRight(m.Text, "\n"))
}

// responseFields writes the response of an event as Cognito reads it: one line per
// field that a module set, named by its path, with its JSON value.
func responseFields(event []byte) (string, error) {
	var doc struct {
		Response map[string]any `json:"response"`
	}
	if err := json.Unmarshal(event, &doc); err != nil {
		return "", fmt.Errorf("decode the response: %w", err)
	}
	values := map[string]string{}
	var walk func(path string, v any) error
	walk = func(path string, v any) error {
		if m, ok := v.(map[string]any); ok && !strings.HasSuffix(path, "claimsToAddOrOverride") {
			for k, e := range m {
				if err := walk(strings.TrimPrefix(path+"."+k, "."), e); err != nil {
					return err
				}
			}
			return nil
		}
		data, err := json.Marshal(v)
		values[path] = string(data)
		return err
	}
	if err := walk("", doc.Response); err != nil {
		return "", err
	}
	// One block per response field, the ID token before the access token as Cognito's
	// documentation lists them.
	byField := map[string][]string{}
	for p := range values {
		field, rest, _ := strings.Cut(p, ".")
		byField[field] = append(byField[field], rest)
	}
	var b strings.Builder
	for _, field := range slices.Sorted(maps.Keys(byField)) {
		rests := byField[field]
		slices.SortFunc(rests, func(x, y string) int {
			return strings.Compare(strings.Replace(x, "idToken", "0", 1), strings.Replace(y, "idToken", "0", 1))
		})
		b.WriteString(field + ":\n")
		for _, line := range strings.SplitAfter(table(rests, func(r string) string { return values[field+"."+r] }), "\n") {
			if line != "" {
				b.WriteString("  " + line)
			}
		}
	}
	return b.String(), nil
}
