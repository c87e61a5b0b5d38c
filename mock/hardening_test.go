package mock

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/identity"
)

// TestHostileBodies: bodies built to hurt a server are refused in Wix's shape, quickly, with a
// small answer, and change nothing.
func TestHostileBodies(t *testing.T) {
	nest := func(depth int) string {
		return `{"favorite": {"pageId": "p", "title": "t", "x": ` + strings.Repeat("[", depth-2) + strings.Repeat("]", depth-2) + `}}`
	}
	cases := []struct {
		name, path, body string
		status           int
		field, rule      string
	}{
		{"nested 65 levels", addPath, nest(maxNesting + 1), 400, bodyField, ruleFormat},
		{"nested 9,000 levels of objects", addPath, `{"favorite": {"pageId": "p", "title": "t", "x": ` + strings.Repeat(`{"a":`, 9000) + "1" + strings.Repeat("}", 9000) + `}}`, 400, bodyField, ruleFormat},
		{"nested past encoding/json's limit", addPath, strings.Repeat("[", 20000) + strings.Repeat("]", 20000), 400, bodyField, ruleFormat},
		{"300,000 empty favorites", listPath, `{"favoriteList": {"favorites": [` + strings.Repeat(`{},`, 300000) + `{}]}}`, 400, "favoriteList.favorites", ruleMaxSize},
		{"30,000 favorites repeating one id", listPath + "/ID", `{"favoriteList": {"revision": "1", "favorites": [` +
			strings.Repeat(`{"id": "7d228ce4-f0c6-4758-be72-beea48f83dd1", "pageId": "p", "title": "t"},`, 12000) + `{}]}}`, 400, "favoriteList.favorites", ruleMaxSize},
		{"a title of 900,000 characters", addPath, `{"favorite": {"pageId": "p", "title": "` + strings.Repeat("t", 900000) + `"}}`, 400, "favorite.title", ruleMaxLength},
		{"a revision of 400 digits", listPath + "/ID", `{"favoriteList": {"revision": "` + strings.Repeat("9", 400) + `", "favorites": []}}`, 400, "favoriteList.revision", ruleFormat},
		{"a revision of 1e400", listPath + "/ID", `{"favoriteList": {"revision": 1e400, "favorites": []}}`, 400, "favoriteList.revision", ruleFormat},
		{"truncated in a string", addPath, `{"favorite": {"pageId": "p", "title": "t`, 400, bodyField, ruleFormat},
		{"NUL bytes", addPath, "{\"favorite\": \x00}", 400, bodyField, ruleFormat},
		{"over the size limit", addPath, `{"favorite": {"pageId": "p", "title": "t", "x": "` + strings.Repeat("x", DefaultMaxBodyBytes) + `"}}`, 413, bodyField, ruleMaxSize},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			l := e.create(user, sampleFav(1))
			before := e.snapshot()
			method := http.MethodPost
			path := c.path
			if strings.HasSuffix(path, "/ID") {
				method, path = http.MethodPatch, listIDPath(l.ID)
			}
			role := user
			if path == listPath {
				role = user2
			}
			start := time.Now()
			r := e.do(role, method, path, c.body)
			wantViolation(t, r, c.status, c.field, c.rule)
			if len(r.body) > 64<<10 {
				t.Errorf("a %d-byte answer to a %d-byte body", len(r.body), len(c.body))
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
			e.mustBeUnchanged(before)
		})
	}
}

func TestNestingDepth(t *testing.T) {
	for body, want := range map[string]int{
		`{}`: 1, `{"a": [1, {"b": []}]}`: 4, `{"a": "[[[{{{"}`: 1, `{"a": "\"[[", "b": [[]]}`: 3, `{"a": "\\", "b": [[]]}`: 3,
	} {
		if got := nestingDepth([]byte(body)); got != want {
			t.Errorf("nestingDepth(%s) = %d, want %d", body, got, want)
		}
	}
	// Exactly the limit is taken.
	e := newEnv(t)
	body := `{"favorite": {"pageId": "p", "title": "t", "x": ` + strings.Repeat("[", maxNesting-2) + strings.Repeat("]", maxNesting-2) + `}}`
	if r := e.do(user, http.MethodPost, addPath, body); r.status != 200 {
		t.Fatalf("a body nested %d levels: %d %s", maxNesting, r.status, r.body)
	}
}

