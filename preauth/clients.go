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

// RestrictClients lets the users for whom who holds sign in only through the app
// clients clientIDs (the event's callerContext.clientId); everyone else signs in
// anywhere. For example, administrators only through the admin console's client:
//
//	admins, err := preauth.AttributeIn("custom:role", "admin")
//	// check err
//	console, err := preauth.RestrictClients(admins, []string{"5mq8console"})
//
// The others are refused with [DefaultClientMessage] unless [Message] says otherwise.
// Cognito passes no groups to this trigger, so select users by an attribute
// ([AttributeIn]) or a [Predicate] of your own. A nil predicate, no client IDs or a
// blank one is reported here.
func RestrictClients(who Predicate, clientIDs []string, opts ...Option) (Handler, error) {
	if who == nil {
		return nil, errors.New("preauth.RestrictClients: nil predicate")
	}
	if len(clientIDs) == 0 {
		return nil, errors.New("preauth.RestrictClients: no app client IDs")
	}
	for _, id := range clientIDs {
		if strings.TrimSpace(id) == "" || strings.TrimSpace(id) != id {
			return nil, fmt.Errorf("preauth.RestrictClients: invalid app client ID %q", id)
		}
	}
	cfg, err := build("preauth.RestrictClients", options{message: DefaultClientMessage}, opts)
	if err != nil {
		return nil, err
	}
	allowed := slices.Clone(clientIDs)
	return func(ctx context.Context, e *Event) error {
		if e.TriggerSource != Authentication || !who(e) || slices.Contains(allowed, e.CallerContext.ClientID) {
			return nil
		}
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelInfo, "sign-in refused through this app client",
			slog.String("module", "RestrictClients"), slog.String("userName", e.UserName),
			slog.String("clientId", e.CallerContext.ClientID))
		return triggers.Reject(cfg.message)
	}, nil
}
