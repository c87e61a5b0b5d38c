package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/report"
)

// ---------------------------------------------------------------------------------------------
// The default profile against a target a network away.

// delayed serves h after holding every request back d, as a round trip to a remote server would.
func delayed(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(d)
		h.ServeHTTP(w, r)
	})
}

// targetFile writes a target file naming every account of ids, by role.
func targetFile(b *testing.B, base string, ids []identity.Identity) string {
	b.Helper()
	var sb strings.Builder
	fmt.Fprintf(&sb, "baseURL: %s\ntimeout: 10s\nidentities:\n", base)
	for _, role := range identity.Roles {
		fmt.Fprintf(&sb, "  %s:\n", role)
		for _, id := range ids {
			if id.Role == role {
				fmt.Fprintf(&sb, "    - headers: {Authorization: %q}\n", id.Token)
			}
		}
	}
	path := filepath.Join(b.TempDir(), "target.yaml")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkRealLatency runs the default profile (seed 1) as a user does — the command in its
// own process, a target file — against the mock behind a delay of 20 ms and of 50 ms per
// request, with one account per role (the run is serial) and with a pool of 4 (four workers).
// Its baseline is the run's critical path, measured in the same run: the longest spec, a chain
// of requests that must be sequential whatever the parallelism. It reports the wall time, the
// requests sent, the critical path and wall ÷ critical path (target with a pool: ≤ 1.5).
func BenchmarkRealLatency(b *testing.B) {
	dir, err := buildOnce()
	if err != nil {
		b.Fatal(err)
	}
	fc := filepath.Join(dir, "favconform")
	for _, d := range []time.Duration{20 * time.Millisecond, 50 * time.Millisecond} {
		for _, pool := range []int{1, 4} {
			b.Run(fmt.Sprintf("delay=%s/pool=%d", d, pool), func(b *testing.B) {
				ids := identity.Pool(pool)
				m, err := mock.New(mock.Options{Identities: ids})
				if err != nil {
					b.Fatal(err)
				}
				tf := targetFile(b, serve(b, delayed(m, d)), ids)
				reports := b.TempDir()
				var wall, critical time.Duration
				var requests, runs int
				for b.Loop() {
					m.Reset()
					start := time.Now()
					cmd := exec.Command(fc, "run", "--target-file", tf, "--seed", "1", "--report-dir", reports)
					if out, err := cmd.CombinedOutput(); err != nil {
						b.Fatalf("favconform run against the delayed mock: %v\n%s", err, out)
					}
					wall += time.Since(start)
					rep := readReport(b, filepath.Join(reports, "report.json"))
					requests += rep.Summary.Requests
					var longest int64
					for _, s := range rep.Specs {
						longest = max(longest, s.DurationMS)
					}
					critical += time.Duration(longest) * time.Millisecond
					runs++
				}
				n := float64(runs)
				b.ReportMetric(wall.Seconds()/n, "wall-s")
				b.ReportMetric(float64(requests)/n, "requests")
				b.ReportMetric(critical.Seconds()/n, "critical-path-s")
				b.ReportMetric(wall.Seconds()/critical.Seconds(), "x-critical-path")
			})
		}
	}
}

func readReport(b *testing.B, path string) report.Report {
	b.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var rep report.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		b.Fatalf("%s: %v", path, err)
	}
	if rep.Summary.Ran == 0 || !rep.Summary.Conforming {
		b.Fatalf("%s: the run is not a conforming one (ran %d, failed %d): no figure from it", path, rep.Summary.Ran, rep.Summary.Failed)
	}
	return rep
}
