package proxy_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/proxy"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
)

// syncBuffer is a log sink safe for the proxy's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type rig struct {
	p         *proxy.Proxy
	url       string
	log       *syncBuffer
	mu        sync.Mutex
	exchanges []validate.Exchange
}

func (r *rig) seen() []validate.Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]validate.Exchange{}, r.exchanges...)
}

// start runs a proxy to targetURL on an httptest server.
func start(t *testing.T, targetURL string, opts proxy.Options) *rig {
	t.Helper()
	u, err := url.Parse(targetURL)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{log: &syncBuffer{}}
	opts.Log = r.log
	opts.OnExchange = func(x validate.Exchange) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.exchanges = append(r.exchanges, x)
	}
	r.p, err = proxy.New(u, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r.p)
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

func startMock(t *testing.T, deviations ...string) *mock.Server {
	t.Helper()
	srv, err := mock.NewServer(mock.Options{Deviations: deviations})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// user is a typed client acting as the mock's user, through baseURL.
func user(t *testing.T, baseURL string) *client.Caller {
	t.Helper()
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	return client.New(target.ForMock(baseURL, identity.Default()), v, nil).As(identity.User)
}

func token(role identity.Role) string {
	for _, id := range identity.Default() {
		if id.Role == role {
			return id.Token
		}
	}
	panic("no identity for " + role)
}

// sampleFlow runs the docs' sample flow and returns the responses.
func sampleFlow(t *testing.T, me *client.Caller) []*client.Response {
	t.Helper()
	var out []*client.Response
	must := func(r *client.Response) *client.Response {
		t.Helper()
		out = append(out, r)
		if r.Err != nil || r.Status != http.StatusOK || r.List == nil && r.Call.Operation != "deleteUserFavoriteList" {
			t.Fatalf("%s", r.Describe())
		}
		return r
	}
	created := must(me.CreateList(api.Favorite{PageID: "3893d33b-24a1-474b-80b0-dd7c32e20bfb", Title: "Existing favorite page"}))
	must(me.GetList())
	l := created.List
	must(me.UpdateList(l.ID, l.Revision, []api.Favorite{{ID: l.Favorites[0].ID, PageID: l.Favorites[0].PageID, Title: "Renamed"}}))
	added := must(me.AddFavorite(api.Favorite{PageID: "3893d33b-9fm4-474b-80b0-dd7c32e20bfc", RelativeURL: "/limited-edition/analytics", Title: "Limited Edition Products Analytics"}))
	must(me.DeleteFavorite(added.List.Favorites[1].ID))
	must(me.DeleteList(l.ID))
	return out
}

func TestConformingTargetPassesThroughClean(t *testing.T) {
	m := startMock(t)
	r := start(t, m.URL, proxy.Options{})
	responses := sampleFlow(t, user(t, r.url))
	for _, resp := range responses {
		if got := resp.Header.Get(proxy.ViolationsHeader); got != "0" {
			t.Errorf("%s: %s = %q, want 0", resp.Call.Operation, proxy.ViolationsHeader, got)
		}
		if len(resp.Violations) > 0 {
			t.Errorf("%s: the client saw violations through the proxy: %v", resp.Call.Operation, resp.Violations)
		}
	}
	if log := r.log.String(); log != "" {
		t.Errorf("a clean session logs nothing, got:\n%s", log)
	}
	if s := r.p.Stats(); s.Exchanges != len(responses) || s.WithViolations != 0 || s.Errors != 0 {
		t.Errorf("stats %+v, want %d clean exchanges", s, len(responses))
	}
	got := r.seen()
	if len(got) != len(responses) {
		t.Fatalf("OnExchange saw %d exchanges, want %d", len(got), len(responses))
	}
	wantOps := []string{"createUserFavoriteList", "getUserFavoriteList", "updateUserFavoriteList", "addUserFavorite", "deleteUserFavorite", "deleteUserFavoriteList"}
	for i, x := range got {
		if x.Operation != wantOps[i] || x.Status != 200 || !strings.HasPrefix(x.URL, m.URL) {
			t.Errorf("exchange %d: %s %s → %d (%s), want %s to the target", i, x.Method, x.URL, x.Status, x.Operation, wantOps[i])
		}
	}
	// The state really is the target's: the mock holds no list after the flow.
	if resp := user(t, m.URL).GetList(); resp.Status != http.StatusNotFound {
		t.Errorf("after the flow the target must hold no list, got %s", resp.Describe())
	}
}

func TestViolationsAreLoggedAndListedInHeaders(t *testing.T) {
	m := startMock(t, "revision-as-number")
	r := start(t, m.URL, proxy.Options{})
	resp := user(t, r.url).CreateList(api.Favorite{PageID: "p", Title: "My Page"})
	if resp.Status != http.StatusOK {
		t.Fatalf("the target's answer must pass through, got %s", resp.Describe())
	}
	if !bytes.Contains(resp.Body, []byte(`"revision":1`)) {
		t.Fatalf("the body must pass through unchanged, got %s", resp.Body)
	}
	if got := resp.Header.Get(proxy.ViolationsHeader); got != "1" {
		t.Fatalf("%s = %q, want 1", proxy.ViolationsHeader, got)
	}
	values := resp.Header.Values(proxy.ViolationHeader)
	if len(values) != 1 || !strings.Contains(values[0], "createUserFavoriteList response /favoriteList/revision: expected type string") {
		t.Fatalf("%s = %q, want the operation, pointer and expectation", proxy.ViolationHeader, values)
	}
	log := r.log.String()
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one log line per violation, got:\n%s", log)
	}
	for _, want := range []string{"#1 POST /dashboard/v1/user-favorite-list", "→ 200", "createUserFavoriteList", "/favoriteList/revision", "expected type string"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("the log line must contain %q: %s", want, lines[0])
		}
	}
	if s := r.p.Stats(); s.Exchanges != 1 || s.WithViolations != 1 || s.Violations != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestRequestViolationsAreReportedToo(t *testing.T) {
	m := startMock(t)
	r := start(t, m.URL, proxy.Options{})
	resp := user(t, r.url).Invalid().AddFavorite(api.Favorite{PageID: "p", Title: strings.Repeat("x", 41)})
	if resp.Status != http.StatusBadRequest {
		t.Fatalf("the mock refuses a 41-character title: %s", resp.Describe())
	}
	if resp.Header.Get(proxy.ViolationsHeader) != "1" || !strings.Contains(resp.Header.Get(proxy.ViolationHeader), "addUserFavorite request /favorite/title") {
		t.Fatalf("want the request's violation in the headers, got %q %q", resp.Header.Get(proxy.ViolationsHeader), resp.Header.Values(proxy.ViolationHeader))
	}
}

