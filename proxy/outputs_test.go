package proxy_test

import (
	"bytes"
	"context"
	"encoding/base64"
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
	"testing"
	"time"
	"unicode/utf8"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/proxy"
	"github.com/favconform/favconform/validate"
)

// leakCheck greps outputs for every form internal/redact knows of each credential.
func leakCheck(t *testing.T, outputs map[string]string, credentials []string) {
	t.Helper()
	for name, out := range outputs {
		if out == "" {
			t.Errorf("%s is empty: the test would prove nothing", name)
		}
		for _, c := range credentials {
			for _, form := range redact.Forms(c) {
				if strings.Contains(out, form) {
					t.Errorf("%s leaks %q (as %q)", name, c, form)
				}
			}
		}
	}
}

// A target echoing every credential of the request (and one it set itself) into its headers and
// body, raw and in every encoding: no output of the proxy may carry any of them.
func TestCredentialsNeverLeakInAnyForm(t *testing.T) {
	const (
		bearer        = "auth-credential-0001"
		proxyPassword = "proxy-password-0002"
		cookieA       = "cookie-value-0003"
		cookieB       = "cookie-value-0004"
		apiKey        = "api-key-value-0005"
		customToken   = "custom-token-0006"
		queryToken    = "query-token-0007"
		queryAccess   = "query/access+0008" // needs escaping in a query
		targetSession = "target-session-0009"
		configured    = "configured-secret-0010"
	)
	basic := base64.StdEncoding.EncodeToString([]byte("user:" + proxyPassword))
	credentials := []string{bearer, basic, proxyPassword, cookieA, cookieB, apiKey, customToken, queryToken, queryAccess, targetSession, configured}

	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var lines []string
		for name, vs := range r.Header {
			for _, v := range vs {
				w.Header().Add("X-Echo-"+name, v)
				lines = append(lines, name+": "+v)
			}
		}
		w.Header().Set("X-Echo-Query", r.URL.RawQuery)
		w.Header().Set("Set-Cookie", "sess="+targetSession+"; Path=/; HttpOnly")
		var forms []string
		for _, c := range credentials {
			forms = append(forms, redact.Forms(c)...)
		}
		var favorites []map[string]string
		for _, c := range credentials { // each one a bad id: a violation quoting it whole
			favorites = append(favorites, map[string]string{"id": c, "pageId": "p", "title": "t"})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"favoriteList": map[string]any{"id": "b8216af7-cf7c-4860-8014-54e4824a1745", "revision": "1",
				"createdDate": "2024-05-19T13:05:45.684Z", "updatedDate": "2024-05-19T13:05:45.684Z", "favorites": favorites},
			"echo": map[string]any{"headers": lines, "query": r.URL.RawQuery, "forms": forms},
		})
	}))
	defer echo.Close()

	for _, failOn := range []bool{false, true} {
		t.Run(fmt.Sprintf("FailOnViolation=%v", failOn), func(t *testing.T) {
			r := start(t, echo.URL, proxy.Options{Secrets: []string{configured}, FailOnViolation: failOn})
			q := url.Values{"token": {queryToken}, "access_token": {queryAccess}, "page": {"1"}}
			req, _ := http.NewRequest("GET", r.url+api.ListPath+"?"+q.Encode(), nil)
			req.Header.Set("Authorization", "Bearer "+bearer)
			req.Header.Set("Proxy-Authorization", "Basic "+basic)
			req.Header.Set("Cookie", "sid="+cookieA+"; theme=dark; csrf="+cookieB)
			req.Header.Set("X-Api-Key", apiKey)
			req.Header.Set("X-Custom-Token", customToken)
			req.Header.Set("X-Configured", configured)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.Header.Get(proxy.ViolationsHeader) == "" || resp.Header.Get(proxy.ViolationsHeader) == "0" {
				t.Fatalf("the bad ids must be reported, got %s = %q", proxy.ViolationsHeader, resp.Header.Get(proxy.ViolationsHeader))
			}
			settle(t, r.p)
			path := filepath.Join(t.TempDir(), "session.json")
			if err := r.p.WriteReport(path); err != nil {
				t.Fatal(err)
			}
			rep, _ := os.ReadFile(path)
			xs, _ := json.Marshal(r.seen())
			var favconformHeaders []string
			for name, vs := range resp.Header {
				if strings.HasPrefix(name, "X-Favconform-") {
					favconformHeaders = append(favconformHeaders, name+": "+strings.Join(vs, "\n"))
				}
			}
			outputs := map[string]string{
				"log":                      r.log.String(),
				"X-Favconform-* headers":   strings.Join(favconformHeaders, "\n"),
				"OnExchange (JSON)":        string(xs),
				"OnExchange bodies":        decodeBodies(r.seen()),
				"OnExchange headers / URL": exchangeText(r.seen()),
				"report":                   string(rep),
			}
			if failOn {
				outputs["502 body"] = string(body)
			}
			leakCheck(t, outputs, credentials)
			if !strings.Contains(string(rep), redact.Mark) {
				t.Errorf("the report must show where values were removed:\n%s", rep)
			}
		})
	}
}

