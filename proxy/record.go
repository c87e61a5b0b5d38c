package proxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/validate"
)

// What an exchange record (OnExchange's and the report's) keeps. A value cut short ends with a
// note giving its whole length: "… [truncated: 912345 bytes in all]".
const (
	// MaxRecordedBodyBytes caps each body of a record.
	MaxRecordedBodyBytes = 64 << 10
	// MaxRecordedHeaderValueBytes caps each header value of a record (and its URL).
	MaxRecordedHeaderValueBytes = 4 << 10
	// MaxRecordedHeaderValues caps the header values of each side of a record; NotRecordedHeader
	// says how many more there were.
	MaxRecordedHeaderValues = 64
	// MaxRecordedViolations caps the violations of one report record; its
	// ViolationsNotRecorded counts the rest (the log and Stats have them all).
	MaxRecordedViolations = 100
)

// MaxRecorded caps how many exchanges the session report keeps; the summary counts the rest.
const MaxRecorded = 1000

// MaxRecordedBytes bounds the records the proxy holds for the report (each measured as its JSON
// encoding): once it is reached, further exchanges are counted in NotRecorded, not kept.
const MaxRecordedBytes = 16 << 20

// MaxReportBytes caps the report file; records past it are left out and counted in NotRecorded.
const MaxReportBytes = 32 << 20

// NotRecordedHeader is the header a record adds to say how many header values it left out.
const NotRecordedHeader = "X-Favconform-Not-Recorded"

const (
	maxRecordedHeaderName = 256
	maxRecordedText       = 1 << 10 // each text of a violation
	maxRecordedMethod     = 64
)

// snapshot is a copy of an exchange's state, taken under its lock.
type snapshot struct {
	method, path string
	url          string
	reqHeader    http.Header
	reqBody      []byte
	answered     bool
	status       int
	respHeader   http.Header
	respBody     []byte
	op           string
	vs           validate.Violations
	err          error
	secrets      []string
}

func (st *state) snapshot() snapshot {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := snapshot{
		method: st.in.Method, path: st.in.URL.Path, reqHeader: st.in.Header, reqBody: st.reqBody,
		answered: st.answered, status: st.status, respHeader: st.respHeader, respBody: st.respBody,
		op: st.op, vs: st.vs, err: st.err, secrets: slices.Clone(st.secrets),
	}
	if st.url != nil {
		s.url = st.url.String()
	}
	return s
}

// exchangeOf is the redacted, capped record of one exchange.
func exchangeOf(s snapshot, red *redact.Redactor) validate.Exchange {
	x := validate.Exchange{
		Operation: recordText(s.op, maxRecordedText, red), Method: recordText(s.method, maxRecordedMethod, red),
		URL:           recordText(s.url, MaxRecordedHeaderValueBytes, red),
		RequestHeader: recordHeader(s.reqHeader, red), RequestBody: recordBody(s.reqBody, red),
		Status: s.status, ResponseHeader: recordHeader(s.respHeader, red), ResponseBody: recordBody(s.respBody, red),
		Violations: redactViolations(s.vs, red),
	}
	if s.err != nil {
		x.Err = recordText(s.err.Error(), maxRecordedText, red)
	}
	return x
}

// recordText is s redacted, made valid UTF-8 and cut at max bytes with a note of its length.
// The redaction comes first: a secret cut in two would no longer be found.
func recordText(s string, max int, red *redact.Redactor) string {
	if s == "" {
		return s
	}
	t := red.String(s)
	if len(t) <= max && utf8.ValidString(t) {
		return t
	}
	var b strings.Builder
	b.Grow(min(len(t), max) + 40)
	if !writeEscaped(&b, t, max) {
		fmt.Fprintf(&b, "… [truncated: %d bytes in all]", len(s))
	}
	return b.String()
}

func recordBody(b []byte, red *redact.Redactor) []byte {
	if len(b) == 0 {
		return nil
	}
	return []byte(recordText(string(b), MaxRecordedBodyBytes, red))
}

// escapeInvalidUTF8 writes each byte that is not part of valid UTF-8 as \xNN, so that records
// (and the JSON report) stay valid UTF-8 and show what came.
func escapeInvalidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	writeEscaped(&b, s, -1)
	return b.String()
}

