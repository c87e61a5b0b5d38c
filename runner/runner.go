// Package runner runs the conformance suites against a target — the embedded reference mock by
// default — and turns Ginkgo's report into an outcome and a readable summary. The favconform
// command and `go test ./suites` both run through it.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/snapshot"
	"github.com/favconform/favconform/internal/suites"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/report"
	"github.com/favconform/favconform/spec"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
)

// suiteDescription is the suites' description: Ginkgo matches --focus against it and the spec's
// text, joined by a space.
const suiteDescription = "favconform conformance"

// Exit codes of a run.
const (
	ExitConforming    = 0
	ExitNonconforming = 1
	ExitUsage         = 2
	ExitUnreachable   = 3
	// ExitInterrupted is a run stopped by Ctrl-C or SIGTERM before any failure (128 + SIGINT,
	// as shells report it); failures seen before the stop still give ExitNonconforming.
	ExitInterrupted = 130
	// ExitRestoreFailed is a run that could not put every identity's list back: the message names
	// the recovery file and the command that finishes the restore.
	ExitRestoreFailed = 4
)

// Options say what to run against what.
type Options struct {
	// TargetFile is a target configuration file (see target.Load). Empty with an empty TargetURL
	// means the embedded reference mock.
	TargetFile string
	// TargetURL overrides the file's base URL.
	TargetURL string
	// Deviations switch the embedded mock's deviations on (mock.Deviations).
	Deviations []string
	// Readings move the embedded mock to other legitimate readings of points the docs leave
	// open (mock.Readings): the default profile must pass it under any of them.
	Readings []string
	// Strict includes the checks of readings the docs do not force.
	Strict bool
	// LabelFilter narrows the specs (Ginkgo's label filter syntax), combined with the profile.
	LabelFilter string
	// Focus runs only the specs whose text matches one of these regular expressions.
	Focus []string
	// DryRun lists the specs without running them.
	DryRun bool
	// Verbose prints one line per spec as it ends, with its state and time (without it, one
	// mark per spec). Ginkgo's own -ginkgo.v prints Ginkgo's report with the transcripts.
	Verbose bool
	// Timeout bounds each request (zero: the target's setting, or target.DefaultTimeout).
	Timeout time.Duration
	// Out receives the progress and the summary; nil means os.Stdout.
	Out io.Writer `json:"-"`
	// NoColor turns Ginkgo's colours off (for logs and CI).
	NoColor bool
	// ReportDir, if set, receives junit.xml, report.json, report.html and summary.md.
	ReportDir string
	// RecoveryDir is where the recovery file of a writing run goes (empty: ReportDir, else a
	// temporary directory named in the output).
	RecoveryDir string
	// Version is the harness version recorded in reports.
	Version string
	// AllowWrites lets the suites change data on a target that is not on loopback.
	AllowWrites bool
	// Clients is how many clients the concurrency specs race, MinClients to MaxClients (0:
	// DefaultClients).
	Clients int
	// Seed is the seed of the model-based sequences; the same seed replays the same sequences
	// (0: a random one, printed at the start of the run).
	Seed int64
	// ModelSteps is the length of each model-based sequence (0: 200 against a loopback target,
	// 50 against another; the summary says which).
	ModelSteps int
	// Tokens are the roles' Authorization values when the target is given by TargetURL alone
	// (the command reads them from FAVCONFORM_TOKEN_<ROLE>, TokenEnv); a role without one is
	// left out, and its specs are skipped, saying so.
	Tokens map[identity.Role]string
	// AllowEmpty lets a run in which no spec ran to a result end without an error (it has no
	// verdict; by default it is a NothingCheckedError, exit 2).
	AllowEmpty bool
	// Parallel is how many processes run the specs at once, each on accounts of its own (against
	// the embedded mock, each its own mock; against a target, each one of the target
	// configuration's account sets: target.Config.Slots). 0: 1 against the embedded mock, as many
	// as the account sets against another target. A spec runs in one process; the reports are
	// merged into one.
	Parallel int
	// Slot and Worker are set by the parallel runner for a worker process: the account set it
	// uses, and its number (1-based; its console prints log lines only).
	Slot   int `json:"slot,omitempty"`
	Worker int `json:"worker,omitempty"`
	// InProcess runs the suites in this process even when Run is called from a test: for a test
	// binary that is the suites' own Ginkgo entry point (the ginkgo CLI's -p, -ginkgo.* flags).
	// A process can run them once.
	InProcess bool `json:"-"`
}

