// Command ${{ values.name }} is an HTTP service created from the Create Service
// golden path. See server.go for its routes and docs/ for how to run it.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		os.Exit(1)
	}
}

// run serves until SIGINT or SIGTERM, logging JSON lines to stdout.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	logger := slog.New(slog.NewJSONHandler(stdout, nil))
	err := serve(ctx, getenv, logger)
	if err != nil {
		logger.Error("exiting", "error", err.Error())
	}
	return err
}

func serve(ctx context.Context, getenv func(string) string, logger *slog.Logger) error {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", fmt.Sprintf(":%d", cfg.Port))
	if err != nil {
		return err
	}
	return NewServer(cfg, logger).Serve(ctx, ln)
}
