// Package har reads and writes HTTP Archive (HAR 1.2) files — what browser devtools ("Save all as
// HAR"), mitmproxy, Charles and similar tools record — and validates every recorded exchange of
// the Dashboard Favorite List API against the embedded OpenAPI document, offline.
//
// Entries that are not calls of the API (other paths, other hosts when a host is given, CORS
// preflights, requests that got no response) are reported as skipped, never as failures. Bodies
// recorded base64-encoded (content.encoding "base64") are decoded first. A file is read as a
// stream, each entry checked as soon as it is read, so that memory is bounded by its largest
// entries, not by its length; an API entry whose body exceeds MaxBodySize fails unread.
// Credentials found in the file never reach an output (see internal/redact).
//
//	res, err := har.CheckFile("session.har", har.Options{})
//	if err != nil { ... } // unreadable: a *har.FormatError says the file, entry and field
//	for _, e := range res.Entries {
//		for _, v := range e.Violations {
//			fmt.Println(e.Index, e.Method, e.URL, v)
//		}
//	}
package har

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/favconform/favconform/validate"
)

// Version is the HAR version this package writes.
const Version = "1.2"

// File is a HAR document.
type File struct {
	Log Log `json:"log"`
}

// Log is a HAR log. Only the fields this package reads or writes are declared; others are ignored
// on reading.
type Log struct {
	Version string    `json:"version"`
	Creator NameInfo  `json:"creator"`
	Browser *NameInfo `json:"browser,omitempty"`
	Entries []Entry   `json:"entries"`
	Comment string    `json:"comment,omitempty"`
}

// NameInfo names the creator or browser of a log.
type NameInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Entry is one exchange.
type Entry struct {
	StartedDateTime string   `json:"startedDateTime"`
	Time            float64  `json:"time"`
	Request         Request  `json:"request"`
	Response        Response `json:"response"`
	Cache           struct{} `json:"cache"`
	Timings         Timings  `json:"timings"`
	Comment         string   `json:"comment,omitempty"`
	// elided are strings of the entry too long to read (see MaxBodySize): left out, as "".
	elided []elision
}

// Request is an entry's request.
type Request struct {
	Method      string      `json:"method"`
	URL         string      `json:"url"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []NameValue `json:"cookies"`
	Headers     []NameValue `json:"headers"`
	QueryString []NameValue `json:"queryString"`
	PostData    *PostData   `json:"postData,omitempty"`
	HeadersSize int64       `json:"headersSize"`
	BodySize    int64       `json:"bodySize"`
}

// Response is an entry's response.
type Response struct {
	Status      int         `json:"status"`
	StatusText  string      `json:"statusText"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []NameValue `json:"cookies"`
	Headers     []NameValue `json:"headers"`
	Content     Content     `json:"content"`
	RedirectURL string      `json:"redirectURL"`
	HeadersSize int64       `json:"headersSize"`
	BodySize    int64       `json:"bodySize"`
}

// NameValue is a header, cookie or query parameter.
type NameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// PostData is a request body.
type PostData struct {
	MimeType string      `json:"mimeType"`
	Text     string      `json:"text"`
	Params   []NameValue `json:"params,omitempty"`
}

// Content is a response body. Text is nil when the tool did not record the body.
type Content struct {
	Size     int64   `json:"size"`
	MimeType string  `json:"mimeType"`
	Text     *string `json:"text,omitempty"`
	Encoding string  `json:"encoding,omitempty"`
}

// Timings are an entry's timings in milliseconds (-1: not applicable).
type Timings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// FormatError says why a HAR file cannot be read: which file, which entry (-1 for the log
// itself), which field, and what was expected there.
type FormatError struct {
	File     string
	Entry    int
	Field    string
	Expected string
	Err      error
}

func (e *FormatError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Entry >= 0 {
		fmt.Fprintf(&b, ": log.entries[%d]", e.Entry)
		if e.Field != "" {
			b.WriteString("." + e.Field)
		}
	} else if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": expected " + e.Expected)
	if e.Err != nil {
		b.WriteString(" (" + e.Err.Error() + ")")
	}
	return b.String()
}

func (e *FormatError) Unwrap() error { return e.Err }

// ReadFile reads the HAR file at path.
func ReadFile(path string) (*Log, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &FormatError{File: path, Entry: -1, Expected: "a readable HAR file", Err: err}
	}
	defer f.Close()
	return read(f, path)
}

// Parse reads a HAR document from b; name is used in errors. It checks every field the
// validation needs: a log with entries, each with a request (method, absolute URL) and a response
// (numeric status), and bodies that decode (base64 where content.encoding says so). Strings
// longer than a MaxBodySize body's base64 text are left out of the entries (a check reports
// them).
func Parse(b []byte, name string) (*Log, error) {
	return read(bytes.NewReader(b), name)
}