// The number of clients the concurrency specs race (Options.Clients): at most MaxClients, so
// that one favorite per client and the list's first one fit in a list of 100.
const (
	DefaultClients = suites.DefaultClients
	MinClients     = suites.MinClients
	MaxClients     = suites.MaxClients
)

// Validate says what makes opts unusable before anything is started (a UsageError).
func (opts Options) Validate() error {
	if opts.Clients != 0 {
		if err := suites.CheckClients(opts.Clients); err != nil {
			return UsageError{err}
		}
	}
	if opts.Timeout < 0 {
		return UsageError{fmt.Errorf("the per-request timeout must be positive, got %s", opts.Timeout)}
	}
	if opts.Parallel < 0 {
		return UsageError{fmt.Errorf("--parallel must be positive, got %d", opts.Parallel)}
	}
	if opts.ModelSteps < 0 {
		return UsageError{fmt.Errorf("the model-based sequences' length must be positive, got %d", opts.ModelSteps)}
	}
	if len(opts.Tokens) > 0 && opts.TargetURL == "" {
		return UsageError{errors.New("Tokens apply to a target given by TargetURL alone; a target file names each role's headers")}
	}
	if opts.TargetFile != "" && len(opts.Tokens) > 0 {
		return UsageError{errors.New("give the roles' tokens either in the target file or as Tokens, not both")}
	}
	for _, f := range opts.Focus {
		if _, err := regexp.Compile(f); err != nil {
			return UsageError{fmt.Errorf("--focus %q is not a regular expression: %v", f, err)}
		}
	}
	return nil
}

// NothingCheckedError is a run in which no spec ran to a result (exit 2): a filter matched
// nothing, or every spec that matched was skipped.
type NothingCheckedError struct{ Reason string }

func (e NothingCheckedError) Error() string {
	return "nothing was checked: " + e.Reason + " (--allow-empty makes such a run exit 0)"
}

// UsageError is a configuration the run cannot start with (exit 2).
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// UnreachableError is a target that does not answer (exit 3).
type UnreachableError struct{ Err error }

func (e UnreachableError) Error() string { return e.Err.Error() }
func (e UnreachableError) Unwrap() error { return e.Err }

// ExitCode maps a run's result to the command's exit code.
func ExitCode(o *report.Report, err error) int {
	var ue UsageError
	var un UnreachableError
	var re RestoreError
	var ie InterruptedError
	var ne NothingCheckedError
	switch {
	case errors.As(err, &ne):
		return ExitUsage
	case errors.As(err, &re):
		return ExitRestoreFailed
	case errors.As(err, &ie):
		return ExitInterrupted
	case errors.As(err, &un):
		return ExitUnreachable
	case errors.As(err, &ue):
		return ExitUsage
	case err != nil:
		return ExitUsage
	case o == nil:
		return ExitNonconforming
	}
	switch o.Verdict() {
	case report.VerdictConforming, report.VerdictNothingChecked: // (nothing checked: only with AllowEmpty)
		return ExitConforming
	case report.VerdictInterrupted:
		return ExitInterrupted
	}
	return ExitNonconforming
}

