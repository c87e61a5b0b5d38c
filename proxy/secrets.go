package proxy

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/favconform/favconform/internal/redact"
)

// The session's secrets (every credential seen, for the records of the other exchanges and the
// report) are bounded: their forms make up the redactor, and a client sending a new token with
// every request must not grow it without end. An exchange's own credentials are always removed
// from its own record, tracked or not.
const (
	maxSessionSecrets     = 256
	maxSessionSecretBytes = 64 << 10
)

// sessionSecrets are the credentials seen in the session; guarded by Proxy.mu.
type sessionSecrets struct {
	known   map[string]bool
	list    []string
	bytes   int
	version int // bumped with every addition
	// redactor knows list as of redactorVersion; rebuilt lazily, when someone needs it.
	redactor        *redact.Redactor
	redactorVersion int
}

// trackSecrets adds an exchange's credentials to the session's, within the bounds.
func (p *Proxy) trackSecrets(secrets []string) {
	if len(secrets) == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ss := &p.secrets
	for _, s := range secrets {
		if ss.known[s] || len(ss.list) >= maxSessionSecrets || ss.bytes+len(s) > maxSessionSecretBytes {
			continue
		}
		if ss.known == nil {
			ss.known = map[string]bool{}
		}
		ss.known[s] = true
		ss.list = append(ss.list, s)
		ss.bytes += len(s)
		ss.version++
	}
}

// sessionRedactor knows the configured secrets and every tracked credential of the session.
func (p *Proxy) sessionRedactor() *redact.Redactor {
	p.mu.Lock()
	ss := &p.secrets
	if ss.redactor != nil && ss.redactorVersion == ss.version {
		r := ss.redactor
		p.mu.Unlock()
		return r
	}
	list, version := slices.Clone(ss.list), ss.version
	p.mu.Unlock()

	// Built outside the lock: computing every form of every secret takes a while.
	r := p.base.With(list...)
	p.mu.Lock()
	if ss.redactor == nil || version > ss.redactorVersion {
		ss.redactor, ss.redactorVersion = r, version
	}
	p.mu.Unlock()
	return r
}

// redactorFor is the redactor of one exchange: the session's, and the exchange's own
// credentials the session could not track.
func (p *Proxy) redactorFor(secrets []string) *redact.Redactor {
	r := p.sessionRedactor()
	var untracked []string
	p.mu.Lock()
	for _, s := range secrets {
		if !p.secrets.known[s] {
			untracked = append(untracked, s)
		}
	}
	p.mu.Unlock()
	if len(untracked) > 0 {
		r = r.With(untracked...)
	}
	return r
}

// credentials collects the values to keep out of the outputs, in the shapes an echo may take.
type credentials struct {
	values []string
}

// add keeps value if it is long enough to be replaced safely wherever it occurs; a shorter one is
// kept as its name=value pair instead (pair may be ""): "sid=abc123" is safe to replace, "abc123"
// alone would also be replaced inside unrelated text. Both stay out of the record's headers
// anyway, which are replaced by name.
func (c *credentials) add(value, pair string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return
	}
	if utf8.RuneCountInString(value) < redact.MinSecretLength {
		value = strings.TrimSpace(pair)
		if utf8.RuneCountInString(value) < redact.MinSecretLength {
			return
		}
	}
	if !slices.Contains(c.values, value) {
		c.values = append(c.values, value)
	}
}

// addHeaderValue adds a credential header's value: the value, the credential after its scheme
// (Bearer, Basic, ...) and, for Basic, the decoded user:password and the password.
func (c *credentials) addHeaderValue(v string) {
	v = strings.TrimSpace(v)
	scheme, cred, ok := strings.Cut(v, " ")
	if !ok {
		c.add(v, "")
		return
	}
	cred = strings.TrimSpace(cred)
	c.add(cred, v)
	if strings.EqualFold(scheme, "Basic") {
		if dec, err := base64.StdEncoding.DecodeString(cred); err == nil {
			c.add(string(dec), "")
			if _, password, ok := strings.Cut(string(dec), ":"); ok {
				c.add(password, string(dec))
			}
		}
	}
}

// addCookies adds each cookie's value of a Cookie header.
func (c *credentials) addCookies(v string) {
	for part := range strings.SplitSeq(v, ";") {
		part = strings.TrimSpace(part)
		if _, value, ok := strings.Cut(part, "="); ok {
			c.add(strings.Trim(value, `"`), part)
		} else {
			c.add(part, "")
		}
	}
}

// requestCredentials returns the credentials of a request: the values of its credential headers
// (redact.IsSensitiveHeader: Authorization, Proxy-Authorization, Cookie — each cookie —, X-Api-Key,
// names saying token, secret, key, auth, session ...) and of its secret-looking query
// parameters, raw and decoded. It fails when they are more than MaxCredentialBytes together.
func requestCredentials(r *http.Request) ([]string, error) {
	var c credentials
	size := 0
	// where the credentials are, worded only if they are too many (most requests have one)
	type place struct {
		what string
		n    int
	}
	var where []place
	for name, vs := range r.Header {
		if !redact.IsSensitiveHeader(name) {
			continue
		}
		for _, v := range vs {
			size += len(v)
			where = append(where, place{name, len(v)})
			if strings.EqualFold(name, "Cookie") {
				c.addCookies(v)
			} else {
				c.addHeaderValue(v)
			}
		}
	}
	for pair := range strings.SplitSeq(r.URL.RawQuery, "&") {
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			name = rawName
		}
		if rawValue == "" || !redact.IsSecretQueryParameter(name) {
			continue
		}
		size += len(rawValue)
		where = append(where, place{"query parameter " + name, len(rawValue)})
		c.add(rawValue, pair)
		if value, err := url.QueryUnescape(rawValue); err == nil && value != rawValue {
			c.add(value, name+"="+value)
		}
	}
	if size > MaxCredentialBytes {
		worded := make([]string, len(where))
		for i, p := range where {
			worded[i] = fmt.Sprintf("%s (%d bytes)", p.what, p.n)
		}
		sort.Strings(worded)
		return nil, fmt.Errorf("the request carries %d bytes of credentials (%s); the proxy keeps at most %d bytes of credentials per request out of its outputs, so it was not forwarded",
			size, strings.Join(worded, ", "), MaxCredentialBytes)
	}
	return c.values, nil
}

// responseCredentials returns the credentials a target sets: each Set-Cookie's value and the
// values of the other credential headers. Longer values than MaxCredentialBytes are left out
// (their headers are still replaced by name in the records).
func responseCredentials(h http.Header) []string {
	var c credentials
	for name, vs := range h {
		if !redact.IsSensitiveHeader(name) {
			continue
		}
		for _, v := range vs {
			if len(v) > MaxCredentialBytes {
				continue
			}
			if strings.EqualFold(name, "Set-Cookie") {
				cookie, _, _ := strings.Cut(v, ";")
				c.addCookies(cookie)
			} else {
				c.addHeaderValue(v)
			}
		}
	}
	return c.values
}