func TestFailOnViolationAnswers502InWixShape(t *testing.T) {
	m := startMock(t, "revision-as-number")
	r := start(t, m.URL, proxy.Options{FailOnViolation: true})
	resp := user(t, r.url).CreateList(api.Favorite{PageID: "p", Title: "My Page"})
	if resp.Status != http.StatusBadGateway {
		t.Fatalf("want 502, got %s", resp.Describe())
	}
	if resp.Error == nil || resp.Error.Details == nil || resp.Error.Details.ApplicationError == nil {
		t.Fatalf("want Wix's error shape, got %s", resp.Body)
	}
	ae := resp.Error.Details.ApplicationError
	if ae.Code != proxy.ViolationCode || !strings.Contains(resp.Error.Message, "/favoriteList/revision") || !strings.Contains(resp.Error.Message, "target answered 200") {
		t.Fatalf("the error must name the code and the violations: %s", resp.Body)
	}
	vs, _ := json.Marshal(ae.Data["violations"])
	if !bytes.Contains(vs, []byte(`"pointer":"/favoriteList/revision"`)) {
		t.Fatalf("the error data must list the violations: %s", resp.Body)
	}
	if resp.Header.Get("X-Wix-Request-Id") == "" {
		t.Error("the target's request id must be kept (the SDK reads it)")
	}
	if resp.Header.Get(proxy.ViolationsHeader) != "1" {
		t.Errorf("the 502 carries the violation headers too, got %q", resp.Header.Get(proxy.ViolationsHeader))
	}
	if !strings.Contains(r.log.String(), "answered 502") {
		t.Errorf("the log must say the answer was replaced:\n%s", r.log)
	}
	// A clean exchange is still passed through.
	if resp := user(t, r.url).GetList(); resp.Status != http.StatusOK && resp.Status != http.StatusBadGateway {
		t.Fatalf("unexpected %s", resp.Describe())
	}
	ok := start(t, startMock(t).URL, proxy.Options{FailOnViolation: true})
	if resp := user(t, ok.url).CreateList(api.Favorite{PageID: "p", Title: "t"}); resp.Status != http.StatusOK {
		t.Fatalf("a conforming exchange must pass with --fail-on-violation: %s", resp.Describe())
	}
}

