package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

// t0 is the fake clock's start, the docs' own sample date.
var t0 = time.Date(2024, 5, 19, 13, 5, 45, 684_000_000, time.UTC)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// env is one mock with a fake clock and a record of its changes.
type env struct {
	t     testing.TB
	m     *Mock
	clock *fakeClock
	ids   []identity.Identity

	mu      sync.Mutex
	changes []Change
}

func newEnv(t testing.TB, deviations ...string) *env {
	t.Helper()
	return newEnvWith(t, Options{Deviations: deviations})
}

func newEnvWith(t testing.TB, opts Options) *env {
	t.Helper()
	e := &env{t: t, clock: &fakeClock{t: t0}}
	if opts.Identities == nil {
		opts.Identities = identity.Default()
	}
	e.ids = opts.Identities
	opts.Now = e.clock.Now
	opts.OnChange = func(c Change) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.changes = append(e.changes, c)
	}
	m, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.m = m
	return e
}

func (e *env) ident(r identity.Role) identity.Identity {
	e.t.Helper()
	id, ok := identity.ByRole(e.ids, r)
	if !ok {
		e.t.Fatalf("no identity of role %s", r)
	}
	return id
}

func (e *env) token(r identity.Role) string {
	if r == "" {
		return ""
	}
	return e.ident(r).Token
}

func (e *env) takeChanges() []Change {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.changes
	e.changes = nil
	return c
}

// resp is one response.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// Paths.
const (
	listPath = api.ListPath
	addPath  = api.AddFavoritePath
)

func listIDPath(id string) string { return listPath + "/" + id }
func delFavPath(id string) string { return api.DeleteFavoritePathPrefix + id }

// do sends a request as role ("" for no Authorization header). body is a string sent as is, nil
// for none, or anything else, encoded as JSON.
func (e *env) do(role identity.Role, method, path string, body any) resp {
	e.t.Helper()
	return e.doToken(e.token(role), method, path, body)
}

func (e *env) doToken(token, method, path string, body any) resp {
	e.t.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		rd = bytes.NewReader(encode(e.t, b))
	}
	req := httptest.NewRequest(method, path, rd)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	e.m.ServeHTTP(rec, req)
	return resp{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func encode(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding %v: %v", v, err)
	}
	return bytes.TrimSpace(buf.Bytes())
}

// list decodes a {"favoriteList": ...} body, failing the test unless the status is 200.
func (r resp) list(t testing.TB) api.FavoriteList {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", r.status, r.body)
	}
	var env api.ListEnvelope
	if err := json.Unmarshal(r.body, &env); err != nil || env.FavoriteList == nil {
		t.Fatalf("body %s is not {\"favoriteList\": {...}} (%v)", r.body, err)
	}
	return *env.FavoriteList
}

// tryList decodes a list body, if there is one.
func (r resp) tryList() (api.FavoriteList, bool) {
	var env api.ListEnvelope
	if r.status != http.StatusOK || json.Unmarshal(r.body, &env) != nil || env.FavoriteList == nil {
		return api.FavoriteList{}, false
	}
	return *env.FavoriteList, true
}

// fav is a favorite as a client sends it.
type fav map[string]any

func favs(fs ...fav) []fav { return fs }

func sampleFav(n int) fav {
	return fav{"pageId": fmt.Sprintf("page-%d", n), "title": fmt.Sprintf("Page %d", n)}
}

func sampleFavs(n int) []fav {
	out := make([]fav, n)
	for i := range out {
		out[i] = sampleFav(i)
	}
	return out
}

func createBody(fs []fav) map[string]any {
	if fs == nil {
		fs = []fav{}
	}
	return map[string]any{"favoriteList": map[string]any{"favorites": fs}}
}

func updateBody(revision any, fs []fav) map[string]any {
	if fs == nil {
		fs = []fav{}
	}
	return map[string]any{"favoriteList": map[string]any{"revision": revision, "favorites": fs}}
}

func addBody(f fav) map[string]any { return map[string]any{"favorite": f} }

