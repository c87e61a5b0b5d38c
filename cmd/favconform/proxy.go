package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/favconform/favconform/proxy"
	"github.com/favconform/favconform/runner"
	"github.com/favconform/favconform/validate"
)

const proxyHelp = `Usage: favconform proxy --target URL [--addr ADDR] [--fail-on-violation] [--report FILE] [-v]

A validating reverse proxy: point an existing client or app at ADDR instead of the API. Every
request is forwarded to the target unchanged, and every exchange is validated against the
embedded OpenAPI document:
  - each violation is logged to stderr, one line each: the exchange's number, method and path,
    the operation, the JSON pointer, what the spec expects and what came;
  - each response carries X-Favconform-Violations: <count> and, per violation (at most 10),
    X-Favconform-Violation: <operation> <in> <pointer>: expected <what>;
  - with --fail-on-violation, an exchange with violations is answered with a 502 in Wix's error
    shape (code SPEC_VIOLATION) naming them, so that the client's own tests fail on it;
  - with --report FILE, a session report (JSON: the counts and every exchange with violations,
    redacted) is written when the proxy stops (Ctrl-C or SIGTERM; requests under way finish first).
Tokens are never logged: Authorization and Cookie values and the FAVCONFORM_TOKEN_<ROLE> values are
removed from every output.
Exit codes when it stops: 0 no violation seen, 1 violations seen, 2 bad usage or the address is taken.

Flags:
`

func proxyCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), proxyHelp)
		fs.PrintDefaults()
	}
	targetURL := fs.String("target", envDefault("FAVCONFORM_TARGET", ""), "base URL to forward to, e.g. https://www.wixapis.com or http://127.0.0.1:8080 (env FAVCONFORM_TARGET)")
	addr := fs.String("addr", envDefault("FAVCONFORM_PROXY_ADDR", "127.0.0.1:8081"), "listen address; port 0 picks a free one (env FAVCONFORM_PROXY_ADDR)")
	failOn := fs.Bool("fail-on-violation", envDefault("FAVCONFORM_FAIL_ON_VIOLATION", "") == "1", "answer an exchange with violations with a 502 naming them instead of the target's response (env FAVCONFORM_FAIL_ON_VIOLATION=1)")
	reportFile := fs.String("report", envDefault("FAVCONFORM_PROXY_REPORT", ""), "write the session report (JSON) to this file when the proxy stops (env FAVCONFORM_PROXY_REPORT)")
	verbose := fs.Bool("v", false, "also log one line per exchange without violations")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if *targetURL == "" {
		fmt.Fprintln(stderr, "favconform proxy: --target is required: the base URL to forward to, e.g. --target https://www.wixapis.com")
		return runner.ExitUsage
	}
	u, err := url.Parse(*targetURL)
	if err != nil {
		fmt.Fprintf(stderr, "favconform proxy: --target %q is not a URL: %v\n", *targetURL, err)
		return runner.ExitUsage
	}
	var secrets []string
	for _, h := range runner.TokensFromEnv() {
		for _, v := range h {
			secrets = append(secrets, v)
		}
	}
	p, err := proxy.New(u, proxy.Options{FailOnViolation: *failOn, Secrets: secrets, Log: stderr, Verbose: *verbose})
	if err != nil {
		fmt.Fprintf(stderr, "favconform proxy: %v\n", err)
		return runner.ExitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "favconform proxy: listening on %s: %v\n", *addr, err)
		return runner.ExitUsage
	}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	// Signals are caught before the listening line (see serve).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	mode := "violations are logged and listed in X-Favconform-Violation headers"
	if *failOn {
		mode += "; an exchange with violations is answered 502"
	}
	fmt.Fprintf(stdout, "favconform proxy listening on http://%s, forwarding to %s (%s)\n", ln.Addr(), validate.RedactedURL(u), mode)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	code := 0
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "favconform proxy: %v\n", err)
		code = runner.ExitUsage
	case <-ctx.Done():
		stop()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "favconform proxy: shutdown: %v\n", err)
		}
		cancel()
	}
	s := p.Stats()
	fmt.Fprintf(stdout, "favconform proxy: %d exchange(s), %d with violations (%d violation(s)), %d without an answer from the target\n",
		s.Exchanges, s.WithViolations, s.Violations, s.Errors)
	if *reportFile != "" {
		if err := p.WriteReport(*reportFile); err != nil {
			fmt.Fprintf(stderr, "favconform proxy: %v\n", err)
			return runner.ExitUsage
		}
		fmt.Fprintf(stdout, "session report written to %s\n", *reportFile)
	}
	if code == 0 && s.WithViolations > 0 {
		code = runner.ExitNonconforming
	}
	return code
}
