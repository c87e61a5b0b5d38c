// Package proxy is a validating reverse proxy for the Dashboard Favorite List API. Put it between
// an existing client or app and a target (the real API, the reference mock, your own server): it
// forwards every request unchanged, validates each exchange against the embedded OpenAPI
// document, and tells about every violation three ways: one log line per violation, response
// headers on the answer the client gets, and a session report.
//
// The response headers are:
//
//	X-Favconform-Violations: 2                      (on every validated response; 0 when clean)
//	X-Favconform-Violation: getUserFavoriteList response /favoriteList/revision: expected type string ..., got 2
//
// one X-Favconform-Violation value per violation, at most MaxViolationHeaders of them. With
// Options.FailOnViolation an exchange with violations is answered with a 502 in Wix's error shape
// (code SPEC_VIOLATION) naming the violations, so that a client's own tests fail on it.
//
// Credentials never leave the proxy except towards the target. Every credential of a request —
// Authorization, Proxy-Authorization, each cookie of Cookie, X-Api-Key and every header
// redact.IsSensitiveHeader names, the values of secret-looking query parameters — and every
// credential a target sets (Set-Cookie) is a secret of its exchange and of the session: log lines,
// X-Favconform-* headers, exchanges handed to OnExchange and the report carry none of them, nor
// any configured secret, in any form internal/redact knows (raw, URL, base64, JSON, HTML).
//
// What the proxy keeps is bounded: each exchange record keeps at most MaxRecordedBodyBytes of
// each body and MaxRecordedHeaderValueBytes of each header value (with a note saying how long it
// was) and MaxRecordedHeaderValues header values; the records held for the report take at most
// MaxRecordedBytes, and the report file at most MaxReportBytes. A target gets UpstreamTimeout to
// answer; past it the client gets a 502. Shutdown waits for the exchanges in flight and records
// those it has to cut off.
//
// A Proxy is an http.Handler, so a test can run one with httptest:
//
//	p, _ := proxy.New(targetURL, proxy.Options{FailOnViolation: true})
//	srv := httptest.NewServer(p)
//	defer srv.Close()
//	// point the client under test at srv.URL
package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/validate"
)

// Response headers the proxy adds.
const (
	// ViolationsHeader carries the number of violations of the exchange (0 when it conforms).
	ViolationsHeader = "X-Favconform-Violations"
	// ViolationHeader carries one violation per value: "<operation> <in> <pointer>: expected
	// <what>[, got <value>]".
	ViolationHeader = "X-Favconform-Violation"
	// MaxViolationHeaders caps the ViolationHeader values of one response; a last value says how
	// many more there were.
	MaxViolationHeaders = 10
)

// Application error codes of the proxy's own answers (in Wix's error shape).
const (
	// ViolationCode is the code of the 502 sent with Options.FailOnViolation.
	ViolationCode = "SPEC_VIOLATION"
	// UpstreamTimeoutCode is the code of the 502 sent when the target did not answer within
	// Options.UpstreamTimeout.
	UpstreamTimeoutCode = "UPSTREAM_TIMEOUT"
)

// MaxBodyBytes is the largest request or response body the proxy reads. A larger request is
// answered with 413 without being forwarded; a larger response with 502.
const MaxBodyBytes = 16 << 20

// MaxCredentialBytes is the most credential bytes one request may carry (the values of its
// credential headers and secret-looking query parameters together). The proxy keeps credentials
// out of its outputs by finding them in every form; past this size that search would cost more
// than the exchange, so such a request is answered 431 without being forwarded.
const MaxCredentialBytes = 64 << 10

// MaxResponseHeaderBytes caps the response headers the proxy reads from the target (the default
// transport's MaxResponseHeaderBytes); a target sending more gets its exchange answered 502.
const MaxResponseHeaderBytes = 256 << 10

// MaxRequestHeaderBytes is the request header size `favconform proxy` accepts from clients (its
// http.Server's MaxHeaderBytes); a server running a Proxy should set a similar bound.
const MaxRequestHeaderBytes = 256 << 10

