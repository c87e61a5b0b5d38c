// Command ratios reads `go test -bench` output (bench/results.txt) and prints, for each figure of
// BENCHMARKS.md, the median over the runs (with the smallest and largest) of the figure. Every
// figure with a baseline target is a ratio taken within one result line: the benchmark times
// subject and baseline in alternating rounds of one loop (bench's interleave, or Throughput's
// rounds, or HARValidation's validator pass after each check), so that both come from the same
// moment of the machine. The growth figures compare sub-benchmarks run one after another.
//
//	go run ./bench/ratios bench/results.txt
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// results maps "Benchmark/sub unit" to its values, in run order.
type results map[string][]float64

var line = regexp.MustCompile(`^Benchmark(\S+?)(-\d+)?\s+\d+\s+(.*)$`)

func read(path string) (results, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := results{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		fields := strings.Fields(m[3])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			k := m[1] + " " + fields[i+1]
			r[k] = append(r[k], v)
		}
	}
	return r, sc.Err()
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ratio is one figure: f(values of the runs, in order) for each run.
type ratio struct {
	name, target string
	keys         []string
	f            func(v ...float64) float64
	ok           func(m float64) bool
}

func div(v ...float64) float64 { return v[0] / v[1] }

// added is (through − direct) ÷ (other − direct).
func added(v ...float64) float64 { return (v[0] - v[2]) / (v[1] - v[2]) }

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: ratios results.txt")
		os.Exit(2)
	}
	r, err := read(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	first := func(v ...float64) float64 { return v[0] }
	atMost := func(t float64) func(float64) bool { return func(m float64) bool { return m <= t } }
	atLeast := func(t float64) func(float64) bool { return func(m float64) bool { return m >= t } }
	figures := []ratio{
		{"validate one GET exchange ÷ loopback round trip", "≤ 0.25", []string{"Validation/validate=get x-base"}, first, atMost(0.25)},
		{"validate one add exchange ÷ loopback round trip", "≤ 0.25", []string{"Validation/validate=add x-base"}, first, atMost(0.25)},
		{"mock get req/s ÷ fixed-body handler req/s", "≥ 0.7", []string{"Throughput/mock=get x-base"}, first, atLeast(0.7)},
		{"mock get p50 ÷ fixed-body p50", "", []string{"Throughput/mock=get p50-µs", "Throughput/mock=get base-p50-µs"}, div, nil},
		{"mock get p99 ÷ fixed-body p99", "", []string{"Throughput/mock=get p99-µs", "Throughput/mock=get base-p99-µs"}, div, nil},
		{"mock add req/s ÷ fixed-body handler req/s", "≥ 0.7", []string{"Throughput/mock=add x-base"}, first, atLeast(0.7)},
		{"mock add p50 ÷ fixed-body p50", "", []string{"Throughput/mock=add p50-µs", "Throughput/mock=add base-p50-µs"}, div, nil},
		{"mock add p99 ÷ fixed-body p99", "", []string{"Throughput/mock=add p99-µs", "Throughput/mock=add base-p99-µs"}, div, nil},
		{"mock delete req/s ÷ fixed-body handler req/s", "≥ 0.7", []string{"Throughput/mock=delete x-base"}, first, atLeast(0.7)},
		{"mock delete p50 ÷ fixed-body p50", "", []string{"Throughput/mock=delete p50-µs", "Throughput/mock=delete base-p50-µs"}, div, nil},
		{"mock delete p99 ÷ fixed-body p99", "", []string{"Throughput/mock=delete p99-µs", "Throughput/mock=delete base-p99-µs"}, div, nil},
		{"proxy latency ÷ direct call", "", []string{"Proxy favconform-µs", "Proxy direct-µs"}, div, nil},
		{"Prism latency ÷ direct call", "", []string{"Proxy prism-µs", "Proxy direct-µs"}, div, nil},
		{"proxy's added latency ÷ Prism's added latency", "≤ 0.05", []string{"Proxy favconform-µs", "Proxy prism-µs", "Proxy direct-µs"}, added, atMost(0.05)},
		{"suite run (s)", "≤ 1", []string{"Suite run-µs"}, func(v ...float64) float64 { return v[0] / 1e6 }, atMost(1)},
		{"suite ginkgo -p (s)", "≤ 1", []string{"Suite ginkgo-p-µs"}, func(v ...float64) float64 { return v[0] / 1e6 }, atMost(1)},
		{"suite run ÷ process start", "", []string{"Suite run-µs", "Suite start-µs"}, div, nil},
		{"suite ginkgo -p ÷ suite run", "", []string{"Suite ginkgo-p-µs", "Suite run-µs"}, div, nil},
		{"20 ms/request, 1 account/role: wall (s)", "", []string{"RealLatency/delay=20ms/pool=1 wall-s"}, first, nil},
		{"20 ms, 1 account: wall ÷ critical path", "", []string{"RealLatency/delay=20ms/pool=1 x-critical-path"}, first, nil},
		{"20 ms/request, pool of 4: wall (s)", "", []string{"RealLatency/delay=20ms/pool=4 wall-s"}, first, nil},
		{"20 ms, pool of 4: wall ÷ critical path", "≤ 1.5", []string{"RealLatency/delay=20ms/pool=4 x-critical-path"}, first, atMost(1.5)},
		{"50 ms/request, 1 account/role: wall (s)", "", []string{"RealLatency/delay=50ms/pool=1 wall-s"}, first, nil},
		{"50 ms, 1 account: wall ÷ critical path", "", []string{"RealLatency/delay=50ms/pool=1 x-critical-path"}, first, nil},
		{"50 ms/request, pool of 4: wall (s)", "", []string{"RealLatency/delay=50ms/pool=4 wall-s"}, first, nil},
		{"50 ms, pool of 4: wall ÷ critical path", "≤ 1.5", []string{"RealLatency/delay=50ms/pool=4 x-critical-path"}, first, atMost(1.5)},
		{"requests of a default run (seed 1)", "", []string{"RealLatency/delay=20ms/pool=1 requests"}, first, nil},
		{"HAR check entries/s (summary)", "≥ 50000", []string{"HARValidation/check=summary entries/s"}, first, atLeast(50000)},
		{"HAR check entries/s (with report)", "≥ 50000", []string{"HARValidation/check=report entries/s"}, first, atLeast(50000)},
		{"HAR check ÷ validator alone (all CPUs, same round)", "", []string{"HARValidation/check=summary x-validator"}, first, nil},
		{"HAR check peak RSS (MB)", "", []string{"HARValidation/check=report peak-RSS-MB"}, first, nil},
		{"validate 100 favorites ÷ 1 favorite", "linear", []string{"ValidationGrowth/favorites=100 ns/op", "ValidationGrowth/favorites=1 ns/op"}, div, nil},
		{"µs per favorite, 1 → 100", "", []string{"ValidationGrowth/favorites=100 ns/op", "ValidationGrowth/favorites=1 ns/op"}, func(v ...float64) float64 { return (v[0] - v[1]) / 99 / 1e3 }, nil},
		{"µs per favorite, 10 → 50", "", []string{"ValidationGrowth/favorites=50 ns/op", "ValidationGrowth/favorites=10 ns/op"}, func(v ...float64) float64 { return (v[0] - v[1]) / 40 / 1e3 }, nil},
		{"µs per favorite, 50 → 100", "", []string{"ValidationGrowth/favorites=100 ns/op", "ValidationGrowth/favorites=50 ns/op"}, func(v ...float64) float64 { return (v[0] - v[1]) / 50 / 1e3 }, nil},
		{"mock bytes per identity at 10,000", "", []string{"MockMemory/identities=10000 B/identity"}, func(v ...float64) float64 { return v[0] }, nil},
		{"bytes per identity, 10,000 ÷ 1,000", "linear: ≈ 1", []string{"MockMemory/identities=10000 B/identity", "MockMemory/identities=1000 B/identity"}, div, nil},
		{"default options (journal on): bytes per identity at 1,000", "", []string{"MockMemory/identities=1000 default-B/identity"}, func(v ...float64) float64 { return v[0] }, nil},
		{"default options (journal on): bytes per identity at 10,000", "", []string{"MockMemory/identities=10000 default-B/identity"}, func(v ...float64) float64 { return v[0] }, nil},
	}
	fmt.Printf("%-48s %10s %10s %10s  %-8s %s\n", "figure", "median", "min", "max", "target", "")
	for _, fig := range figures {
		runs := -1
		for _, k := range fig.keys {
			if n := len(r[k]); runs < 0 || n < runs {
				runs = n
			}
		}
		if runs <= 0 {
			fmt.Printf("%-48s %10s\n", fig.name, "(not run)")
			continue
		}
		vals := make([]float64, runs)
		for i := range runs {
			args := make([]float64, len(fig.keys))
			for j, k := range fig.keys {
				args[j] = r[k][i]
			}
			vals[i] = fig.f(args...)
		}
		m := median(vals)
		verdict := ""
		if fig.ok != nil {
			verdict = "met"
			if !fig.ok(m) {
				verdict = "MISSED"
			}
		}
		fmt.Printf("%-48s %10.3f %10.3f %10.3f  %-8s %s  (%d runs)\n", fig.name, m, slices.Min(vals), slices.Max(vals), fig.target, verdict, runs)
	}
}
