package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/proxy"
	"github.com/favconform/favconform/validate"
)

// ---------------------------------------------------------------------------------------------
// Helpers.

// benchIdentities returns n Wix users holding Manage Dashboard, with tokens bench-0, bench-1, ...
func benchIdentities(n int) []identity.Identity {
	ids := make([]identity.Identity, n)
	for i := range ids {
		ids[i] = identity.Identity{
			Role: identity.User, Token: fmt.Sprintf("bench-%d", i), IdentityType: identity.TypeWixUser,
			WixUserID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), UserPermissions: []string{api.ManageDashboardScope},
		}
	}
	return ids
}

// serve serves h on a loopback port until the benchmark ends, and returns its base URL.
func serve(b *testing.B, h http.Handler) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// httpClient keeps up to conns connections to one host alive.
func httpClient(conns int) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns}}
}

// side is one of the things a paired benchmark compares.
type side struct {
	name string
	op   func() error
}

// interleave times the sides in turn, round operations of each per round, every round of the
// benchmark, so that each side sees the same moment of the machine as the others (a drifting
// machine moves them alike, and a ratio of two metrics of one result line is a same-moment
// ratio). It reports <name>-µs, each side's time per operation, and with two sides x-base, the
// first ÷ the second. ns/op is one round of every side.
func interleave(b *testing.B, round int, sides ...side) {
	b.Helper()
	spent := make([]time.Duration, len(sides))
	ops := 0
	for b.Loop() {
		for i, s := range sides {
			start := time.Now()
			for range round {
				if err := s.op(); err != nil {
					b.Fatalf("%s: %v", s.name, err)
				}
			}
			spent[i] += time.Since(start)
		}
		ops += round
	}
	for i, s := range sides {
		b.ReportMetric(float64(spent[i].Nanoseconds())/1e3/float64(ops), s.name+"-µs")
	}
	if len(sides) == 2 {
		b.ReportMetric(float64(spent[0])/float64(spent[1]), "x-base")
	}
}

// call sends one request and reads the whole answer.
func call(c *http.Client, method, u, token string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	out, err := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, out, err
}

// inProcess sends one request to h without a network, for setting state up.
func inProcess(b *testing.B, h http.Handler, method, path, token string, body any) []byte {
	b.Helper()
	raw, _ := json.Marshal(body)
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	req.Header.Set("Authorization", token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body.Bytes())
	}
	return rec.Body.Bytes()
}

// favorites returns n distinct valid favorites.
func favorites(n int) []api.Favorite {
	out := make([]api.Favorite, n)
	for i := range out {
		out[i] = api.Favorite{PageID: fmt.Sprintf("3893d33b-24a1-474b-80b0-%012d", i), Title: fmt.Sprintf("Favorite page %d", i), RelativeURL: fmt.Sprintf("/route/%d", i)}
	}
	return out
}

// listOf returns a mock holding, for the first identity, a list of n favorites, with that
// identity's token and the GET answer as the mock sends it.
func listOf(b *testing.B, n int) (*mock.Mock, string, []byte) {
	b.Helper()
	ids := benchIdentities(1)
	m, err := mock.New(mock.Options{Identities: ids})
	if err != nil {
		b.Fatal(err)
	}
	inProcess(b, m, http.MethodPost, api.ListPath, ids[0].Token, api.ListEnvelope{FavoriteList: &api.FavoriteList{Favorites: favorites(n)}})
	return m, ids[0].Token, inProcess(b, m, http.MethodGet, api.ListPath, ids[0].Token, nil)
}

// ---------------------------------------------------------------------------------------------
// Validation: one exchange against one loopback round trip.