// DefaultUpstreamTimeout is Options.UpstreamTimeout when unset.
const DefaultUpstreamTimeout = 30 * time.Second

const requestIDHeader = "X-Wix-Request-Id"

// Redacted replaces every secret in outputs: redact.Mark, the project's one redaction mark.
const Redacted = redact.Mark

// Options configure a Proxy. The zero value validates with the embedded spec, logs violations to
// os.Stderr, passes every response through and gives the target DefaultUpstreamTimeout.
type Options struct {
	// Validator checks the exchanges; nil means validate.Default().
	Validator *validate.Validator
	// FailOnViolation answers an exchange with violations (in its request or its response) with a
	// 502 in Wix's error shape naming the violations, instead of the target's response.
	FailOnViolation bool
	// OnExchange, if set, receives every exchange after its response was sent (or, for one cut
	// off by Shutdown, from Shutdown), redacted and capped as the report's records are. It may be
	// called from several goroutines at once.
	OnExchange func(validate.Exchange)
	// Secrets are values (tokens, keys) to remove from every output, besides the credentials the
	// proxy sees, which it always removes. Each must have at least redact.MinSecretLength
	// characters.
	Secrets []string
	// Log receives one line per violation and per failed exchange; nil means os.Stderr. Use
	// io.Discard to silence it. Text from the target is written through redact.Terminal.
	Log io.Writer
	// Verbose also logs one line per exchange without violations.
	Verbose bool
	// Transport does the round trips to the target; nil means the proxy's own: a plain-http
	// target (the mock, a local server) gets HTTP/1.1 on connections the proxy keeps, written
	// and read on each exchange's goroutine; anything else (https, a proxy from the environment,
	// Windows) a clone of http.DefaultTransport. Both read at most MaxResponseHeaderBytes of
	// response headers.
	Transport http.RoundTripper
	// UpstreamTimeout is how long the target has to answer an exchange in full (headers and
	// body); past it the client gets a 502 (UpstreamTimeoutCode) and the exchange counts as one
	// without an answer. Zero means DefaultUpstreamTimeout; negative means no limit.
	UpstreamTimeout time.Duration
}

// Proxy is a validating reverse proxy to one target. It is an http.Handler and safe for
// concurrent use.
type Proxy struct {
	target  *url.URL
	opts    Options
	v       *validate.Validator
	rp      *httputil.ReverseProxy
	log     io.Writer
	started time.Time
	timeout time.Duration
	// base knows the configured secrets; each exchange's redactor adds the credentials seen.
	base *redact.Redactor
	// ownTransport is the transport New made (nil when Options.Transport was given).
	ownTransport closeIdler

	// stopping is cancelled, with errCutOff, when Shutdown cuts off the exchanges in flight.
	stopping     context.Context
	stopInFlight context.CancelCauseFunc

	logMu sync.Mutex

	mu          sync.Mutex
	stats       Stats
	seq         int // exchanges begun
	recorded    []Record
	recordBytes int
	secrets     sessionSecrets
	inFlight    map[*state]struct{}
	closing     bool
	// idle is closed (and cleared) whenever an exchange leaves inFlight; waiters make it.
	idle chan struct{}
}

// Stats counts what the proxy has seen.
type Stats struct {
	// Exchanges is the number of exchanges the proxy finished (cut-off ones included).
	Exchanges int `json:"exchanges"`
	// Answered is the number of exchanges the target answered (with a response read in full).
	Answered int `json:"answered"`
	// WithViolations is the number of exchanges with at least one violation.
	WithViolations int `json:"withViolations"`
	// Violations is the number of violations over all exchanges.
	Violations int `json:"violations"`
	// Errors is the number of exchanges that got no usable response from the target: it did not
	// answer (in time), its answer could not be read, the proxy refused to forward the request,
	// or the exchange was cut off by Shutdown.
	Errors int `json:"errors"`
	// NotRecorded is the number of exchanges with violations or errors left out of the report
	// (past MaxRecorded, MaxRecordedBytes or MaxReportBytes).
	NotRecorded int `json:"notRecorded"`
}

