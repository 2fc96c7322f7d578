package preauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// RestrictClientsConfig configures [RestrictClients].
type RestrictClientsConfig struct {
	// Who selects the users kept to ClientIDs. Required. Cognito passes no groups to
	// this trigger, so select users by an attribute ([AttributeIn]) or a [Predicate] of
	// your own.
	Who Predicate

	// ClientIDs are the app clients (the event's callerContext.clientId) those users may
	// sign in through. Required.
	ClientIDs []string

	// Message is the text the others see. Empty: [DefaultClientMessage].
	Message string
}

// RestrictClients lets the users for whom cfg.Who holds sign in only through the app
// clients cfg.ClientIDs; everyone else signs in anywhere. For example, administrators
// only through the admin console's client:
//
//	admins, err := preauth.AttributeIn("custom:role", "admin")
//	// check err
//	console, err := preauth.RestrictClients(preauth.RestrictClientsConfig{
//		Who: admins, ClientIDs: []string{"5mq8console"}})
//
// A nil predicate, no client IDs, a blank one and a blank message are reported here.
func RestrictClients(cfg RestrictClientsConfig) (Handler, error) {
	if cfg.Who == nil {
		return nil, errors.New("preauth.RestrictClients: Who is nil")
	}
	if len(cfg.ClientIDs) == 0 {
		return nil, errors.New("preauth.RestrictClients: ClientIDs is empty")
	}
	for _, id := range cfg.ClientIDs {
		if strings.TrimSpace(id) == "" || strings.TrimSpace(id) != id {
			return nil, fmt.Errorf("preauth.RestrictClients: ClientIDs: invalid app client ID %q", id)
		}
	}
	msg, err := message("RestrictClients", cfg.Message, DefaultClientMessage)
	if err != nil {
		return nil, err
	}
	who := cfg.Who
	allowed := slices.Clone(cfg.ClientIDs)
	return func(ctx context.Context, e *Event) error {
		if e.TriggerSource != Authentication || !who(e) || slices.Contains(allowed, e.CallerContext.ClientID) {
			return nil
		}
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelInfo, "sign-in refused through this app client",
			slog.String("module", "RestrictClients"), slog.String("userName", e.UserName),
			slog.String("clientId", e.CallerContext.ClientID))
		return triggers.Reject(msg)
	}, nil
}