// BenchmarkValidation compares validating one exchange (route lookup, request, response) with
// the baseline of one loopback HTTP round trip of the same answer (keep-alive, sequential),
// timed in alternating rounds (interleave): subject-µs, base-µs and x-base = subject ÷ base.
func BenchmarkValidation(b *testing.B) {
	v, err := validate.Default()
	if err != nil {
		b.Fatal(err)
	}
	_, token, getBody := listOf(b, 2) // the docs' GET sample holds two favorites
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	u := serve(b, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(getBody)
	}))
	c := httpClient(1)
	roundTrip := side{"base", func() error {
		if status, _, err := call(c, http.MethodGet, u+api.ListPath, token, nil); err != nil || status != 200 {
			return fmt.Errorf("round trip: %d %v", status, err)
		}
		return nil
	}}
	check := func(req *http.Request, reqBody, respBody []byte) side {
		return side{"subject", func() error {
			if _, vs := v.Check(req, reqBody, 200, jsonHeader, respBody); len(vs) > 0 {
				return fmt.Errorf("violations: %v", vs)
			}
			return nil
		}}
	}
	b.Run("validate=get", func(b *testing.B) {
		req := httptest.NewRequest(http.MethodGet, "http://target"+api.ListPath, nil)
		req.Header.Set("Authorization", token)
		interleave(b, 50, check(req, nil, getBody), roundTrip)
	})
	b.Run("validate=add", func(b *testing.B) {
		m, tok, _ := listOf(b, 1)
		reqBody, _ := json.Marshal(api.FavoriteEnvelope{Favorite: &favorites(2)[1]})
		respBody := inProcess(b, m, http.MethodPost, api.AddFavoritePath, tok, api.FavoriteEnvelope{Favorite: &favorites(2)[1]})
		req := httptest.NewRequest(http.MethodPost, "http://target"+api.AddFavoritePath, nil)
		req.Header.Set("Authorization", tok)
		req.Header.Set("Content-Type", "application/json")
		interleave(b, 50, check(req, reqBody, respBody), roundTrip)
	})
}

// BenchmarkValidationGrowth validates GET answers holding 1, 10, 50 and 100 favorites.
func BenchmarkValidationGrowth(b *testing.B) {
	v, err := validate.Default()
	if err != nil {
		b.Fatal(err)
	}
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	for _, n := range []int{1, 10, 50, 100} {
		b.Run(fmt.Sprintf("favorites=%d", n), func(b *testing.B) {
			_, token, body := listOf(b, n)
			req := httptest.NewRequest(http.MethodGet, "http://target"+api.ListPath, nil)
			req.Header.Set("Authorization", token)
			for b.Loop() {
				if _, vs := v.Check(req, nil, 200, jsonHeader, body); len(vs) > 0 {
					b.Fatal(vs)
				}
			}
		})
	}
}

// ---------------------------------------------------------------------------------------------
// The mock's throughput against a minimal handler.

// loadStats accumulates the requests of one side of a comparison.
type loadStats struct {
	elapsed time.Duration
	lat     []time.Duration
}

// loadWorkers is how many clients send at once (on two CPUs: enough to keep both busy).
const loadWorkers = 16

