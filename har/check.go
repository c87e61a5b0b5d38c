package har

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/validate"
)

// MaxBodySize is the largest body an API entry may carry: a request's postData.text, or a
// response's content.text once decoded from base64. The API's bodies are a few kilobytes; the
// limit keeps a broken or hostile file from taking gigabytes. An API entry with a larger body
// fails (one violation naming the field and its size) and is not validated; the rest of the file
// is still checked. Such a body is never held whole: a string longer than the base64 text of a
// MaxBodySize body (22,369,624 bytes; any string of an entry, in fact) is stepped over as it is
// read, and a base64 text is measured before it is decoded. Entries the check skips (other
// paths and hosts) may carry larger bodies; strings past that length are stepped over there too.
const MaxBodySize = 16 << 20

// maxString is the longest string of an entry that is held: the base64 text of a MaxBodySize
// body (22,369,624 bytes).
var maxString = int64(base64.StdEncoding.EncodedLen(MaxBodySize))

// Options say what to check.
type Options struct {
	// Validator checks the exchanges; nil means validate.Default().
	Validator *validate.Validator
	// Host, if set, limits the check to entries sent to this host (as in the URL, with its port if
	// it has one); entries for other hosts are skipped.
	Host string
	// Sanitized says the HAR was exported without Authorization headers (Chrome's default
	// "Export HAR (sanitized)" does that): their absence is then not reported.
	Sanitized bool
	// Secrets are values to remove from the results besides the credentials found in the file,
	// which are always removed.
	Secrets []string
	// OmitExchanges leaves EntryResult.Exchange empty. The summary (Print) does not need it, only
	// a report's transcripts do: without it an entry's result is a few hundred bytes whatever
	// its bodies, so that checking a file of any length holds little more than one entry.
	OmitExchanges bool
	// ConformingExchanges is how many conforming entries — the first ones in the file — keep
	// their exchange for a report's transcripts (0: DefaultConformingExchanges; negative: none).
	// An entry with violations always keeps its own. This bounds what a report of a long,
	// mostly conforming file holds: its failures in full, and a sample of what passed.
	ConformingExchanges int
}

// DefaultConformingExchanges is Options.ConformingExchanges's default.
const DefaultConformingExchanges = 1000

// Skip reasons.
const (
	SkipNotAPI      = "not a Dashboard Favorite List API path"
	SkipOtherHost   = "another host than the one asked for"
	SkipPreflight   = "CORS preflight (OPTIONS)"
	SkipNoResponse  = "no response recorded (status 0: blocked, cancelled or failed before an answer)"
	noteNoRespBody  = "the response body is not in the HAR (content.text missing): only the request was checked"
	noteSanitized   = "the HAR carries no Authorization header (exported sanitized): its absence was not checked"
	noteTooLarge    = "the entry was not checked: a field of it is larger than the check reads (har.MaxBodySize)"
	authPlaceholder = "(removed from the HAR)"
)

// Result is the outcome of one HAR file.
type Result struct {
	// File is the name the file was read under.
	File string `json:"file"`
	// Creator is the tool that wrote the HAR ("Chrome 120.0", "favconform", ...).
	Creator string `json:"creator,omitempty"`
	// Entries are every entry of the file, in order.
	Entries []EntryResult `json:"entries"`
}

// EntryResult is the outcome of one entry.
type EntryResult struct {
	// Index is the entry's position in log.entries, from 0.
	Index int `json:"index"`
	// Method and URL are the request's; the URL of a skipped entry is given without its query.
	Method string `json:"method"`
	URL    string `json:"url"`
	Status int    `json:"status"`
	// Operation is the spec's operationId ("" for a skipped entry).
	Operation string `json:"operation,omitempty"`
	// Violations are the entry's faults; none when it conforms or was skipped. An entry whose
	// body is larger than MaxBodySize has one, saying so.
	Violations validate.Violations `json:"violations,omitempty"`
	// Skipped says why the entry was not checked ("" when it was).
	Skipped string `json:"skipped,omitempty"`
	// Note says what was left out of a check.
	Note string `json:"note,omitempty"`
	// Exchange is the entry as checked, redacted (no credential, no secret); empty with
	// Options.OmitExchanges, and for a conforming entry past Options.ConformingExchanges.
	Exchange validate.Exchange `json:"-"`
}

