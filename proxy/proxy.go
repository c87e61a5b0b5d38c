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
// Tokens never leave the proxy except towards the target: log lines, headers, exchanges handed to
// OnExchange and the report carry no Authorization, Cookie or Set-Cookie value and no configured
// secret.
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
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/favconform/favconform/api"
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

// ViolationCode is the application error code of the 502 sent with Options.FailOnViolation.
const ViolationCode = "SPEC_VIOLATION"

// MaxBodyBytes is the largest request or response body the proxy reads. A larger request is
// answered with 413 without being forwarded; a larger response with 502.
const MaxBodyBytes = 16 << 20

// MaxRecorded caps how many exchanges the session report keeps; the summary counts the rest.
const MaxRecorded = 1000

// maxReportBody caps each body kept in the report.
const maxReportBody = 64 << 10

const requestIDHeader = "X-Wix-Request-Id"

// Redacted replaces every secret in outputs.
const Redacted = "[REDACTED]"

// sensitiveHeaders are never copied into an output with their value.
var sensitiveHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// Options configure a Proxy. The zero value validates with the embedded spec, logs violations to
// os.Stderr and passes every response through.
type Options struct {
	// Validator checks the exchanges; nil means validate.Default().
	Validator *validate.Validator
	// FailOnViolation answers an exchange with violations (in its request or its response) with a
	// 502 in Wix's error shape naming the violations, instead of the target's response.
	FailOnViolation bool
	// OnExchange, if set, receives every exchange after its response was sent, redacted: no
	// Authorization, Cookie or Set-Cookie value and no secret. It may be called from several
	// goroutines at once.
	OnExchange func(validate.Exchange)
	// Secrets are values (tokens, keys) to remove from every output, besides the Authorization
	// values the proxy sees, which it always removes.
	Secrets []string
	// Log receives one line per violation and per failed exchange; nil means os.Stderr. Use
	// io.Discard to silence it.
	Log io.Writer
	// Verbose also logs one line per exchange without violations.
	Verbose bool
	// Transport does the round trips to the target; nil means http.DefaultTransport.
	Transport http.RoundTripper
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

	logMu sync.Mutex

	mu       sync.Mutex
	stats    Stats
	recorded []Record
	tokens   map[string]bool
}

// Stats counts what the proxy has seen.
type Stats struct {
	// Exchanges is the number of requests the proxy handled.
	Exchanges int `json:"exchanges"`
	// WithViolations is the number of exchanges with at least one violation.
	WithViolations int `json:"withViolations"`
	// Violations is the number of violations over all exchanges.
	Violations int `json:"violations"`
	// Errors is the number of exchanges that got no response from the target.
	Errors int `json:"errors"`
	// NotRecorded is the number of exchanges with violations or errors left out of the report
	// (past MaxRecorded).
	NotRecorded int `json:"notRecorded"`
}

// New returns a Proxy forwarding to target, an http(s) URL with an optional base path (which
// prefixes every forwarded path).
func New(target *url.URL, opts Options) (*Proxy, error) {
	if target == nil {
		return nil, errors.New("proxy: no target URL")
	}
	if (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return nil, fmt.Errorf("proxy: target %q is not an http(s) URL such as https://www.wixapis.com", validate.RedactedURL(target))
	}
	if target.RawQuery != "" || target.Fragment != "" {
		return nil, fmt.Errorf("proxy: target %q must not have a query or a fragment", validate.RedactedURL(target))
	}
	v := opts.Validator
	if v == nil {
		var err error
		if v, err = validate.Default(); err != nil {
			return nil, fmt.Errorf("proxy: %w", err)
		}
	}
	p := &Proxy{target: target, opts: opts, v: v, log: opts.Log, started: time.Now(), tokens: map[string]bool{}}
	if p.log == nil {
		p.log = os.Stderr
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
		Transport:      opts.Transport,
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.errorHandler,
	}
	return p, nil
}

// Target is the URL the proxy forwards to.
func (p *Proxy) Target() *url.URL { u := *p.target; return &u }

// Stats returns the counts so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// state follows one exchange through the reverse proxy.
type state struct {
	in      *http.Request
	reqBody []byte
	secrets []string

	url        string
	status     int
	respHeader http.Header
	respBody   []byte
	op         string
	vs         validate.Violations
	err        error
}

type stateKey struct{}

