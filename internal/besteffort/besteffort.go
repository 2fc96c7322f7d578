// Package besteffort runs the modules of a trigger that comes after the fact (post
// confirmation, post authentication): the user is confirmed or signed in already, so a
// module's failure is logged and swallowed instead of failing the trigger, unless the
// module was marked critical. postconfirm and postauth wrap these generic functions
// under their own names.
package besteffort

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"runtime"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// ModuleError is a module's failure together with the module's name, so that a log line
// or an [errors.As] caller can tell which side effect failed.
type ModuleError struct {
	Module string
	Err    error
}

func (m *ModuleError) Error() string { return m.Module + ": " + m.Err.Error() }

// Unwrap returns the module's error.
func (m *ModuleError) Unwrap() error { return m.Err }

// Sequence runs mods in order, best-effort: each module's failure is logged and swallowed
// (unless critical), so that the modules after it still run. failure is the message a
// swallowed failure is logged with ("post confirmation module failed"). The router
// applies the same rule to the whole chain (the trigger's on-error policy); this is the
// rule for each module of it.
func Sequence[E any, P interface {
	*E
	triggers.Event
}](failure string, mods []triggers.Handler[E]) triggers.Handler[E] {
	return triggers.Chain(all[E, P](failure, mods)...)
}

// Parallel runs mods concurrently, best-effort.
func Parallel[E any, P interface {
	*E
	triggers.Event
}](failure string, mods []triggers.Handler[E]) triggers.Handler[E] {
	return triggers.Parallel(all[E, P](failure, mods)...)
}

// Critical returns m with its failure, or panic, wrapped in [triggers.MarkCritical]. A nil m
// stays nil.
func Critical[E any, P interface {
	*E
	triggers.Event
}](m triggers.Handler[E]) triggers.Handler[E] {
	if m == nil {
		return nil
	}
	run := recovered[E, P](FuncName(m), m)
	return func(ctx context.Context, e *E) error {
		return triggers.MarkCritical(run(ctx, e))
	}
}

// Named returns m with its failures carried in a [ModuleError] named name. A non-empty
// name is also the module's name for the router's metrics and for tracing (see
// [triggers.Named]).
func Named[E any, P interface {
	*E
	triggers.Event
}](name string, m triggers.Handler[E]) triggers.Handler[E] {
	if m == nil {
		return nil
	}
	run := recovered[E, P](name, m)
	named := func(ctx context.Context, e *E) error {
		err := run(ctx, e)
		if err == nil {
			return nil
		}
		var me *ModuleError
		if errors.As(err, &me) && me.Module == name {
			return err
		}
		return &ModuleError{Module: name, Err: err}
	}
	if name == "" {
		return named
	}
	return triggers.Named[E, P](name, named)
}

func all[E any, P interface {
	*E
	triggers.Event
}](failure string, mods []triggers.Handler[E]) []triggers.Handler[E] {
	out := make([]triggers.Handler[E], 0, len(mods))
	for _, m := range mods {
		if m != nil {
			out = append(out, wrap[E, P](failure, m))
		}
	}
	return out
}

// wrap runs m, logs its failure and returns nil, unless the failure is critical.
func wrap[E any, P interface {
	*E
	triggers.Event
}](failure string, m triggers.Handler[E]) triggers.Handler[E] {
	name := FuncName(m)
	run := recovered[E, P](name, m)
	return func(ctx context.Context, e *E) error {
		err := run(ctx, e)
		if err == nil || errors.Is(err, triggers.ErrCritical) {
			return err
		}
		logFailure(ctx, failure, any(e), name, err)
		return nil
	}
}

// logFailure logs a swallowed failure at error level: nothing else will report it.
func logFailure(ctx context.Context, failure string, e any, fallback string, err error) {
	name := fallback
	var me *ModuleError
	if errors.As(err, &me) {
		name = me.Module
	}
	attrs := []slog.Attr{slog.String("module", name)}
	if ev, ok := e.(interface{ EventHeader() *triggers.Header }); ok {
		h := ev.EventHeader()
		attrs = append(attrs,
			slog.String("triggerSource", string(h.TriggerSource)),
			slog.String("userPoolId", h.UserPoolID),
			slog.String("userName", h.UserName))
	}
	attrs = append(attrs, slog.String("error", err.Error()))
	var p *triggers.PanicError
	if errors.As(err, &p) {
		attrs = append(attrs, slog.String("stack", string(p.Stack)))
	}
	triggers.Logger(ctx).LogAttrs(ctx, slog.LevelError, failure, attrs...)
}

// recovered returns m inside [triggers.Recover], composed once, with a panic's
// [triggers.PanicError] named after the module, so that a panic is handled like any
// other failure of that module.
func recovered[E any, P interface {
	*E
	triggers.Event
}](name string, m triggers.Handler[E]) triggers.Handler[E] {
	run := triggers.Wrap[E, P](m, triggers.Recover())
	return func(ctx context.Context, e *E) error {
		err := run(ctx, e)
		if p, ok := err.(*triggers.PanicError); ok {
			return &ModuleError{Module: name, Err: p}
		}
		return err
	}
}

// FuncName names a module that was not given a name: its Go function, without the
// import path ("main.sendInvoice", "postconfirm.Critical.func1").
func FuncName[E any](m triggers.Handler[E]) string {
	f := runtime.FuncForPC(reflect.ValueOf(m).Pointer())
	if f == nil {
		return "module"
	}
	name := f.Name()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}