// Counts returns how many entries conform, have violations, and were skipped.
func (r Result) Counts() (conform, violating, skipped int) {
	for _, e := range r.Entries {
		switch {
		case e.Skipped != "":
			skipped++
		case len(e.Violations) > 0:
			violating++
		default:
			conform++
		}
	}
	return
}

// CheckFile reads and checks the HAR file at path, entry by entry as it reads it (see
// CheckReader). Its error, when the file cannot be read as a HAR, is a *FormatError.
func CheckFile(path string, opts Options) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, &FormatError{File: path, Entry: -1, Expected: "a readable HAR file", Err: err}
	}
	defer f.Close()
	return CheckReader(f, path, opts)
}

// CheckReader reads a HAR document from r and checks each entry as it is read, on every CPU;
// name is the file's name in the result and in errors. It holds at most 32 entries per CPU, and
// no more than 32 MiB of their text beyond the one being read, plus the results (with
// OmitExchanges, about a hundred bytes per entry until the end, then the []EntryResult). Its
// error, when the document cannot be read as a HAR, is a *FormatError about the first fault in
// the file.
func CheckReader(r io.Reader, name string, opts Options) (Result, error) {
	c, err := newChecker(name, opts)
	if err != nil {
		return Result{}, err
	}
	return c.read(r)
}

// read checks the HAR document r holds, each entry as soon as it is read.
func (c *checker) read(r io.Reader) (Result, error) {
	l, err := newStream(r, c.name).walk(maxString, c.buffer, func(i int, text captured) error {
		c.submit(job{index: i, text: text})
		return nil
	})
	return c.finish(l, err)
}

// Check validates every API entry of l; name is the file's name in the result.
func Check(l *Log, name string, opts Options) (Result, error) {
	c, err := newChecker(name, opts)
	if err != nil {
		return Result{}, err
	}
	for i := range l.Entries {
		if _, err := c.buffer(); err != nil {
			break
		}
		c.submit(job{index: i, entry: &l.Entries[i]})
	}
	return c.finish(l, nil)
}

// job is one entry to check: its JSON text, or (from Check) the entry itself.
type job struct {
	index int
	text  captured
	entry *Entry
}

// outcome is a checked entry, unredacted: the secrets of the whole file are known only at its end.
type outcome struct {
	index  int
	result EntryResult
	buf    []byte // the entry's text buffer, for the next entry
	err    error
}

// checker checks entries on a pool of workers while the file is read. The reader waits, before
// it reads the next entry, for a buffer (there are entriesPerWorker per worker) and for the
// entries under way to hold less than pendingBytes of text.
type checker struct {
	name    string
	opts    Options
	v       *validate.Validator
	jobs    chan job
	done    chan outcome
	free    [][]byte
	pending int
	// pendingText is how many bytes of entry text are under way.
	pendingText int
	// maxPending and maxPendingText are the most entries, and bytes of their text, that were
	// under way at once.
	maxPending, maxPendingText int
	results                    resultStore
	err                        error // the fault of the lowest entry
	errIndex                   int
	workers                    []*worker
	wg                         sync.WaitGroup
}

// worker is one goroutine's state: the credentials it found, which header names hold one, and
// its decoder's buffers.
type worker struct {
	secrets   map[string]struct{}
	sensitive map[string]bool
	decoder   entryDecoder
	// The headers of the entry being checked, reused when no exchange is kept.
	requestHeader, responseHeader http.Header
	requestValues, responseValues []string
}

// errStopped ends reading after an entry turned out unreadable.
var errStopped = fmt.Errorf("stopped: an entry is unreadable")

// keptBuffer is the largest entry buffer kept for a next entry (there are entriesPerWorker per
// worker, so at most 16 MiB on 2 CPUs); a larger one, a large entry's, is left to the garbage
// collector.
const keptBuffer = 256 << 10

const (
	// entriesPerWorker is how many entries may be under way per worker: enough for the reader
	// to stay ahead of the workers over a scheduling slice (with two per worker, the workers sat
	// idle a third of the time).
	entriesPerWorker = 32
	// pendingBytes bounds the text of the entries under way, whatever their number: large
	// entries are checked a few at a time.
	pendingBytes = 32 << 20
)

