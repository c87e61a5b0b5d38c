package report

import (
	"bytes"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/favconform/favconform/validate"
)

// sortedSecrets returns the non-empty secrets, longest first (so that a secret containing
// another is replaced whole).
func sortedSecrets(secrets []string) []string {
	out := make([]string, 0, len(secrets))
	for _, s := range secrets {
		if s != "" {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// RedactString replaces every secret in s with Redacted.
func RedactString(s string, secrets []string) string { return redactString(s, secrets) }

func redactString(s string, secrets []string) string {
	for _, secret := range sortedSecrets(secrets) {
		s = strings.ReplaceAll(s, secret, Redacted)
	}
	return s
}

func redactBytes(b []byte, secrets []string) []byte {
	for _, secret := range sortedSecrets(secrets) {
		if bytes.Contains(b, []byte(secret)) {
			b = bytes.ReplaceAll(b, []byte(secret), []byte(Redacted))
		}
	}
	return b
}

func redactHeader(h http.Header, secrets []string, always ...string) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for name, vs := range h {
		c := make([]string, len(vs))
		for i, v := range vs {
			c[i] = redactString(v, secrets)
			for _, a := range always {
				if strings.EqualFold(name, a) && v != "" {
					c[i] = Redacted
				}
			}
		}
		out[name] = c
	}
	return out
}

// redact removes every secret from the spec's strings. The Authorization header of a request is
// always replaced, whatever its value.
func (sp *Spec) redact(secrets []string) {
	if sp.Failure != nil {
		sp.Failure.Message = redactString(sp.Failure.Message, secrets)
	}
	sp.SkipReason = redactString(sp.SkipReason, secrets)
	for i := range sp.Transcript {
		c := &sp.Transcript[i]
		c.URL = redactString(c.URL, secrets)
		c.RequestHeader = redactHeader(c.RequestHeader, secrets, "Authorization")
		c.ResponseHeader = redactHeader(c.ResponseHeader, secrets)
		c.RequestBody = redactBytes(c.RequestBody, secrets)
		c.ResponseBody = redactBytes(c.ResponseBody, secrets)
		c.Err = redactString(c.Err, secrets)
		if len(c.Violations) > 0 {
			vs := make(validate.Violations, len(c.Violations))
			for j, v := range c.Violations {
				v.Got = redactString(v.Got, secrets)
				v.Message = redactString(v.Message, secrets)
				v.Expected = redactString(v.Expected, secrets)
				vs[j] = v
			}
			c.Violations = vs
		}
	}
}

// markFailingCall gives every failed call its curl command, and records which call a failed
// spec's failure is about: the last one that ended before the failure (times, from the run), or
// failing that, the first call that broke the spec, or the last one the message quotes.
func (sp *Spec) markFailingCall(s types.SpecReport, times []time.Time) {
	for i := range sp.Transcript {
		if Failed(sp.Transcript[i].Call) {
			sp.Transcript[i].Curl = Curl(sp.Transcript[i].Call)
		}
	}
	if sp.Failure == nil || len(sp.Transcript) == 0 {
		return
	}
	idx := -1
	at := s.Failure.TimelineLocation.Time
	if len(times) == len(sp.Transcript) && !at.IsZero() {
		for i, t := range times {
			if !t.After(at) {
				idx = i
			}
		}
	} else {
		idx = guessFailingCall(sp.Transcript, sp.Failure.Message)
	}
	if idx < 0 {
		return
	}
	c := &sp.Transcript[idx]
	if c.Curl == "" {
		c.Curl = Curl(c.Call)
	}
	sp.Failure.Call = &idx
	sp.Failure.Curl = c.Curl
}

func guessFailingCall(calls []Call, message string) int {
	for i, c := range calls {
		if Failed(c.Call) {
			return i
		}
	}
	for i := len(calls) - 1; i >= 0; i-- {
		if strings.Contains(message, calls[i].Method+" "+calls[i].URL) {
			return i
		}
	}
	return -1
}
