package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/spec"
)

func serveCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", envDefault("FAVCONFORM_ADDR", "127.0.0.1:8080"), "listen address (env FAVCONFORM_ADDR)")
	var deviations listFlag
	fs.Var(&deviations, "deviate", "switch on a deviation (repeatable, comma-separated)")
	list := fs.Bool("list-deviations", false, "list the deviations and the requirement each breaks, then exit")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if *list {
		for _, d := range mock.Deviations() {
			fmt.Fprintf(stdout, "%-32s breaks %-36s %s\n", d.Name, d.Requirement, d.Description)
		}
		return 0
	}
	m, err := mock.New(mock.Options{Deviations: deviations})
	if err != nil {
		fmt.Fprintf(stderr, "favconform serve: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "favconform serve: %v\n", err)
		return 2
	}
	srv := &http.Server{Handler: m, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	fmt.Fprintf(stdout, "favconform reference mock listening on http://%s\n", ln.Addr())
	if len(deviations) > 0 {
		fmt.Fprintf(stdout, "deviations on: %v\n", []string(deviations))
	}
	fmt.Fprintln(stdout, "identities (send the token as the Authorization header):")
	for _, id := range identity.Default() {
		fmt.Fprintf(stdout, "  %-32s %s\n", id.Role, id.Token)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "favconform serve: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	// Let in-flight requests finish, then release the port.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "favconform serve: shutdown: %v\n", err)
		return 1
	}
	return 0
}

func specCommand(stdout io.Writer) int {
	stdout.Write(spec.Bytes())
	return 0
}