// A target that echoes secrets: they must appear in no output of the proxy.
func TestTokensAndSecretsNeverLeak(t *testing.T) {
	const tok = "tok-s3cret-value-123"
	const configured = "configured-secret-456"
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Cookie", "session="+tok)
		fmt.Fprintf(w, `{"favoriteList":{"id":%q,"revision":"1","favorites":[{"id":%q,"pageId":"p","title":"t"}]}}`, r.Header.Get("Authorization"), configured)
	}))
	defer bad.Close()
	r := start(t, bad.URL, proxy.Options{Secrets: []string{configured}})
	req, _ := http.NewRequest("GET", r.url+api.ListPath+"?key="+configured, nil)
	req.Header.Set("Authorization", tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte(tok)) {
		t.Fatal("the target's body must reach the client unchanged (the proxy redacts its own outputs only)")
	}
	if resp.Header.Get(proxy.ViolationsHeader) == "0" {
		t.Fatal("the bad ids must be reported")
	}
	path := filepath.Join(t.TempDir(), "session.json")
	if err := r.p.WriteReport(path); err != nil {
		t.Fatal(err)
	}
	rep, _ := os.ReadFile(path)
	xs, _ := json.Marshal(r.seen())
	outputs := map[string]string{
		"log":                      r.log.String(),
		"violation headers":        strings.Join(resp.Header.Values(proxy.ViolationHeader), "\n"),
		"OnExchange":               string(xs),
		"report":                   string(rep),
		"base64 OnExchange bodies": decodeBodies(r.seen()),
	}
	for name, out := range outputs {
		if out == "" && name != "base64 OnExchange bodies" {
			t.Errorf("%s is empty: the test would prove nothing", name)
		}
		for _, secret := range []string{tok, configured} {
			if strings.Contains(out, secret) {
				t.Errorf("%s leaks %q:\n%s", name, secret, out)
			}
		}
	}
	if !strings.Contains(string(rep), proxy.Redacted) {
		t.Errorf("the report must show where values were removed:\n%s", rep)
	}
}

func decodeBodies(xs []validate.Exchange) string {
	var b strings.Builder
	for _, x := range xs {
		b.Write(x.RequestBody)
		b.Write(x.ResponseBody)
	}
	return b.String()
}

func TestSessionReport(t *testing.T) {
	m := startMock(t, "revision-as-number")
	r := start(t, m.URL, proxy.Options{})
	me := user(t, r.url)
	me.CreateList(api.Favorite{PageID: "p", Title: "t"})
	me.Invalid().Do(client.Request{Method: "GET", Path: api.ListPath + "s"}) // an undocumented path
	path := filepath.Join(t.TempDir(), "sub", "session.json")
	if err := r.p.WriteReport(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep proxy.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("the report is not JSON: %v\n%s", err, b)
	}
	if rep.SchemaVersion != 1 || rep.Target != m.URL || rep.Summary.Exchanges != 2 || rep.Summary.WithViolations != 2 || len(rep.Exchanges) != 2 {
		t.Fatalf("unexpected report: %+v", rep)
	}
	x := rep.Exchanges[0]
	if x.Seq != 1 || x.Operation != "createUserFavoriteList" || x.Violations[0].Pointer != "/favoriteList/revision" || x.RequestHeader.Get("Authorization") != proxy.Redacted {
		t.Fatalf("unexpected first exchange: %+v", x)
	}
	// Bodies are kept as JSON, not base64.
	if !bytes.Contains(b, []byte(`"responseBody": {`)) {
		t.Fatalf("bodies must read as JSON in the report:\n%s", b)
	}
	if rep.Exchanges[1].Violations[0].Pointer != "path" {
		t.Fatalf("the undocumented path must be reported: %+v", rep.Exchanges[1])
	}
}