// New returns a Proxy forwarding to target, an http(s) URL with an optional base path (which
// prefixes every forwarded path).
func New(target *url.URL, opts Options) (*Proxy, error) {
	if target == nil {
		return nil, errors.New("proxy: no target URL")
	}
	base := redact.New(nil)
	if (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return nil, fmt.Errorf("proxy: target %q is not an http(s) URL such as https://www.wixapis.com", base.URL(target))
	}
	if target.RawQuery != "" || target.Fragment != "" {
		return nil, fmt.Errorf("proxy: target %q must not have a query or a fragment", base.URL(target))
	}
	for i, s := range opts.Secrets {
		if err := redact.CheckSecret(fmt.Sprintf("proxy: Options.Secrets[%d]", i), s); err != nil {
			return nil, err
		}
	}
	v := opts.Validator
	if v == nil {
		var err error
		if v, err = validate.Default(); err != nil {
			return nil, fmt.Errorf("proxy: %w", err)
		}
	}
	p := &Proxy{
		target: target, opts: opts, v: v, log: opts.Log, started: time.Now(),
		timeout: opts.UpstreamTimeout, base: redact.New(opts.Secrets), inFlight: map[*state]struct{}{},
	}
	if p.timeout == 0 {
		p.timeout = DefaultUpstreamTimeout
	}
	if p.log == nil {
		p.log = os.Stderr
	}
	p.stopping, p.stopInFlight = context.WithCancelCause(context.Background())
	transport := opts.Transport
	if transport == nil {
		p.ownTransport = newTransport(target, defaultTransport())
		transport = p.ownTransport
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			// Forward the query exactly as the client sent it.
			pr.Out.URL.RawQuery = pr.In.URL.RawQuery
			// Without an Accept-Encoding of the client's, the transport asks for gzip itself and
			// hands back the decoded body, which is what gets validated and passed on.
			pr.Out.Header.Del("Accept-Encoding")
		},
		Transport:      transport,
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.errorHandler,
		// Without a pool, every response is copied through a new 32 KiB buffer.
		BufferPool: copyBuffers{},
	}
	return p, nil
}

// copyBuffers lends the reverse proxy its copy buffers from a sync.Pool.
type copyBuffers struct{}

const copyBufferSize = 32 << 10 // what ReverseProxy allocates without a pool

var copyBufferPool = sync.Pool{New: func() any { return new([copyBufferSize]byte) }}

func (copyBuffers) Get() []byte { return copyBufferPool.Get().(*[copyBufferSize]byte)[:] }

func (copyBuffers) Put(b []byte) {
	if len(b) == copyBufferSize { // ours: a buffer of another size is left to the collector
		copyBufferPool.Put((*[copyBufferSize]byte)(b))
	}
}

// defaultTransport is http.DefaultTransport's settings with the response headers capped.
func defaultTransport() *http.Transport {
	var t *http.Transport
	if d, ok := http.DefaultTransport.(*http.Transport); ok {
		t = d.Clone()
	} else { // replaced by the program: its settings are unknown, take Go's defaults
		t = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true, MaxIdleConns: 100,
			IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second, ExpectContinueTimeout: time.Second}
	}
	t.MaxResponseHeaderBytes = MaxResponseHeaderBytes
	return t
}

// Target is the URL the proxy forwards to.
func (p *Proxy) Target() *url.URL { u := *p.target; return &u }

// Stats returns the counts so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// state follows one exchange through the reverse proxy. in and seq are set before anyone else
// sees it; the other fields are written under mu by the exchange's goroutine (which may read
// them without it) and read under mu by a Shutdown that cuts the exchange off.
type state struct {
	seq int
	in  *http.Request

	mu         sync.Mutex
	url        *url.URL // where it was (or would be) forwarded
	secrets    []string // its credentials, request and response
	reqBody    []byte
	answered   bool
	status     int
	respHeader http.Header
	respBody   []byte
	op         string
	vs         validate.Violations
	err        error

	done bool // counted and recorded (or being so); guarded by Proxy.mu
}

type stateKey struct{}

