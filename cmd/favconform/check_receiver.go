package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/receivercheck"
	"github.com/favconform/favconform/webhook"
)

// Exit codes of check-receiver (those of run).
const (
	receiverExitPassed      = 0
	receiverExitFailed      = 1
	receiverExitUsage       = 2
	receiverExitUnreachable = 3
	receiverExitInterrupted = 130
)

const checkReceiverUsage = `Usage:
  favconform check-receiver keygen --out KEY.pem [--public-out PUB.pem]
  favconform check-receiver --url URL [--webhook-private-key KEY.pem] [flags]

Checks an app's webhook receiver: the endpoint Wix delivers the Favorite List Created, Updated
and Deleted events to. It POSTs deliveries built exactly as the reference mock builds them (a JWT
signed RS256 with the app's key) and forged ones (another key, a tampered payload, alg none,
HS256 keyed with the public key, not a JWT), and checks that the valid ones are answered 2xx
within the timeout (facts.md: 1250 ms) and the forged ones are not. --strict adds the checks of
readings the docs do not force (spec/discrepancies.yaml receiver-*): exactly 200, a 4xx for a
forgery, duplicates and events out of order answered 2xx, expired JWTs and non-string data
refused.

The receiver must verify with the public key of the private key the check signs with, so
configure the app BEFORE the checks run:
  favconform check-receiver keygen --out key.pem --public-out pub.pem
  # start the app under test with pub.pem as its webhook public key, then:
  favconform check-receiver --url http://127.0.0.1:3000/webhooks --webhook-private-key key.pem
Without --webhook-private-key a key pair is generated and its public key printed (and written
to --public-key-out); with --wait-ready the checks wait for the receiver to answer at all, so a
script can start the check in the background, read the public key file, then start the app.

Exit codes: 0 every check passed, 1 a check failed, 2 bad usage, 3 the receiver cannot be
reached, 130 interrupted.

Flags:
`

func checkReceiverCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "keygen" {
		return receiverKeygen(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("check-receiver", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), checkReceiverUsage)
		fs.PrintDefaults()
	}
	rawURL := fs.String("url", envDefault("FAVCONFORM_RECEIVER_URL", ""), "the receiver's URL, e.g. http://127.0.0.1:3000/webhooks (env FAVCONFORM_RECEIVER_URL)")
	keyFile := fs.String("webhook-private-key", envDefault("FAVCONFORM_WEBHOOK_PRIVATE_KEY", ""), "PEM file of the RSA private key that signs the deliveries; the receiver verifies with its public key (env FAVCONFORM_WEBHOOK_PRIVATE_KEY; default: a key pair generated now)")
	pubOut := fs.String("public-key-out", "", "write the public key (PEM) of the signing key to this file, for configuring the receiver")
	waitReady := fs.Duration("wait-ready", 0, "before the checks, wait up to this long for the receiver to answer anything (e.g. 60s); 0: do not wait")
	reportDir := fs.String("report-dir", "", "write junit.xml, report.json, report.html and summary.md to this directory")
	strict := fs.Bool("strict", false, "include the checks of readings the docs do not force (spec/discrepancies.yaml receiver-*)")
	timeout := fs.Duration("timeout", receivercheck.DefaultTimeout, "how long the receiver has to answer each delivery (facts.md: 1250 ms)")
	verbose := fs.Bool("v", false, "verbose: one line per delivery with the answer")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "favconform check-receiver: "+format+"\n", a...)
		return receiverExitUsage
	}
	red := redact.New(nil)
	u, err := url.Parse(*rawURL)
	switch {
	case *rawURL == "":
		return fail("--url is required (the receiver's URL)\n\n%s", "Run 'favconform check-receiver --help' for the flags.")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fail("--url %q is not an http(s) URL", red.String(*rawURL))
	case *timeout <= 0:
		return fail("--timeout %s: want a positive duration such as 1250ms", *timeout)
	case *waitReady < 0:
		return fail("--wait-ready %s: want a positive duration, or 0", *waitReady)
	}
	opts := receivercheck.Options{URL: *rawURL, Timeout: *timeout, Strict: *strict, Version: versionString()}
	if *verbose {
		opts.Log = stdout
	}
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return fail("--webhook-private-key: %v", err)
		}
		if opts.PrivateKey, err = webhook.ParsePrivateKeyPEM(b); err != nil {
			return fail("--webhook-private-key %s: %v", *keyFile, err)
		}
	} else {
		if opts.PrivateKey, err = webhook.GenerateKey(); err != nil {
			return fail("%v", err)
		}
	}
	pub, err := webhook.PublicKeyPEM(&opts.PrivateKey.PublicKey)
	if err != nil {
		return fail("%v", err)
	}
	if *pubOut != "" {
		if err := os.WriteFile(*pubOut, pub, 0o644); err != nil {
			return fail("--public-key-out: %v", err)
		}
		fmt.Fprintf(stdout, "favconform check-receiver: wrote the public key to %s\n", *pubOut)
	}
	if *keyFile == "" {
		fmt.Fprintf(stdout, "favconform check-receiver: signing with a key pair generated now; the receiver must verify with this public key:\n%s", pub)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *waitReady > 0 {
		fmt.Fprintf(stdout, "favconform check-receiver: waiting up to %s for %s to answer\n", *waitReady, red.String(*rawURL))
		if err := awaitReceiver(ctx, *rawURL, *waitReady); err != nil {
			if ctx.Err() != nil {
				fmt.Fprintln(stderr, "favconform check-receiver: interrupted")
				return receiverExitInterrupted
			}
			fmt.Fprintf(stderr, "favconform check-receiver: the receiver at %s did not answer within %s: %v\n", red.String(*rawURL), *waitReady, red.String(err.Error()))
			return receiverExitUnreachable
		}
	}
	profile := "default"
	if *strict {
		profile = "strict"
	}
	fmt.Fprintf(stdout, "favconform check-receiver: checking the webhook receiver at %s (profile %s, %s per delivery)\n", red.String(*rawURL), profile, *timeout)
	rep, err := receivercheck.Check(ctx, opts)
	var unreachable *receivercheck.UnreachableError
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "favconform check-receiver: interrupted")
		return receiverExitInterrupted
	case errors.As(err, &unreachable):
		fmt.Fprintf(stderr, "favconform check-receiver: %v\n", red.String(err.Error()))
		return receiverExitUnreachable
	case err != nil:
		return fail("%v", err)
	}
	rep.Print(stdout)
	if *reportDir != "" {
		if err := rep.WriteAll(*reportDir); err != nil {
			fmt.Fprintf(stderr, "favconform check-receiver: writing the reports: %v\n", err)
			return receiverExitUsage
		}
		fmt.Fprintf(stdout, "reports written to %s (junit.xml, report.json, report.html, summary.md)\n", *reportDir)
	}
	if rep.Summary.Conforming {
		return receiverExitPassed
	}
	return receiverExitFailed
}

