// Package client is a typed client of the Dashboard Favorite List API that validates and records
// every exchange. The conformance suites drive targets through it; a user's own tests can too.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
)

// MaxResponseBytes caps how much of a response body is read; a larger body is reported as an
// error rather than read without end.
const MaxResponseBytes = 4 << 20

// Client sends calls to one target.
type Client struct {
	cfg       target.Config
	http      *http.Client
	validator *validate.Validator
	observe   func(Call)
	readOnly  bool
	breaker   *Breaker // nil: none (breaker.go)
	ctx       context.Context
}

// ErrWritesNotAllowed is the error of a write attempted through a read-only client.
var ErrWritesNotAllowed = errors.New("writes to this target are not allowed (it is not on loopback; run with --allow-writes to allow them)")

// ReadOnly makes every later call other than GET fail with ErrWritesNotAllowed without being
// sent: the guard that keeps a run without --allow-writes from changing a real account.
func (c *Client) ReadOnly() { c.readOnly = true }

// Call is one exchange as the client saw it.
type Call struct {
	Role identity.Role
	validate.Exchange
	// InvalidOnPurpose marks a request the caller made invalid deliberately (negative tests):
	// its request-side violations are expected and not held against the target.
	InvalidOnPurpose bool
	Duration         time.Duration
}

// New returns a client for cfg. observe, if not nil, receives every call (for transcripts).
func New(cfg target.Config, v *validate.Validator, observe func(Call)) *Client {
	return &Client{
		cfg:       cfg,
		http:      &http.Client{Timeout: cfg.RequestTimeout(), CheckRedirect: noRedirects},
		validator: v,
		observe:   observe,
	}
}

// The API does not redirect; following one would send credentials elsewhere.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// WithContext returns a copy of the client whose calls carry ctx: once ctx is done, a call under
// way stops and every later one fails at once, unsent. The copy shares everything else (the
// connections, the observer, the breaker, read-only).
func (c *Client) WithContext(ctx context.Context) *Client {
	cp := *c
	cp.ctx = ctx
	return &cp
}

// Config is the target configuration the client uses.
func (c *Client) Config() target.Config { return c.cfg }

// As returns a caller acting as role. A role the configuration lacks gives a caller whose every
// call fails with an error naming the role.
func (c *Client) As(role identity.Role) *Caller {
	h, ok := c.cfg.Identities[role]
	if !ok {
		return &Caller{c: c, role: role, missing: true}
	}
	return &Caller{c: c, role: role, headers: h}
}

// Anonymous returns a caller that sends no Authorization header. Its requests break the spec's
// security requirement on purpose.
func (c *Client) Anonymous() *Caller {
	return &Caller{c: c, role: "anonymous", headers: target.Headers{}, invalid: true}
}

// WithHeaders returns a caller sending exactly headers (e.g. a garbage token).
func (c *Client) WithHeaders(name string, h target.Headers) *Caller {
	return &Caller{c: c, role: identity.Role(name), headers: h}
}

// Caller makes calls as one identity.
type Caller struct {
	c       *Client
	role    identity.Role
	headers target.Headers
	missing bool
	invalid bool
}

// Invalid returns a caller whose requests are invalid on purpose (negative tests): their
// request-side violations are recorded but not held against the target.
func (k *Caller) Invalid() *Caller {
	c := *k
	c.invalid = true
	return &c
}

// WithContext returns a copy of the caller whose calls carry ctx (see Client.WithContext).
func (k *Caller) WithContext(ctx context.Context) *Caller {
	c := *k
	c.c = k.c.WithContext(ctx)
	return &c
}

// Role is the caller's role.
func (k *Caller) Role() identity.Role { return k.role }