// load sends n requests from loadWorkers goroutines over loopback, next(i) giving the i-th, and
// adds their time and latencies to st.
func load(b *testing.B, c *http.Client, base string, n int, next func(i int) (method, path, token string, body []byte), st *loadStats) {
	b.Helper()
	var counter atomic.Int64
	var mu sync.Mutex
	var failed atomic.Bool
	var wg sync.WaitGroup
	start := time.Now()
	for range loadWorkers {
		wg.Go(func() {
			mine := make([]time.Duration, 0, n/loadWorkers+1)
			for {
				i := int(counter.Add(1) - 1)
				if i >= n {
					break
				}
				method, path, token, body := next(i)
				t0 := time.Now()
				status, out, err := call(c, method, base+path, token, body)
				mine = append(mine, time.Since(t0))
				if (err != nil || status != http.StatusOK) && failed.CompareAndSwap(false, true) {
					b.Errorf("%s %s: %d %v %.200s", method, path, status, err, out)
				}
			}
			mu.Lock()
			st.lat = append(st.lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	st.elapsed += time.Since(start)
}

func (st *loadStats) report(b *testing.B, prefix string) float64 {
	slices.Sort(st.lat)
	pct := func(p float64) float64 { return float64(st.lat[int(p*float64(len(st.lat)-1))].Nanoseconds()) / 1e3 }
	rate := float64(len(st.lat)) / st.elapsed.Seconds()
	b.ReportMetric(rate, prefix+"req/s")
	b.ReportMetric(pct(0.50), prefix+"p50-µs")
	b.ReportMetric(pct(0.99), prefix+"p99-µs")
	return rate
}

// perList is how many favorites the add and delete loads put in one identity's list: few, so
// that their answers are about the size of the baseline's (a list of two favorites).
const perList = 3

// roundRequests is how many requests each side sends per round.
const roundRequests = 2000

// mockLoad prepares a round of one operation on a fresh mock: the handler and the i-th request.
type mockLoad func(b *testing.B) (http.Handler, func(i int) (string, string, string, []byte))

var mockLoads = []struct {
	name string
	prep mockLoad
}{
	{"get", func(b *testing.B) (http.Handler, func(int) (string, string, string, []byte)) {
		m, token, _ := listOf(b, 2)
		return m, func(int) (string, string, string, []byte) { return http.MethodGet, api.ListPath, token, nil }
	}},
	{"add", func(b *testing.B) (http.Handler, func(int) (string, string, string, []byte)) {
		// perList adds per identity: the first makes the list, the others append to it.
		ids := benchIdentities(roundRequests/perList + 1)
		m, err := mock.New(mock.Options{Identities: ids})
		if err != nil {
			b.Fatal(err)
		}
		body, _ := json.Marshal(api.FavoriteEnvelope{Favorite: &favorites(1)[0]})
		return m, func(i int) (string, string, string, []byte) {
			return http.MethodPost, api.AddFavoritePath, ids[i/perList].Token, body
		}
	}},
	{"delete", func(b *testing.B) (http.Handler, func(int) (string, string, string, []byte)) {
		ids := benchIdentities(roundRequests/perList + 1)
		m, err := mock.New(mock.Options{Identities: ids})
		if err != nil {
			b.Fatal(err)
		}
		favIDs := make([]string, 0, len(ids)*perList)
		for _, id := range ids {
			var env api.ListEnvelope
			raw := inProcess(b, m, http.MethodPost, api.ListPath, id.Token, api.ListEnvelope{FavoriteList: &api.FavoriteList{Favorites: favorites(perList)}})
			if err := json.Unmarshal(raw, &env); err != nil {
				b.Fatal(err)
			}
			for _, f := range env.FavoriteList.Favorites {
				favIDs = append(favIDs, f.ID)
			}
		}
		return m, func(i int) (string, string, string, []byte) {
			return http.MethodDelete, api.DeleteFavoritePathPrefix + favIDs[i], ids[i/perList].Token, nil
		}
	}},
}

// BenchmarkThroughput compares the mock's get, add and delete-favorite with the baseline of a
// minimal net/http handler sending a fixed body (the mock's own GET answer) whatever it is sent.
// Each round sends roundRequests requests to the baseline, then the same requests to a fresh
// mock, so that both sides see the same traffic on the same machine; the metrics sum every round: req/s, p50-µs and p99-µs of the mock,
// base-req/s, base-p50-µs and base-p99-µs of the baseline, and x-base, the mock's req/s as a
// ratio to the baseline's. Count-bounded (roundRequests per side per round) and time-bounded
// (-benchtime).
func BenchmarkThroughput(b *testing.B) {
	_, _, getBody := listOf(b, 2)
	baseline := serve(b, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(getBody)
	}))
	// One server for the mocks, each round's fresh mock swapped in, so that both sides reuse
	// their connections alike.
	var current atomic.Pointer[http.Handler]
	mocks := serve(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*current.Load()).ServeHTTP(w, r) }))
	for _, ml := range mockLoads {
		b.Run("mock="+ml.name, func(b *testing.B) {
			c := httpClient(2 * loadWorkers)
			var base, subject loadStats
			for b.Loop() {
				// The baseline gets the very requests the mock gets, and ignores them.
				h, next := ml.prep(b)
				load(b, c, baseline, roundRequests, next, &base)
				current.Store(&h)
				load(b, c, mocks, roundRequests, next, &subject)
			}
			b.ReportMetric(subject.report(b, "")/base.report(b, "base-"), "x-base")
		})
	}
}

// ---------------------------------------------------------------------------------------------
// The mock's memory per identity.

// BenchmarkMockMemory reports the heap a mock holds per identity — the identity and a list of
// one favorite — at 1,000 and 10,000 identities: with the request journal off (B/identity: what
// identities and lists cost), and with the default options (default-B/identity: with the journal,
// a ring of the last 1,000 calls, and its redactor of every token).
func BenchmarkMockMemory(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("identities=%d", n), func(b *testing.B) {
			body := api.ListEnvelope{FavoriteList: &api.FavoriteList{Favorites: favorites(1)}}
			heapPerIdentity := func(opts mock.Options) float64 {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				opts.Identities = benchIdentities(n)
				m, err := mock.New(opts)
				if err != nil {
					b.Fatal(err)
				}
				for _, id := range opts.Identities {
					inProcess(b, m, http.MethodPost, api.ListPath, id.Token, body)
				}
				opts.Identities = nil
				runtime.GC()
				runtime.ReadMemStats(&after)
				runtime.KeepAlive(m)
				return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
			}
			var withoutJournal, byDefault float64
			for b.Loop() {
				withoutJournal = heapPerIdentity(mock.Options{JournalSize: -1})
				byDefault = heapPerIdentity(mock.Options{})
			}
			b.ReportMetric(withoutJournal, "B/identity")
			b.ReportMetric(byDefault, "default-B/identity")
		})
	}
}