// Target builds the target configuration of opts, starting the embedded mock when no target is
// given. stop releases what it started.
func Target(opts Options) (cfg target.Config, stop func(), err error) {
	stop = func() {}
	if opts.TargetFile == "" && opts.TargetURL == "" {
		srv, err := mock.NewServer(mock.Options{Deviations: opts.Deviations, Readings: opts.Readings, JournalSize: -1}) // nobody reads a run's journal
		if err != nil {
			return cfg, stop, UsageError{err}
		}
		cfg = target.ForMock(srv.URL, identity.Default())
		cfg.Timeout = opts.Timeout
		return cfg, srv.Close, nil
	}
	if len(opts.Deviations) > 0 || len(opts.Readings) > 0 {
		return cfg, stop, UsageError{errors.New("deviations and readings apply to the embedded mock only; drop --target/--target-file, or start `favconform serve --deviate NAME --reading NAME` and point --target at it")}
	}
	if opts.TargetFile != "" {
		cfg, err = target.Load(opts.TargetFile)
		if err != nil && opts.TargetURL == "" {
			return cfg, stop, UsageError{err}
		}
	}
	if opts.TargetURL != "" {
		cfg.BaseURL = opts.TargetURL
		if opts.TargetFile == "" {
			cfg.Identities = map[identity.Role]target.Headers{}
			for r, tok := range opts.Tokens {
				cfg.Identities[r] = target.Headers{"Authorization": tok}
			}
		}
	}
	if opts.Timeout > 0 {
		cfg.Timeout = opts.Timeout
	}
	if opts.Slot > 0 {
		if opts.Slot >= cfg.Slots() {
			return cfg, stop, UsageError{fmt.Errorf("account set %d: the target configuration has %d", opts.Slot, cfg.Slots())}
		}
		cfg = cfg.Slot(opts.Slot)
	}
	if opts.Worker > 1 {
		cfg.Webhooks = nil // the first worker alone receives the target's events (they listen on one address)
	}
	if err := cfg.Validate(); err != nil {
		if opts.TargetFile == "" && !cfg.Has(identity.User) {
			err = fmt.Errorf("%w; with --target alone, set %s to the user's token", err, TokenEnv(identity.User))
		}
		return cfg, stop, UsageError{err}
	}
	return cfg, stop, nil
}

// TokenEnv is the environment variable holding role's token when a target is given by URL alone:
// FAVCONFORM_TOKEN_USER, FAVCONFORM_TOKEN_SECOND_USER, ... (target.TokenEnv).
func TokenEnv(role identity.Role) string { return target.TokenEnv(role) }

// Probe checks that the target answers HTTP at all. It never follows a redirect: a redirect is
// reported as what it is, and the credentials go nowhere else.
func Probe(cfg target.Config) error {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.RequestTimeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(cfg.BaseURL, "/")+api.ListPath, nil)
	if err != nil {
		return UsageError{fmt.Errorf("target %s: %s", cfg.DisplayURL(), cfg.Redact(err.Error()))}
	}
	for k, v := range cfg.Identities[identity.User] {
		req.Header.Set(k, v)
	}
	resp, err := noRedirectClient.Do(req)
	if err != nil {
		return UnreachableError{fmt.Errorf("target %s does not answer: %s", cfg.DisplayURL(), cfg.Redact(err.Error()))}
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		where := resp.Header.Get("Location")
		if u, err := resp.Request.URL.Parse(where); err == nil {
			where = cfg.Redactor().URL(u)
		}
		return UsageError{fmt.Errorf("target %s answers GET %s with a redirect (%d to %s); the API does not redirect, and favconform never follows a redirect with credentials: point the target at the address that serves the API", cfg.DisplayURL(), api.ListPath, resp.StatusCode, where)}
	}
	return nil
}

