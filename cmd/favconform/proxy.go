package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/proxy"
	"github.com/favconform/favconform/runner"
)

const proxyHelp = `Usage: favconform proxy --target URL [--addr ADDR] [--fail-on-violation] [--report FILE] [--upstream-timeout 30s] [-v]

A validating reverse proxy: point an existing client or app at ADDR instead of the API. Every
request is forwarded to the target unchanged, and every exchange is validated against the
embedded OpenAPI document:
  - each violation is logged to stderr, one line each: the exchange's number, method and path,
    the operation, the JSON pointer, what the spec expects and what came;
  - each response carries X-Favconform-Violations: <count> and, per violation (at most 10),
    X-Favconform-Violation: <operation> <in> <pointer>: expected <what>;
  - with --fail-on-violation, an exchange with violations is answered with a 502 in Wix's error
    shape (code SPEC_VIOLATION) naming them, so that the client's own tests fail on it;
  - a target that does not answer within --upstream-timeout gets its exchange answered with a 502
    (code UPSTREAM_TIMEOUT) and counted as one without an answer;
  - with --report FILE, a session report (JSON: the counts and every exchange with violations or
    without an answer, redacted and capped) is written when the proxy stops (Ctrl-C or SIGTERM;
    requests under way get up to 10s to finish, the rest are recorded as cut off).
Credentials are never logged: Authorization, Proxy-Authorization, Cookie, X-Api-Key and the other
credential headers, secret-looking query values, cookies the target sets and the
FAVCONFORM_TOKEN_<ROLE> values are removed from every output, in every encoding.
Exit codes when it stops: 0 every exchange got an answer from the target and none had
violations, 1 violations or exchanges without an answer, 2 bad usage or the address is taken,
3 the target answered none of the exchanges.

Flags:
`

// proxyShutdownGrace is how long a stopping proxy waits for the exchanges under way.
const proxyShutdownGrace = 10 * time.Second

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
	upstreamTimeout := fs.String("upstream-timeout", envDefault("FAVCONFORM_PROXY_UPSTREAM_TIMEOUT", proxy.DefaultUpstreamTimeout.String()), "how long the target has to answer an exchange in full before the client gets a 502 (env FAVCONFORM_PROXY_UPSTREAM_TIMEOUT)")
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
		fmt.Fprintf(stderr, "favconform proxy: --target is not a URL: %s\n", redact.New(nil).String(err.Error()))
		return runner.ExitUsage
	}
	timeout, err := time.ParseDuration(*upstreamTimeout)
	if err != nil || timeout <= 0 {
		fmt.Fprintf(stderr, "favconform proxy: --upstream-timeout %q: expected a positive duration such as 30s or 2m\n", *upstreamTimeout)
		return runner.ExitUsage
	}
	secrets, err := envSecrets()
	if err != nil {
		fmt.Fprintf(stderr, "favconform proxy: %v\n", err)
		return runner.ExitUsage
	}
	p, err := proxy.New(u, proxy.Options{FailOnViolation: *failOn, Secrets: secrets, Log: stderr, Verbose: *verbose, UpstreamTimeout: timeout})
	if err != nil {
		fmt.Fprintf(stderr, "favconform proxy: %v\n", err)
		return runner.ExitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "favconform proxy: listening on %s: %v\n", *addr, err)
		return runner.ExitUsage
	}
	srv := &http.Server{
		Handler: p,
		// A client's headers are held for the whole exchange: bound their size and the time
		// they may take to arrive.
		MaxHeaderBytes:    proxy.MaxRequestHeaderBytes,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	// Signals are caught before the listening line (see serve).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	mode := "violations are logged and listed in X-Favconform-Violation headers"
	if *failOn {
		mode += "; an exchange with violations is answered 502"
	}
	fmt.Fprintf(stdout, "favconform proxy listening on http://%s, forwarding to %s (%s; upstream timeout %s)\n", ln.Addr(), redact.New(secrets).URL(u), mode, timeout)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	code := 0
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "favconform proxy: %v\n", err)
		code = runner.ExitUsage
	case <-ctx.Done():
		stop()
	}
	// Stop taking connections and let the exchanges under way finish; past the grace the proxy
	// cuts off the rest, recording them, so that the report has every exchange.
	graceCtx, cancel := context.WithTimeout(context.Background(), proxyShutdownGrace)
	_ = srv.Shutdown(graceCtx)
	if err := p.Shutdown(graceCtx); err != nil {
		fmt.Fprintf(stderr, "favconform proxy: %v\n", err)
	}
	cancel()
	_ = srv.Close() // connections still writing to a client that does not read

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
	if code != 0 {
		return code
	}
	return proxyExitCode(s, stderr)
}

// proxyExitCode is the session's verdict: an exchange without an answer fails it as a violation
// does, and a target that answered nothing at all is unreachable.
func proxyExitCode(s proxy.Stats, stderr io.Writer) int {
	switch {
	case s.Exchanges > 0 && s.Answered == 0:
		fmt.Fprintf(stderr, "favconform proxy: the target answered none of the %d exchange(s)\n", s.Exchanges)
		return runner.ExitUnreachable
	case s.WithViolations > 0 || s.Errors > 0:
		return runner.ExitNonconforming
	}
	return 0
}

// envSecrets are the FAVCONFORM_TOKEN_<ROLE> values, each long enough to be removed safely.
func envSecrets() ([]string, error) {
	tokens := tokensFromEnv()
	roles := make([]identity.Role, 0, len(tokens))
	for r := range tokens {
		roles = append(roles, r)
	}
	sort.Slice(roles, func(i, j int) bool { return roles[i] < roles[j] })
	var secrets []string
	for _, r := range roles {
		if err := redact.CheckSecret(runner.TokenEnv(r), tokens[r]); err != nil {
			return nil, err
		}
		secrets = append(secrets, tokens[r])
	}
	return secrets, nil
}
