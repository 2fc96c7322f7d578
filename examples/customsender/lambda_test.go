package main

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/internal/lambdaruntime"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

const modulePath = "github.com/lambda-triggers/cognito"

// BenchmarkColdStart measures exec to first response of this function, built as
// deployed (the README's flags, for this machine), beside examples/domainfilter, the
// smallest function of the library, and a bare aws-lambda-go function. This function
// answers a custom email sender event whose code is not base64, so that the measure
// covers start-up, building the chains (templates parsed and run once) and one
// invocation, without a network call; the first real code adds the KMS Decrypt and SES
// round trips. Functions run in turn, round after round; it reports medians in ms and
// their ratios.
//
//	go test -run '^$' -bench ColdStart -benchtime 100x ./examples/customsender
func BenchmarkColdStart(b *testing.B) {
	sender := triggertest.Payload(triggers.CustomEmailSenderSignUp, triggertest.WithCode("not*base64"))
	signUp := triggertest.Payload(triggers.PreSignUpSignUp, triggertest.WithAttribute("email", "jane@example.com"))
	functions := []struct {
		name, pkg string
		event     []byte
		env       []string
		wantErr   bool
		bin       string
		samples   []time.Duration
	}{
		{name: "bare", pkg: modulePath + "/internal/lambdaruntime/testdata/bare", event: signUp},
		{name: "domainfilter", pkg: modulePath + "/examples/domainfilter", event: signUp, env: []string{"DOMAINDENYLIST=blocked.example"}},
		{name: "customsender", pkg: modulePath + "/examples/customsender", event: sender, wantErr: true,
			env: []string{"KEY_ARN=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
				"CUSTOM_EMAIL_FROM=no-reply@example.com", "CUSTOM_SMS=true"}},
	}
	for i := range functions {
		bin, err := lambdaruntime.BuildFor(b.TempDir(), "bootstrap", functions[i].pkg, runtime.GOOS, runtime.GOARCH)
		if err != nil {
			b.Fatal(err)
		}
		functions[i].bin = bin
	}
	for round := 0; b.Loop(); round++ {
		for j := range functions {
			f := &functions[(round+j)%len(functions)]
			res, err := lambdaruntime.ColdStart(context.Background(), f.bin, f.event, f.env...)
			if err != nil {
				b.Fatal(err)
			}
			if (res.ErrorMessage != "") != f.wantErr || f.wantErr && !strings.Contains(res.ErrorMessage, triggers.DefaultErrorMessage) {
				b.Fatalf("%s: %s: %q", f.name, res.ErrorType, res.ErrorMessage)
			}
			f.samples = append(f.samples, res.Elapsed)
		}
	}
	median := map[string]float64{}
	for _, f := range functions {
		slices.Sort(f.samples)
		median[f.name] = float64(f.samples[len(f.samples)/2].Microseconds()) / 1000
		b.ReportMetric(median[f.name], f.name+"-ms")
	}
	b.ReportMetric(median["customsender"]/median["domainfilter"], "customsender/domainfilter")
	b.ReportMetric(median["customsender"]/median["bare"], "customsender/bare")
}