func read(r io.Reader, name string) (*Log, error) {
	var entries []Entry
	var buf []byte
	d := entryDecoder{all: true}
	l, err := newStream(r, name).walk(maxString, func() ([]byte, error) { return buf, nil }, func(i int, text captured) error {
		buf = text.raw[:0]
		e, err := d.decodeCaptured(name, i, text)
		if err != nil {
			return err
		}
		if _, err := prepare(name, i, &e); err != nil {
			return err
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	l.Entries = entries
	return l, nil
}

func isNull(b json.RawMessage) bool {
	t := bytes.TrimSpace(b)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

func jsonKind(t interface{ String() string }) string {
	switch s := t.String(); {
	case strings.HasPrefix(s, "int"), strings.HasPrefix(s, "float"), strings.HasPrefix(s, "uint"):
		return "number"
	case s == "string", s == "*string":
		return "string"
	case strings.HasPrefix(s, "[]"):
		return "array"
	case s == "bool":
		return "boolean"
	default:
		return "object"
	}
}

func typeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("got a JSON %s", te.Value)
	}
	return err
}

// Body is the request body (postData.text; empty when there is none).
func (r Request) Body() []byte {
	if r.PostData == nil {
		return nil
	}
	if r.PostData.Text == "" && len(r.PostData.Params) > 0 {
		v := url.Values{}
		for _, p := range r.PostData.Params {
			v.Add(p.Name, p.Value)
		}
		return []byte(v.Encode())
	}
	return []byte(r.PostData.Text)
}

// Body is the response body, decoded from base64 when content.encoding says so. It is nil when
// the body was not recorded.
func (r Response) Body() ([]byte, error) {
	if r.Content.Text == nil {
		return nil, nil
	}
	switch strings.ToLower(r.Content.Encoding) {
	case "":
		return []byte(*r.Content.Text), nil
	case "base64":
		b, err := base64.StdEncoding.DecodeString(*r.Content.Text)
		if err != nil {
			// Some tools leave the padding out.
			if b2, err2 := base64.RawStdEncoding.DecodeString(strings.TrimRight(*r.Content.Text, "=")); err2 == nil {
				return b2, nil
			}
			return nil, fmt.Errorf("content.encoding is base64 but the text is not base64: %w", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("content.encoding %q is not one this tool decodes (only base64, or none)", r.Content.Encoding)
}

// BodyRecorded reports whether the response body is in the HAR (an empty body counts).
func (r Response) BodyRecorded() bool { return r.Content.Text != nil || r.Content.Size <= 0 }

// header turns HAR headers into an http.Header, leaving out HTTP/2 pseudo-headers (":method").
func header(nvs []NameValue) http.Header {
	h, _ := fillHeader(make(http.Header, len(nvs)), nil, nvs)
	return h
}

// fillHeader adds nvs to h, their values in values[:0] (grown as needed), and returns both.
func fillHeader(h http.Header, values []string, nvs []NameValue) (http.Header, []string) {
	// One array holds every value; each key's slice is capped, so that a second value of a key
	// is appended elsewhere.
	if cap(values) < len(nvs) {
		values = make([]string, 0, len(nvs))
	}
	values = values[:0]
	for _, nv := range nvs {
		if nv.Name == "" || strings.HasPrefix(nv.Name, ":") {
			continue
		}
		k := textproto.CanonicalMIMEHeaderKey(nv.Name)
		if vs, ok := h[k]; ok {
			h[k] = append(vs, nv.Value)
			continue
		}
		values = append(values, nv.Value)
		n := len(values)
		h[k] = values[n-1 : n : n]
	}
	return h, values
}

func nameValues(h http.Header) []NameValue {
	out := []NameValue{}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, NameValue{Name: k, Value: v})
		}
	}
	return out
}

// EntryOf turns an exchange into a HAR entry that started at started and took took. The exchange's
// URL must be absolute. Headers are written as they are: redact them first if they hold secrets.
func EntryOf(x validate.Exchange, started time.Time, took time.Duration) Entry {
	ms := float64(took.Microseconds()) / 1000
	e := Entry{
		StartedDateTime: started.UTC().Format("2006-01-02T15:04:05.000Z"),
		Time:            ms,
		Request: Request{
			Method: x.Method, URL: x.URL, HTTPVersion: "HTTP/1.1",
			Cookies: []NameValue{}, Headers: nameValues(x.RequestHeader), QueryString: []NameValue{},
			HeadersSize: -1, BodySize: int64(len(x.RequestBody)),
		},
		Response: Response{
			Status: x.Status, StatusText: http.StatusText(x.Status), HTTPVersion: "HTTP/1.1",
			Cookies: []NameValue{}, Headers: nameValues(x.ResponseHeader), RedirectURL: "",
			HeadersSize: -1, BodySize: int64(len(x.ResponseBody)),
		},
		Timings: Timings{Send: 0, Wait: ms, Receive: 0},
	}
	if u, err := url.Parse(x.URL); err == nil {
		for k, vs := range u.Query() {
			for _, v := range vs {
				e.Request.QueryString = append(e.Request.QueryString, NameValue{Name: k, Value: v})
			}
		}
		sort.Slice(e.Request.QueryString, func(i, j int) bool { return e.Request.QueryString[i].Name < e.Request.QueryString[j].Name })
	}
	if len(x.RequestBody) > 0 {
		e.Request.PostData = &PostData{MimeType: x.RequestHeader.Get("Content-Type"), Text: string(x.RequestBody)}
	}
	text := string(x.ResponseBody)
	e.Response.Content = Content{Size: int64(len(x.ResponseBody)), MimeType: x.ResponseHeader.Get("Content-Type"), Text: &text}
	return e
}

// Base64 re-encodes the entry's response body as base64 (content.encoding "base64"), as browsers
// record bodies they do not hold as text.
func (e *Entry) Base64() {
	if e.Response.Content.Text == nil || e.Response.Content.Encoding != "" {
		return
	}
	enc := base64.StdEncoding.EncodeToString([]byte(*e.Response.Content.Text))
	e.Response.Content.Text, e.Response.Content.Encoding = &enc, "base64"
}

// Write writes l as an indented HAR document.
func (l *Log) Write(w io.Writer) error {
	if l.Version == "" {
		l.Version = Version
	}
	if l.Entries == nil {
		l.Entries = []Entry{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(File{Log: *l})
}
