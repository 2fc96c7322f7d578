package postauth_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/postauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// BenchmarkIntegrationLatency reports the warm per-invocation latency, p50 and p99, of a
// post authentication trigger whose one module calls the local servers, through the JSON
// boundary of a router. Every invocation is a new sign-in of a new user, so every one
// does the module's full work (read, conditional write; for the notice also the claim,
// the send and the record).
//
//	go test -run '^$' -bench BenchmarkIntegrationLatency -benchtime 200x ./postauth/
func BenchmarkIntegrationLatency(b *testing.B) {
	srv := awslocal.Start(b, awslocal.Config{DynamoDB: true, SES: true})
	ctx := context.Background()
	modules := []struct {
		name string
		h    postauth.Handler
	}{
		{"RecordSignIn", must(postauth.RecordSignIn(postauth.RecordConfig{
			Client:       srv.DynamoDB,
			Table:        srv.CreateTable(b, "", "id", ""),
			PartitionKey: "id",
		}))},
		{"AuditTrail", must(postauth.AuditTrail(postauth.AuditConfig{
			Client: srv.DynamoDB,
			Table:  srv.CreateTable(b, "", "pk", "sk"),
		}))},
		{"NewDeviceNotice", must(postauth.NewDeviceNotice(postauth.NoticeConfig{
			Sender:  srv.SES,
			Markers: srv.DynamoDB,
			Table:   srv.CreateTable(b, "", "pk", ""),
			Email:   testEmail,
		}))},
	}
	for _, m := range modules {
		b.Run(m.name, func(b *testing.B) {
			router := triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.DiscardHandler)}).
				PostAuthentication(postauth.BestEffort(postauth.Critical(m.h)))
			var samples []time.Duration
			for i := 0; b.Loop(); i++ {
				payload := triggertest.Payload(triggers.PostAuthenticationAuthentication,
					triggertest.WithAttribute("sub", awslocal.UniqueName("sub")))
				start := time.Now()
				if _, ierr := router.Handle(ctx, payload); ierr != nil {
					b.Fatalf("invocation %d: %s", i, ierr.Message)
				}
				samples = append(samples, time.Since(start))
			}
			slices.Sort(samples)
			at := func(p int) float64 {
				return float64(samples[min(len(samples)-1, len(samples)*p/100)].Microseconds()) / 1000
			}
			b.ReportMetric(at(50), "p50-ms")
			b.ReportMetric(at(99), "p99-ms")
		})
	}
}
