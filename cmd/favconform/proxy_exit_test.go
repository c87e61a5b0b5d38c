package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/proxy"
)

// A session whose target never answered is not a clean one: exit 3.
func TestProxyCommandExitsUnreachableWhenTheTargetNeverAnswered(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	p := startProxy(t, nil, "--target", deadURL)
	if resp := send(t, "GET", p.url+api.ListPath, userToken(t), ""); resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("want the proxy's 502 for a dead target, got %d", resp.StatusCode)
	}
	code := p.stop(t)
	stdout, stderr := p.output()
	if code != 3 {
		t.Fatalf("exit %d, want 3 (no exchange got an answer from the target)\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "1 without an answer from the target") || !strings.Contains(stderr, "the target answered none of the 1 exchange(s)") {
		t.Fatalf("want the counts and the reason of the exit code:\nstdout: %s\nstderr: %s", stdout, stderr)
	}
}

// Some exchanges without an answer, none with violations: exit 1.
func TestProxyCommandExitsNonconformingWhenSomeExchangesGotNoAnswer(t *testing.T) {
	m, err := mock.New(mock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Drop") != "" {
			panic(http.ErrAbortHandler) // drops the connection without an answer
		}
		m.ServeHTTP(w, r)
	}))
	defer flaky.Close()
	p := startProxy(t, nil, "--target", flaky.URL)
	tok := userToken(t)
	if resp := send(t, "POST", p.url+api.ListPath, tok, `{"favoriteList":{"favorites":[{"pageId":"p","title":"My Page"}]}}`); resp.StatusCode != 200 || resp.Header.Get(proxy.ViolationsHeader) != "0" {
		t.Fatalf("want a clean 200, got %d %q", resp.StatusCode, resp.Header.Get(proxy.ViolationsHeader))
	}
	req, _ := http.NewRequest("GET", p.url+api.ListPath, nil)
	req.Header.Set("Authorization", tok)
	req.Header.Set("X-Drop", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("want the proxy's 502 for a dropped connection, got %d", resp.StatusCode)
	}
	if code := p.stop(t); code != 1 {
		o, e := p.output()
		t.Fatalf("exit %d, want 1 (an exchange got no answer)\n%s\n%s", code, o, e)
	}
}

// A hanging target: the client gets a 502 past --upstream-timeout, and a SIGTERM while the
// exchange is under way waits for it, so the report lists it.
func TestProxyCommandUpstreamTimeoutAndShutdownWait(t *testing.T) {
	got := make(chan struct{}, 1)
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	defer close(release)
	reportPath := filepath.Join(t.TempDir(), "session.json")
	p := startProxy(t, nil, "--target", hang.URL, "--upstream-timeout", "1s", "--report", reportPath)
	answered := make(chan int, 1)
	go func() {
		resp, err := http.Get(p.url + api.ListPath)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	<-got
	code := p.stop(t) // SIGTERM while the exchange waits for the target
	stdout, stderr := p.output()
	if status := <-answered; status != http.StatusBadGateway {
		t.Fatalf("the client must get the proxy's 502 after the upstream timeout, got %d\n%s", status, stderr)
	}
	if code != 3 {
		t.Fatalf("exit %d, want 3\n%s\n%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep proxy.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Exchanges != 1 || rep.Summary.Errors != 1 || len(rep.Exchanges) != 1 || !strings.Contains(rep.Exchanges[0].Error, "did not answer within 1s") {
		t.Fatalf("the report must list the timed-out exchange:\n%s", b)
	}
}

// The proxy's server refuses request headers past its cap instead of holding them.
func TestProxyCommandCapsRequestHeaders(t *testing.T) {
	var hits atomic.Int32
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer counting.Close()
	p := startProxy(t, nil, "--target", counting.URL)
	req, _ := http.NewRequest("GET", p.url+api.ListPath, nil)
	req.Header.Set("X-Pad", strings.Repeat("p", 600<<10)) // under Go's default of 1 MiB
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || hits.Load() != 0 {
		t.Fatalf("600 KiB of request headers: want the proxy's 431, got %d after %d forwarded request(s)", resp.StatusCode, hits.Load())
	}
	p.stop(t)
}

func TestProxyCommandHelpNamesTheExitCodesAndTimeout(t *testing.T) {
	r := favconform(t, nil, "proxy", "--help")
	for _, want := range []string{"--upstream-timeout", "3 the target answered none", "without an answer"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("--help must mention %q:\n%s", want, r.stderr)
		}
	}
	for _, bad := range []string{"0s", "-1s", "soon"} {
		if r := favconform(t, nil, "proxy", "--target", "http://127.0.0.1:9", "--upstream-timeout", bad); r.code != 2 || !strings.Contains(r.stderr, "upstream-timeout") {
			t.Errorf("--upstream-timeout %s: exit %d, want 2 naming the flag:\n%s", bad, r.code, r.stderr)
		}
	}
}
