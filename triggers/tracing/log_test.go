package tracing_test

import (
	"io"
	"log/slog"
)

var discard = slog.New(slog.NewJSONHandler(io.Discard, nil))
