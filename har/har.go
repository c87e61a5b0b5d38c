// Package har reads and writes HTTP Archive (HAR 1.2) files — what browser devtools ("Save all as
// HAR"), mitmproxy, Charles and similar tools record — and validates every recorded exchange of
// the Dashboard Favorite List API against the embedded OpenAPI document, offline.
//
// Entries that are not calls of the API (other paths, other hosts when a host is given, CORS
// preflights, requests that got no response) are reported as skipped, never as failures. Bodies
// recorded base64-encoded (content.encoding "base64") are decoded first.
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
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &FormatError{File: path, Entry: -1, Expected: "a readable HAR file", Err: err}
	}
	return Parse(b, path)
}

// Parse reads a HAR document from b; name is used in errors. It checks every field the
// validation needs: a log with entries, each with a request (method, absolute URL) and a response
// (numeric status), and bodies that decode (base64 where content.encoding says so).
func Parse(b []byte, name string) (*Log, error) {
	ferr := func(entry int, field, expected string, err error) error {
		return &FormatError{File: name, Entry: entry, Field: field, Expected: expected, Err: err}
	}
	var top struct {
		Log *struct {
			Version string          `json:"version"`
			Creator json.RawMessage `json:"creator"`
			Browser json.RawMessage `json:"browser"`
			Entries json.RawMessage `json:"entries"`
			Comment string          `json:"comment"`
		} `json:"log"`
	}
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, ferr(-1, "", "a HAR file: a JSON object {\"log\": {\"version\": \"1.2\", \"entries\": [...]}}", jsonError(b, err))
	}
	if top.Log == nil {
		return nil, ferr(-1, "log", "an object (the HAR log); this JSON has no \"log\"", nil)
	}
	l := &Log{Version: top.Log.Version, Comment: top.Log.Comment}
	if len(top.Log.Creator) > 0 {
		if err := json.Unmarshal(top.Log.Creator, &l.Creator); err != nil {
			return nil, ferr(-1, "log.creator", "an object {\"name\", \"version\"}", err)
		}
	}
	if !isNull(top.Log.Browser) {
		l.Browser = &NameInfo{}
		if err := json.Unmarshal(top.Log.Browser, l.Browser); err != nil {
			return nil, ferr(-1, "log.browser", "an object {\"name\", \"version\"}", err)
		}
	}
	var raw []json.RawMessage
	if len(top.Log.Entries) == 0 || bytes.Equal(bytes.TrimSpace(top.Log.Entries), []byte("null")) {
		return nil, ferr(-1, "log.entries", "an array of entries; the log has none", nil)
	}
	if err := json.Unmarshal(top.Log.Entries, &raw); err != nil {
		return nil, ferr(-1, "log.entries", "an array of entries", err)
	}
	for i, r := range raw {
		var shape struct {
			Request  json.RawMessage `json:"request"`
			Response json.RawMessage `json:"response"`
		}
		if err := json.Unmarshal(r, &shape); err != nil {
			return nil, ferr(i, "", "an object with a request and a response", typeError(err))
		}
		if isNull(shape.Request) {
			return nil, ferr(i, "request", "an object (the recorded request)", nil)
		}
		if isNull(shape.Response) {
			return nil, ferr(i, "response", "an object (the recorded response)", nil)
		}
		var e Entry
		if err := json.Unmarshal(r, &e); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return nil, ferr(i, te.Field, "a JSON "+jsonKind(te.Type)+", as HAR 1.2 defines it", fmt.Errorf("got a JSON %s", te.Value))
			}
			return nil, ferr(i, "", "an entry as HAR 1.2 defines it", err)
		}
		if e.Request.Method == "" {
			return nil, ferr(i, "request.method", "an HTTP method such as GET", nil)
		}
		if u, err := url.Parse(e.Request.URL); err != nil || !u.IsAbs() || u.Host == "" {
			return nil, ferr(i, "request.url", "an absolute URL such as https://www.wixapis.com/dashboard/v1/user-favorite-list", fmt.Errorf("got %q", validate.Clip(e.Request.URL, 200)))
		}
		if _, err := e.Response.Body(); err != nil {
			return nil, ferr(i, "response.content.text", "text encoded as response.content.encoding says", err)
		}
		l.Entries = append(l.Entries, e)
	}
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

// jsonError adds the line and column to a JSON syntax error.
func jsonError(b []byte, err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return typeError(err)
	}
	line, col := 1, 1
	for _, c := range b[:max(0, min(int(se.Offset)-1, len(b)))] { // Offset is just past the bad byte
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
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
	h := http.Header{}
	for _, nv := range nvs {
		if nv.Name == "" || strings.HasPrefix(nv.Name, ":") {
			continue
		}
		h.Add(nv.Name, nv.Value)
	}
	return h
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