// create makes role's list, failing the test unless it answers 200.
func (e *env) create(role identity.Role, fs ...fav) api.FavoriteList {
	e.t.Helper()
	return e.do(role, http.MethodPost, listPath, createBody(fs)).list(e.t)
}

func (e *env) add(role identity.Role, f fav) api.FavoriteList {
	e.t.Helper()
	return e.do(role, http.MethodPost, addPath, addBody(f)).list(e.t)
}

// snapshot is every identity's current list, for "nothing changed" checks.
func (e *env) snapshot() map[string]*api.FavoriteList {
	s := map[string]*api.FavoriteList{}
	for _, id := range e.ids {
		if l, ok := e.m.List(id.WixUserID); ok {
			s[id.WixUserID] = &l
		} else {
			s[id.WixUserID] = nil
		}
	}
	return s
}

func (e *env) mustBeUnchanged(before map[string]*api.FavoriteList) {
	e.t.Helper()
	if after := e.snapshot(); !reflect.DeepEqual(before, after) {
		e.t.Errorf("state changed:\nbefore %s\nafter  %s", encode(e.t, before), encode(e.t, after))
	}
}

// Error body checks.

// errorShape decodes a Wix error body, failing unless it is exactly {"message", "details"} with
// one of applicationError and validationError.
func errorShape(t testing.TB, r resp) api.ErrorBody {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type %q, want application/json", ct)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatalf("error body %q is not a JSON object: %v", r.body, err)
	}
	for k := range raw {
		if k != "message" && k != "details" {
			t.Errorf("error body has unexpected key %q: %s", k, r.body)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	var eb api.ErrorBody
	if err := dec.Decode(&eb); err != nil {
		t.Fatalf("error body %s: %v", r.body, err)
	}
	if eb.Message == "" {
		t.Errorf("error body %s has no message", r.body)
	}
	if eb.Details == nil || (eb.Details.ApplicationError == nil) == (eb.Details.ValidationError == nil) {
		t.Fatalf("error body %s: details must hold exactly one of applicationError, validationError", r.body)
	}
	if ae := eb.Details.ApplicationError; ae != nil && (ae.Code == "" || ae.Description == "") {
		t.Errorf("error body %s: applicationError needs code and description", r.body)
	}
	if ve := eb.Details.ValidationError; ve != nil {
		if len(ve.FieldViolations) == 0 {
			t.Errorf("error body %s: validationError without fieldViolations", r.body)
		}
		for _, v := range ve.FieldViolations {
			if v.Field == "" || v.Description == "" || v.ViolatedRule == "" {
				t.Errorf("error body %s: field violation %+v lacks field, description or violatedRule", r.body, v)
			}
		}
	}
	return eb
}

// wantAppError checks status and applicationError code.
func wantAppError(t testing.TB, r resp, status int, code string) api.ErrorBody {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	eb := errorShape(t, r)
	if eb.Details.ApplicationError == nil || eb.Details.ApplicationError.Code != code {
		t.Fatalf("body %s, want applicationError code %s", r.body, code)
	}
	return eb
}

// wantViolation checks status and that a field violation names field and rule.
func wantViolation(t testing.TB, r resp, status int, field, rule string) api.ErrorBody {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	eb := errorShape(t, r)
	if eb.Details.ValidationError == nil {
		t.Fatalf("body %s, want a validationError", r.body)
	}
	for _, v := range eb.Details.ValidationError.FieldViolations {
		if v.Field == field && (rule == "" || v.ViolatedRule == rule) {
			return eb
		}
	}
	t.Fatalf("body %s, want a violation of %s on %q", r.body, rule, field)
	return eb
}

// Formats.

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

func fmtDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func isGUID36(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36 && strings.Count(s, "-") == 4
}

func favIDs(l api.FavoriteList) []string {
	ids := make([]string, len(l.Favorites))
	for i, f := range l.Favorites {
		ids[i] = f.ID
	}
	return ids
}

func pageIDs(l api.FavoriteList) []string {
	ids := make([]string, len(l.Favorites))
	for i, f := range l.Favorites {
		ids[i] = f.PageID
	}
	return ids
}
