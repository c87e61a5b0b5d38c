package runner

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/suites"
	"github.com/favconform/favconform/report"
	"github.com/favconform/favconform/spec"
)

// A parallel run (Options.Parallel > 1) lists the specs that would run (a dry run), shares them
// out among worker processes — each on accounts of its own, so that no two specs running at once
// touch the same list — and merges the workers' reports into one. Each worker is a child process
// (child.go) that snapshots and restores its own accounts' lists. A spec is given to a worker
// whose accounts hold every role it needs; the longest specs go first, each to the worker with
// the least work so far.

// workers is how many worker processes a run of opts uses.
func workers(opts Options) (int, error) {
	if opts.DryRun || opts.Worker > 0 {
		return 1, nil
	}
	embedded := opts.TargetFile == "" && opts.TargetURL == ""
	if embedded {
		return max(opts.Parallel, 1), nil
	}
	cfg, stop, err := Target(opts)
	stop()
	if err != nil {
		return 0, err
	}
	slots := cfg.Slots()
	if opts.Parallel == 0 {
		return slots, nil
	}
	if opts.Parallel > slots {
		return 0, UsageError{fmt.Errorf("--parallel %d needs %d sets of accounts, and the target configuration has %d: list %d accounts of the user role (identities.user: [{headers: ...}, ...]), or run with --parallel %d",
			opts.Parallel, opts.Parallel, slots, opts.Parallel, slots)}
	}
	return opts.Parallel, nil
}

// specCost estimates how long a spec runs, in plain specs: the model-based sequences send a
// few hundred requests, a race a burst, the others a handful.
func specCost(labels []string) int {
	switch {
	case slices.Contains(labels, suites.ModelLabel):
		return 60
	case slices.Contains(labels, suites.Concurrency):
		return 4
	case slices.Contains(labels, suites.Webhooks):
		return 2
	}
	return 1
}

// plan shares the specs of a dry run out among n workers: names[k] are worker k's.
func plan(specs []report.Spec, n int, canRun func(worker int, labels []string) bool) ([][]string, []report.Spec) {
	order := slices.Clone(specs)
	slices.SortStableFunc(order, func(a, b report.Spec) int { return cmp.Compare(specCost(b.Labels), specCost(a.Labels)) })
	names := make([][]string, n)
	load := make([]int, n)
	var unplaced []report.Spec
	for _, s := range order {
		best := -1
		for k := range n {
			if canRun(k, s.Labels) && (best < 0 || load[k] < load[best]) {
				best = k
			}
		}
		if best < 0 {
			unplaced = append(unplaced, s)
			continue
		}
		names[best] = append(names[best], s.Name)
		load[best] += specCost(s.Labels)
	}
	return names, unplaced
}