func TestViolationHeadersAreCapped(t *testing.T) {
	var favs []string
	for i := range 15 {
		favs = append(favs, fmt.Sprintf(`{"id":"fav-%d","pageId":"p","title":"t"}`, i))
	}
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"favoriteList":{"id":"b8216af7-cf7c-4860-8014-54e4824a1745","revision":"1","createdDate":"2024-05-19T13:05:45.684Z","updatedDate":"2024-05-19T13:05:45.684Z","favorites":[%s]}}`, strings.Join(favs, ","))
	}))
	defer bad.Close()
	r := start(t, bad.URL, proxy.Options{})
	resp := user(t, r.url).GetList()
	if got := resp.Header.Get(proxy.ViolationsHeader); got != "15" {
		t.Fatalf("%s = %q, want 15\n%s", proxy.ViolationsHeader, got, r.log)
	}
	values := resp.Header.Values(proxy.ViolationHeader)
	if len(values) != proxy.MaxViolationHeaders+1 || values[proxy.MaxViolationHeaders] != "… and 5 more" {
		t.Fatalf("want %d values and a last one counting the rest, got %d: %q", proxy.MaxViolationHeaders+1, len(values), values)
	}
	if n := strings.Count(r.log.String(), "\n"); n != 15 {
		t.Fatalf("the log has every violation, one line each: got %d lines", n)
	}
}

func TestUnreachableTarget(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	r := start(t, deadURL, proxy.Options{})
	resp := user(t, r.url).GetList()
	if resp.Status != http.StatusBadGateway || resp.Error == nil || !strings.Contains(resp.Error.Message, "no usable answer from the target") {
		t.Fatalf("want a Wix-shaped 502 saying the target did not answer, got %s", resp.Describe())
	}
	if s := r.p.Stats(); s.Errors != 1 {
		t.Fatalf("stats %+v, want one error", s)
	}
	if x := r.seen(); len(x) != 1 || x[0].Err == "" {
		t.Fatalf("the exchange must carry the error: %+v", x)
	}
	if !strings.Contains(r.log.String(), "#1 GET /dashboard/v1/user-favorite-list: no usable answer") {
		t.Fatalf("the failure must be logged:\n%s", r.log)
	}
}

func TestTargetBasePathAndQueryAreKept(t *testing.T) {
	m, err := mock.New(mock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var sawQuery atomic.Value
	base := httptest.NewServer(http.StripPrefix("/gateway", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawQuery.Store(r.URL.RawQuery)
		m.ServeHTTP(w, r)
	})))
	defer base.Close()
	r := start(t, base.URL+"/gateway", proxy.Options{})
	me := user(t, r.url)
	created := me.CreateList(api.Favorite{PageID: "p", Title: "t"})
	if created.Status != 200 || created.Header.Get(proxy.ViolationsHeader) != "0" {
		t.Fatalf("the base path must prefix the forwarded path: %s", created.Describe())
	}
	// The SDK repeats the id in the query; it must reach the target as sent.
	q := url.Values{"favoriteListId": {created.List.ID}}
	resp := me.Do(client.Request{Method: "DELETE", Path: api.ListPath + "/" + created.List.ID, Query: q})
	if resp.Status != 200 || sawQuery.Load() != q.Encode() {
		t.Fatalf("the query must be forwarded exactly: got %q, %s", sawQuery.Load(), resp.Describe())
	}
}

// A target that compresses: the proxy validates the decoded body and hands the client JSON.
func TestCompressedResponsesAreValidatedDecoded(t *testing.T) {
	m, err := mock.New(mock.Options{Deviations: []string{"revision-as-number"}})
	if err != nil {
		t.Fatal(err)
	}
	gz := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			m.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(rec.Code)
		zw := gzip.NewWriter(w)
		zw.Write(rec.Body.Bytes())
		zw.Close()
	}))
	defer gz.Close()
	r := start(t, gz.URL, proxy.Options{})
	req, _ := http.NewRequest("POST", r.url+api.ListPath, strings.NewReader(`{"favoriteList":{"favorites":[]}}`))
	req.Header.Set("Authorization", token(identity.User))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Encoding", "gzip, br")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !json.Valid(body) || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("want a plain JSON body, got %q (Content-Encoding %q)", body, resp.Header.Get("Content-Encoding"))
	}
	if resp.Header.Get(proxy.ViolationsHeader) != "1" || !strings.Contains(resp.Header.Get(proxy.ViolationHeader), "/favoriteList/revision") {
		t.Fatalf("the decoded body must be validated: %q", resp.Header.Values(proxy.ViolationHeader))
	}
}

func TestOversizedRequestIsNotForwarded(t *testing.T) {
	var hits atomic.Int32
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer counting.Close()
	r := start(t, counting.URL, proxy.Options{})
	req, _ := http.NewRequest("POST", r.url+api.ListPath, bytes.NewReader(make([]byte, proxy.MaxBodyBytes+1)))
	req.Header.Set("Authorization", "t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || hits.Load() != 0 {
		t.Fatalf("want 413 without forwarding, got %d after %d forwarded request(s)", resp.StatusCode, hits.Load())
	}
}

func TestNewRefusesBadTargets(t *testing.T) {
	for _, raw := range []string{"ftp://example.com", "http://", "http://example.com/?a=b", "/relative"} {
		u, _ := url.Parse(raw)
		if _, err := proxy.New(u, proxy.Options{}); err == nil {
			t.Errorf("%q: want an error", raw)
		}
	}
	if _, err := proxy.New(nil, proxy.Options{}); err == nil {
		t.Error("nil target: want an error")
	}
}

func TestConcurrentExchanges(t *testing.T) {
	m := startMock(t)
	r := start(t, m.URL, proxy.Options{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			role := []identity.Role{identity.User, identity.SecondUser}[i%2]
			v, _ := validate.Default()
			c := client.New(target.ForMock(r.url, identity.Default()), v, nil).As(role)
			c.GetList()
			c.AddFavorite(api.Favorite{PageID: fmt.Sprintf("p%d", i), Title: "t"})
		})
	}
	wg.Wait()
	if s := r.p.Stats(); s.Exchanges != 16 || s.WithViolations != 0 {
		t.Fatalf("stats %+v, want 16 clean exchanges", s)
	}
}
