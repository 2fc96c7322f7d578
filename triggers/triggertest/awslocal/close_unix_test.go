//go:build unix

package awslocal_test

import (
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

func TestIntegrationCloseKillsProcessGroups(t *testing.T) {
	t.Parallel()
	srv, err := startServers(t, awslocal.Config{})
	if err != nil {
		t.Fatal(err)
	}
	pids := srv.ProcessIDs()
	if len(pids) != 3 {
		srv.Close()
		t.Fatalf("ProcessIDs = %v, want three servers", pids)
	}
	for name, pid := range pids {
		if err := syscall.Kill(-pid, 0); err != nil {
			t.Errorf("%s process group %d not running before Close: %v", name, pid, err)
		}
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	for name, pid := range pids {
		if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("%s process group %d after Close: kill 0 = %v, want ESRCH", name, pid, err)
		}
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestIntegrationCloseReportsServerThatDied(t *testing.T) {
	t.Parallel()
	srv, err := startServers(t, awslocal.Config{DynamoDB: true})
	if err != nil {
		t.Fatal(err)
	}
	pid := srv.ProcessIDs()[awslocal.DynamoDBServer]
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		srv.Close()
		t.Fatal(err)
	}
	// ESRCH means the process has been reaped, so Close sees how it ended.
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	err = srv.Close()
	if err == nil || !strings.Contains(err.Error(), "dynalite exited while in use") {
		t.Errorf("Close after the server died = %v, want it to report the exit", err)
	}
}