// runParallel runs the suites in n worker processes and merges their reports.
func runParallel(t ginkgo.GinkgoTestingT, opts Options, n int) (*report.Report, error) {
	out := opts.Out
	if out == nil {
		out = os.Stdout
	}
	start := time.Now()
	if opts.Seed == 0 {
		opts.Seed = randomSeed() // one seed for every worker: one printed seed replays the run
		fmt.Fprintf(out, "favconform: model-based seed %d (replay with --seed %d)\n", opts.Seed, opts.Seed)
	}
	// The dry run lists the specs the filters select.
	listing := opts
	listing.DryRun, listing.Out, listing.ReportDir, listing.Parallel = true, io.Discard, "", 1
	planned, err := runInChild(childT{}, listing)
	if err != nil {
		return nil, err
	}
	var selected []report.Spec
	for _, s := range planned.Specs {
		if s.State == "passed" { // what a dry run would run
			selected = append(selected, s)
		}
	}
	embedded := opts.TargetFile == "" && opts.TargetURL == ""
	canRun := func(int, []string) bool { return true }
	if !embedded {
		cfg, stop, err := Target(opts)
		stop()
		if err != nil {
			return nil, err
		}
		canRun = func(k int, labels []string) bool {
			slot := cfg.Slot(k)
			for _, l := range labels {
				if role, ok := strings.CutPrefix(l, suites.RoleLabelPrefix); ok && !slot.Has(identity.Role(role)) {
					return false
				}
			}
			// The target's events reach one receiver: the first worker's.
			return k == 0 || !slices.Contains(labels, suites.Webhooks)
		}
	}
	names, unplaced := plan(selected, n, canRun)
	// No account set has what these need: the first worker runs them, and they skip, saying why.
	for _, s := range unplaced {
		names[0] = append(names[0], s.Name)
	}
	fmt.Fprintf(out, "favconform: running %d specs in %d processes, each on accounts of its own:", len(selected), n)
	for k := range names {
		fmt.Fprintf(out, " %d", len(names[k]))
	}
	fmt.Fprintln(out)

	// Signals reach the workers (they restore their own lists); the parent waits for them.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	var mu sync.Mutex
	running := map[int]*os.Process{}
	go func() {
		for sig := range sigs {
			mu.Lock()
			for _, p := range running {
				p.Signal(sig)
			}
			mu.Unlock()
		}
	}()

	type result struct {
		rep *report.Report
		err error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	lines := &lockedWriter{w: out}
	for k := range n {
		if len(names[k]) == 0 {
			continue
		}
		w := opts
		w.Parallel, w.Slot, w.Worker, w.ReportDir, w.InProcess = 1, k, k+1, "", true
		if embedded {
			w.Slot = 0 // each worker has a mock of its own
		}
		w.Focus = make([]string, len(names[k]))
		for i, name := range names[k] {
			w.Focus[i] = "^" + regexp.QuoteMeta(suiteDescription+" "+name) + "$"
		}
		if opts.ReportDir != "" {
			w.RecoveryDir = opts.ReportDir
		}
		prefix := &prefixWriter{to: lines, prefix: fmt.Sprintf("[%d] ", k+1)}
		wg.Go(func() {
			rep, err := runChild(w, prefix, func(p *os.Process) {
				mu.Lock()
				if p == nil {
					delete(running, k)
				} else {
					running[k] = p
				}
				mu.Unlock()
			})
			prefix.Flush()
			results[k] = result{rep, err}
		})
	}
	wg.Wait()

	var parts []*report.Report
	var errs []error
	for _, r := range results {
		if r.rep != nil {
			parts = append(parts, r.rep)
		}
		var ne NothingCheckedError
		if r.err != nil && !errors.As(r.err, &ne) { // emptiness is judged on the merged report
			errs = append(errs, r.err)
		}
	}
	if len(parts) == 0 {
		return nil, firstError(errs)
	}
	reqs, err := spec.Requirements()
	if err != nil {
		return nil, UsageError{err}
	}
	rep := report.Merge(parts, reqs, time.Since(start))
	rep.Print(out)
	if opts.ReportDir != "" {
		if err := rep.WriteAll(opts.ReportDir); err != nil {
			return rep, UsageError{fmt.Errorf("writing the reports: %w", err)}
		}
		fmt.Fprintf(out, "reports written to %s (junit.xml, report.json, report.html, summary.md)\n", opts.ReportDir)
	}
	if !rep.Summary.Conforming && rep.Verdict() != report.VerdictNothingChecked {
		t.Fail()
	}
	if err := firstError(errs); err != nil {
		return rep, err
	}
	if rep.Verdict() == report.VerdictNothingChecked && !opts.AllowEmpty {
		return rep, NothingCheckedError{Reason: fmt.Sprintf("every one of the %d specs matching the filters was skipped", len(selected))}
	}
	return rep, nil
}

// firstError is the error that decides a parallel run's exit: a failed restore first, then
// an interrupt, an unreachable target, anything else.
func firstError(errs []error) error {
	for _, want := range []func(error) bool{
		func(e error) bool { var x RestoreError; return errors.As(e, &x) },
		func(e error) bool { var x InterruptedError; return errors.As(e, &x) },
		func(e error) bool { var x UnreachableError; return errors.As(e, &x) },
		func(error) bool { return true },
	} {
		for _, e := range errs {
			if want(e) {
				return e
			}
		}
	}
	return nil
}

// lockedWriter serialises whole writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// prefixWriter writes each whole line with a prefix (a worker's number).
type prefixWriter struct {
	to     io.Writer
	prefix string
	mu     sync.Mutex
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := slices.Index(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		if _, err := p.to.Write(append([]byte(p.prefix), p.buf[:i+1]...)); err != nil {
			return 0, err
		}
		p.buf = p.buf[i+1:]
	}
}

// Flush writes what is left of a last line.
func (p *prefixWriter) Flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.buf) > 0 {
		p.to.Write(append(append([]byte(p.prefix), p.buf...), '\n'))
		p.buf = nil
	}
}
