package validate

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// Transport is an http.RoundTripper that validates every exchange passing through it. Wrap any
// client's transport with it to check that client's traffic in a user's own tests:
//
//	client := &http.Client{Transport: &validate.Transport{OnExchange: func(x validate.Exchange) {
//		for _, v := range x.Violations {
//			t.Error(v)
//		}
//	}}}
type Transport struct {
	// Base does the round trips; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Validator checks the exchanges; nil means Default().
	Validator *Validator
	// OnExchange, if set, is called with every exchange (violations or not), after the response
	// body has been read and replaced. It may be called from several goroutines at once.
	OnExchange func(Exchange)
	// FailOnViolation makes RoundTrip return the Violations as its error.
	FailOnViolation bool
}

// RoundTrip sends req through Base, reads both bodies, validates them and hands the response
// back with its body intact.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	v := t.Validator
	if v == nil {
		var err error
		if v, err = Default(); err != nil {
			return nil, fmt.Errorf("validate: %w", err)
		}
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("validate: reading the request body: %w", err)
		}
		reqBody = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("validate: reading the response body of %s %s: %w", req.Method, req.URL.Path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	op, vs := v.Check(req, reqBody, resp.StatusCode, resp.Header, respBody)
	if t.OnExchange != nil {
		t.OnExchange(Exchange{
			Operation: op, Method: req.Method, URL: RedactedURL(req.URL),
			RequestHeader: req.Header, RequestBody: reqBody,
			Status: resp.StatusCode, ResponseHeader: resp.Header, ResponseBody: respBody,
			Violations: vs,
		})
	}
	if t.FailOnViolation && len(vs) > 0 {
		return nil, vs
	}
	return resp, nil
}
