package proxy_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/proxy"
)

// countingTarget is a target answering with its handler; it counts the requests it got and the
// connections the proxy opened to it.
type countingTarget struct {
	*httptest.Server
	conns    atomic.Int32
	requests atomic.Int32
}

func startCountingTarget(t *testing.T, idleTimeout time.Duration, h http.HandlerFunc) *countingTarget {
	t.Helper()
	ct := &countingTarget{}
	ct.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct.requests.Add(1)
		h(w, r)
	}))
	ct.Config.IdleTimeout = idleTimeout
	ct.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			ct.conns.Add(1)
		}
	}
	ct.Start()
	t.Cleanup(ct.Close)
	return ct
}

func emptyList(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"favoriteList":{"id":"a","revision":"1","favorites":[]}}`)
}

func send(t *testing.T, method, url, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, url+api.ListPath, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", token(identity.User))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusBadGateway {
		t.Fatalf("%s through the proxy: 502 %s", method, b)
	}
	return resp.StatusCode
}

// A target that closes the connections it keeps idle (a Node server does after 5 s) must not
// make a later exchange fail, a write included, which the proxy may not send twice.
func TestAConnectionTheTargetClosedWhileIdleIsNotReused(t *testing.T) {
	ct := startCountingTarget(t, 30*time.Millisecond, emptyList)
	r := start(t, ct.URL, proxy.Options{})
	send(t, http.MethodGet, r.url, "")
	time.Sleep(300 * time.Millisecond) // the target closes the kept connection meanwhile
	send(t, http.MethodPost, r.url, `{"favorite":{"pageId":"p1","title":"t"}}`)
	if got := ct.requests.Load(); got != 2 {
		t.Fatalf("the target got %d requests, want 2: the write must be sent once", got)
	}
	if got := ct.conns.Load(); got != 2 {
		t.Fatalf("the proxy opened %d connections to the target, want 2 (one closed while idle)", got)
	}
}

// The proxy keeps its connections to the target between exchanges, and gives one up when the
// target says Connection: close.
func TestConnectionsToTheTargetAreKeptUnlessItCloses(t *testing.T) {
	kept := startCountingTarget(t, 0, emptyList)
	rk := start(t, kept.URL, proxy.Options{})
	closing := startCountingTarget(t, 0, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		emptyList(w, r)
	})
	rc := start(t, closing.URL, proxy.Options{})
	chunked := startCountingTarget(t, 0, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"favoriteList":{"id":"a","revision":"1",`)
		w.(http.Flusher).Flush() // no Content-Length: the body comes chunked
		_, _ = io.WriteString(w, `"favorites":[]}}`)
	})
	rch := start(t, chunked.URL, proxy.Options{})
	for range 5 {
		for _, r := range []*rig{rk, rc, rch} {
			if got := send(t, http.MethodGet, r.url, ""); got != http.StatusOK {
				t.Fatalf("GET through the proxy: %d, want 200", got)
			}
		}
	}
	for name, c := range map[string]struct {
		target *countingTarget
		want   int32
	}{"keeping": {kept, 1}, "closing": {closing, 5}, "chunked": {chunked, 1}} {
		if got := c.target.conns.Load(); got != c.want {
			t.Errorf("%s target: %d connections for 5 sequential exchanges, want %d", name, got, c.want)
		}
	}
	for _, r := range []*rig{rk, rc, rch} {
		if s := r.p.Stats(); s.Exchanges != 5 || s.Answered != 5 || s.Errors != 0 {
			t.Errorf("stats %+v, want 5 answered exchanges", s)
		}
	}
}

// Many clients at once share the kept connections without mixing their answers.
func TestConcurrentClientsGetTheirOwnAnswers(t *testing.T) {
	ct := startCountingTarget(t, 0, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"favoriteList":{"id":"a","revision":%q,"favorites":[]}}`, r.URL.Query().Get("n"))
	})
	r := start(t, ct.URL, proxy.Options{})
	const clients, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, clients*each)
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				n := fmt.Sprint(c*each + i)
				req, _ := http.NewRequest(http.MethodGet, r.url+api.ListPath+"?n="+n, nil)
				req.Header.Set("Authorization", token(identity.User))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if want := fmt.Sprintf(`"revision":%q`, n); resp.StatusCode != 200 || !strings.Contains(string(b), want) {
					errs <- fmt.Errorf("request %s: %d %s, want 200 with %s", n, resp.StatusCode, b, want)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := ct.conns.Load(); got > clients {
		t.Errorf("%d connections to the target for %d clients", got, clients)
	}
}

// A target that answers before reading the whole request (a 413 for a body too large) and closes
// the connection: the client gets that answer, not a 502 for the write the target cut short.
func TestAnAnswerBeforeTheWholeRequestIsPassedOn(t *testing.T) {
	ct := startCountingTarget(t, 0, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusRequestEntityTooLarge) // without reading the body
	})
	r := start(t, ct.URL, proxy.Options{})
	if got := send(t, http.MethodPost, r.url, strings.Repeat("x", 8<<20)); got != http.StatusRequestEntityTooLarge {
		t.Fatalf("POST of 8 MiB through the proxy: %d, want the target's 413", got)
	}
}