// Request is a call in its raw form, for the calls the typed methods cannot make (negative
// tests, SDK-style variants).
type Request struct {
	Method string
	// Path is relative to the target's base URL, e.g. api.ListPath.
	Path  string
	Query url.Values
	// Body is sent as is when not nil; otherwise JSON is marshalled when not nil.
	Body []byte
	JSON any
	// ContentType overrides application/json.
	ContentType      string
	InvalidOnPurpose bool
}

// Response is what came back.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// List is the decoded favoriteList, when the body holds one.
	List *api.FavoriteList
	// Error is the decoded error body of a 4xx/5xx, when it is Wix-shaped JSON.
	Error *api.ErrorBody
	// DecodeErr says why a body the status promises could not be decoded.
	DecodeErr error
	// Violations are the spec violations held against the target.
	Violations validate.Violations
	// Err is set when no response came.
	Err  error
	Call Call
}

// OK reports a 200 with no transport error.
func (r *Response) OK() bool { return r.Err == nil && r.Status == http.StatusOK }

// Describe summarises the response for failure messages.
func (r *Response) Describe() string {
	if r.Err != nil {
		return fmt.Sprintf("%s %s: no response: %v", r.Call.Method, r.Call.URL, r.Err)
	}
	body := string(r.Body)
	if len(body) > 600 {
		body = body[:600] + "…"
	}
	return fmt.Sprintf("%s %s → %d %s", r.Call.Method, r.Call.URL, r.Status, body)
}

// GetList calls Get User Favorite List.
func (k *Caller) GetList() *Response {
	return k.Do(Request{Method: http.MethodGet, Path: api.ListPath})
}

// CreateList calls Create User Favorite List with favs.
func (k *Caller) CreateList(favs ...api.Favorite) *Response {
	if favs == nil {
		favs = []api.Favorite{}
	}
	return k.Do(Request{Method: http.MethodPost, Path: api.ListPath, JSON: api.ListEnvelope{FavoriteList: &api.FavoriteList{Favorites: favs}}})
}

// UpdateList calls Update User Favorite List: favs replace the list's favorites.
func (k *Caller) UpdateList(listID string, revision api.Revision, favs []api.Favorite) *Response {
	if favs == nil {
		favs = []api.Favorite{}
	}
	body := map[string]any{"favoriteList": map[string]any{"revision": revision, "favorites": favs}}
	return k.Do(Request{Method: http.MethodPatch, Path: api.ListPath + "/" + url.PathEscape(listID), JSON: body})
}

// DeleteList calls Delete User Favorite List.
func (k *Caller) DeleteList(listID string) *Response {
	return k.Do(Request{Method: http.MethodDelete, Path: api.ListPath + "/" + url.PathEscape(listID)})
}

// AddFavorite calls Add User Favorite.
func (k *Caller) AddFavorite(f api.Favorite) *Response {
	return k.Do(Request{Method: http.MethodPost, Path: api.AddFavoritePath, JSON: api.FavoriteEnvelope{Favorite: &f}})
}

// DeleteFavorite calls Delete User Favorite.
func (k *Caller) DeleteFavorite(favoriteID string) *Response {
	return k.Do(Request{Method: http.MethodDelete, Path: api.DeleteFavoritePathPrefix + url.PathEscape(favoriteID)})
}

// Do sends req, validates the exchange, records it and decodes the body.
func (k *Caller) Do(req Request) *Response {
	ctx := k.c.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	return k.DoContext(ctx, req)
}

