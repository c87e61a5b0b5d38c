package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/validate"
)

// DefaultJournalSize is how many API calls the journal keeps when Options.JournalSize is 0.
const DefaultJournalSize = 1000

// MaxJournalBody is how much of a request body a journal entry shows.
const MaxJournalBody = 64 << 10

// maxJournalResponse is how much of a response the journal keeps to validate it; a longer one is
// not validated (the mock's responses are far shorter).
const maxJournalResponse = 4 << 20

// Request is one API call of the journal (RequestsPath, Requests). Admin calls are not recorded.
// No token appears: the Authorization header is not kept, and any known token in the path, the
// query or the body is replaced with "[REDACTED]".
type Request struct {
	// Time is when the call came, RFC 3339 with nanoseconds, UTC (the mock's clock).
	Time   string `json:"time"`
	Method string `json:"method"`
	Path   string `json:"path"`
	// Query is the raw query string ("" for none).
	Query string `json:"query"`
	// Role is the caller's role, "" when the token is unknown or missing.
	Role identity.Role `json:"role"`
	// OperationID is the spec's operationId of the call, or "METHOD /path" when none matches.
	OperationID string `json:"operationId"`
	// Status is the answer's status; 0 when the connection was dropped without one (a drop
	// fault), and then only the request is validated.
	Status int `json:"status"`
	// Body is the request body: its JSON when it is JSON, else a JSON string; left out when empty.
	// A body over MaxJournalBody is cut there (and then always a string), and BodyTruncated set.
	Body          json.RawMessage `json:"body,omitempty"`
	BodyTruncated bool            `json:"bodyTruncated,omitempty"`
	// Violations are the ways the exchange (request and response) breaks spec/openapi.yaml, as
	// package validate finds them; [] when it conforms, or when it was not validated.
	Violations []RequestViolation `json:"violations"`
	// NotValidated says why the exchange was not validated: a body over MaxJournalBody is not
	// (validating a hostile megabyte on the request's path would let any caller slow the mock).
	NotValidated string `json:"notValidated,omitempty"`
}

// RequestViolation is one violation of the spec by a journalled exchange.
type RequestViolation struct {
	// In is "request" or "response".
	In string `json:"in"`
	// Pointer locates the fault: a JSON pointer into the body, or "status", "header X", "query x".
	Pointer  string `json:"pointer"`
	Message  string `json:"message"`
	Expected string `json:"expected,omitempty"`
	Got      string `json:"got,omitempty"`
}

// journal is a bounded ring of exchanges, safe for concurrent use. Entries are validated and
// rendered when first read, not on the request's path.
type journal struct {
	size   int // 0: nothing is kept (the journal is off, but onRequest is set)
	redact *redact.Redactor
	// onRequest is Options.OnRequest.
	onRequest func(Request)
	tokens    map[string]identity.Identity

	mu      sync.Mutex
	entries []*journalEntry // ring of at most size
	next    int             // where the next entry goes once the ring is full
}

type journalEntry struct {
	at          time.Time
	method      string
	url         url.URL
	header      http.Header // without Authorization's value
	role        identity.Role
	body        []byte
	status      int
	respHeader  http.Header
	respBody    []byte
	respTooLong bool
	// dropped says the connection was closed without an answer (a drop fault): only the request
	// is validated.
	dropped bool
	// notValidated, when set, is why the entry is not validated (NotValidated).
	notValidated string

	once     sync.Once
	rendered Request
}

// newJournal returns the journal of Options.JournalSize and Options.OnRequest (nil: neither is
// wanted). With a negative size and a hook, calls are rendered for the hook and not kept.
func newJournal(size int, ids []identity.Identity, onRequest func(Request)) *journal {
	switch {
	case size < 0 && onRequest == nil:
		return nil
	case size < 0:
		size = 0
	case size == 0:
		size = DefaultJournalSize
	}
	j := &journal{size: size, onRequest: onRequest, tokens: map[string]identity.Identity{}}
	secrets := make([]string, 0, len(ids))
	for _, id := range ids {
		secrets = append(secrets, id.Token)
		j.tokens[id.Token] = id
	}
	j.redact = redact.New(secrets)
	return j
}

// keeps says whether the journal keeps calls (it may exist for Options.OnRequest alone).
func (j *journal) keeps() bool { return j != nil && j.size > 0 }

func (j *journal) add(e *journalEntry) {
	if !j.keeps() {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.entries) < j.size {
		j.entries = append(j.entries, e)
		return
	}
	j.entries[j.next] = e
	j.next = (j.next + 1) % j.size
}

// list is the entries, oldest first.
func (j *journal) list() []*journalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]*journalEntry, 0, len(j.entries))
	out = append(out, j.entries[j.next:]...)
	return append(out, j.entries[:j.next]...)
}

func (j *journal) clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries, j.next = nil, 0
}

// capture passes a response through, keeping its status and (the start of) its body.
type capture struct {
	http.ResponseWriter
	status  int
	body    bytes.Buffer
	tooLong bool
}

func (c *capture) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if c.body.Len()+len(b) <= maxJournalResponse {
		c.body.Write(b)
	} else {
		c.tooLong = true
	}
	return c.ResponseWriter.Write(b)
}

// serveJournaled serves an API call and records it.
func (m *Mock) serveJournaled(w http.ResponseWriter, r *http.Request) {
	at := m.now()
	var body []byte
	if r.Body != nil {
		// What readBody would read (it stops past the limit); the rest stays readable.
		body, _ = io.ReadAll(io.LimitReader(r.Body, m.maxBody+1))
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	}
	c := &capture{ResponseWriter: w}
	// A drop fault aborts the handler (http.ErrAbortHandler): the call is recorded all the same,
	// without an answer, and the abort goes on.
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler && c.status == 0 {
				c.status = http.StatusInternalServerError // what ServeHTTP answers a panic
			}
			m.record(r, at, body, c, w.Header(), p == http.ErrAbortHandler)
			panic(p)
		}
	}()
	m.write(c, m.serve(r))
	m.record(r, at, body, c, w.Header(), false)
}