// writeEscaped writes s to b with its invalid bytes as \xNN, stopping before b would pass max
// bytes (max < 0: no limit). It reports whether all of s was written.
func writeEscaped(b *strings.Builder, s string, max int) bool {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		invalid := r == utf8.RuneError && size == 1
		n := size
		if invalid {
			n = 4
		}
		if max >= 0 && b.Len()+n > max {
			return false
		}
		if invalid {
			b.WriteString(`\x`)
			b.WriteByte(hex[s[i]>>4])
			b.WriteByte(hex[s[i]&0xf])
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return true
}

// recordHeader is h redacted (credential headers' values replaced by redact.Mark) and capped:
// at most MaxRecordedHeaderValues values, in the order of their names, each cut at
// MaxRecordedHeaderValueBytes.
func recordHeader(h http.Header, red *redact.Redactor) http.Header {
	if len(h) == 0 {
		return nil
	}
	names := make([]string, 0, len(h))
	total := 0
	for name, vs := range h {
		names = append(names, name)
		total += len(vs)
	}
	slices.Sort(names)
	out := make(http.Header, min(len(h), MaxRecordedHeaderValues))
	kept := 0
	for _, name := range names {
		key := recordText(name, maxRecordedHeaderName, red)
		for _, v := range h[name] {
			if kept == MaxRecordedHeaderValues {
				break
			}
			if v != "" && red.SensitiveHeader(name) {
				v = redact.Mark
			} else {
				v = recordText(v, MaxRecordedHeaderValueBytes, red)
			}
			out[key] = append(out[key], v)
			kept++
		}
	}
	if kept < total {
		out[NotRecordedHeader] = []string{fmt.Sprintf("%d of %d header value(s) not recorded (a record keeps at most %d)", total-kept, total, MaxRecordedHeaderValues)}
	}
	return out
}

func redactViolations(vs validate.Violations, red *redact.Redactor) validate.Violations {
	if len(vs) == 0 {
		return nil
	}
	g := clipGuard{red: red}
	text := func(s string) string { return recordText(g.fix(red.String(s)), maxRecordedText, red) }
	out := make(validate.Violations, len(vs))
	for i, v := range vs {
		v.Operation, v.Pointer, v.Expected, v.Got, v.Message = text(v.Operation), text(v.Pointer), text(v.Expected), text(v.Got), text(v.Message)
		out[i] = v
	}
	return out
}

// clipGuard covers what the validator clipped before the proxy saw it: a violation quoting a
// long secret, cut inside it with validate.Clip's "…", keeps a piece of the secret that no
// redaction finds. A text ending "…" right after the start of a secret (in any of its forms) gets
// that start replaced by redact.Mark too.
type clipGuard struct {
	red   *redact.Redactor
	forms []string // of red's secrets, computed at the first clipped text
	built bool
}

// minClipPiece is the shortest start of a secret replaced: shorter ones are too common to mean
// anything (and give nothing away).
const minClipPiece = 4

func (g *clipGuard) fix(s string) string {
	body, clipped := strings.CutSuffix(s, "…")
	if !clipped || len(body) < minClipPiece {
		return s
	}
	if !g.built {
		for _, secret := range g.red.Secrets() {
			g.forms = append(g.forms, redact.Forms(secret)...)
		}
		g.built = true
	}
	tail := body[len(body)-minClipPiece:]
	longest := 0
	for _, f := range g.forms {
		// The text's last bytes end the secret's start: look for them in the form.
		for from := 0; from < len(f); {
			i := strings.Index(f[from:], tail)
			if i < 0 {
				break
			}
			end := from + i + minClipPiece
			if end > longest && strings.HasSuffix(body, f[:end]) {
				longest = end
			}
			from += i + 1
		}
	}
	if longest == 0 {
		return s
	}
	return body[:len(body)-longest] + redact.Mark + "…"
}

// recordOf is the report's record of an exchange.
func recordOf(seq int, x validate.Exchange) Record {
	r := Record{
		Seq: seq, Operation: x.Operation, Method: x.Method, URL: x.URL, Status: x.Status,
		Violations: x.Violations, Error: x.Err,
		RequestHeader: x.RequestHeader, RequestBody: bodyValue(x.RequestBody),
		ResponseHeader: x.ResponseHeader, ResponseBody: bodyValue(x.ResponseBody),
	}
	if len(r.Violations) > MaxRecordedViolations {
		r.ViolationsNotRecorded = len(r.Violations) - MaxRecordedViolations
		r.Violations = r.Violations[:MaxRecordedViolations:MaxRecordedViolations]
	}
	return r
}

// bodyValue is a body as it reads best in JSON: itself when it is JSON, else a string.
func bodyValue(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	if utf8.Valid(b) && json.Valid(b) {
		return json.RawMessage(b)
	}
	return escapeInvalidUTF8(string(b))
}

// recordSize is what a record counts against MaxRecordedBytes: its JSON encoding's length.
func recordSize(r Record) int {
	b, err := json.Marshal(r)
	if err != nil {
		return MaxRecordedBytes + 1 // cannot be written: never kept
	}
	return len(b)
}