// ServeHTTP forwards r to the target and validates the exchange.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := &state{in: r, url: p.outboundURL(r.URL)}
	st.secrets = p.secretsFor(r.Header)
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	r.Body.Close()
	switch {
	case err != nil:
		st.err = fmt.Errorf("reading the request body: %w", err)
		writeError(w, http.StatusBadRequest, "favconform proxy: "+st.err.Error(), nil)
	case len(body) > MaxBodyBytes:
		st.err = fmt.Errorf("the request body is larger than the proxy's limit of %d bytes; it was not forwarded", MaxBodyBytes)
		writeError(w, http.StatusRequestEntityTooLarge, "favconform proxy: "+st.err.Error(), nil)
	default:
		st.reqBody = body
		out := r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.ContentLength = int64(len(body))
		p.rp.ServeHTTP(w, out)
	}
	p.finish(st)
}

func (p *Proxy) outboundURL(in *url.URL) string {
	u := *p.target
	u.Path = strings.TrimSuffix(u.Path, "/") + in.Path
	u.RawPath = ""
	u.RawQuery = in.RawQuery
	return validate.RedactedURL(&u)
}

func stateOf(r *http.Request) *state {
	st, _ := r.Context().Value(stateKey{}).(*state)
	return st
}

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
		return fmt.Errorf("reading the target's response body: %w", err)
	}
	if len(body) > MaxBodyBytes {
		return fmt.Errorf("the target's response body is larger than the proxy's limit of %d bytes", MaxBodyBytes)
	}
	st.url = validate.RedactedURL(resp.Request.URL)
	st.status, st.respHeader, st.respBody = resp.StatusCode, resp.Header.Clone(), body
	st.op, st.vs = p.v.Check(st.in, st.reqBody, resp.StatusCode, resp.Header, body)

	if len(st.vs) > 0 && p.opts.FailOnViolation {
		h := http.Header{}
		// The SDK reads the request id of an error from this header (facts.md).
		if id := resp.Header.Get(requestIDHeader); id != "" {
			h.Set(requestIDHeader, id)
		}
		resp.Header = h
		resp.StatusCode = http.StatusBadGateway
		resp.Status = "502 Bad Gateway"
		body = failureBody(st, p.redactor(st.secrets))
		resp.Header.Set("Content-Type", "application/json")
	}
	redact := func(s string) string { return s } // nothing to redact without a violation
	if len(st.vs) > 0 {
		redact = p.redactor(st.secrets)
	}
	setViolationHeaders(resp.Header, st.vs, redact)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.TransferEncoding = nil
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// errorHandler answers a request the target did not answer (or whose response could not be read).
func (p *Proxy) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	st := stateOf(r)
	if st != nil {
		st.err = err
		st.status = 0
	}
	redact := p.redactor(nil)
	if st != nil {
		redact = p.redactor(st.secrets)
	}
	writeError(w, http.StatusBadGateway, "favconform proxy: no usable answer from the target "+redact(validate.RedactedURL(p.target))+": "+redact(err.Error()), nil)
}