// runHere runs the suites in this process (Ginkgo allows one run per process) and prints the
// summary. t gets Ginkgo's failures.
//
// Against a target other than the embedded mock, a run that may write first snapshots every
// configured identity's list and saves it to a recovery file, and after the specs (also after a
// failure, a timeout, or signals — see signals) restores and checks each list; a restore that
// leaves a list undone returns a RestoreError naming the file and the command that finishes it.
func runHere(t ginkgo.GinkgoTestingT, opts Options) (*report.Report, error) {
	out := opts.Out
	if out == nil {
		out = os.Stdout
	}
	cfg, receiver, stop, err := startTarget(opts, out)
	defer stop()
	if err != nil {
		return nil, err
	}
	if !opts.DryRun {
		if err := Probe(cfg); err != nil {
			return nil, err
		}
	}
	redactor := cfg.Redactor()
	con := newConsole(out, redactor) // every line printed from here on is redacted
	out = con
	clock := &callClock{}
	var ginkgoReport types.Report
	embedded := opts.TargetFile == "" && opts.TargetURL == ""
	allowWrites, readOnlyWhy := writePolicy(cfg, embedded, opts.AllowWrites)
	logLine := func(s string) { fmt.Fprintln(out, "favconform: "+s) }
	suiteConfig, reporterConfig := ginkgo.GinkgoConfiguration()
	if suiteConfig.ParallelTotal > 1 && !embedded {
		// Ginkgo's processes would share the target's accounts and race on their lists.
		return nil, UsageError{errors.New("the suites do not run under ginkgo -p against a target: its processes would share the same accounts and race on their lists; run `favconform run --parallel N` with N accounts per role in the target file instead (ginkgo -p against the embedded mock is fine: each process has a mock of its own)")}
	}
	for _, f := range []struct{ flag, expr string }{{"--label-filter", opts.LabelFilter}, {"-ginkgo.label-filter", suiteConfig.LabelFilter}} {
		if _, err := types.ParseLabelFilter(f.expr); err != nil {
			return nil, UsageError{fmt.Errorf("%s %q is not a label filter: %s (syntax: labels joined with &&, ||, ! and parentheses, e.g. 'req:revision.stale-refused || concurrency')", f.flag, f.expr, plainGinkgoError(err))}
		}
	}
	suiteConfig.LabelFilter = LabelFilter(opts.Strict, opts.LabelFilter, suiteConfig.LabelFilter)
	userFilter := suiteConfig.LabelFilter
	if !allowWrites && !opts.DryRun {
		// A dry run lists the writing specs too, saying they would be skipped.
		suiteConfig.LabelFilter = joinFilters(suiteConfig.LabelFilter, suites.ReadOnly)
		logLine(readOnlyWhy)
	} else if !allowWrites {
		logLine(readOnlyWhy)
	} else if !embedded && !opts.DryRun {
		logLine("writes allowed: the suites will delete and recreate the favorite lists of the configured identities; each list is snapshotted now and restored after the run (also after a failure or Ctrl-C).")
	}
	suiteConfig.FocusStrings = append(suiteConfig.FocusStrings, opts.Focus...)
	suiteConfig.DryRun = suiteConfig.DryRun || opts.DryRun
	target := cfg.DisplayURL()
	if embedded {
		target = "the embedded reference mock at " + cfg.BaseURL
		if len(opts.Deviations) > 0 {
			target += " (deviations: " + strings.Join(opts.Deviations, ", ") + ")"
		}
		if len(opts.Readings) > 0 {
			target += " (readings: " + strings.Join(opts.Readings, ", ") + ")"
		}
	}
	fmt.Fprintf(out, "favconform: running the conformance suites against %s (label filter %q)\n", target, suiteConfig.LabelFilter)
	// Every run prints its seed, so that any run can be replayed.
	seed := opts.Seed
	if seed == 0 {
		seed = randomSeed()
	}
	stepsWhy := "--model-steps"
	switch {
	case opts.ModelSteps > 0:
	case cfg.IsLoopback():
		stepsWhy = "the default against a loopback target; --model-steps sets it"
	default:
		stepsWhy = "the default against a remote target, fewer than against loopback; --model-steps sets it"
	}
	steps := suites.ModelSteps(cfg, opts.ModelSteps)
	fmt.Fprintf(out, "favconform: model-based seed %d (replay with --seed %d), %d steps per sequence (%s)\n", seed, seed, steps, stepsWhy)
	reqs, err := spec.Requirements()
	if err != nil {
		return nil, UsageError{err}
	}
	v, err := validate.Default()
	if err != nil {
		return nil, UsageError{err}
	}

	// From here until the lists are restored no signal ends the process (signals).
	beforeSpecs, cancelBeforeSpecs := context.WithCancel(context.Background())
	defer cancelBeforeSpecs()
	sig := catchSignals(out, cancelBeforeSpecs)
	defer sig.stop()
	var g *guard
	if allowWrites && !embedded && !opts.DryRun {
		if g, err = protect(beforeSpecs, cfg, v, opts, logLine); err != nil {
			return nil, err
		}
	}
	breaker := &client.Breaker{Limit: suites.SilentLimit}
	sc := suites.Config{Target: cfg, Validator: v, Receiver: receiver, AllowWrites: allowWrites, Clients: opts.Clients, Seed: seed, ModelSteps: opts.ModelSteps,
		Breaker: breaker, OnCall: clock.record, OnReport: func(r types.Report) { ginkgoReport = r }}
	if g != nil {
		sc.Unwritable = g.snap.Unwritable()
		for _, e := range g.snap.Entries {
			if e.State == snapshot.NoList {
				sc.KnownAbsent = append(sc.KnownAbsent, e.Role)
			}
		}
	}
	if err := suites.Register(sc); err != nil {
		return nil, UsageError{err}
	}
	registerProgress()
	sig.specsStarted()
	withProgress(con, &reporterConfig, suiteConfig, opts.Verbose, opts.NoColor, opts.Worker > 0, func() {
		ginkgo.RunSpecs(t, suiteDescription, suiteConfig, reporterConfig)
	})
	if suiteConfig.ParallelProcess > 1 {
		// Under ginkgo -p, the run's report (ReportAfterSuite) reaches process 1 only, which prints
		// the verdict; this process's own failures already fail it through Ginkgo.
		return &report.Report{}, nil
	}
	var restoreErr error
	if g != nil {
		// A spec abandoned by an interrupt may still be calling: stop every call first.
		breaker.Halt()
		sig.restore(g.pending, func(ctx context.Context) { restoreErr = g.restore(ctx, logLine) })
	}
	rep := report.FromGinkgo(ginkgoReport, reqs, report.Meta{
		Version: opts.Version, Target: cfg.DisplayURL(), LabelFilter: suiteConfig.LabelFilter, Strict: opts.Strict,
		TranscriptEntry: suites.TranscriptEntry, RequirementLabelPrefix: suites.RequirementLabelPrefix, ObservedReadingEntry: suites.ObservedReadingEntry,
		Redactor: redactor, CallTimes: clock.snapshot(), Mock: embeddedMock(embedded, opts), Seed: strconv.FormatInt(seed, 10), Requests: breaker.Sent(),
		SkipCause: func(labels []string, msg string) string {
			return suites.SkipCause(labels, msg, opts.Strict, allowWrites)
		},
	})
	if opts.DryRun {
		// A dry run has no verdict: it says what a run would do (its report lists the specs).
		printDryRun(out, rep, dryRunPlan{cfg: cfg, allowWrites: allowWrites, snapshot: allowWrites && !embedded, receiver: receiver != nil})
	} else if opts.Worker == 0 { // a worker's report is merged and printed by the parallel run
		rep.Print(out)
	}
	if opts.ReportDir != "" {
		if err := rep.WriteAll(opts.ReportDir); err != nil {
			return rep, UsageError{fmt.Errorf("writing the reports: %w", err)}
		}
		fmt.Fprintf(out, "reports written to %s (junit.xml, report.json, report.html, summary.md)\n", opts.ReportDir)
	}
	if opts.DryRun {
		return rep, nil
	}
	if restoreErr != nil {
		fmt.Fprintf(out, "favconform: RESTORE FAILED: %v\n", restoreErr)
		return rep, restoreErr
	}
	if rep.Verdict() == report.VerdictNothingChecked && !opts.AllowEmpty {
		return rep, NothingCheckedError{Reason: nothingReason(rep, ginkgoReport, opts.LabelFilter, userFilter, opts.Focus)}
	}
	return rep, nil
}