// Why an exchange's upstream request was cancelled (context.Cause).
var errCutOff = errors.New("cut off by the proxy's shutdown")

type upstreamTimeout time.Duration

func (d upstreamTimeout) Error() string {
	return fmt.Sprintf("the target did not answer within %s (the proxy's upstream timeout)", time.Duration(d))
}

// ServeHTTP forwards r to the target and validates the exchange.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st, closing := p.begin(r)
	// Deferred: a client that goes away while the answer is written makes the reverse proxy
	// panic with http.ErrAbortHandler, and the exchange must still be counted.
	defer p.finish(st)
	creds, credErr := requestCredentials(r)
	st.mu.Lock()
	st.url = p.outboundURL(r.URL)
	st.secrets = creds
	st.mu.Unlock()
	p.trackSecrets(creds)
	if closing {
		st.setErr(errors.New("the proxy is shutting down; the request was not forwarded"))
		writeError(w, http.StatusServiceUnavailable, "favconform proxy: "+st.err.Error(), "UNAVAILABLE")
		return
	}
	if credErr != nil {
		st.setErr(credErr)
		writeError(w, http.StatusRequestHeaderFieldsTooLarge, "favconform proxy: "+credErr.Error(), api.CodeResourceExhausted)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	r.Body.Close()
	switch {
	case err != nil:
		st.setErr(fmt.Errorf("reading the request body: %w", err))
		writeError(w, http.StatusBadRequest, "favconform proxy: "+st.err.Error(), "INVALID_ARGUMENT")
	case len(body) > MaxBodyBytes:
		st.setErr(fmt.Errorf("the request body is larger than the proxy's limit of %d bytes; it was not forwarded", MaxBodyBytes))
		writeError(w, http.StatusRequestEntityTooLarge, "favconform proxy: "+st.err.Error(), api.CodeResourceExhausted)
	default:
		st.mu.Lock()
		st.reqBody = body
		st.mu.Unlock()
		ctx, cancel := context.WithCancelCause(context.WithValue(r.Context(), stateKey{}, st))
		defer cancel(nil)
		stop := context.AfterFunc(p.stopping, func() { cancel(errCutOff) })
		defer stop()
		if p.timeout > 0 {
			var cancelTimeout context.CancelFunc
			ctx, cancelTimeout = context.WithTimeoutCause(ctx, p.timeout, upstreamTimeout(p.timeout))
			defer cancelTimeout()
		}
		out := r.WithContext(ctx)
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.ContentLength = int64(len(body))
		p.rp.ServeHTTP(w, out)
	}
}

func (st *state) setErr(err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.err = err
}

func (p *Proxy) outboundURL(in *url.URL) *url.URL {
	u := *p.target
	u.Path = strings.TrimSuffix(u.Path, "/") + in.Path
	u.RawPath = ""
	u.RawQuery = in.RawQuery
	return &u
}

func stateOf(r *http.Request) *state {
	st, _ := r.Context().Value(stateKey{}).(*state)
	return st
}

// errReadingBody marks a failure while the target's body was arriving.
var errReadingBody = errors.New("reading the target's response body")

