package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
)

// Hostile targets: servers that answer what no conforming server would. Against each, the command
// must end in bounded time with exit 1 (NOT CONFORMING) and say what went wrong — never hang past
// its per-request timeout, never panic, never pass.

// hostile is one misbehaviour, as a handler. real is a faithful mock, for the hostile servers
// that garble otherwise good answers.
type hostile struct {
	name string
	// says is what the output must mention: the cause, in words a user can act on ("a|b": a
	// or b).
	says    []string
	handler func(real http.Handler) http.Handler
	// writesOnly: try it on writes only. Each hostile is tried on every request — where the
	// run's first requests, the snapshots of the identities' lists, already fail and the run
	// stops there — and on writes only, with reads answered faithfully, so that every spec meets
	// it.
	writesOnly bool
}

// hijackAndClose writes raw bytes on the connection, then closes it.
func hijackAndClose(w http.ResponseWriter, raw string) {
	c, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	_, _ = buf.WriteString(raw)
	_ = buf.Flush()
	_ = c.Close()
}

// recordOf runs the request through real and returns its answer.
func recordOf(real http.Handler, r *http.Request) (int, http.Header, []byte) {
	rec := &recorder{header: http.Header{}}
	real.ServeHTTP(rec, r)
	return rec.status, rec.header, rec.body.Bytes()
}

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(200)
	return r.body.Write(b)
}

var hostiles = []hostile{
	{"non-JSON bodies", []string{"expected a body that decodes as the documented media type (application/json), got invalid character '<'"}, func(real http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			status, _, _ := recordOf(real, r)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprint(w, "<html><body>Service temporarily unavailable</body></html>")
		})
	}, false},
	{"truncated bodies", []string{"unexpected EOF"}, func(real http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			status, _, body := recordOf(real, r)
			hijackAndClose(w, fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
				status, http.StatusText(status), len(body), body[:len(body)/2]))
		})
	}, false},
	// 4 MB of it are read before the client gives up, unless the per-request timeout strikes
	// first (a loaded machine, the race detector): either cause is named.
	{"10 MB bodies", []string{"larger than|no complete answer within 300ms"}, func(real http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			status, _, _ := recordOf(real, r)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			pad := bytes.Repeat([]byte(" "), 1<<20)
			fmt.Fprint(w, `{"favoriteList": {"favorites": [`)
			for range 10 {
				_, _ = w.Write(pad)
			}
			fmt.Fprint(w, `]}}`)
		})
	}, false},
	{"wrong content types", []string{`header Content-Type: expected the media type the operation documents (application/json), got "text/html; charset=utf-8"`}, func(real http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			status, header, body := recordOf(real, r)
			for k, v := range header {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			_, _ = w.Write(body)
		})
	}, false},
	{"500s", []string{"expected status 200, got 500|GET of the list answered 500"}, func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	}, false},
	{"connections dropped mid-response", []string{"unexpected EOF"}, func(real http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			status, _, body := recordOf(real, r)
			// Headers and half of a chunked body, then the connection is gone.
			hijackAndClose(w, fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n",
				status, http.StatusText(status), len(body)/2, body[:len(body)/2]))
		})
	}, false},
	{"one valid empty list, whatever the request", nil, func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"favoriteList": {"id": "b8216af7-cf7c-4860-8014-54e4824a1745", "revision": "1", "createdDate": "2024-05-19T13:05:45.684Z", "updatedDate": "2024-05-19T13:05:45.684Z", "favorites": []}}`)
		})
	}, false},
	{"requests that never get an answer", []string{"no answer within 300ms", "the target has stopped answering"}, func(http.Handler) http.Handler {
		return http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // until the client gives up
		})
	}, true}, // on every request: TestSilentTarget
}

// hostileTarget serves h on loopback and writes a target file for it.
func hostileTarget(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	var file bytes.Buffer
	fmt.Fprintf(&file, "baseURL: http://%s\nidentities:\n", ln.Addr())
	for _, id := range identity.Default() {
		fmt.Fprintf(&file, "  %s:\n    headers:\n      Authorization: %q\n", id.Role, id.Token)
	}
	path := filepath.Join(t.TempDir(), "target.yaml")
	if err := os.WriteFile(path, file.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// hostileRunLimit bounds a run against a hostile target: a minute, or four under the race
// detector, whose slowdown of the 10 MB case alone brought it to 47 s of the minute, and past it
// when the other cases ran beside it.
var hostileRunLimit = func() time.Duration {
	if raceDetector {
		return 4 * time.Minute
	}
	return time.Minute
}()

// runBounded runs the command and fails the test if it takes longer than limit.
func runBounded(t *testing.T, limit time.Duration, args ...string) (result, time.Duration) {
	t.Helper()
	start := time.Now()
	r := favconform(t, nil, args...)
	took := time.Since(start)
	if took > limit {
		t.Errorf("the run took %s; it must end within %s", took.Round(time.Millisecond), limit)
	}
	for _, bad := range []string{"[PANICKED]", "panic:", "goroutine "} {
		if strings.Contains(r.stdout+r.stderr, bad) {
			t.Errorf("the output shows a panic (%q):\n%s\n%s", bad, r.stdout, r.stderr)
		}
	}
	return r, took
}

// summaryRE is the first line of the summary: specs passed and failed.
var summaryRE = regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed`)

