// Package redact owns the harness's output safety rule: no configured secret, in any form a
// target may echo it, and no credential header, userinfo or secret-looking query value ever
// reaches an output (console, reports, proxy logs and headers, HAR summaries). Every output path
// of the harness goes through a Redactor; nothing else replaces secrets.
//
// A secret is matched raw and in the encodings a server or a report may give it: URL
// (query and path escaping, every byte percent-encoded in either case), base64 (standard and URL
// alphabets, at every alignment inside a longer encoded text), JSON string escaping (Go's, and
// every character as \uXXXX in either case) and HTML escaping (named, decimal and hexadecimal
// character references). Secrets shorter than MinSecretLength are refused at configuration time
// (CheckSecret): replacing a short value would also replace it inside unrelated text.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Mark replaces every secret.
const Mark = "[REDACTED]"

// MinSecretLength is the shortest secret the harness accepts: a shorter one would be found
// inside unrelated text (the token "x" would turn www.wixapis.com into www.wi[REDACTED]apis.com).
const MinSecretLength = 8

// CheckSecret says why value, configured at where (e.g. "identities.user.headers.Authorization"),
// cannot be a secret, or returns nil.
func CheckSecret(where, value string) error {
	if n := utf8.RuneCountInString(value); n < MinSecretLength {
		return fmt.Errorf("%s: a value of %d character(s) is too short to be kept out of the outputs safely (every configured header value is a secret and must have at least %d characters)", where, n, MinSecretLength)
	}
	return nil
}

// alwaysSensitive are headers whose value never reaches an output, whoever configured them.
var alwaysSensitive = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "Api-Key", "X-Auth-Token", "X-Access-Token"}

// sensitiveWords mark a header name or a query parameter name as holding a credential.
var sensitiveWords = []string{"token", "secret", "password", "passwd", "apikey", "api-key", "api_key", "auth", "session", "signature", "credential", "cookie"}

// IsSensitiveHeader reports whether a header's value is a credential by its name alone:
// Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key and the like, or a name
// that says token, secret, password, key, auth, session or signature.
func IsSensitiveHeader(name string) bool {
	for _, h := range alwaysSensitive {
		if strings.EqualFold(name, h) {
			return true
		}
	}
	return hasSensitiveWord(name)
}