// modifyResponse reads and validates the target's response, then adds the violation headers or,
// with FailOnViolation, replaces a response with violations by a 502.
func (p *Proxy) modifyResponse(resp *http.Response) error {
	st := stateOf(resp.Request)
	if st == nil {
		return errors.New("favconform proxy: internal error: the exchange's state is missing")
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("%w: %w", errReadingBody, err)
	}
	if len(body) > MaxBodyBytes {
		return fmt.Errorf("the target's response body is larger than the proxy's limit of %d bytes", MaxBodyBytes)
	}
	op, vs := p.v.Check(st.in, st.reqBody, resp.StatusCode, resp.Header, body)
	respCreds := responseCredentials(resp.Header)
	p.trackSecrets(respCreds)
	u := *resp.Request.URL
	st.mu.Lock()
	st.url = &u
	st.answered = true
	st.status, st.respHeader, st.respBody = resp.StatusCode, resp.Header.Clone(), body
	st.op, st.vs = op, vs
	st.secrets = append(st.secrets, respCreds...)
	st.mu.Unlock()

	if len(st.vs) > 0 && p.opts.FailOnViolation {
		h := http.Header{}
		// The SDK reads the request id of an error from this header (facts.md).
		if id := resp.Header.Get(requestIDHeader); id != "" {
			h.Set(requestIDHeader, id)
		}
		resp.Header = h
		resp.StatusCode = http.StatusBadGateway
		resp.Status = "502 Bad Gateway"
		body = failureBody(st, p.redactorFor(st.secrets))
		resp.Header.Set("Content-Type", "application/json")
	}
	var shown validate.Violations // nothing to redact without a violation
	if len(st.vs) > 0 {
		shown = redactViolations(st.vs, p.redactorFor(st.secrets))
	}
	setViolationHeaders(resp.Header, shown)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.TransferEncoding = nil
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// errorHandler answers a request the target did not answer (or whose response could not be read).
func (p *Proxy) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	err = failureOf(r.Context(), err)
	st := stateOf(r)
	var secrets []string
	if st != nil {
		st.mu.Lock()
		st.err, st.status, st.answered = err, 0, false
		secrets = st.secrets
		st.mu.Unlock()
	}
	red := p.redactorFor(secrets)
	code := "BAD_GATEWAY"
	var timeout upstreamTimeout
	if errors.As(err, &timeout) {
		code = UpstreamTimeoutCode
	}
	writeError(w, http.StatusBadGateway, "favconform proxy: no usable answer from the target "+red.URL(p.target)+": "+red.String(err.Error()), code)
}

// failureOf says why an exchange got no answer: the cause of its context's end when there is one
// (the upstream timeout, the shutdown, the client going away), else err.
func failureOf(ctx context.Context, err error) error {
	var timeout upstreamTimeout
	switch cause := context.Cause(ctx); {
	case cause == nil:
		return err
	case errors.As(cause, &timeout):
		if errors.Is(err, errReadingBody) {
			return fmt.Errorf("the target's response body did not arrive in full: %w", timeout)
		}
		return timeout
	case errors.Is(cause, errCutOff):
		return errCutOff
	case errors.Is(cause, context.Canceled):
		return errors.New("the client went away before the target answered")
	}
	return err
}

