package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/serving"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/spec"
	"github.com/favconform/favconform/webhook"
)

// serveUsage heads serve's help: what readings and deviations are, before the flags.
const serveUsage = `Usage: favconform serve [flags]

Serves the reference mock of the Dashboard Favorite List API. Where the docs are silent or
contradict themselves, the mock takes one reading of each point (spec/discrepancies.yaml). Two
kinds of switch move it:
  --reading NAME  another legitimate reading of one such point: the mock still follows every
                  sentence of the docs, and a conforming harness must pass it (--list-readings)
  --deviate NAME  a deliberate break of one documented rule: the conformance suites must catch
                  it (--list-deviations)

Flags:
`

func serveCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), serveUsage)
		fs.PrintDefaults()
	}
	addr := fs.String("addr", envDefault("FAVCONFORM_ADDR", "127.0.0.1:8080"), "listen address (env FAVCONFORM_ADDR)")
	var deviations, readings listFlag
	fs.Var(&deviations, "deviate", "switch on a deviation: break one documented rule (repeatable, comma-separated)")
	list := fs.Bool("list-deviations", false, "list the deviations and the requirement each breaks, then exit")
	fs.Var(&readings, "reading", "switch on a reading: another legitimate reading of a point the docs leave open (repeatable, comma-separated; at most one per group)")
	listReadings := fs.Bool("list-readings", false, "list the readings, the discrepancy each reads and what it does, then exit")
	var hookURLs listFlag
	fs.Var(&hookURLs, "webhook-url", "deliver the webhook events to this receiver URL (repeatable, comma-separated; env FAVCONFORM_WEBHOOK_URL)")
	hookDelay := fs.Duration("webhook-delay", 0, "hold every webhook delivery back this long before its first attempt, e.g. 2s")
	hookKey := fs.String("webhook-private-key", envDefault("FAVCONFORM_WEBHOOK_PRIVATE_KEY", ""), "PEM file of the RSA private key that signs the webhook JWTs (env FAVCONFORM_WEBHOOK_PRIVATE_KEY; default: a key pair generated at start)")
	pool := fs.Int("pool", 1, "know this many accounts of every role (tokens user, user-2, ...): for suites that run specs at once, each on its own accounts")
	readyJSON := fs.Bool("ready-json", false, "once listening, print first on stdout one line of JSON for programs that start the mock: {url, adminURL, tokens: {role: token}, accounts: {role: [token...]}, publicKeyPEM, pool}")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if *pool < 1 {
		fmt.Fprintf(stderr, "favconform serve: --pool %d: want at least 1\n", *pool)
		return 2
	}
	if *list || *listReadings {
		if *list {
			for _, d := range mock.Deviations() {
				fmt.Fprintf(stdout, "%-32s breaks %-36s %s\n", d.Name, d.Requirement, d.Description)
			}
		}
		if *listReadings {
			printReadings(stdout)
		}
		return 0
	}
	if v := os.Getenv("FAVCONFORM_WEBHOOK_URL"); v != "" && len(hookURLs) == 0 {
		_ = hookURLs.Set(v)
	}
	hooks, err := webhookOptions(hookURLs, *hookDelay, *hookKey, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "favconform serve: %v\n", err)
		return 2
	}
	ids := identity.Pool(*pool)
	m, err := mock.New(mock.Options{Deviations: deviations, Readings: readings, Webhooks: hooks, Identities: ids})
	if err != nil {
		fmt.Fprintf(stderr, "favconform serve: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "favconform serve: %v\n", err)
		return 2
	}
	srv := mock.HTTPServer(m)
	// Signals are caught before the listening line: a script that waits for it and then sends
	// SIGTERM must get the graceful stop, not the default kill.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *readyJSON {
		if err := printReadyLine(stdout, m, ln.Addr().String(), ids, *pool); err != nil {
			fmt.Fprintf(stderr, "favconform serve: %v\n", err)
			return 2
		}
	}
	fmt.Fprintf(stdout, "favconform reference mock listening on http://%s\n", ln.Addr())
	if len(readings) > 0 {
		fmt.Fprintf(stdout, "readings on: %v\n", []string(readings))
	}
	if len(deviations) > 0 {
		fmt.Fprintf(stdout, "deviations on: %v\n", []string(deviations))
	}
	fmt.Fprintln(stdout, "identities (send the token as the Authorization header):")
	for _, id := range ids {
		fmt.Fprintf(stdout, "  %-32s %s\n", id.Role, id.Token)
	}
	printWebhooks(stdout, m, ln.Addr().String(), hooks)
	defer m.CloseWebhooks()
	running := serving.Serve(ln, srv)
	<-ctx.Done()
	// Let in-flight requests finish, then release the port.
	running.Close()
	return 0
}