func newChecker(name string, opts Options) (*checker, error) {
	v := opts.Validator
	if v == nil {
		var err error
		if v, err = validate.Default(); err != nil {
			return nil, err
		}
	}
	n := runtime.GOMAXPROCS(0)
	inFlight := entriesPerWorker * n
	c := &checker{name: name, opts: opts, v: v, jobs: make(chan job, inFlight), done: make(chan outcome, inFlight), free: make([][]byte, inFlight)}
	for range n {
		w := &worker{secrets: map[string]struct{}{}, sensitive: map[string]bool{}}
		w.decoder.transient = true // run drops each entry before the worker decodes the next
		c.workers = append(c.workers, w)
		c.wg.Go(func() {
			for j := range c.jobs {
				c.done <- c.run(w, j)
			}
		})
	}
	return c, nil
}

// buffer waits for room for one more entry and returns a buffer for its text.
func (c *checker) buffer() ([]byte, error) {
	for len(c.free) == 0 || c.pendingText >= pendingBytes {
		c.collect(<-c.done)
	}
	if c.err != nil {
		return nil, errStopped
	}
	b := c.free[len(c.free)-1]
	c.free = c.free[:len(c.free)-1]
	return b, nil
}

func (c *checker) submit(j job) {
	c.pending++
	c.pendingText += len(j.text.raw)
	c.maxPending = max(c.maxPending, c.pending)
	c.maxPendingText = max(c.maxPendingText, c.pendingText)
	c.jobs <- j
}

func (c *checker) collect(o outcome) {
	c.pending--
	c.pendingText -= len(o.buf)
	if cap(o.buf) > keptBuffer {
		o.buf = nil
	}
	c.free = append(c.free, o.buf[:0])
	if o.err != nil {
		if c.err == nil || o.index < c.errIndex {
			c.err, c.errIndex = o.err, o.index
		}
		return
	}
	c.results.put(o.index, o.result)
}

// finish waits for the entries under way, then redacts the results with every credential of the
// file.
func (c *checker) finish(l *Log, readErr error) (Result, error) {
	close(c.jobs)
	for c.pending > 0 {
		c.collect(<-c.done)
	}
	c.wg.Wait()
	if c.err != nil {
		return Result{}, c.err
	}
	if readErr != nil {
		return Result{}, readErr
	}
	var secrets []string
	for _, w := range c.workers {
		for s := range w.secrets {
			secrets = append(secrets, s)
		}
	}
	for _, s := range c.opts.Secrets {
		if s != "" {
			secrets = append(secrets, s)
		}
	}
	slices.Sort(secrets)
	red := redact.New(slices.Compact(secrets))
	// Methods, operations, skip reasons and notes are few, each kept once: redacted once.
	c.results.redactStrings(red)
	n, urls := c.results.count(), c.results.urlText()
	entries := make([]EntryResult, n)
	// The results are redacted in parallel: each is independent, and the redactor is immutable.
	var wg sync.WaitGroup
	parts := len(c.workers)
	for p := range parts {
		from, to := p*n/parts, (p+1)*n/parts
		wg.Go(func() {
			for i := from; i < to; i++ {
				entries[i] = c.results.get(i, urls)
				redactResult(&entries[i], red)
			}
		})
	}
	wg.Wait()
	c.results = resultStore{}
	return Result{File: c.name, Creator: red.String(strings.TrimSpace(l.Creator.Name + " " + l.Creator.Version)), Entries: entries}, nil
}

// run checks one entry on a worker. A panic (a fault of this program, not of the file) is
// reported as the check's error rather than ending the process.
func (c *checker) run(w *worker, j job) (o outcome) {
	o.index, o.buf = j.index, j.text.raw
	defer func() {
		if p := recover(); p != nil {
			o.err = fmt.Errorf("%s: log.entries[%d]: checking the entry failed (a fault of favconform, please report it): %v", c.name, j.index, p)
		}
	}()
	var e Entry
	if j.entry != nil {
		e = *j.entry
	} else {
		if e, o.err = w.decoder.decodeCaptured(c.name, j.index, j.text); o.err != nil {
			return o
		}
	}
	p, err := prepare(c.name, j.index, &e)
	if err != nil {
		o.err = err
		return o
	}
	w.addSecrets(&e)
	o.result = c.checkEntry(w, j.index, &e, p)
	return o
}

// prepared is what reading an entry found out besides its fields.
type prepared struct {
	url      *url.URL
	respBody []byte
	// tooLarge are the violations of an entry larger than the check reads.
	tooLarge validate.Violations
}