// randomSeed is a seed for a run that was given none (never 0, which means "none").
func randomSeed() int64 {
	for {
		if n := rand.Int64(); n != 0 {
			return n
		}
	}
}

// embeddedMock describes the embedded mock for the report (nil for another target).
func embeddedMock(embedded bool, opts Options) *report.MockTarget {
	if !embedded {
		return nil
	}
	m := &report.MockTarget{Deviations: append([]string{}, opts.Deviations...), Readings: append([]string{}, opts.Readings...),
		Tokens: map[string]string{}, Serve: "favconform serve --addr " + report.MockServeAddr}
	for _, d := range opts.Deviations {
		m.Serve += " --deviate " + d
	}
	for _, r := range opts.Readings {
		m.Serve += " --reading " + r
	}
	for _, id := range identity.Default() {
		if _, seen := m.Tokens[target.TokenEnv(id.Role)]; !seen {
			m.Tokens[target.TokenEnv(id.Role)] = id.Token
		}
	}
	return m
}

// nothingReason says why a run checked nothing: its filters matched no spec, or every spec they
// matched was skipped (and why). user is the --label-filter the user gave, combined the one in
// force.
func nothingReason(rep *report.Report, g types.Report, user, combined string, focus []string) string {
	var what []string
	if user != "" {
		what = append(what, fmt.Sprintf("--label-filter %q", user))
	}
	for _, f := range focus {
		what = append(what, fmt.Sprintf("--focus %q", f))
	}
	if len(what) == 0 {
		what = append(what, "the profile's filter")
	}
	matching := strings.Join(what, " and ") + fmt.Sprintf(" (label filter in force: %q)", combined)
	if g.PreRunStats.SpecsThatWillRun == 0 {
		return fmt.Sprintf("no spec of %d matches %s", rep.Summary.Total, matching)
	}
	var why []string
	for cause, n := range rep.Summary.SkippedBecause {
		if cause != "filter" && cause != "strict" {
			why = append(why, fmt.Sprintf("%d: %s", n, cause))
		}
	}
	slices.Sort(why)
	return fmt.Sprintf("every one of the %d specs matching %s was skipped (%s; the summary above says why each)", g.PreRunStats.SpecsThatWillRun, matching, strings.Join(why, ", "))
}