// writeError answers in Wix's error shape.
func writeError(w http.ResponseWriter, status int, msg, code string) {
	b, _ := json.Marshal(api.ErrorBody{Message: msg, Details: &api.ErrorDetails{ApplicationError: &api.ApplicationError{Code: code, Description: msg}}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// failureBody is the 502 body of FailOnViolation: Wix's error shape, the violations in the
// application error's data.
func failureBody(st *state, red *redact.Redactor) []byte {
	vs := redactViolations(st.vs, red)
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.String()
	}
	msg := fmt.Sprintf("favconform proxy: %s %s breaks the API spec (%d violation(s); the target answered %d): %s",
		st.in.Method, red.String(st.in.URL.Path), len(vs), st.status, validate.Clip(strings.Join(lines, "; "), 4000))
	b, _ := json.Marshal(api.ErrorBody{Message: msg, Details: &api.ErrorDetails{ApplicationError: &api.ApplicationError{
		Code: ViolationCode, Description: msg,
		Data: map[string]any{"operation": st.op, "targetStatus": st.status, "violations": vs},
	}}})
	return b
}

// setViolationHeaders lists the (redacted) violations in the response headers.
func setViolationHeaders(h http.Header, vs validate.Violations) {
	h.Set(ViolationsHeader, strconv.Itoa(len(vs)))
	h.Del(ViolationHeader)
	for i, v := range vs {
		if i == MaxViolationHeaders {
			h.Add(ViolationHeader, fmt.Sprintf("… and %d more", len(vs)-MaxViolationHeaders))
			break
		}
		h.Add(ViolationHeader, headerValue(v.String()))
	}
}

// headerValue makes s a safe one-line header value.
func headerValue(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, escapeInvalidUTF8(s))
	return validate.Clip(s, 300)
}

// begin registers an exchange as in flight and numbers it; closing is true once Shutdown began.
func (p *Proxy) begin(r *http.Request) (st *state, closing bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	st = &state{seq: p.seq, in: r}
	p.inFlight[st] = struct{}{}
	return st, p.closing
}

// finish counts, logs, records and hands on one exchange, unless Shutdown cut it off already.
func (p *Proxy) finish(st *state) {
	p.mu.Lock()
	if st.done {
		p.mu.Unlock()
		return
	}
	st.done = true
	p.mu.Unlock()
	p.complete(st)
}

// complete counts and records an exchange marked done, then logs it and hands it on.
func (p *Proxy) complete(st *state) {
	snap := st.snapshot()
	faulty := len(snap.vs) > 0 || snap.err != nil
	// The redacted record is built only for someone to read it: a clean exchange of a quiet proxy
	// without OnExchange is counted and nothing more (the redaction was a share of the latency
	// the proxy adds).
	var x validate.Exchange
	var rec Record
	size := 0
	if faulty || p.opts.Verbose || p.opts.OnExchange != nil {
		x = exchangeOf(snap, p.redactorFor(snap.secrets))
	}
	if faulty {
		rec = recordOf(st.seq, x)
		size = recordSize(rec)
	}

	p.mu.Lock()
	p.stats.Exchanges++
	if snap.answered {
		p.stats.Answered++
	}
	if len(snap.vs) > 0 {
		p.stats.WithViolations++
		p.stats.Violations += len(snap.vs)
	}
	if snap.err != nil {
		p.stats.Errors++
	}
	if faulty {
		if len(p.recorded) < MaxRecorded && p.recordBytes+size <= MaxRecordedBytes {
			p.recorded = append(p.recorded, rec)
			p.recordBytes += size
		} else {
			p.stats.NotRecorded++
		}
	}
	p.mu.Unlock()

	if faulty || p.opts.Verbose {
		p.logExchange(st.seq, snap, x)
	}
	if p.opts.OnExchange != nil {
		p.opts.OnExchange(x)
	}
	// Only now is the exchange over: Shutdown's wait ends once it is logged and handed on.
	p.mu.Lock()
	p.leave(st)
	p.mu.Unlock()
}

// leave takes st out of the exchanges in flight and wakes whoever waits for them; p.mu is held.
func (p *Proxy) leave(st *state) {
	delete(p.inFlight, st)
	if p.idle != nil {
		close(p.idle)
		p.idle = nil
	}
}

// logExchange writes one line per violation (and per failed exchange; per clean one when
// Verbose). Lines name the path, never the query, whose values may be secrets; they pass
// through redact.Terminal, so that text from the target cannot drive the terminal.
func (p *Proxy) logExchange(seq int, snap snapshot, x validate.Exchange) {
	red := p.redactorFor(snap.secrets)
	where := fmt.Sprintf("#%d %s %s", seq, snap.method, red.String(snap.path))
	var lines []string
	switch {
	case x.Err != "":
		lines = append(lines, fmt.Sprintf("%s: no usable answer: %s", where, x.Err))
	case len(x.Violations) == 0 && p.opts.Verbose:
		lines = append(lines, fmt.Sprintf("%s → %d %s: conforms", where, x.Status, x.Operation))
	}
	for _, v := range x.Violations {
		line := fmt.Sprintf("%s → %d: violation: %s", where, x.Status, v.String())
		if v.Message != "" && !strings.Contains(line, v.Message) {
			line += " (" + validate.Clip(v.Message, 200) + ")"
		}
		lines = append(lines, line)
	}
	if len(x.Violations) > 0 && p.opts.FailOnViolation {
		lines = append(lines, where+": answered 502 "+ViolationCode+" instead of the target's response (--fail-on-violation)")
	}
	if len(lines) == 0 {
		return
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(redact.Terminal("favconform proxy: "+strings.ReplaceAll(l, "\n", " "), false) + "\n")
	}
	p.logMu.Lock()
	defer p.logMu.Unlock()
	_, _ = io.WriteString(p.log, b.String())
}