// readyLine is what --ready-json prints: everything a program that starts the mock needs, on
// one line, before any other output.
type readyLine struct {
	URL          string              `json:"url"`
	AdminURL     string              `json:"adminURL"`
	Tokens       map[string]string   `json:"tokens"`
	Accounts     map[string][]string `json:"accounts"`
	PublicKeyPEM string              `json:"publicKeyPEM"`
	Pool         int                 `json:"pool"`
}

func printReadyLine(stdout io.Writer, m *mock.Mock, addr string, ids []identity.Identity, pool int) error {
	url := "http://" + addr
	line := readyLine{URL: url, AdminURL: url + mock.AdminPathPrefix, Tokens: map[string]string{},
		Accounts: map[string][]string{}, PublicKeyPEM: string(m.WebhookPublicKeyPEM()), Pool: pool}
	for _, id := range ids {
		role := string(id.Role)
		if _, ok := line.Tokens[role]; !ok {
			line.Tokens[role] = id.Token
		}
		line.Accounts[role] = append(line.Accounts[role], id.Token)
	}
	b, err := json.Marshal(line)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}

// printReadings lists every reading: its name, the discrepancy it reads, what it does, and the
// group whose readings exclude each other.
func printReadings(stdout io.Writer) {
	for _, r := range mock.Readings() {
		desc := r.Description
		if r.Group != "" {
			desc += fmt.Sprintf(" [group %s: at most one on]", r.Group)
		}
		fmt.Fprintf(stdout, "%-32s reads %-24s %s\n", r.Name, r.Discrepancy, desc)
	}
}

func specCommand(stdout io.Writer) int {
	stdout.Write(spec.Bytes())
	return 0
}

// webhookOptions builds the mock's webhook options from the serve flags. The private key is read
// from keyFile, or generated; it is never printed.
func webhookOptions(urls []string, delay time.Duration, keyFile string, stdout io.Writer) (*mock.WebhookOptions, error) {
	if delay < 0 {
		return nil, fmt.Errorf("--webhook-delay %s is negative", delay)
	}
	o := &mock.WebhookOptions{URLs: urls, Delay: delay}
	if keyFile != "" {
		b, err := os.ReadFile(keyFile)
		if err != nil {
			return nil, fmt.Errorf("--webhook-private-key: %w", err)
		}
		if o.PrivateKey, err = webhook.ParsePrivateKeyPEM(b); err != nil {
			return nil, fmt.Errorf("--webhook-private-key %s: %w", keyFile, err)
		}
	}
	var mu sync.Mutex
	o.OnAttempt = func(a mock.WebhookAttempt) {
		outcome := "delivered"
		switch {
		case a.GaveUp:
			outcome = fmt.Sprintf("failed (%v); giving up", a.Err)
		case a.Err != nil:
			outcome = fmt.Sprintf("failed (%v); will retry", a.Err)
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stdout, "webhook: %s %s of list %s -> %s: attempt %d %s\n", a.EventType, a.EventID, a.EntityID, a.URL, a.Attempt, outcome)
	}
	return o, nil
}

// printWebhooks says where the events go and prints the public key that verifies them.
func printWebhooks(stdout io.Writer, m *mock.Mock, addr string, o *mock.WebhookOptions) {
	if len(o.URLs) == 0 {
		fmt.Fprintln(stdout, "webhook events: not delivered (add a receiver with --webhook-url URL)")
	} else {
		fmt.Fprintf(stdout, "webhook events: delivered to %s", strings.Join(o.URLs, ", "))
		if o.Delay > 0 {
			fmt.Fprintf(stdout, " after %s", o.Delay)
		}
		fmt.Fprintf(stdout, "; a delivery not answered 200 within %s is retried after %v\n", mock.DefaultDeliveryTimeout, mock.DefaultRetrySchedule)
	}
	fmt.Fprintf(stdout, "webhook public key (verifies the RS256 JWTs; also at http://%s%s):\n%s", addr, mock.WebhookPublicKeyPath, m.WebhookPublicKeyPEM())
}