// settle waits for the exchanges in flight: a client has its answer a moment before the proxy
// has counted and recorded the exchange.
func settle(t *testing.T, p *proxy.Proxy) {
	t.Helper()
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func exchangeText(xs []validate.Exchange) string {
	var b strings.Builder
	for _, x := range xs {
		b.WriteString(x.URL + "\n" + x.Err + "\n")
		for _, h := range []http.Header{x.RequestHeader, x.ResponseHeader} {
			for k, vs := range h {
				b.WriteString(k + ": " + strings.Join(vs, ", ") + "\n")
			}
		}
		for _, v := range x.Violations {
			b.WriteString(v.String() + " " + v.Message + "\n")
		}
	}
	return b.String()
}

// A credential seen in one exchange is removed from every other exchange's record too, however
// late it comes back.
func TestCredentialsOfOneExchangeAreRemovedFromOthers(t *testing.T) {
	const cookie = "first-exchange-cookie-0011"
	var mu sync.Mutex
	var seen []string
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if c := r.Header.Get("Cookie"); c != "" {
			seen = append(seen, c)
		}
		text := strings.Join(seen, ",")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"favoriteList":{"id":%q}}`, text)
	}))
	defer echo.Close()
	r := start(t, echo.URL, proxy.Options{})
	for i, c := range []string{"sid=" + cookie, ""} {
		req, _ := http.NewRequest("GET", r.url+api.ListPath, nil)
		if c != "" {
			req.Header.Set("Cookie", c)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if i == 1 && resp.Header.Get(proxy.ViolationsHeader) == "0" {
			t.Fatal("the second exchange must have violations (and so a record)")
		}
	}
	settle(t, r.p)
	path := filepath.Join(t.TempDir(), "session.json")
	if err := r.p.WriteReport(path); err != nil {
		t.Fatal(err)
	}
	rep, _ := os.ReadFile(path)
	xs, _ := json.Marshal(r.seen())
	leakCheck(t, map[string]string{"log": r.log.String(), "OnExchange": string(xs) + decodeBodies(r.seen()), "report": string(rep)}, []string{cookie})
}

// Configured secrets shorter than redact.MinSecretLength would be replaced inside unrelated text.
func TestShortConfiguredSecretsAreRefused(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:9")
	_, err := proxy.New(u, proxy.Options{Secrets: []string{"long-enough-secret", "x"}})
	if err == nil || !strings.Contains(err.Error(), "Secrets[1]") || !strings.Contains(err.Error(), "too short") {
		t.Fatalf("want an error naming Secrets[1] as too short, got %v", err)
	}
}

// A request credential too long to be matched in the outputs is not forwarded.
func TestOverlongCredentialIsNotForwarded(t *testing.T) {
	var hits int
	var mu sync.Mutex
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
	}))
	defer counting.Close()
	r := start(t, counting.URL, proxy.Options{})
	req, _ := http.NewRequest("GET", r.url+api.ListPath, nil)
	req.Header.Set("X-Api-Key", strings.Repeat("k", proxy.MaxCredentialBytes+1))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || hits != 0 || !bytes.Contains(body, []byte("X-Api-Key")) {
		t.Fatalf("want 431 naming X-Api-Key without forwarding, got %d after %d forwarded request(s): %s", resp.StatusCode, hits, body)
	}
	if s := r.p.Stats(); s.Errors != 1 {
		t.Fatalf("the refused exchange is one without an answer: %+v", s)
	}
}

// Many exchanges with large headers and bodies: what the proxy keeps of them stays under its caps,
// and the report is valid JSON (and UTF-8) under its own.
func TestRecordsAndReportStayBounded(t *testing.T) {
	const (
		// Dense exchanges make the largest records for the fewest bytes sent: every byte is
		// invalid UTF-8, which a record writes as \xNN (4 bytes, 5 in JSON).
		dense       = 30
		headers     = 80 // per request, past MaxRecordedHeaderValues
		headerBytes = 1200
		bodyBytes   = 20 << 10
		echoed      = 70 // request headers the target sends back, under MaxResponseHeaderBytes
		// Then the shape of the issue: a 900 KB header and a 1 MiB body.
		hugeHeader = 900 << 10
		hugeBody   = 1 << 20
	)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body) // all of it before answering, or the server stops the read
		for i := range echoed {
			if v := r.Header.Get(fmt.Sprintf("X-Pad-%03d", i)); v != "" {
				w.Header().Set(fmt.Sprintf("X-Echo-%03d", i), v)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer echo.Close()
	r := start(t, echo.URL, proxy.Options{})
	send := func(i int, header map[string]string, body []byte) {
		t.Helper()
		req, _ := http.NewRequest("POST", r.url+api.ListPath, bytes.NewReader(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("exchange %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get(proxy.ViolationsHeader) == "0" {
			t.Fatalf("exchange %d: want the target's 200 with violations, got %d %q", i, resp.StatusCode, resp.Header.Get(proxy.ViolationsHeader))
		}
	}
	pad := strings.Repeat("\xff", headerBytes)
	padHeaders := map[string]string{}
	for j := range headers {
		padHeaders[fmt.Sprintf("X-Pad-%03d", j)] = pad
	}
	for i := range dense {
		send(i, padHeaders, bytes.Repeat([]byte{0xfe}, bodyBytes))
	}
	send(dense, map[string]string{"X-Huge": strings.Repeat("h", hugeHeader)}, bytes.Repeat([]byte("b\xfe"), hugeBody/2))
	settle(t, r.p)

	rep := r.p.Report()
	kept, _ := json.Marshal(rep.Exchanges)
	if len(kept) > proxy.MaxRecordedBytes {
		t.Errorf("the recorded exchanges take %d bytes, over the cap of %d", len(kept), proxy.MaxRecordedBytes)
	}
	if rep.Summary.Exchanges != dense+1 || rep.Summary.NotRecorded == 0 || len(rep.Exchanges)+rep.Summary.NotRecorded != dense+1 {
		t.Errorf("want %d exchanges, some recorded and the rest counted as not recorded, got %d recorded and summary %+v", dense+1, len(rep.Exchanges), rep.Summary)
	}
	if len(rep.Exchanges) == 0 {
		t.Fatal("no exchange recorded")
	}
	for _, x := range rep.Exchanges {
		for side, h := range map[string]http.Header{"request": x.RequestHeader, "response": x.ResponseHeader} {
			n := 0
			for name, vs := range h {
				for _, v := range vs {
					n++
					if len(v) > proxy.MaxRecordedHeaderValueBytes+64 || !utf8.ValidString(v) {
						t.Fatalf("#%d %s header %s: %d bytes (valid UTF-8: %v), want at most %d and a note", x.Seq, side, name, len(v), utf8.ValidString(v), proxy.MaxRecordedHeaderValueBytes)
					}
					if strings.HasPrefix(name, "X-Pad-") && (!strings.HasPrefix(v, `\xff\xff`) || !strings.HasSuffix(v, fmt.Sprintf("[truncated: %d bytes in all]", headerBytes))) {
						t.Fatalf("#%d %s header %s: want invalid bytes escaped and a truncation note, got %.20s…%s", x.Seq, side, name, v, v[max(0, len(v)-60):])
					}
				}
			}
			if n > proxy.MaxRecordedHeaderValues+1 {
				t.Fatalf("#%d %s: %d header values recorded, want at most %d and a note", x.Seq, side, n, proxy.MaxRecordedHeaderValues)
			}
		}
		if h := x.RequestHeader.Get(proxy.NotRecordedHeader); !strings.Contains(h, "not recorded") {
			t.Errorf("#%d: the request record must say how many header values it left out, got %q", x.Seq, h)
		}
		for side, b := range map[string]any{"request": x.RequestBody, "response": x.ResponseBody} {
			s, ok := b.(string)
			if !ok || len(s) > proxy.MaxRecordedBodyBytes+64 || !strings.HasPrefix(s, `\xfe\xfe`) || !strings.HasSuffix(s, fmt.Sprintf("[truncated: %d bytes in all]", bodyBytes)) {
				t.Fatalf("#%d %s body: want a string of at most %d bytes, invalid bytes escaped, ending with a truncation note, got %T of %d bytes", x.Seq, side, proxy.MaxRecordedBodyBytes, b, len(s))
			}
		}
	}
	xs := r.seen()
	for i, x := range xs {
		for _, b := range [][]byte{x.RequestBody, x.ResponseBody} {
			if len(b) > proxy.MaxRecordedBodyBytes+64 || !utf8.Valid(b) {
				t.Fatalf("OnExchange %d: a body of %d bytes (valid UTF-8: %v), want at most %d", i, len(b), utf8.Valid(b), proxy.MaxRecordedBodyBytes)
			}
		}
	}
	// The shape: a 900 KB header and a 1 MiB body are kept as 4 KiB and 64 KiB.
	huge := xs[len(xs)-1]
	if v := huge.RequestHeader.Get("X-Huge"); len(v) > proxy.MaxRecordedHeaderValueBytes+64 || !strings.HasSuffix(v, fmt.Sprintf("[truncated: %d bytes in all]", hugeHeader)) {
		t.Fatalf("the 900 KB header: want at most %d bytes and a note, got %d bytes", proxy.MaxRecordedHeaderValueBytes, len(v))
	}
	if b := huge.ResponseBody; len(b) > proxy.MaxRecordedBodyBytes+64 || !bytes.HasSuffix(b, []byte(fmt.Sprintf("[truncated: %d bytes in all]", hugeBody))) {
		t.Fatalf("the 1 MiB body: want at most %d bytes and a note, got %d bytes", proxy.MaxRecordedBodyBytes, len(b))
	}

	path := filepath.Join(t.TempDir(), "session.json")
	if err := r.p.WriteReport(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > proxy.MaxReportBytes || !utf8.Valid(b) || !json.Valid(b) {
		t.Fatalf("the report: %d bytes (cap %d), valid UTF-8 %v, valid JSON %v", len(b), proxy.MaxReportBytes, utf8.Valid(b), json.Valid(b))
	}
}

// A target sending megabytes of headers gets no further than the transport's cap.
func TestHugeResponseHeadersAreRefused(t *testing.T) {
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := strings.Repeat("h", 64<<10)
		for i := range 80 { // 5 MiB
			w.Header().Set(fmt.Sprintf("X-Huge-%d", i), v)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	defer huge.Close()
	r := start(t, huge.URL, proxy.Options{})
	resp := user(t, r.url).GetList()
	if resp.Status != http.StatusBadGateway || resp.Error == nil || !strings.Contains(resp.Error.Message, "exceeded") {
		t.Fatalf("want a 502 saying the target's headers exceeded the limit, got %s", resp.Describe())
	}
	if s := r.p.Stats(); s.Errors != 1 {
		t.Fatalf("stats %+v, want one exchange without a usable answer", s)
	}
}

// hanging is a target that answers nothing until the test ends; got receives each request's path
// as it arrives.
func hanging(t *testing.T) (*httptest.Server, chan string) {
	t.Helper()
	got := make(chan string, 16)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.URL.Path
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	return srv, got
}

func TestHangingTargetGets502AfterTheUpstreamTimeout(t *testing.T) {
	srv, _ := hanging(t)
	r := start(t, srv.URL, proxy.Options{UpstreamTimeout: 200 * time.Millisecond})
	c := &http.Client{Timeout: 20 * time.Second} // far past the proxy's timeout
	req, _ := http.NewRequest("GET", r.url+api.ListPath, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("the client must get the proxy's 502, not its own timeout: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var e api.ErrorBody
	if resp.StatusCode != http.StatusBadGateway || json.Unmarshal(body, &e) != nil || !strings.Contains(e.Message, "did not answer within 200ms") ||
		e.Details == nil || e.Details.ApplicationError == nil || e.Details.ApplicationError.Code != proxy.UpstreamTimeoutCode {
		t.Fatalf("want a Wix-shaped 502 %s saying the target did not answer within 200ms, got %d %s", proxy.UpstreamTimeoutCode, resp.StatusCode, body)
	}
	if s := r.p.Stats(); s.Errors != 1 || s.Exchanges != 1 {
		t.Fatalf("stats %+v, want one exchange without an answer", s)
	}
	if xs := r.seen(); len(xs) != 1 || !strings.Contains(xs[0].Err, "did not answer within 200ms") {
		t.Fatalf("the record must carry the timeout: %+v", xs)
	}
	if rep := r.p.Report(); len(rep.Exchanges) != 1 || !strings.Contains(rep.Exchanges[0].Error, "did not answer within 200ms") {
		t.Fatalf("the report must list the exchange: %+v", rep.Exchanges)
	}
	if !strings.Contains(r.log.String(), "#1 GET /dashboard/v1/user-favorite-list: no usable answer: the target did not answer within 200ms") {
		t.Fatalf("the timeout must be logged:\n%s", r.log)
	}
}

// An exchange still waiting for the target when the shutdown's wait ends is cut off, and is in
// the report; one that finishes during the wait is recorded as it ended.
func TestShutdownRecordsTheExchangesInFlight(t *testing.T) {
	srv, got := hanging(t)
	r := start(t, srv.URL, proxy.Options{UpstreamTimeout: time.Minute})
	answered := make(chan *http.Response, 1)
	go func() {
		c := &http.Client{Timeout: 20 * time.Second} // a proxy without a shutdown would leave it hanging
		resp, err := c.Get(r.url + api.ListPath)
		if err != nil {
			answered <- nil
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		answered <- resp
	}()
	<-got // the exchange is under way
	if s := r.p.Stats(); s.Exchanges != 0 {
		t.Fatalf("nothing finished yet, got %+v", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := r.p.Shutdown(ctx)
	if err == nil || !strings.Contains(err.Error(), "1 exchange(s)") {
		t.Errorf("Shutdown must say it cut an exchange off, got %v", err)
	}
	// Shutdown returns with the exchange counted and recorded.
	s := r.p.Stats()
	rep := r.p.Report()
	if s.Exchanges != 1 || s.Errors != 1 || len(rep.Exchanges) != 1 || !strings.Contains(rep.Exchanges[0].Error, "cut off by the proxy's shutdown") {
		t.Fatalf("want the exchange in the report as cut off by the shutdown, got %+v %+v", s, rep.Exchanges)
	}
	if !strings.Contains(r.log.String(), "#1 GET /dashboard/v1/user-favorite-list: no usable answer: cut off by the proxy's shutdown") {
		t.Errorf("the cut-off must be logged:\n%s", r.log)
	}
	if resp := <-answered; resp == nil || resp.StatusCode != http.StatusBadGateway {
		t.Errorf("the client of a cut-off exchange gets a 502, got %+v", resp)
	}
	if xs := r.seen(); len(xs) != 1 {
		t.Errorf("OnExchange must get the cut-off exchange once, got %d", len(xs))
	}
}

func TestShutdownWaitsForExchangesThatFinish(t *testing.T) {
	release := make(chan struct{})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	got := make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- struct{}{}
		<-release
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"favoriteList":{"revision":1}}`)
	}))
	defer slow.Close()
	defer releaseOnce() // before Close, which waits for the handler
	r := start(t, slow.URL, proxy.Options{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := http.Get(r.url + api.ListPath); err == nil {
			resp.Body.Close()
		}
	}()
	<-got
	shut := make(chan error, 1)
	go func() { shut <- r.p.Shutdown(context.Background()) }()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) while an exchange was in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	releaseOnce()
	if err := <-shut; err != nil {
		t.Fatalf("every exchange finished: want nil, got %v", err)
	}
	<-done
	if s := r.p.Stats(); s.Exchanges != 1 || s.Errors != 0 || s.WithViolations != 1 {
		t.Fatalf("want the finished exchange counted with its violations, got %+v", s)
	}
}