// record journals an answered (or dropped) API call and hands it to Options.OnRequest.
func (m *Mock) record(r *http.Request, at time.Time, body []byte, c *capture, respHeader http.Header, dropped bool) {
	header := r.Header.Clone()
	if header.Get("Authorization") != "" {
		header.Set("Authorization", redact.Mark) // the validator only checks that one is sent
	}
	e := &journalEntry{at: at, method: r.Method, url: *r.URL, header: header,
		role: m.journal.tokens[bearerToken(r)].Role, body: body, dropped: dropped,
		status: c.status, respHeader: respHeader.Clone(), respBody: c.body.Bytes(), respTooLong: c.tooLong}
	e.url.User = nil
	if len(body) > MaxJournalBody || c.body.Len() > MaxJournalBody {
		// Bounded memory and time: a large exchange is rendered now, without validation, and
		// only its rendering kept.
		e.notValidated = fmt.Sprintf("a body over %d KiB is not validated", MaxJournalBody>>10)
		m.journal.render(e)
	}
	m.journal.add(e)
	if m.journal.onRequest != nil {
		m.journal.onRequest(m.journal.render(e))
	}
}

// bearerToken is the token of the Authorization header, as authenticate reads it.
func bearerToken(r *http.Request) string {
	token := strings.TrimSpace(r.Header.Get("Authorization"))
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	return token
}

// render validates the entry (once) and builds its Request.
func (j *journal) render(e *journalEntry) Request {
	e.once.Do(func() {
		out := Request{
			Time: e.at.UTC().Format(time.RFC3339Nano), Method: e.method,
			Path: j.redact.String(e.url.Path), Query: j.redact.String(e.url.RawQuery),
			Role: e.role, Status: e.status, Violations: []RequestViolation{},
		}
		out.Body, out.BodyTruncated = j.journalBody(e.body)
		if e.notValidated == "" {
			out.OperationID, out.Violations = j.validate(e)
		} else {
			out.OperationID, out.NotValidated = e.method+" "+j.redact.String(e.url.Path), e.notValidated
		}
		e.rendered = out
		// What validation needed is no longer kept.
		e.body, e.respBody, e.header, e.respHeader = nil, nil, nil, nil
	})
	return e.rendered
}

// journalBody is a body as a journal shows it.
func (j *journal) journalBody(b []byte) (json.RawMessage, bool) {
	if len(b) == 0 {
		return nil, false
	}
	b = j.redact.Bytes(b)
	truncated := false
	if len(b) > MaxJournalBody {
		b, truncated = b[:MaxJournalBody], true
		for len(b) > 0 && !utf8.Valid(b) { // do not cut a character in two
			b = b[:len(b)-1]
		}
	}
	if t := bytes.TrimSpace(b); !truncated && json.Valid(t) {
		var compact bytes.Buffer
		if json.Compact(&compact, t) == nil {
			return compact.Bytes(), false
		}
	}
	s, _ := json.Marshal(strings.ToValidUTF8(string(b), "\uFFFD"))
	return s, truncated
}

// validate checks the exchange against the spec with package validate's Validator.
func (j *journal) validate(e *journalEntry) (string, []RequestViolation) {
	v, err := validate.Default()
	if err != nil {
		return e.method + " " + e.url.Path, []RequestViolation{{Pointer: "", Message: "the spec's validator is unavailable: " + err.Error()}}
	}
	req, err := http.NewRequest(e.method, e.url.String(), bytes.NewReader(e.body))
	if err != nil {
		return e.method + " " + e.url.Path, []RequestViolation{{Pointer: "path", Message: err.Error()}}
	}
	req.Header = e.header
	var op string
	var vs validate.Violations
	if e.respTooLong || e.dropped {
		op, vs = v.CheckRequest(req, e.body)
	} else {
		op, vs = v.Check(req, e.body, e.status, e.respHeader, e.respBody)
	}
	out := make([]RequestViolation, 0, len(vs))
	for _, x := range vs {
		msg := x.Message
		if msg == "" {
			msg = x.String()
		}
		out = append(out, RequestViolation{In: string(x.In), Pointer: j.redact.String(x.Pointer), Message: j.redact.String(msg),
			Expected: j.redact.String(x.Expected), Got: j.redact.String(x.Got)})
	}
	return op, out
}

// Requests returns the journal, oldest first: the last Options.JournalSize API calls (nil when
// the journal is off).
func (m *Mock) Requests() []Request {
	if !m.journal.keeps() {
		return nil
	}
	entries := m.journal.list()
	out := make([]Request, len(entries))
	for i, e := range entries {
		out[i] = m.journal.render(e)
	}
	return out
}

// ClearRequests empties the journal.
func (m *Mock) ClearRequests() {
	if m.journal != nil {
		m.journal.clear()
	}
}

// Journal is the body GET RequestsPath answers.
type Journal struct {
	Requests []Request `json:"requests"`
}

// serveRequests answers RequestsPath: GET the journal, DELETE to clear it.
func (m *Mock) serveRequests(w http.ResponseWriter, r *http.Request) {
	if !m.journal.keeps() {
		adminReply(w, http.StatusNotFound, AdminError{Message: "the request journal is off (Options.JournalSize < 0, serve --journal -1)"})
		return
	}
	if r.Method == http.MethodDelete {
		m.ClearRequests()
		adminReply(w, http.StatusOK, struct{}{})
		return
	}
	adminReply(w, http.StatusOK, Journal{Requests: m.Requests()})
}