// awaitReceiver polls u until it answers anything over HTTP (any status), for at most wait.
func awaitReceiver(ctx context.Context, u string, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		t := time.NewTimer(200 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

const receiverKeygenUsage = `Usage: favconform check-receiver keygen --out KEY.pem [--public-out PUB.pem]

Generates an RSA key pair (2048 bits) for check-receiver: writes the private key (PKCS #8 PEM,
mode 0600, never printed) to --out, and prints the public key (PEM), which the app under test
verifies deliveries with; --public-out writes it to a file too. An existing --out is not
overwritten.

Flags:
`

func receiverKeygen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-receiver keygen", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), receiverKeygenUsage)
		fs.PrintDefaults()
	}
	out := fs.String("out", "", "file to write the private key to (required)")
	pubOut := fs.String("public-out", "", "file to write the public key to")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if *out == "" {
		fmt.Fprint(stderr, "favconform check-receiver keygen: --out is required (the private key is never printed)\n")
		return receiverExitUsage
	}
	key, err := webhook.GenerateKey()
	if err != nil {
		fmt.Fprintf(stderr, "favconform check-receiver keygen: %v\n", err)
		return receiverExitUsage
	}
	priv, err := webhook.PrivateKeyPEM(key)
	if err != nil {
		fmt.Fprintf(stderr, "favconform check-receiver keygen: %v\n", err)
		return receiverExitUsage
	}
	pub, err := webhook.PublicKeyPEM(&key.PublicKey)
	if err != nil {
		fmt.Fprintf(stderr, "favconform check-receiver keygen: %v\n", err)
		return receiverExitUsage
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		fmt.Fprintf(stderr, "favconform check-receiver keygen: --out: %v\n", err)
		return receiverExitUsage
	}
	if _, err := f.Write(priv); err != nil {
		f.Close()
		fmt.Fprintf(stderr, "favconform check-receiver keygen: writing %s: %v\n", *out, err)
		return receiverExitUsage
	}
	if err := f.Close(); err != nil {
		fmt.Fprintf(stderr, "favconform check-receiver keygen: writing %s: %v\n", *out, err)
		return receiverExitUsage
	}
	if *pubOut != "" {
		if err := os.WriteFile(*pubOut, pub, 0o644); err != nil {
			fmt.Fprintf(stderr, "favconform check-receiver keygen: --public-out: %v\n", err)
			return receiverExitUsage
		}
	}
	fmt.Fprint(stdout, string(pub))
	return receiverExitPassed
}
