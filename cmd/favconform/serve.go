package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/redact"
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
	stateFile := fs.String("state", "", "load the lists from this file at start if it exists (the JSON of GET /_favconform/state), and write them back to it on a clean stop (SIGTERM, SIGINT)")
	journalSize := fs.Int("journal", mock.DefaultJournalSize, "keep the last N API calls for GET /_favconform/requests (0: the default; negative: no journal)")
	adminToken := fs.String("admin-token", envDefault("FAVCONFORM_ADMIN_TOKEN", ""), "admin calls (reset, state, requests, faults) must send this as \"Authorization: Bearer T\" or "+mock.AdminTokenHeader+" (env FAVCONFORM_ADMIN_TOKEN); required when --addr is not a loopback address")
	var faults faultFlag
	fs.Var(&faults, "fault", "inject a fault, so an app can be seen handling a misbehaving API (repeatable): OPERATION:KIND[,KEY=VALUE...], e.g. 'addUserFavorite:status=429,retryAfter=2,count=1', '*:latency=200ms,jitter=50ms', 'updateUserFavoriteList:concurrent-writer,count=1', 'getUserFavoriteList:drop,p=0.5,seed=7' (optional role=R); also POST /_favconform/faults")
	verbose := fs.Bool("v", false, "log one line per API call on stderr: its role, operation, status and validation result against the spec (each call is then validated as it is answered)")
	targetFile := fs.String("write-target-file", "", "once listening, write a target file (YAML, for run --target-file) naming the mock's URL and every role's tokens, and the webhooks section when --webhook-url is set")
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
	if !isLoopbackAddr(*addr) && *adminToken == "" {
		fmt.Fprintf(stderr, "favconform serve: --addr %s is not a loopback address: anyone who can reach it could reset, read or replace every list through the admin API (%s); set --admin-token T (admin calls then send \"Authorization: Bearer T\"), or listen on 127.0.0.1\n", *addr, mock.AdminPathPrefix)
		return 2
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
	var onRequest func(mock.Request)
	if *verbose {
		onRequest = (&requestLog{w: stderr}).log
	}
	m, err := mock.New(mock.Options{Deviations: deviations, Readings: readings, Webhooks: hooks, Identities: ids,
		JournalSize: *journalSize, AdminToken: *adminToken, Faults: faults, OnRequest: onRequest})
	if err != nil {
		fmt.Fprintf(stderr, "favconform serve: %v\n", err)
		return 2
	}
	if *stateFile != "" {
		if err := loadStateFile(m, *stateFile); err != nil {
			fmt.Fprintf(stderr, "favconform serve: --state %s: %v\n", *stateFile, err)
			return 2
		}
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
	if *targetFile != "" {
		if err := writeTargetFile(*targetFile, ln.Addr().String(), ids, hooks.URLs, m.WebhookPublicKeyPEM()); err != nil {
			fmt.Fprintf(stderr, "favconform serve: --write-target-file: %v\n", err)
			return 2
		}
	}
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
	if fs := m.Faults(); len(fs) > 0 {
		specs := make([]string, len(fs))
		for i, f := range fs {
			specs[i] = fmt.Sprintf("%s (%s)", f, f.ID)
		}
		fmt.Fprintf(stdout, "faults on: %s; see and change them at http://%s%s\n", strings.Join(specs, ", "), ln.Addr(), mock.FaultsPath)
	}
	fmt.Fprintln(stdout, "identities (send the token as the Authorization header):")
	for _, id := range ids {
		fmt.Fprintf(stdout, "  %-32s %s\n", id.Role, id.Token)
	}
	admin := "open on loopback"
	if *adminToken != "" {
		admin = "needs the --admin-token as \"Authorization: Bearer T\""
	}
	fmt.Fprintf(stdout, "admin API (reset, state, requests; spec/admin.yaml): http://%s%s, %s\n", ln.Addr(), mock.AdminPathPrefix, admin)
	if *targetFile != "" {
		fmt.Fprintf(stdout, "target file written to %s (favconform run --target-file %s)\n", *targetFile, *targetFile)
	}
	printWebhooks(stdout, m, ln.Addr().String(), hooks)
	defer m.CloseWebhooks()
	running := serving.Serve(ln, srv)
	<-ctx.Done()
	// Let in-flight requests finish, then release the port.
	running.Close()
	if *stateFile != "" {
		if err := saveStateFile(m, *stateFile, os.Rename); err != nil {
			fmt.Fprintf(stderr, "favconform serve: --state: saving the lists: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "lists saved to %s\n", *stateFile)
	}
	return 0
}

// requestLog writes serve -v's line per API call, numbered in the order the calls finish.
type requestLog struct {
	mu sync.Mutex
	w  io.Writer
	n  int
}

func (l *requestLog) log(r mock.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	_, _ = io.WriteString(l.w, requestLine(l.n, r)+"\n")
}

// requestLine is one API call as serve -v logs it: when, who, what, the answer, and what the
// spec says of the exchange. It names the path, never the query (whose values may be secrets),
// and passes through redact.Terminal: the path is the caller's text.
func requestLine(seq int, r mock.Request) string {
	role := string(r.Role)
	if role == "" {
		role = "no known token"
	}
	answer := strconv.Itoa(r.Status)
	if r.Status == 0 {
		answer = "no answer (connection dropped)"
	}
	var verdict string
	switch {
	case r.NotValidated != "":
		verdict = "not validated: " + r.NotValidated
	case len(r.Violations) == 0:
		verdict = "conforms"
	default:
		parts := make([]string, len(r.Violations))
		for i, v := range r.Violations {
			parts[i] = strings.TrimSpace(v.In + " " + v.Pointer + ": " + v.Message)
		}
		noun := "violations"
		if len(parts) == 1 {
			noun = "violation"
		}
		verdict = fmt.Sprintf("%d %s: %s", len(parts), noun, strings.Join(parts, "; "))
	}
	line := fmt.Sprintf("favconform serve: #%d %s %s %s (%s) → %s %s: %s", seq, r.Time, r.Method, r.Path, role, answer, r.OperationID, verdict)
	return redact.Terminal(strings.ReplaceAll(line, "\n", " "), false)
}

// faultFlag collects --fault rules; each value is one rule (its commas are the rule's own).
type faultFlag []mock.Fault

func (f *faultFlag) String() string {
	specs := make([]string, len(*f))
	for i, r := range *f {
		specs[i] = r.String()
	}
	return strings.Join(specs, " ")
}

func (f *faultFlag) Set(v string) error {
	rule, err := mock.ParseFault(v)
	if err != nil {
		return err
	}
	*f = append(*f, rule)
	return nil
}

// writeTargetFile writes the target file of the mock listening at addr (atomically, mode 0600):
// baseURL, every role with its token (a list of them when the pool has several accounts), and,
// when events go to a receiver URL, the webhooks section for the harness's receiver there, with
// the mock's public key written beside the file (FILE.webhook-public-key.pem).
func writeTargetFile(path, addr string, ids []identity.Identity, hookURLs []string, pubPEM []byte) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1" // listening everywhere: loopback reaches it
	}
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) } // a JSON string is a YAML scalar
	var b strings.Builder
	b.WriteString("# Written by favconform serve: the running reference mock and its (mock-only) tokens.\n")
	fmt.Fprintf(&b, "baseURL: %s\n", q("http://"+net.JoinHostPort(host, port)))
	b.WriteString("identities:\n")
	var roles []identity.Role
	for _, id := range ids {
		if !slices.Contains(roles, id.Role) {
			roles = append(roles, id.Role)
		}
	}
	for _, role := range roles {
		accounts := identity.Accounts(ids, role)
		if len(accounts) == 1 {
			fmt.Fprintf(&b, "  %s:\n    headers: {Authorization: %s}\n", role, q(accounts[0].Token))
			continue
		}
		fmt.Fprintf(&b, "  %s:\n", role)
		for _, a := range accounts {
			fmt.Fprintf(&b, "    - headers: {Authorization: %s}\n", q(a.Token))
		}
	}
	if len(hookURLs) > 0 {
		u, err := url.Parse(hookURLs[0])
		if err != nil || u.Host == "" {
			return fmt.Errorf("--webhook-url %q is not a URL the target file can name", hookURLs[0])
		}
		hookPort := u.Port()
		switch {
		case hookPort != "":
		case u.Scheme == "https":
			hookPort = "443"
		default:
			hookPort = "80"
		}
		listen := net.JoinHostPort(u.Hostname(), hookPort)
		keyFile := path + ".webhook-public-key.pem"
		if err := writeFileAtomic(keyFile, pubPEM, 0o644, os.Rename); err != nil {
			return err
		}
		fmt.Fprintf(&b, "webhooks:\n  listen: %s\n  publicURL: %s\n  publicKeyFile: %s\n", q(listen), q(hookURLs[0]), q(filepath.Base(keyFile)))
	}
	return writeFileAtomic(path, []byte(b.String()), 0o600, os.Rename)
}

// isLoopbackAddr reports whether a listen address only listens on loopback: localhost or a
// loopback IP. An empty host (":8080") listens on every interface.
func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loadStateFile loads the mock's lists from path, if it exists.
func loadStateFile(m *mock.Mock, path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return m.LoadState(b)
}

// saveStateFile writes the mock's lists to path atomically (writeFileAtomic).
func saveStateFile(m *mock.Mock, path string, rename func(oldpath, newpath string) error) error {
	b, err := json.MarshalIndent(m.State(), "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'), 0o600, rename)
}

// writeFileAtomic writes data to path so that path is always either its old content or all of
// data: it writes path+".tmp" in the same directory, syncs it, then renames it over path (and
// syncs the directory). On failure the temporary file is removed and path is left as it was.
func writeFileAtomic(path string, data []byte, perm os.FileMode, rename func(oldpath, newpath string) error) (err error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
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