// writeError answers in Wix's error shape.
func writeError(w http.ResponseWriter, status int, msg string, data map[string]any) {
	b, _ := json.Marshal(api.ErrorBody{Message: msg, Details: &api.ErrorDetails{ApplicationError: &api.ApplicationError{Code: codeOf(status), Description: msg, Data: data}}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func codeOf(status int) string {
	switch status {
	case http.StatusRequestEntityTooLarge:
		return api.CodeResourceExhausted
	case http.StatusBadRequest:
		return "INVALID_ARGUMENT"
	}
	return "BAD_GATEWAY"
}

// failureBody is the 502 body of FailOnViolation: Wix's error shape, the violations in the
// application error's data.
func failureBody(st *state, redact func(string) string) []byte {
	vs := redactViolations(st.vs, redact)
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.String()
	}
	msg := fmt.Sprintf("favconform proxy: %s %s breaks the API spec (%d violation(s); the target answered %d): %s",
		st.in.Method, redact(st.in.URL.Path), len(vs), st.status, validate.Clip(strings.Join(lines, "; "), 4000))
	b, _ := json.Marshal(api.ErrorBody{Message: msg, Details: &api.ErrorDetails{ApplicationError: &api.ApplicationError{
		Code: ViolationCode, Description: msg,
		Data: map[string]any{"operation": st.op, "targetStatus": st.status, "violations": vs},
	}}})
	return b
}

// setViolationHeaders lists the violations in the response headers.
func setViolationHeaders(h http.Header, vs validate.Violations, redact func(string) string) {
	h.Set(ViolationsHeader, strconv.Itoa(len(vs)))
	h.Del(ViolationHeader)
	for i, v := range vs {
		if i == MaxViolationHeaders {
			h.Add(ViolationHeader, fmt.Sprintf("… and %d more", len(vs)-MaxViolationHeaders))
			break
		}
		h.Add(ViolationHeader, headerValue(redact(v.String())))
	}
}

// headerValue makes s a safe one-line header value.
func headerValue(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return validate.Clip(s, 300)
}

// finish counts, logs, records and hands on one exchange.
func (p *Proxy) finish(st *state) {
	faulty := len(st.vs) > 0 || st.err != nil
	// The redacted record is built only for someone to read it: a clean exchange of a quiet proxy
	// without OnExchange is counted and nothing more (the redaction was a share of the latency
	// the proxy adds).
	var x validate.Exchange
	if faulty || p.opts.Verbose || p.opts.OnExchange != nil {
		x = p.exchangeOf(st)
	}

	p.mu.Lock()
	p.stats.Exchanges++
	seq := p.stats.Exchanges
	if len(st.vs) > 0 {
		p.stats.WithViolations++
		p.stats.Violations += len(st.vs)
	}
	if st.err != nil {
		p.stats.Errors++
	}
	if faulty {
		if len(p.recorded) < MaxRecorded {
			p.recorded = append(p.recorded, recordOf(seq, x))
		} else {
			p.stats.NotRecorded++
		}
	}
	for _, s := range st.secrets {
		if len(p.tokens) < 256 {
			p.tokens[s] = true
		}
	}
	p.mu.Unlock()

	if faulty || p.opts.Verbose {
		p.logExchange(seq, st, x)
	}
	if p.opts.OnExchange != nil {
		p.opts.OnExchange(x)
	}
}

// exchangeOf is the redacted record of one exchange.
func (p *Proxy) exchangeOf(st *state) validate.Exchange {
	redact := p.redactor(st.secrets)
	x := validate.Exchange{
		Operation: st.op, Method: st.in.Method, URL: redact(st.url),
		RequestHeader: redactHeader(st.in.Header, redact), RequestBody: []byte(redact(string(st.reqBody))),
		Status: st.status, ResponseHeader: redactHeader(st.respHeader, redact), ResponseBody: []byte(redact(string(st.respBody))),
		Violations: redactViolations(st.vs, redact),
	}
	if st.err != nil {
		x.Err = redact(st.err.Error())
	}
	if len(x.RequestBody) == 0 {
		x.RequestBody = nil
	}
	if len(x.ResponseBody) == 0 {
		x.ResponseBody = nil
	}
	return x
}

// logExchange writes one line per violation (and per failed exchange; per clean one when
// Verbose). Lines name the path, never the query, whose values may be secrets.
func (p *Proxy) logExchange(seq int, st *state, x validate.Exchange) {
	redact := p.redactor(st.secrets)
	where := fmt.Sprintf("#%d %s %s", seq, st.in.Method, redact(st.in.URL.Path))
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
		b.WriteString("favconform proxy: " + strings.ReplaceAll(l, "\n", " ") + "\n")
	}
	p.logMu.Lock()
	defer p.logMu.Unlock()
	_, _ = io.WriteString(p.log, b.String())
}

// secretsFor is what to remove from the outputs of an exchange with these request headers: the
// configured secrets and the exchange's own Authorization value (with and without its scheme).
func (p *Proxy) secretsFor(h http.Header) []string {
	out := slices.Clone(p.opts.Secrets)
	for _, name := range []string{"Authorization", "Proxy-Authorization"} {
		for _, v := range h.Values(name) {
			v = strings.TrimSpace(v)
			out = append(out, v)
			if _, cred, ok := strings.Cut(v, " "); ok {
				out = append(out, strings.TrimSpace(cred))
			}
		}
	}
	return out
}

// redactor returns a function that replaces every secret (and every Authorization value the proxy
// has seen) in a string.
func (p *Proxy) redactor(secrets []string) func(string) string {
	p.mu.Lock()
	all := slices.Clone(secrets)
	for t := range p.tokens {
		all = append(all, t)
	}
	p.mu.Unlock()
	all = slices.DeleteFunc(all, func(s string) bool { return s == "" })
	sort.Slice(all, func(i, j int) bool { return len(all[i]) > len(all[j]) })
	all = slices.Compact(all)
	return func(s string) string {
		for _, secret := range all {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
		return s
	}
}

func redactHeader(h http.Header, redact func(string) string) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		sensitive := slices.ContainsFunc(sensitiveHeaders, func(s string) bool { return strings.EqualFold(s, k) })
		for _, v := range vs {
			if sensitive {
				v = Redacted
			} else {
				v = redact(v)
			}
			out[k] = append(out[k], v)
		}
	}
	return out
}

func redactViolations(vs validate.Violations, redact func(string) string) validate.Violations {
	if len(vs) == 0 {
		return nil
	}
	out := make(validate.Violations, len(vs))
	for i, v := range vs {
		v.Operation, v.Pointer, v.Expected, v.Got, v.Message = redact(v.Operation), redact(v.Pointer), redact(v.Expected), redact(v.Got), redact(v.Message)
		out[i] = v
	}
	return out
}
