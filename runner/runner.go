// Package runner runs the conformance suites against a target — the embedded reference mock by
// default — and turns Ginkgo's report into an outcome and a readable summary. The favconform
// command and `go test ./suites` both run through it.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/model"
	"github.com/favconform/favconform/report"
	"github.com/favconform/favconform/spec"
	"github.com/favconform/favconform/suites"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
)

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
	Out io.Writer
	// NoColor turns Ginkgo's colours off (for logs and CI).
	NoColor bool
	// ReportDir, if set, receives junit.xml, report.json and report.html.
	ReportDir string
	// Version is the harness version recorded in reports.
	Version string
	// AllowWrites lets the suites change data on a target that is not on loopback.
	AllowWrites bool
	// Clients is how many clients the concurrency specs race (0: FAVCONFORM_CLIENTS, else
	// suites.DefaultClients).
	Clients int
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
	switch {
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
	case report.VerdictConforming:
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
		srv, err := mock.NewServer(mock.Options{Deviations: opts.Deviations})
		if err != nil {
			return cfg, stop, UsageError{err}
		}
		cfg = target.ForMock(srv.URL, identity.Default())
		cfg.Timeout = opts.Timeout
		return cfg, srv.Close, nil
	}
	if len(opts.Deviations) > 0 {
		return cfg, stop, UsageError{errors.New("deviations apply to the embedded mock only; drop --target/--target-file, or start `favconform serve --deviate NAME` and point --target at it")}
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
			cfg.Identities = TokensFromEnv()
		}
	}
	if opts.Timeout > 0 {
		cfg.Timeout = opts.Timeout
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
// FAVCONFORM_TOKEN_USER, FAVCONFORM_TOKEN_SECOND_USER, ...
func TokenEnv(role identity.Role) string {
	return "FAVCONFORM_TOKEN_" + strings.ToUpper(strings.ReplaceAll(string(role), "-", "_"))
}

// TokensFromEnv reads each role's Authorization token from its TokenEnv variable; roles whose
// variable is unset are left out (their specs are skipped, saying so).
func TokensFromEnv() map[identity.Role]target.Headers {
	ids := map[identity.Role]target.Headers{}
	for _, r := range identity.Roles {
		if v := os.Getenv(TokenEnv(r)); v != "" {
			ids[r] = target.Headers{"Authorization": v}
		}
	}
	return ids
}

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

// Run runs the suites once (Ginkgo allows one run per process) and prints the summary. t gets
// Ginkgo's failures: a *testing.T under go test, anything with Fail() in the command.
//
// Against a target other than the embedded mock, a run that may write first snapshots every
// configured identity's list and saves it to a recovery file, and after the specs (also after a
// failure, a timeout, or signals — see signals) restores and checks each list; a restore that
// leaves a list undone returns a RestoreError naming the file and the command that finishes it.
func Run(t ginkgo.GinkgoTestingT, opts Options) (*report.Report, error) {
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
	suiteConfig.LabelFilter = LabelFilter(opts.Strict, opts.LabelFilter, suiteConfig.LabelFilter)
	if !allowWrites {
		suiteConfig.LabelFilter = joinFilters(suiteConfig.LabelFilter, suites.ReadOnly)
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
	}
	fmt.Fprintf(out, "favconform: running the conformance suites against %s (label filter %q)\n", target, suiteConfig.LabelFilter)
	// The model-based specs read their seed from the environment; fixing it here lets every run
	// print it, so any run can be replayed.
	if os.Getenv(suites.SeedEnv) == "" {
		os.Setenv(suites.SeedEnv, strconv.FormatInt(model.RandomSeed(), 10))
	}
	fmt.Fprintf(out, "favconform: model-based seed %s (replay with --seed %s or %s=%s)\n", os.Getenv(suites.SeedEnv), os.Getenv(suites.SeedEnv), suites.SeedEnv, os.Getenv(suites.SeedEnv))
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
	sc := suites.Config{Target: cfg, Validator: v, Receiver: receiver, AllowWrites: allowWrites, Clients: opts.Clients,
		Breaker: breaker, OnCall: clock.record, OnReport: func(r types.Report) { ginkgoReport = r }}
	if g != nil {
		sc.Unwritable = g.snap.Unwritable()
	}
	if err := suites.Configure(sc); err != nil {
		return nil, UsageError{err}
	}
	sig.specsStarted()
	withProgress(con, &reporterConfig, suiteConfig, opts.Verbose, opts.NoColor, func() {
		ginkgo.RunSpecs(t, "favconform conformance", suiteConfig, reporterConfig)
	})
	var restoreErr error
	if g != nil {
		// A spec abandoned by an interrupt may still be calling: stop every call first.
		breaker.Halt()
		sig.restore(g.pending, func(ctx context.Context) { restoreErr = g.restore(ctx, logLine) })
	}
	rep := report.FromGinkgo(ginkgoReport, reqs, report.Meta{
		Version: opts.Version, Target: cfg.DisplayURL(), LabelFilter: suiteConfig.LabelFilter, Strict: opts.Strict,
		TranscriptEntry: suites.TranscriptEntry, RequirementLabelPrefix: suites.RequirementLabelPrefix,
		Redactor: redactor, CallTimes: clock.snapshot(),
	})
	rep.Print(out)
	if opts.DryRun {
		printDryRun(out, rep, allowWrites && !embedded)
	}
	if opts.ReportDir != "" {
		if err := rep.WriteAll(opts.ReportDir); err != nil {
			return rep, UsageError{fmt.Errorf("writing the reports: %w", err)}
		}
		fmt.Fprintf(out, "reports written to %s (junit.xml, report.json, report.html)\n", opts.ReportDir)
	}
	if restoreErr != nil {
		fmt.Fprintf(out, "favconform: RESTORE FAILED: %v\n", restoreErr)
		return rep, restoreErr
	}
	return rep, nil
}

func joinFilters(a, b string) string {
	if a == "" {
		return b
	}
	return "(" + a + ") && " + b
}

// printDryRun lists what a real run would do: each spec, and whether it writes.
func printDryRun(out io.Writer, rep *report.Report, allowWrites bool) {
	fmt.Fprintln(out, "\ndry run: no request was sent. A run would:")
	for _, s := range rep.Specs {
		if s.State != "passed" {
			continue
		}
		what := "writes: deletes, creates and changes the favorite lists of the identities it uses"
		if slices.Contains(s.Labels, suites.ReadOnly) {
			what = "read-only"
		}
		fmt.Fprintf(out, "  run   %s  [%s]\n", s.Name, what)
	}
	if allowWrites {
		fmt.Fprintln(out, "Before the first spec it would snapshot every configured identity's list, and restore each after the last.")
	}
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