// ---------------------------------------------------------------------------------------------
// The validating proxy: added latency against a direct call and against Prism.

// prismPath is the Prism CLI: $FAVCONFORM_PRISM, else the one `make bench-setup` installs.
func prismPath() string {
	if p := os.Getenv("FAVCONFORM_PRISM"); p != "" {
		return p
	}
	p, _ := filepath.Abs(filepath.Join(".prism", "node_modules", ".bin", "prism"))
	return p
}

// freePort returns a loopback port that was free a moment ago.
func freePort(b *testing.B) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// BenchmarkProxy measures one GET of a list of two favorites, sequentially over loopback,
// interleaved in rounds: straight to the mock (direct-µs, the baseline), through favconform's
// validating proxy (favconform-µs), and through Stoplight Prism's validating proxy on the same
// spec and mock (prism-µs; left out, saying so, when Prism is not installed: make bench-setup).
func BenchmarkProxy(b *testing.B) {
	m, token, _ := listOf(b, 2)
	target := serve(b, m)
	get := func(name, base string) side {
		c := httpClient(1)
		return side{name, func() error {
			if status, out, err := call(c, http.MethodGet, base+api.ListPath, token, nil); err != nil || status != 200 {
				return fmt.Errorf("%d %v %.300s", status, err, out)
			}
			return nil
		}}
	}
	tu, _ := url.Parse(target)
	p, err := proxy.New(tu, proxy.Options{Log: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	sides := []side{get("direct", target), get("favconform", serve(b, p))}
	if base, ok := startPrism(b, target, token); ok {
		sides = append(sides, get("prism", base))
	}
	interleave(b, 50, sides...)
}

// startPrism starts Prism's validating proxy in front of target until the benchmark ends, and
// returns its base URL; false (logged) when Prism is not installed.
func startPrism(b *testing.B, target, token string) (string, bool) {
	bin := prismPath()
	if _, err := os.Stat(bin); err != nil {
		b.Logf("Prism is not installed at %s (make bench-setup, or set FAVCONFORM_PRISM): no prism-µs", bin)
		return "", false
	}
	port := freePort(b)
	cmd := exec.Command(bin, "proxy", filepath.Join("..", "spec", "openapi.yaml"), target, "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--errors=false")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	c := httpClient(1)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if status, _, err := call(c, http.MethodGet, base+api.ListPath, token, nil); err == nil && status == 200 {
			return base, true
		}
		if time.Now().After(deadline) {
			b.Fatalf("Prism did not answer within 60s:\n%s", logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ---------------------------------------------------------------------------------------------
// The whole default suite's wall time.

var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "favconform-bench-")
	if err != nil {
		return "", err
	}
	for _, c := range [][]string{
		{"build", "-o", filepath.Join(dir, "favconform"), "github.com/favconform/favconform/cmd/favconform"},
		{"build", "-o", filepath.Join(dir, "ginkgo"), "github.com/onsi/ginkgo/v2/ginkgo"},
		{"test", "-c", "-o", filepath.Join(dir, "suites.test"), "github.com/favconform/favconform/internal/suites"},
	} {
		if out, err := exec.Command("go", c...).CombinedOutput(); err != nil {
			return "", fmt.Errorf("go %s: %v\n%s", strings.Join(c, " "), err, out)
		}
	}
	return dir, nil
})

// command is a side that runs a command to its end.
func command(sideName, name string, args ...string) side {
	return side{sideName, func() error {
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s %v: %v\n%s", name, args, err, out)
		}
		return nil
	}}
}

// BenchmarkSuite runs the whole default suite against the embedded mock as a user does, each
// round in turn: the command's process start (favconform version, start-µs, the baseline), the
// command in its own process (run-µs; each run starts its own mock), and the Ginkgo CLI with -p
// (ginkgo-p-µs: two processes, one per CPU, each with its own mock).
func BenchmarkSuite(b *testing.B) {
	dir, err := buildOnce()
	if err != nil {
		b.Fatal(err)
	}
	fc := filepath.Join(dir, "favconform")
	interleave(b, 1,
		command("start", fc, "version"),
		command("run", fc, "run"),
		command("ginkgo-p", filepath.Join(dir, "ginkgo"), "-p", "--no-color", filepath.Join(dir, "suites.test")))
}
