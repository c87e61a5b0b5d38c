package report

import (
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/validate"
)

// redact removes every secret from the spec's strings (defence in depth: transcripts come
// redacted, but failure messages quote response bodies, which a server may fill with them). The
// credential headers of a request are always replaced, whatever their value.
func (sp *Spec) redact(r *redact.Redactor) {
	if sp.Failure != nil {
		sp.Failure.Message = r.String(sp.Failure.Message)
	}
	sp.SkipReason = r.String(sp.SkipReason)
	for i := range sp.Transcript {
		c := &sp.Transcript[i]
		c.URL = r.String(c.URL)
		c.RequestHeader = r.Header(c.RequestHeader)
		c.ResponseHeader = r.Header(c.ResponseHeader)
		c.RequestBody = r.Bytes(c.RequestBody)
		c.ResponseBody = r.Bytes(c.ResponseBody)
		c.Err = r.String(c.Err)
		if len(c.Violations) > 0 {
			vs := make(validate.Violations, len(c.Violations))
			for j, v := range c.Violations {
				v.Got = r.String(v.Got)
				v.Message = r.String(v.Message)
				v.Expected = r.String(v.Expected)
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