func TestHostileTargets(t *testing.T) {
	for _, h := range hostiles {
		for _, writesOnly := range []bool{false, true} {
			if h.writesOnly && !writesOnly {
				continue
			}
			name := h.name + "/every request"
			if writesOnly {
				name = h.name + "/writes only"
			}
			t.Run(name, func(t *testing.T) {
				if testing.Short() && strings.HasPrefix(h.name, "10 MB") {
					t.Skip("-short: the 10 MB bodies take minutes under the race detector")
				}
				t.Parallel()
				real, err := mock.New(mock.Options{})
				if err != nil {
					t.Fatal(err)
				}
				bad := h.handler(real)
				if writesOnly {
					bad = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if r.Method == http.MethodGet {
							real.ServeHTTP(w, r)
							return
						}
						h.handler(real).ServeHTTP(w, r)
					})
				}
				file := hostileTarget(t, bad)
				r, took := runBounded(t, hostileRunLimit, "run", "--target-file", file, "--allow-writes", "--timeout", "300ms", "--clients", "4")
				t.Logf("exit %d in %s", r.code, took.Round(time.Millisecond))
				if d := os.Getenv("FAVCONFORM_HOSTILE_DUMP"); d != "" { // to read the whole output
					_ = os.WriteFile(filepath.Join(d, strings.NewReplacer(" ", "-", "/", "_").Replace(name)+".txt"), []byte(r.stdout+"\n--- stderr ---\n"+r.stderr), 0o644)
				}
				if r.code != 1 {
					t.Fatalf("exit %d, want 1 (not conforming)\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
				}
				if m := summaryRE.FindStringSubmatch(r.stdout); m == nil || m[2] == "0" || !strings.Contains(r.stdout, "NOT CONFORMING") {
					t.Fatalf("the summary must report failed specs and NOT CONFORMING:\n%s", r.stdout)
				}
				for _, want := range h.says {
					if !slices.ContainsFunc(strings.Split(want, "|"), func(w string) bool { return strings.Contains(r.stdout, w) }) {
						t.Errorf("the output must say %q (the cause):\n%s", want, r.stdout)
					}
				}
			})
		}
	}
}

// TestSilentTarget: a server that accepts connections and never answers at all is reported as
// unreachable (exit 3) once the probe's timeout passes.
func TestSilentTarget(t *testing.T) {
	file := hostileTarget(t, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	r, _ := runBounded(t, 20*time.Second, "run", "--target-file", file, "--timeout", "300ms")
	if r.code != 3 || !strings.Contains(r.stderr, "does not answer") {
		t.Fatalf("exit %d, want 3 with \"does not answer\"\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}