// decodeCaptured decodes entry i from its text, with the errors of a file that is not HAR.
func (d *entryDecoder) decodeCaptured(name string, i int, text captured) (Entry, error) {
	var e Entry
	hasRequest, hasResponse, err := d.decode(text.raw, &e)
	if err != nil {
		return e, entryError(name, i, err, text.filePosition)
	}
	if !hasRequest {
		return e, &FormatError{File: name, Entry: i, Field: "request", Expected: "an object (the recorded request)"}
	}
	if !hasResponse {
		return e, &FormatError{File: name, Entry: i, Field: "response", Expected: "an object (the recorded response)"}
	}
	e.elided = text.elided
	return e, nil
}

// prepare checks the fields the validation needs — a method, an absolute URL, bodies that
// decode — and measures the bodies against MaxBodySize.
func prepare(name string, i int, e *Entry) (prepared, error) {
	ferr := func(field, expected string, err error) error {
		return &FormatError{File: name, Entry: i, Field: field, Expected: expected, Err: err}
	}
	var p prepared
	elided := func(field string) bool {
		return slices.ContainsFunc(e.elided, func(el elision) bool { return el.field == field })
	}
	for _, el := range e.elided {
		p.tooLarge = append(p.tooLarge, tooLarge(i, el.field, fmt.Sprintf("more than %s of text (not read)", size(el.atLeast))))
	}
	if elided("request.method") || elided("request.url") {
		return p, nil // no request to speak of: the entry fails as too large
	}
	if e.Request.Method == "" {
		return p, ferr("request.method", "an HTTP method such as GET", nil)
	}
	u, err := url.Parse(e.Request.URL)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return p, ferr("request.url", "an absolute URL such as https://www.wixapis.com/dashboard/v1/user-favorite-list", fmt.Errorf("got %q", validate.Clip(entryRedactor(e).String(e.Request.URL), 200)))
	}
	p.url = u
	if pd := e.Request.PostData; pd != nil && !elided("request.postData.text") && len(pd.Text) > MaxBodySize {
		p.tooLarge = append(p.tooLarge, tooLarge(i, "request.postData.text", size(int64(len(pd.Text)))))
	}
	if e.Response.Content.Text != nil && !elided("response.content.text") {
		if n, base64 := e.Response.bodySize(); n > MaxBodySize {
			got := size(n)
			if base64 {
				got += " once decoded from base64"
			}
			p.tooLarge = append(p.tooLarge, tooLarge(i, "response.content.text", got))
		} else if p.respBody, err = e.Response.Body(); err != nil {
			return p, ferr("response.content.text", "text encoded as response.content.encoding says", err)
		}
	}
	return p, nil
}

// bodySize is the size of the response body, without decoding it: for base64 text, the size
// it decodes to if it is valid base64.
func (r Response) bodySize() (n int64, base64 bool) {
	text := *r.Content.Text
	if !strings.EqualFold(r.Content.Encoding, "base64") {
		return int64(len(text)), false
	}
	return int64(len(strings.TrimRight(text, "="))) * 6 / 8, true
}

// size says how large n bytes are, exactly and in MiB.
func size(n int64) string { return fmt.Sprintf("%d bytes (%.1f MiB)", n, float64(n)/(1<<20)) }

// tooLarge is the violation of entry i, whose field is larger than the check reads: its
// pointer is the field's place in the file (log.entries[i].response.content.text).
func tooLarge(i int, field, got string) validate.Violation {
	v := validate.Violation{Pointer: fmt.Sprintf("log.entries[%d].%s", i, field), Got: got, Message: noteTooLarge}
	switch {
	case field == "request.postData.text", field == "response.content.text":
		v.Expected = fmt.Sprintf("a body of at most %d bytes (%d MiB, har.MaxBodySize)", MaxBodySize, MaxBodySize>>20)
	default:
		v.Expected = fmt.Sprintf("a string of at most %s", size(maxString))
	}
	switch {
	case strings.HasPrefix(field, "request."):
		v.In = validate.InRequest
	case strings.HasPrefix(field, "response."):
		v.In = validate.InResponse
	}
	return v
}