// withServerLimits shortens the server's limits for one test.
func withServerLimits(t *testing.T, d time.Duration) {
	saved := []time.Duration{readHeaderTimeout, readTimeout, writeTimeout, idleTimeout}
	readHeaderTimeout, readTimeout, writeTimeout, idleTimeout = d, 2*d, 2*d, 2*d
	t.Cleanup(func() {
		readHeaderTimeout, readTimeout, writeTimeout, idleTimeout = saved[0], saved[1], saved[2], saved[3]
	})
}

func dial(t *testing.T, s *Server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedWithin expects the server to close c within d (reading nothing, or an answer, then EOF).
func closedWithin(t *testing.T, c net.Conn, d time.Duration, what string) {
	t.Helper()
	start := time.Now()
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	if err != nil { // a deadline: the server kept the connection
		t.Fatalf("%s: the connection is still open after %s (%v)", what, time.Since(start).Round(time.Millisecond), err)
	}
}

func TestServerTimeouts(t *testing.T) {
	withServerLimits(t, 200*time.Millisecond)
	s, err := NewServer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tok := identity.Default()[0].Token

	t.Run("headers sent too slowly", func(t *testing.T) {
		c := dial(t, s)
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n", listPath) // and never the blank line
		closedWithin(t, c, 3*time.Second, "a request whose headers never end")
	})
	t.Run("body sent too slowly", func(t *testing.T) {
		c := dial(t, s)
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"favorite\":", addPath, tok)
		closedWithin(t, c, 3*time.Second, "a body that never ends")
		if l, ok := s.Mock.List(identity.Default()[0].WixUserID); ok {
			t.Errorf("the half-sent add changed the list: %+v", l)
		}
	})
	t.Run("idle keep-alive connection", func(t *testing.T) {
		c := dial(t, s)
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n\r\n", listPath, tok)
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		closedWithin(t, c, 3*time.Second, "an idle keep-alive connection")
	})
	t.Run("headers too large", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+listPath, nil)
		req.Header.Set("Authorization", tok)
		req.Header.Set("X-Padding", strings.Repeat("x", 2*maxHeaderBytes))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("status %d, want 431", res.StatusCode)
		}
	})
}

// TestServerCloseLetsRequestsFinish: Close stops accepting connections, lets a request under way
// finish with its answer, then releases the port.
func TestServerCloseLetsRequestsFinish(t *testing.T) {
	s, err := NewServer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(s.URL, "http://")
	u := identity.Default()[0]
	c := dial(t, s)
	body := `{"favorite": {"pageId": "in-flight", "title": "t"}}`
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addPath, u.Token, len(body), body[:10])
	time.Sleep(100 * time.Millisecond) // the handler is reading the body
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	time.Sleep(100 * time.Millisecond)
	select {
	case <-closed:
		t.Fatal("Close returned with a request under way")
	default:
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("the server still accepts connections while closing")
	}
	fmt.Fprint(c, body[10:])
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("the request under way got no answer: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("the request under way: %d", res.StatusCode)
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return after the last request finished")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the port is not released: %v", err)
	}
	ln.Close()
}

// TestServerCloseDoesNotWaitForSilentConnections: a connection that never sent a request (a
// client's transport keeps such spares) does not hold Close up; Shutdown alone would wait 5s.
func TestServerCloseDoesNotWaitForSilentConnections(t *testing.T) {
	s, err := NewServer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, s)
	time.Sleep(50 * time.Millisecond) // accepted
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %s with a silent connection open", d.Round(time.Millisecond))
	}
	closedWithin(t, c, time.Second, "the silent connection")
}
