package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/har"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
)

// ---------------------------------------------------------------------------------------------
// HAR validation: entries per second and peak memory on a long recording.

// harEntries is how many entries the generated HAR holds: a long browser session.
const harEntries = 100_000

// browserHeaders are what a browser adds to each API call of the dashboard, besides what the
// client sends: they make each entry as large as a devtools recording's.
var browserHeaders = []har.NameValue{
	{Name: "Accept", Value: "application/json, text/plain, */*"},
	{Name: "Accept-Encoding", Value: "gzip, deflate, br, zstd"},
	{Name: "Accept-Language", Value: "en-GB,en;q=0.9"},
	{Name: "Cookie", Value: "XSRF-TOKEN=1733090000|mGxF3bench0cookie; wixSession2=JWS.eyJraWQiOiJQb3pIX2FDMiIsImFsZyI6IlJTMjU2In0.bench-session"},
	{Name: "Origin", Value: "https://manage.wix.com"},
	{Name: "Referer", Value: "https://manage.wix.com/dashboard/3893d33b-24a1-474b-80b0-dd7c32e20bfb/home"},
	{Name: "User-Agent", Value: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
}

// recordHARSessions records, against the reference mock, sessions of the six operations (create,
// get, update, add, delete a favorite, delete the list) with lists of 1 to 4 favorites, as
// har.EntryOf writes them; every other session's GET answer is recorded base64-encoded, as
// browsers do for some bodies.
func recordHARSessions() ([]har.Entry, error) {
	srv, err := mock.NewServer(mock.Options{})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	v, err := validate.Default()
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var entries []har.Entry
	c := client.New(target.ForMock(srv.URL, identity.Default()), v, func(c client.Call) {
		e := har.EntryOf(c.Exchange, time.Now().Add(-c.Duration), c.Duration)
		e.Request.Headers = append(e.Request.Headers, browserHeaders...)
		mu.Lock()
		entries = append(entries, e)
		mu.Unlock()
	})
	me := c.As(identity.User)
	for s := range 40 {
		first := len(entries)
		favs := favorites(1 + s%4)
		created := me.CreateList(favs...)
		if created.List == nil {
			return nil, fmt.Errorf("create: %s", created.Describe())
		}
		l := created.List
		me.GetList()
		if upd := me.UpdateList(l.ID, l.Revision, l.Favorites); upd.List == nil {
			return nil, fmt.Errorf("update: %s", upd.Describe())
		}
		added := me.AddFavorite(api.Favorite{PageID: fmt.Sprintf("3893d33b-9fm4-474b-80b0-%012d", s), RelativeURL: "/limited-edition/analytics", Title: "Limited Edition Products Analytics"})
		if added.List == nil {
			return nil, fmt.Errorf("add: %s", added.Describe())
		}
		me.DeleteFavorite(added.List.Favorites[len(added.List.Favorites)-1].ID)
		me.DeleteList(l.ID)
		if s%2 == 1 {
			for i := first; i < len(entries); i++ {
				if entries[i].Request.Method == http.MethodGet {
					entries[i].Base64()
				}
			}
		}
	}
	return entries, nil
}

// writeHAR writes a HAR of harEntries entries to path, cycling through entries (each with its
// own start time), entry by entry and indented as devtools write it, so that the generator never
// holds the whole file.
func writeHAR(path string, entries []har.Entry) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	fmt.Fprint(w, "{\n  \"log\": {\n    \"version\": \"1.2\",\n    \"creator\": {\"name\": \"WebInspector\", \"version\": \"537.36\"},\n    \"browser\": {\"name\": \"Chrome\", \"version\": \"131.0.0.0\"},\n    \"pages\": [],\n    \"entries\": [\n")
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i := range harEntries {
		e := entries[i%len(entries)]
		e.StartedDateTime = start.Add(time.Duration(i) * 10 * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
		b, err := json.MarshalIndent(e, "      ", "  ")
		if err != nil {
			return err
		}
		if i > 0 {
			w.WriteString(",\n")
		}
		w.WriteString("      ")
		w.Write(b)
	}
	w.WriteString("\n    ]\n  }\n}\n")
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// heapSampler records the largest heap (live and not yet collected objects) seen while it runs.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

func sampleHeap() *heapSampler {
	s := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > s.peak.Load() {
			s.peak.Store(v)
		}
	}
	read()
	go func() {
		defer close(s.done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return s
}

func (s *heapSampler) end() uint64 {
	close(s.stop)
	<-s.done
	return s.peak.Load()
}

// resetPeakRSS makes the kernel forget the process's peak RSS (Linux; false elsewhere), so that
// peakRSS then reports the peak of what follows.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS is the process's peak resident set size in bytes (VmHWM), or 0 when unknown.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// BenchmarkHARValidation checks a generated HAR of harEntries entries (recordings of the six
// operations against the mock, cycled; about 3 KB of indented JSON each), as `favconform
// validate` does (check=summary, without --report-dir; check=report, with it): entries/s, and
// the peak heap (peak-heap-MB, sampled every millisecond) and peak RSS (peak-RSS-MB, Linux) of
// the whole process during the check. The baselines are the validator alone on the same
// exchanges, already decoded, on one CPU and on every CPU: what reading the file costs on top.
// Each check round is followed by a validator pass on every CPU, untimed by b, so that
// x-validator (the check's rate ÷ the validator's) pairs the two within the same round.
// alloc-B/entry, the bytes a check allocates per entry, is the figure the machine's load does
// not move: the garbage collector's share of the CPU follows it.
func BenchmarkHARValidation(b *testing.B) {
	entries, err := recordHARSessions()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "session.har")
	if err := writeHAR(path, entries); err != nil {
		b.Fatal(err)
	}
	// The baselines: the validator alone on the same exchanges, already decoded, on one CPU and
	// on every CPU (as the check runs).
	v, err := validate.Default()
	if err != nil {
		b.Fatal(err)
	}
	type exchange struct {
		req               *http.Request
		reqBody, respBody []byte
		status            int
		respHeader        http.Header
	}
	xs := make([]exchange, len(entries))
	for i, e := range entries {
		req, err := http.NewRequest(e.Request.Method, e.Request.URL, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, h := range e.Request.Headers {
			req.Header.Add(h.Name, h.Value)
		}
		respHeader := http.Header{}
		for _, h := range e.Response.Headers {
			respHeader.Add(h.Name, h.Value)
		}
		body, err := e.Response.Body()
		if err != nil {
			b.Fatal(err)
		}
		xs[i] = exchange{req: req, reqBody: e.Request.Body(), status: e.Response.Status, respHeader: respHeader, respBody: body}
	}
	// validatePass validates harEntries exchanges on cpus goroutines.
	validatePass := func(b *testing.B, cpus int) {
		var wg sync.WaitGroup
		for c := range cpus {
			wg.Go(func() {
				for i := c; i < harEntries; i += cpus {
					x := xs[i%len(xs)]
					if _, vs := v.Check(x.req, x.reqBody, x.status, x.respHeader, x.respBody); len(vs) > 0 {
						b.Error(vs)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	validateAll := func(b *testing.B, cpus int) {
		for b.Loop() {
			validatePass(b, cpus)
		}
		b.ReportMetric(float64(harEntries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	}
	b.Run("baseline=validator-1-cpu", func(b *testing.B) { validateAll(b, 1) })
	b.Run("baseline=validator-all-cpus", func(b *testing.B) { validateAll(b, runtime.GOMAXPROCS(0)) })
	for _, mode := range []struct {
		name string
		opts har.Options
	}{
		// What `favconform validate` does without --report-dir: the results the summary needs.
		{"check=summary", har.Options{OmitExchanges: true}},
		// With --report-dir: every checked entry's exchange is kept for its transcript.
		{"check=report", har.Options{}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			var peakHeap, rss uint64
			var baseline time.Duration // the validator alone, interleaved with the check's rounds
			var allocated uint64       // bytes the checks allocated (the machine's speed does not move it)
			for b.Loop() {
				b.StopTimer()
				debug.FreeOSMemory()
				rssKnown := resetPeakRSS()
				heap := sampleHeap()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				b.StartTimer()
				res, err := har.CheckFile(path, mode.opts)
				b.StopTimer()
				runtime.ReadMemStats(&after)
				allocated += after.TotalAlloc - before.TotalAlloc
				peakHeap = max(peakHeap, heap.end())
				if rssKnown {
					rss = max(rss, peakRSS())
				}
				if err != nil {
					b.Fatal(err)
				}
				if conform, violating, skipped := res.Counts(); conform != harEntries || violating+skipped != 0 {
					b.Fatalf("want %d conforming entries, got %d conform, %d with violations, %d skipped", harEntries, conform, violating, skipped)
				}
				runtime.KeepAlive(res)
				res = har.Result{}
				// The baseline in the same round: the validator alone on every CPU.
				start := time.Now()
				validatePass(b, runtime.GOMAXPROCS(0))
				baseline += time.Since(start)
				b.StartTimer()
			}
			rate := float64(harEntries) * float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(rate, "entries/s")
			b.ReportMetric(rate/(float64(harEntries)*float64(b.N)/baseline.Seconds()), "x-validator")
			b.ReportMetric(float64(allocated)/float64(harEntries*b.N), "alloc-B/entry")
			b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
			if rss > 0 {
				b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
			}
		})
	}
}