func hasSensitiveWord(name string) bool {
	n := strings.ToLower(name)
	for _, w := range sensitiveWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// secretQueryNames are query parameter names whose values are removed from every URL.
var secretQueryNames = []string{"key", "code", "sig", "pass", "pwd", "jwt", "bearer"}

// IsSecretQueryParameter reports whether a query parameter's value looks like a credential by its
// name (token, access_token, api_key, key, secret, password, sig, signature, code, ...).
func IsSecretQueryParameter(name string) bool {
	n := strings.ToLower(name)
	return slices.Contains(secretQueryNames, n) || hasSensitiveWord(n) || strings.HasSuffix(n, "_key") || strings.HasSuffix(n, "-key")
}

// Redactor removes secrets from outputs. The zero value and nil know no secret but still remove
// credential headers, userinfo and secret-looking query values. A Redactor is immutable and safe
// for concurrent use.
type Redactor struct {
	secrets  []string // as configured, deduplicated
	headers  []string // configured header names: their values never reach an output
	replacer *strings.Replacer
}

// New returns a Redactor knowing secrets. headerNames are headers whose values are removed
// whatever they hold (the header names a target configuration sets).
func New(secrets []string, headerNames ...string) *Redactor {
	r := &Redactor{}
	return r.with(secrets, headerNames)
}

// With returns a Redactor that knows r's secrets and these too (the proxy adds the credentials it
// sees).
func (r *Redactor) With(secrets ...string) *Redactor {
	if r == nil {
		return New(secrets)
	}
	return r.with(secrets, nil)
}

func (r *Redactor) with(secrets, headerNames []string) *Redactor {
	out := &Redactor{}
	if r != nil {
		out.secrets = slices.Clone(r.secrets)
		out.headers = slices.Clone(r.headers)
	}
	// Sets, not slices.Contains: a mock of 10,000 accounts knows 10,000 tokens and ten times as
	// many forms, and a linear search for each took seconds.
	known := make(map[string]bool, len(out.secrets)+len(secrets))
	for _, s := range out.secrets {
		known[s] = true
	}
	for _, s := range secrets {
		if s != "" && !known[s] {
			known[s] = true
			out.secrets = append(out.secrets, s)
		}
	}
	for _, h := range headerNames {
		if h != "" && !slices.ContainsFunc(out.headers, func(x string) bool { return strings.EqualFold(x, h) }) {
			out.headers = append(out.headers, h)
		}
	}
	var forms []string
	seen := map[string]bool{}
	for _, s := range out.secrets {
		for _, f := range Forms(s) {
			if !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	// Longest first: a secret that contains another is replaced whole.
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	if len(forms) > 0 {
		pairs := make([]string, 0, 2*len(forms))
		for _, f := range forms {
			pairs = append(pairs, f, Mark)
		}
		out.replacer = strings.NewReplacer(pairs...)
	}
	return out
}

// Secrets returns the secrets r knows.
func (r *Redactor) Secrets() []string {
	if r == nil {
		return nil
	}
	return slices.Clone(r.secrets)
}

// Forms returns the forms of secret that outputs are searched for: itself and its URL, base64,
// JSON and HTML encodings (each distinct form once). The leak tests grep for these.
func Forms(secret string) []string {
	if secret == "" {
		return nil
	}
	var out []string
	add := func(f string) {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	add(secret)
	add(url.QueryEscape(secret))
	add(url.PathEscape(secret))
	add(percentAll(secret, "%%%02X"))
	add(percentAll(secret, "%%%02x"))
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for _, f := range base64Forms(enc, secret) {
			add(f)
		}
	}
	add(jsonEscaped(secret, true))
	add(jsonEscaped(secret, false))
	add(unicodeEscaped(secret, `\u%04x`))
	add(unicodeEscaped(secret, `\u%04X`))
	add(html.EscapeString(secret))
	add(htmlEscapedAll(secret, "&#%d;"))
	add(htmlEscapedAll(secret, "&#x%x;"))
	add(htmlEscapedAll(secret, "&#x%X;"))
	add(strings.NewReplacer(`"`, "&quot;", "'", "&apos;", "&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(secret))
	return out
}

func percentAll(s, format string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, format, s[i])
	}
	return b.String()
}

// base64Forms returns the part of secret's encoding that is the same wherever it starts in a
// longer encoded text: at each of the three byte alignments, the encoded groups made of the
// secret's bytes alone.
func base64Forms(enc *base64.Encoding, secret string) []string {
	var out []string
	for lead := range 3 {
		b := append(make([]byte, lead), secret...)
		// Skip the group the lead bytes share with the secret, keep whole groups of secret bytes.
		from := 0
		if lead > 0 {
			from = 3
		}
		whole := (len(b) - from) / 3 * 3
		if whole <= 0 {
			continue
		}
		out = append(out, enc.EncodeToString(b[from:from+whole]))
	}
	return out
}

func jsonEscaped(s string, escapeHTML bool) string {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(escapeHTML)
	_ = e.Encode(s)
	out := strings.TrimSpace(buf.String())
	return strings.TrimSuffix(strings.TrimPrefix(out, `"`), `"`)
}

func unicodeEscaped(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF {
			r1, r2 := utf16Pair(r)
			fmt.Fprintf(&b, format, r1)
			fmt.Fprintf(&b, format, r2)
			continue
		}
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

func htmlEscapedAll(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

// userinfo matches the userinfo of a URL in free text: scheme://user:password@
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s@"'<>]+@`)

// queryValue matches a query parameter in free text: its name and its value.
var queryValue = regexp.MustCompile(`([?&;])([A-Za-z0-9_.\-]+)=([^&#\s"'<>;]*)`)

// String removes from s every secret r knows (in each of its forms), the userinfo of any URL,
// and the values of secret-looking query parameters.
func (r *Redactor) String(s string) string {
	if s == "" {
		return s
	}
	if r != nil && r.replacer != nil {
		s = r.replacer.Replace(s)
	}
	if strings.Contains(s, "@") && strings.Contains(s, "://") {
		s = userinfo.ReplaceAllString(s, "${1}"+Mark+"@")
	}
	if strings.Contains(s, "=") {
		s = queryValue.ReplaceAllStringFunc(s, func(m string) string {
			sub := queryValue.FindStringSubmatch(m)
			if sub[3] == "" || sub[3] == Mark || !IsSecretQueryParameter(sub[2]) {
				return m
			}
			return sub[1] + sub[2] + "=" + Mark
		})
	}
	return s
}

// Bytes is String for a body.
func (r *Redactor) Bytes(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	return []byte(r.String(string(b)))
}

// URL is a URL's text without userinfo, secret-looking query values or secrets.
func (r *Redactor) URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		c.User = url.User(Mark)
	}
	return strings.Replace(r.String(c.String()), url.PathEscape(Mark)+"@", Mark+"@", 1)
}

// SensitiveHeader reports whether the value of header name never reaches an output: a credential
// header (IsSensitiveHeader), or one the target configuration sets.
func (r *Redactor) SensitiveHeader(name string) bool {
	if IsSensitiveHeader(name) {
		return true
	}
	return r != nil && slices.ContainsFunc(r.headers, func(h string) bool { return strings.EqualFold(h, name) })
}

// Header returns a copy of h whose sensitive headers' values are Mark and whose other values are
// redacted with String.
func (r *Redactor) Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for name, vs := range h {
		c := make([]string, len(vs))
		for i, v := range vs {
			if v != "" && r.SensitiveHeader(name) {
				c[i] = Mark
			} else {
				c[i] = r.String(v)
			}
		}
		out[name] = c
	}
	return out
}

// Terminal makes text from a target safe to print on a terminal: control characters other than
// newline and tab (escape sequences included), C1 controls and invalid UTF-8 are written as
// visible escapes (\x1b, \u009b, \xff), so that a server cannot move the cursor, rewrite lines,
// set the window title or hide text. keepColour keeps SGR colour sequences (ESC [ ... m), which
// the harness's own coloured output uses.
func Terminal(s string, keepColour bool) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if keepColour && s[i] == 0x1b {
			if n := sgrLength(s[i:]); n > 0 {
				b.WriteString(s[i : i+n])
				i += n
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// sgrLength is the length of the SGR sequence (ESC [ digits and semicolons m) at the start of s,
// or 0.
func sgrLength(s string) int {
	if len(s) < 3 || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s) && i < 32; i++ {
		switch c := s[i]; {
		case c == 'm':
			return i + 1
		case (c >= '0' && c <= '9') || c == ';':
		default:
			return 0
		}
	}
	return 0
}