// checkEntry checks one entry; the result is not redacted yet.
func (c *checker) checkEntry(w *worker, i int, e *Entry, p prepared) EntryResult {
	opts := c.opts
	out := EntryResult{Index: i, Method: method(e.Request.Method), URL: e.Request.URL, Status: e.Response.Status}
	u := p.url
	skip := func(reason string) EntryResult {
		bare := *u
		bare.RawQuery, bare.Fragment, bare.User = "", "", nil
		out.URL, out.Skipped = bare.String(), reason
		return out
	}
	switch {
	case u == nil:
		// The method or the URL was too large to read.
	case !isAPIPath(u.Path):
		return skip(SkipNotAPI)
	case opts.Host != "" && !strings.EqualFold(u.Host, opts.Host):
		return skip(SkipOtherHost + " (" + opts.Host + ")")
	case out.Method == http.MethodOptions && header(e.Request.Headers).Get("Access-Control-Request-Method") != "":
		return skip(SkipPreflight)
	case e.Response.Status == 0:
		return skip(SkipNoResponse)
	}
	if len(p.tooLarge) > 0 {
		for k := range p.tooLarge {
			p.tooLarge[k].Operation = out.Method + " " + pathOf(u)
		}
		out.Violations, out.Note = p.tooLarge, noteTooLarge
		if !opts.OmitExchanges {
			out.Exchange = validate.Exchange{Method: out.Method, URL: out.URL, Status: out.Status}
		}
		return out
	}

	reqBody := e.Request.Body()
	// The validator reads the body from reqBody, not from the request.
	req, err := newRequest(out.Method, u)
	if err != nil {
		// prepare accepted any method string; a method with spaces gets here.
		return skip("unusable request: " + err.Error())
	}
	var respHeader http.Header
	if opts.OmitExchanges {
		// Nothing keeps the headers past this entry: the worker's maps and arrays serve again.
		if w.requestHeader == nil {
			w.requestHeader, w.responseHeader = http.Header{}, http.Header{}
		}
		clear(w.requestHeader)
		clear(w.responseHeader)
		req.Header, w.requestValues = fillHeader(w.requestHeader, w.requestValues, e.Request.Headers)
		respHeader, w.responseValues = fillHeader(w.responseHeader, w.responseValues, e.Response.Headers)
	} else {
		req.Header, respHeader = header(e.Request.Headers), header(e.Response.Headers)
	}
	if req.Header.Get("Content-Type") == "" && e.Request.PostData != nil && e.Request.PostData.MimeType != "" && len(reqBody) > 0 {
		req.Header.Set("Content-Type", e.Request.PostData.MimeType)
	}
	if opts.Sanitized && strings.TrimSpace(req.Header.Get("Authorization")) == "" {
		req.Header.Set("Authorization", authPlaceholder)
		out.Note = noteSanitized
	}
	if respHeader.Get("Content-Type") == "" && e.Response.Content.MimeType != "" {
		respHeader.Set("Content-Type", e.Response.Content.MimeType)
	}
	if e.Response.BodyRecorded() {
		out.Operation, out.Violations = c.v.Check(req, reqBody, e.Response.Status, respHeader, p.respBody)
	} else {
		out.Operation, out.Violations = c.v.CheckRequest(req, reqBody)
		out.Note = joinNotes(out.Note, noteNoRespBody)
	}
	keepConforming := opts.ConformingExchanges
	if keepConforming == 0 {
		keepConforming = DefaultConformingExchanges
	}
	if !opts.OmitExchanges && (len(out.Violations) > 0 || i < keepConforming) {
		out.Exchange = validate.Exchange{
			Method: out.Method, URL: out.URL,
			RequestHeader: req.Header, RequestBody: reqBody,
			Status: e.Response.Status, ResponseHeader: respHeader, ResponseBody: p.respBody,
		}
	}
	return out
}

// newRequest is http.NewRequest(method, u.String(), nil) without parsing the URL again (prepare
// did) and without a Header (the caller sets one); TestNewRequestAsNetHTTP holds it to that.
func newRequest(method string, u *url.URL) (*http.Request, error) {
	if !isToken(method) {
		return nil, fmt.Errorf("net/http: invalid method %q", method)
	}
	c := *u
	if strings.LastIndex(c.Host, ":") > strings.LastIndex(c.Host, "]") {
		c.Host = strings.TrimSuffix(c.Host, ":") // an empty port, as NewRequest drops it
	}
	return &http.Request{Method: method, URL: &c, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Host: c.Host}, nil
}