// Text from a target reaches the log only with its control characters made visible.
func TestLogIsSafeForTerminals(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// U+009B is CSI for terminals reading 8-bit controls; JSON leaves it as it is.
		io.WriteString(w, "{\"favoriteList\":{\"id\":\"\u009b2J\u009b]0;owned\\u0007\"}}")
	}))
	defer bad.Close()
	r := start(t, bad.URL, proxy.Options{})
	req, _ := http.NewRequest("GET", r.url+"/dashboard/v1/%1b[2J", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	user(t, r.url).GetList()
	log := r.log.String()
	if strings.ContainsAny(log, "\x1b\u009b\x07") {
		t.Fatalf("the log carries terminal controls: %q", log)
	}
	if !strings.Contains(log, `\u009b2J`) || !strings.Contains(log, `\x1b[2J`) {
		t.Fatalf("the controls must be shown escaped: %q", log)
	}
}

// The validator clips what it quotes before the proxy sees it: a long credential echoed into a
// bad field reaches the violation cut in two, and the piece before the cut must not stay.
func TestClippedCredentialsDoNotLeakTheirStart(t *testing.T) {
	token := "tok-" + strings.Repeat("0123456789abcdef", 20) // 324 characters, past the validator's clip
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"favoriteList":{"id":%q}}`, cred)
	}))
	defer echo.Close()
	r := start(t, echo.URL, proxy.Options{})
	req, _ := http.NewRequest("GET", r.url+api.ListPath, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	settle(t, r.p)
	path := filepath.Join(t.TempDir(), "session.json")
	if err := r.p.WriteReport(path); err != nil {
		t.Fatal(err)
	}
	rep, _ := os.ReadFile(path)
	xs, _ := json.Marshal(r.seen())
	piece := token[:24]
	for name, out := range map[string]string{
		"log":                    r.log.String(),
		"X-Favconform-Violation": strings.Join(resp.Header.Values(proxy.ViolationHeader), "\n"),
		"OnExchange":             string(xs),
		"report":                 string(rep),
	} {
		if !strings.Contains(out, "/favoriteList/id") {
			t.Errorf("%s must name the violation quoting the token: %s", name, out)
		}
		if strings.Contains(out, piece) {
			t.Errorf("%s leaks the start of the token (%q):\n%s", name, piece, out)
		}
	}
}