// DoContext is Do with a context (in place of the client's, if it has one).
func (k *Caller) DoContext(ctx context.Context, req Request) *Response {
	resp := &Response{}
	req.InvalidOnPurpose = req.InvalidOnPurpose || k.invalid
	if k.c.readOnly && req.Method != http.MethodGet && req.Method != http.MethodHead {
		resp.Err = fmt.Errorf("%s %s: %w", req.Method, req.Path, ErrWritesNotAllowed)
		return resp
	}
	if k.missing {
		resp.Err = fmt.Errorf("the target configuration has no identity for role %q", k.role)
		return resp
	}
	body := req.Body
	if body == nil && req.JSON != nil {
		b, err := json.Marshal(req.JSON)
		if err != nil {
			resp.Err = fmt.Errorf("client: encoding the request body: %w", err)
			return resp
		}
		body = b
	}
	u := strings.TrimRight(k.c.cfg.BaseURL, "/") + req.Path
	if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u, rd)
	if err != nil {
		resp.Err = fmt.Errorf("client: building %s %s: %w", req.Method, u, err)
		return resp
	}
	for name, v := range k.headers {
		hr.Header.Set(name, v)
	}
	if body != nil {
		ct := req.ContentType
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	call := Call{Role: k.role, InvalidOnPurpose: req.InvalidOnPurpose}
	call.Method, call.URL, call.RequestHeader, call.RequestBody = req.Method, validate.RedactedURL(hr.URL), hr.Header.Clone(), body

	start := time.Now()
	var hresp *http.Response
	release, err := func() {}, context.Cause(ctx) // a done context: the call is not sent
	if err == nil {
		release, err = k.c.breaker.enter(k.c.cfg.RequestTimeout())
	}
	if err == nil {
		hresp, err = k.c.http.Do(hr)
	}
	if err == nil {
		resp.Status, resp.Header = hresp.StatusCode, hresp.Header
		resp.Body, err = io.ReadAll(io.LimitReader(hresp.Body, MaxResponseBytes+1))
		hresp.Body.Close()
		if err == nil && len(resp.Body) > MaxResponseBytes {
			err = fmt.Errorf("response body is larger than %d bytes", MaxResponseBytes)
		}
		if err != nil {
			err = fmt.Errorf("reading the response body: %w", err)
		}
	}
	release()
	call.Duration = time.Since(start)
	k.c.breaker.record(err)
	if err != nil {
		resp.Err = explain(err, k.c.cfg)
		call.Err = resp.Err.Error()
	} else {
		call.Status, call.ResponseHeader, call.ResponseBody = resp.Status, resp.Header, resp.Body
		call.Operation, call.Violations = k.c.validator.Check(hr, body, resp.Status, resp.Header, resp.Body)
		for _, v := range call.Violations {
			if req.InvalidOnPurpose && v.In == validate.InRequest {
				continue
			}
			resp.Violations = append(resp.Violations, v)
		}
		resp.decode()
	}
	resp.Call = call
	if k.c.observe != nil {
		k.c.observe(call)
	}
	return resp
}

func (r *Response) decode() {
	if len(bytes.TrimSpace(r.Body)) == 0 {
		if r.Status == http.StatusOK {
			r.DecodeErr = errors.New("the 200 response has an empty body; a JSON object was expected")
		}
		return
	}
	if r.Status >= 400 {
		var e api.ErrorBody
		if err := json.Unmarshal(r.Body, &e); err != nil {
			r.DecodeErr = fmt.Errorf("the %d response's body is not Wix's JSON error body: %w", r.Status, err)
			return
		}
		r.Error = &e
		return
	}
	var env api.ListEnvelope
	if err := json.Unmarshal(r.Body, &env); err != nil {
		r.DecodeErr = fmt.Errorf("the %d response's body is not the expected JSON object: %w", r.Status, err)
		return
	}
	r.List = env.FavoriteList
}

// explain turns transport errors into messages that say what went wrong and where.
func explain(err error, cfg target.Config) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Timeout() {
		return fmt.Errorf("no answer within %s from %s (per-request timeout): %w", cfg.RequestTimeout(), cfg.DisplayURL(), err)
	}
	// A body still arriving when the timeout struck (a huge or a trickling body).
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return fmt.Errorf("no complete answer within %s from %s (per-request timeout): %w", cfg.RequestTimeout(), cfg.DisplayURL(), err)
	}
	return fmt.Errorf("talking to %s: %w", cfg.DisplayURL(), err)
}