// plainGinkgoError is a Ginkgo error's message without its colour codes and indentation.
func plainGinkgoError(err error) string {
	s := err.Error()
	s = regexp.MustCompile(`\x1b\[[0-9;]*m|\{\{[a-z/]+\}\}`).ReplaceAllString(s, "")
	return strings.Join(strings.Fields(s), " ")
}

func joinFilters(a, b string) string {
	if a == "" {
		return b
	}
	return "(" + a + ") && " + b
}

// dryRunPlan is what a dry run knows of the run it stands for.
type dryRunPlan struct {
	cfg         target.Config
	allowWrites bool
	snapshot    bool
	receiver    bool
}

// printDryRun lists what a real run would do: each spec it would run (and whether it writes), and
// each it would skip, with why. It sends no request and gives no verdict.
func printDryRun(out io.Writer, rep *report.Report, plan dryRunPlan) {
	var run, skip []string
	for _, s := range rep.Specs {
		if s.State != "passed" { // Ginkgo marks what a dry run would run as passed
			continue
		}
		if why := plan.skipReason(s.Labels); why != "" {
			skip = append(skip, fmt.Sprintf("  skip  %s\n        (%s)", s.Name, why))
			continue
		}
		what := "writes: deletes, creates and changes the favorite lists of the identities it uses"
		if slices.Contains(s.Labels, suites.ReadOnly) {
			what = "read-only"
		}
		run = append(run, fmt.Sprintf("  run   %s  [%s]", s.Name, what))
	}
	fmt.Fprintf(out, "\ndry run: no request was sent, and a dry run has no verdict. Of %d specs, a run would run %d and skip %d:\n", rep.Summary.Total, len(run), len(skip)+rep.Summary.Skipped)
	for _, l := range append(run, skip...) {
		fmt.Fprintln(out, l)
	}
	if n := rep.Summary.Skipped; n > 0 {
		fmt.Fprintf(out, "  and %d left out by the profile and the filters", n)
		if k := rep.Summary.SkippedBecause["strict"]; k > 0 {
			fmt.Fprintf(out, " (%d need --strict)", k)
		}
		fmt.Fprintln(out)
	}
	if plan.snapshot {
		fmt.Fprintln(out, "Before the first write it would snapshot every configured identity's list (saved to a recovery file), and restore and check each after the last spec.")
	}
}

// skipReason says why a run would skip a spec with these labels, or "".
func (p dryRunPlan) skipReason(labels []string) string {
	var missing []string
	for _, l := range labels {
		if role, ok := strings.CutPrefix(l, suites.RoleLabelPrefix); ok && !p.cfg.Has(identity.Role(role)) {
			missing = append(missing, fmt.Sprintf("role %s: set identities.%s.headers in the target file", role, role))
		}
	}
	switch {
	case !p.allowWrites && !slices.Contains(labels, suites.ReadOnly):
		return "it writes, which this run does not allow: --allow-writes"
	case len(missing) > 0:
		return "needs " + strings.Join(missing, "; ")
	case slices.Contains(labels, suites.Webhooks) && !p.receiver:
		return "needs the target's webhook events: " + target.NoWebhooksMessage
	}
	return ""
}

// LabelFilter combines the profile with the user's filter. An explicit --ginkgo.label-filter
// (fromGinkgo) is respected as the user's filter too.
func LabelFilter(strict bool, user, fromGinkgo string) string {
	var parts []string
	if !strict {
		parts = append(parts, suites.DefaultLabelFilter)
	}
	for _, f := range []string{user, fromGinkgo} {
		if f != "" {
			parts = append(parts, "("+f+")")
		}
	}
	return strings.Join(parts, " && ")
}