// isToken reports whether s is an HTTP token (RFC 9110 5.6.2), as http.NewRequest wants a method.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// methods are the usual methods, shared by every result rather than copied into each.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodPut, http.MethodOptions, http.MethodHead}

// method is the request's method in upper case.
func method(m string) string {
	for _, known := range methods {
		if m == known {
			return known
		}
	}
	return strings.ToUpper(m)
}

func pathOf(u *url.URL) string {
	if u == nil {
		return "(unread URL)"
	}
	return u.Path
}

// redactResult removes every secret and credential from a result whose method, operation, skip
// reason and note are redacted already (resultStore.redactStrings). The placeholder put in for a
// sanitized Authorization header is kept: it says the header was not in the HAR.
func redactResult(r *EntryResult, red *redact.Redactor) {
	r.URL = red.String(r.URL)
	for k, v := range r.Violations {
		v.Operation, v.Expected, v.Got, v.Message = red.String(v.Operation), red.String(v.Expected), red.String(v.Got), red.String(v.Message)
		r.Violations[k] = v
	}
	x := &r.Exchange
	if x.Method == "" {
		return
	}
	placeholder := slices.Equal(x.RequestHeader["Authorization"], []string{authPlaceholder})
	x.Operation, x.Method, x.URL, x.Violations = r.Operation, r.Method, r.URL, r.Violations
	x.RequestHeader, x.ResponseHeader = red.Header(x.RequestHeader), red.Header(x.ResponseHeader)
	if placeholder {
		x.RequestHeader["Authorization"] = []string{authPlaceholder}
	}
	x.RequestBody, x.ResponseBody = red.Bytes(x.RequestBody), red.Bytes(x.ResponseBody)
}

func joinNotes(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// isAPIPath reports whether path is one of the API's (after any prefix such as the SDK's /_api).
func isAPIPath(path string) bool {
	i := strings.Index(path, api.ListPath)
	if i < 0 {
		return false
	}
	rest := path[i+len(api.ListPath):]
	return rest == "" || strings.HasPrefix(rest, "/")
}

// entryRedactor removes e's own credentials, for an error about e: the file's others are not
// known yet when it stops at e.
func entryRedactor(e *Entry) *redact.Redactor {
	w := &worker{secrets: map[string]struct{}{}, sensitive: map[string]bool{}}
	w.addSecrets(e)
	var secrets []string
	for s := range w.secrets {
		secrets = append(secrets, s)
	}
	return redact.New(secrets)
}

// addSecrets records e's credentials, which no output may show: the value of every header
// redact.IsSensitiveHeader names (Authorization, Cookie, Set-Cookie, X-Api-Key, ...), the
// credential after its scheme ("Bearer <token>"), each cookie's value (of Cookie and Set-Cookie
// headers, and of the HAR's cookies lists). Values shorter than redact.MinSecretLength are left
// out: they are no credentials, and replacing them would garble unrelated text.
func (w *worker) addSecrets(e *Entry) {
	add := func(s string) {
		s = strings.TrimSpace(s)
		if utf8.RuneCountInString(s) < redact.MinSecretLength || s == authPlaceholder {
			return
		}
		w.secrets[s] = struct{}{}
	}
	cookies := func(s string) {
		for pair := range strings.SplitSeq(s, ";") {
			if _, v, ok := strings.Cut(pair, "="); ok {
				add(v)
			}
		}
	}
	headers := func(nvs []NameValue) {
		for _, nv := range nvs {
			sensitive, known := w.sensitive[nv.Name]
			if !known {
				sensitive = redact.IsSensitiveHeader(nv.Name)
				w.sensitive[nv.Name] = sensitive
			}
			if !sensitive {
				continue
			}
			add(nv.Value)
			if _, cred, ok := strings.Cut(strings.TrimSpace(nv.Value), " "); ok {
				add(cred)
			}
			switch {
			case strings.EqualFold(nv.Name, "Cookie"):
				cookies(nv.Value)
			case strings.EqualFold(nv.Name, "Set-Cookie"):
				first, _, _ := strings.Cut(nv.Value, ";")
				cookies(first)
			}
		}
	}
	headers(e.Request.Headers)
	headers(e.Response.Headers)
	for _, c := range e.Request.Cookies {
		add(c.Value)
	}
	for _, c := range e.Response.Cookies {
		add(c.Value)
	}
}
