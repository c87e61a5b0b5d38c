// Package report turns a run into the documents people and tools read: report.json (a stable,
// documented shape), and the console summary. Every document is redacted before it is written.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/spec"
)

// SchemaVersion is the version of the JSON report's shape; it changes only when a field changes
// meaning or goes away.
const SchemaVersion = 1

// Report is report.json.
type Report struct {
	SchemaVersion int    `json:"schemaVersion"`
	Tool          string `json:"tool"`
	Version       string `json:"version"`
	Target        string `json:"target"`
	// Mock describes the embedded reference mock when it was the target (absent otherwise).
	Mock *MockTarget `json:"mock,omitempty"`
	// Seed is the seed of the model-based sequences ("" when none ran).
	Seed         string        `json:"seed,omitempty"`
	Profile      string        `json:"profile"`
	LabelFilter  string        `json:"labelFilter"`
	StartedAt    time.Time     `json:"startedAt"`
	DurationMS   int64         `json:"durationMs"`
	Summary      Summary       `json:"summary"`
	Requirements []Requirement `json:"requirements"`
	// ObservedReadings say, for each silent point of the docs (spec/discrepancies.yaml) a spec
	// touched, which legitimate reading the target took, with the exchange that showed it.
	ObservedReadings []ObservedReading `json:"observedReadings"`
	// Causes group the failed specs by root cause, most specs first: one wrong field in every
	// response is one cause, not a hundred failures.
	Causes []Cause `json:"causes"`
	Specs  []Spec  `json:"specs"`
}

// ObservedReading is one silent point as the target answered it.
type ObservedReading struct {
	// ID is the discrepancy's id in spec/discrepancies.yaml.
	ID string `json:"id"`
	// Reading says which reading the target took, in words.
	Reading string `json:"reading"`
	// Evidence is the (redacted) exchange that showed it.
	Evidence string `json:"evidence"`
	// Spec is the spec that saw it.
	Spec string `json:"spec"`
}

// MockTarget is the embedded reference mock a run checked.
type MockTarget struct {
	// Deviations and Readings are the switches it ran with.
	Deviations []string `json:"deviations"`
	Readings   []string `json:"readings"`
	// Serve is the command that serves the same mock at MockServeAddr.
	Serve string `json:"serve"`
	// Tokens are its public tokens by the variable a reproduction uses (FAVCONFORM_TOKEN_USER, ...).
	Tokens map[string]string `json:"tokens"`
}

// Summary counts the specs.
type Summary struct {
	Passed     int  `json:"passed"`
	Failed     int  `json:"failed"`
	Skipped    int  `json:"skipped"`
	Conforming bool `json:"conforming"`
	// Interrupted is set when the run was stopped (Ctrl-C, SIGTERM) before its end: the spec then
	// running is "interrupted", the rest did not run, and there is no verdict beyond the failures
	// seen so far.
	Interrupted bool `json:"interrupted,omitempty"`
	// Total is the number of specs in the suites; Ran, those that ran to a result (passed or
	// failed). A run with Ran 0 checked nothing and has no verdict.
	Total int `json:"total"`
	Ran   int `json:"ran"`
	// SkippedBecause counts the skipped specs by cause (Meta.SkipCause: "roles", "writes",
	// "snapshot", "webhooks", "strict", "filter", "other").
	SkippedBecause map[string]int `json:"skippedBecause,omitempty"`
	// Requests is how many requests the specs sent to the target.
	Requests int `json:"requests"`
}

// Requirement is one register entry with its verdict over the specs that cover it.
type Requirement struct {
	spec.Requirement
	// Verdict is "passed", "failed", "skipped" (every covering spec skipped or filtered out) or
	// "uncovered" (no spec cites it: a defect of the harness).
	Verdict string   `json:"verdict"`
	Specs   []string `json:"specs"`
}

// Spec is one spec's result.
type Spec struct {
	Name         string   `json:"name"`
	Labels       []string `json:"labels"`
	Requirements []string `json:"requirements"`
	State        string   `json:"state"`
	DurationMS   int64    `json:"durationMs"`
	Failure      *Failure `json:"failure,omitempty"`
	SkipReason   string   `json:"skipReason,omitempty"`
	Transcript   []Call   `json:"transcript,omitempty"`
	// Container is the text of the Describe blocks around the spec (JUnit's classname).
	Container string `json:"container,omitempty"`
	// SkipCause is why a skipped spec did not run (Summary.SkippedBecause's keys).
	SkipCause string `json:"skipCause,omitempty"`
	// SuiteNode marks the failure of a suite-level node (BeforeSuite, ...), not a spec.
	SuiteNode bool `json:"suiteNode,omitempty"`
}

// Call is one exchange of a spec's transcript, redacted: the client's record of it (see
// report/SCHEMA.md for every field) and, when it counts against the target, a curl command
// that sends the request again.
type Call struct {
	client.Call
	// Curl reproduces the request (see Curl); set on failed calls and on the failing one.
	Curl string `json:"curl,omitempty"`
}

// Failure says why a spec failed and where.
type Failure struct {
	Message  string `json:"message"`
	Location string `json:"location"`
	// Call is the index in the spec's transcript of the request the failure is about: the last
	// one sent before the spec failed. Absent when the spec failed before sending any.
	Call *int `json:"call,omitempty"`
	// Curl reproduces that request (the same text as the call's curl field).
	Curl string `json:"curl,omitempty"`
}

// Meta describes the run.
type Meta struct {
	Version, Target, LabelFilter string
	Strict                       bool
	// TranscriptEntry is the report-entry name under which specs attach their transcript.
	TranscriptEntry string
	// RequirementLabelPrefix starts the labels that name requirements.
	RequirementLabelPrefix string
	// ObservedReadingEntry is the report-entry name under which specs record the reading of a
	// silent point the target took.
	ObservedReadingEntry string
	// Redactor removes the run's secrets from every string of the report (nil: credential
	// headers, userinfo and secret query values only).
	Redactor *redact.Redactor
	// Mock describes the embedded mock when it was the target.
	Mock *MockTarget
	// Seed is the model-based seed.
	Seed string
	// Requests is how many requests the specs sent.
	Requests int
	// SkipCause says why a skipped spec (its labels, and the message it skipped with: "" when a
	// filter left it out) did not run: one of the SkippedBecause keys. nil: "other".
	SkipCause func(labels []string, message string) string
	// CallTimes gives, per spec (full text), when each call of its transcript ended, in order;
	// it tells which request a failure is about. Without it the failing request is guessed.
	CallTimes map[string][]time.Time
}

// FromGinkgo builds the report of a Ginkgo run.
func FromGinkgo(r types.Report, reqs []spec.Requirement, meta Meta) *Report {
	out := &Report{
		SchemaVersion: SchemaVersion, Tool: "favconform", Version: meta.Version, Target: meta.Redactor.String(meta.Target), Mock: meta.Mock, Seed: meta.Seed,
		Profile: "default", LabelFilter: meta.LabelFilter, StartedAt: r.StartTime, DurationMS: r.RunTime.Milliseconds(),
	}
	if meta.Strict {
		out.Profile = "strict"
	}
	for _, s := range r.SpecReports {
		if s.State == types.SpecStateInterrupted {
			out.Summary.Interrupted = true
		}
		if s.LeafNodeType != types.NodeTypeIt {
			if s.State.Is(types.SpecStateFailureStates) && s.State != types.SpecStateInterrupted {
				sp := Spec{Name: s.LeafNodeType.String() + " " + s.LeafNodeText, State: "failed", SuiteNode: true,
					Failure: &Failure{Message: s.FailureMessage(), Location: s.FailureLocation().String()}}
				sp.redact(meta.Redactor)
				out.Specs = append(out.Specs, sp)
			}
			continue
		}
		sp := Spec{Name: s.FullText(), Labels: s.Labels(), State: state(s), DurationMS: s.RunTime.Milliseconds(),
			Container: strings.Join(s.ContainerHierarchyTexts, " ")}
		for _, l := range sp.Labels {
			if id, ok := strings.CutPrefix(l, meta.RequirementLabelPrefix); ok {
				sp.Requirements = append(sp.Requirements, id)
			}
		}
		switch sp.State {
		case "failed", "interrupted":
			// An interrupted spec is no failure of the target: where it stood when stopped.
			sp.Failure = &Failure{Message: s.FailureMessage(), Location: s.FailureLocation().String()}
		case "skipped", "pending":
			sp.SkipReason = s.Failure.Message
			sp.SkipCause = "other"
			if meta.SkipCause != nil {
				sp.SkipCause = meta.SkipCause(sp.Labels, sp.SkipReason)
			}
		}
		for _, e := range s.ReportEntries {
			if e.Name == meta.ObservedReadingEntry && meta.ObservedReadingEntry != "" {
				if o, ok := e.GetRawValue().(interface {
					Observed() (string, string, string)
				}); ok {
					id, reading, evidence := o.Observed()
					out.observe(ObservedReading{ID: id, Reading: reading, Evidence: meta.Redactor.String(evidence), Spec: s.FullText()})
				}
				continue
			}
			if e.Name != meta.TranscriptEntry {
				continue
			}
			if t, ok := e.GetRawValue().(interface{ CallsOf() []client.Call }); ok {
				for _, c := range t.CallsOf() {
					sp.Transcript = append(sp.Transcript, Call{Call: c})
				}
			}
		}
		sp.redact(meta.Redactor)
		sp.markFailingCall(s, meta.CallTimes[sp.Name])
		out.Specs = append(out.Specs, sp)
	}
	for _, reason := range r.SpecialSuiteFailureReasons {
		if strings.Contains(reason, "Interrupted") {
			out.Summary.Interrupted = true
		}
	}
	out.Summary.Requests = meta.Requests
	out.settle(reqs, r.SuiteSucceeded)
	return out
}

// Merge combines the reports of runs that each ran a share of the specs (favconform run
// --parallel) into the report of one run: each spec as the run that ran it saw it (as the
// first part saw it when none ran it), suite-node failures and readings of every part, the
// requests summed. The parts' Meta-level fields come from the first part; durationMs is took.
func Merge(parts []*Report, reqs []spec.Requirement, took time.Duration) *Report {
	if len(parts) == 0 {
		return nil
	}
	out := *parts[0]
	out.Specs, out.ObservedReadings, out.Summary = nil, nil, Summary{}
	out.DurationMS = took.Milliseconds()
	chosen := map[string]int{}
	suiteSucceeded := true
	for _, p := range parts {
		out.Summary.Requests += p.Summary.Requests
		out.Summary.Interrupted = out.Summary.Interrupted || p.Summary.Interrupted
		for _, o := range p.ObservedReadings {
			out.observe(o)
		}
		for _, sp := range p.Specs {
			if sp.SuiteNode {
				out.Specs = append(out.Specs, sp)
				suiteSucceeded = false
				continue
			}
			i, seen := chosen[sp.Name]
			switch {
			case !seen:
				chosen[sp.Name] = len(out.Specs)
				out.Specs = append(out.Specs, sp)
			case out.Specs[i].State == "skipped" && sp.State != "skipped":
				out.Specs[i] = sp
			}
		}
	}
	out.settle(reqs, suiteSucceeded)
	return &out
}

// settle derives what the specs imply: the counts, the verdict, the causes and each
// requirement's verdict.
func (out *Report) settle(reqs []spec.Requirement, suiteSucceeded bool) {
	sum := &out.Summary
	sum.Passed, sum.Failed, sum.Skipped, sum.Total, sum.Ran, sum.SkippedBecause = 0, 0, 0, 0, 0, nil
	covering := map[string][]Spec{}
	for _, sp := range out.Specs {
		if sp.SuiteNode {
			sum.Failed++
			continue
		}
		sum.Total++
		switch sp.State {
		case "passed":
			sum.Passed++
			sum.Ran++
		case "failed":
			sum.Failed++
			sum.Ran++
		case "interrupted":
			sum.Skipped++
		default:
			sum.Skipped++
			if sum.SkippedBecause == nil {
				sum.SkippedBecause = map[string]int{}
			}
			cause := sp.SkipCause
			if cause == "" {
				cause = "other"
			}
			sum.SkippedBecause[cause]++
		}
		for _, id := range sp.Requirements {
			covering[id] = append(covering[id], sp)
		}
	}
	sum.Conforming = sum.Failed == 0 && suiteSucceeded && !sum.Interrupted && sum.Ran > 0
	out.Causes = groupCauses(out.Specs)
	out.Requirements = nil
	known := map[string]bool{}
	for _, q := range reqs {
		known[q.ID] = true
		rq := Requirement{Requirement: q, Verdict: "uncovered"}
		specs := covering[q.ID]
		passed, failed := 0, 0
		for _, s := range specs {
			rq.Specs = append(rq.Specs, s.Name)
			switch s.State {
			case "passed":
				passed++
			case "failed":
				failed++
			}
		}
		switch {
		case failed > 0:
			rq.Verdict = "failed"
		case passed > 0:
			rq.Verdict = "passed"
		case len(specs) > 0:
			rq.Verdict = "skipped"
		}
		out.Requirements = append(out.Requirements, rq)
	}
	// A spec citing an id the register lacks is listed too, so that no result is dropped.
	var unknown []string
	for id := range covering {
		if !known[id] {
			unknown = append(unknown, id)
		}
	}
	sort.Strings(unknown)
	for _, id := range unknown {
		rq := Requirement{Requirement: spec.Requirement{ID: id, Summary: "NOT IN THE REGISTER"}, Verdict: "unknown"}
		for _, s := range covering[id] {
			rq.Specs = append(rq.Specs, s.Name)
		}
		out.Requirements = append(out.Requirements, rq)
	}
}

// observe records a reading once per (point, reading), keeping the first evidence; a target that
// takes two readings of one point shows both.
func (r *Report) observe(o ObservedReading) {
	for _, x := range r.ObservedReadings {
		if x.ID == o.ID && x.Reading == o.Reading {
			return
		}
	}
	r.ObservedReadings = append(r.ObservedReadings, o)
	sort.SliceStable(r.ObservedReadings, func(i, j int) bool { return r.ObservedReadings[i].ID < r.ObservedReadings[j].ID })
}

func state(s types.SpecReport) string {
	switch {
	case s.State == types.SpecStatePassed:
		return "passed"
	case s.State == types.SpecStateInterrupted:
		return "interrupted"
	case s.State.Is(types.SpecStateFailureStates):
		return "failed"
	case s.State == types.SpecStatePending:
		return "pending"
	}
	return "skipped"
}

// WriteJSON writes r to dir/report.json.
func (r *Report) WriteJSON(dir string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report directory: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "report.json"), append(b, '\n'), 0o644)
}

// ReadJSON reads a report.json.
func ReadJSON(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// Print writes the console summary: counts, requirements, each failure with its message, the
// skips with their reasons, and the verdict.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "\n%d passed, %d failed, %d skipped (%s, %d requests)\n", r.Summary.Passed, r.Summary.Failed, r.Summary.Skipped, time.Duration(r.DurationMS)*time.Millisecond, r.Summary.Requests)
	counts := map[string]int{}
	var failed []string
	for _, q := range r.Requirements {
		counts[q.Verdict]++
		if q.Verdict == "failed" {
			failed = append(failed, q.ID)
		}
	}
	fmt.Fprintf(w, "requirements: %d passed, %d failed, %d skipped", counts["passed"], counts["failed"], counts["skipped"])
	if n := counts["uncovered"] + counts["unknown"]; n > 0 {
		fmt.Fprintf(w, ", %d not traced (uncovered or unknown ids)", n)
	}
	fmt.Fprintln(w)
	if len(failed) > 0 {
		fmt.Fprintf(w, "failed requirements: %s\n", strings.Join(failed, ", "))
	}
	r.printCauses(w)
	for _, s := range r.Specs {
		if s.State == "skipped" && s.SkipReason != "" {
			fmt.Fprintf(w, "SKIP: %s: %s\n", s.Name, s.SkipReason)
		}
	}
	if len(r.ObservedReadings) > 0 {
		fmt.Fprintf(w, "\nreadings the target took where the docs are silent (spec/discrepancies.yaml):\n")
		for _, o := range r.ObservedReadings {
			fmt.Fprintf(w, "  %-24s %s\n", o.ID, o.Reading)
		}
	}
	if r.Profile != "strict" {
		fmt.Fprintln(w, "(default profile: checks of readings the docs do not force are left out; run with --strict to include them)")
	}
	for _, s := range r.Specs {
		if s.State == "interrupted" {
			fmt.Fprintf(w, "\nINTERRUPTED while running: %s\n  at %s\n", s.Name, s.Failure.Location)
		}
	}
	switch v := r.Verdict(); v {
	case VerdictInterrupted:
		fmt.Fprintln(w, v+": the run was stopped before its end; no verdict (nothing failed before it)")
	case VerdictNothingChecked:
		fmt.Fprintln(w, v+": no spec ran to a result, so the run has no verdict"+r.ranLine())
	default:
		fmt.Fprintln(w, v+r.ranLine())
	}
}

// skipCauseWords says what each skip cause means, for the verdict line.
var skipCauseWords = []struct{ cause, words string }{
	{"roles", "need roles you did not configure"},
	{"writes", "write, which this run does not allow (--allow-writes)"},
	{"snapshot", "write lists the harness could not snapshot"},
	{"webhooks", "need the target's webhook events (a webhooks section)"},
	{"strict", "need --strict"},
	{"filter", "left out by --label-filter or --focus"},
	{"other", "skipped for other reasons"},
}

// ranLine is the verdict line's tail, e.g. " (96 of 136 specs ran; 40 skipped: 31 need roles you
// did not configure, 9 need --strict)"; empty when every spec ran.
func (r *Report) ranLine() string {
	if r.Summary.Total == 0 || r.Summary.Ran == r.Summary.Total {
		return ""
	}
	var parts []string
	for _, c := range skipCauseWords {
		if n := r.Summary.SkippedBecause[c.cause]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, c.words))
		}
	}
	line := fmt.Sprintf(" (%d of %d specs ran", r.Summary.Ran, r.Summary.Total)
	if r.Summary.Skipped > 0 {
		line += fmt.Sprintf("; %d skipped", r.Summary.Skipped)
		if len(parts) > 0 {
			line += ": " + strings.Join(parts, ", ")
		}
	}
	return line + ")"
}

// printCauses prints each root cause once: its first spec's failure, with the reproduction, and
// the other specs it failed. A failed suite node (BeforeSuite, ...) is printed on its own.
func (r *Report) printCauses(w io.Writer) {
	byName := map[string]Spec{}
	for _, s := range r.Specs {
		byName[s.Name] = s
	}
	if len(r.Causes) > 0 {
		fmt.Fprintf(w, "\n%d failed spec(s), %d root cause(s):\n", r.Summary.Failed, len(r.Causes))
		for i, c := range r.Causes {
			fmt.Fprintf(w, "  %d. %s — %d spec(s)\n", i+1, c.Cause, len(c.Specs))
		}
	}
	for i, c := range r.Causes {
		s := byName[c.Specs[0]]
		fmt.Fprintf(w, "\nCAUSE %d: %s\n  first in: %s\n  at %s\n  %s\n", i+1, c.Cause, s.Name, s.Failure.Location, strings.ReplaceAll(strings.TrimSpace(s.Failure.Message), "\n", "\n  "))
		if s.Failure.Curl != "" {
			hint, curl := r.Reproduction(s.Failure.Curl)
			fmt.Fprintf(w, "  reproduce the request (%s):\n    %s\n", hint, strings.ReplaceAll(curl, "\n", "\n    "))
		}
		if more := c.Specs[1:]; len(more) > 0 {
			shown := more[:min(len(more), 5)]
			fmt.Fprintf(w, "  the same cause failed %d more spec(s): %s", len(more), strings.Join(shown, "; "))
			if len(more) > len(shown) {
				fmt.Fprintf(w, "; and %d more (report.html and report.json list them)", len(more)-len(shown))
			}
			fmt.Fprintln(w)
		}
	}
	for _, s := range r.Specs {
		if s.Failure != nil && s.State == "failed" && !slices.ContainsFunc(r.Causes, func(c Cause) bool { return slices.Contains(c.Specs, s.Name) }) {
			fmt.Fprintf(w, "\nFAIL: %s\n  at %s\n  %s\n", s.Name, s.Failure.Location, strings.ReplaceAll(strings.TrimSpace(s.Failure.Message), "\n", "\n  "))
		}
	}
}

// The verdicts of a run.
const (
	VerdictConforming    = "CONFORMING"
	VerdictNonconforming = "NOT CONFORMING"
	VerdictInterrupted   = "INTERRUPTED"
	// VerdictNothingChecked is a run in which no spec ran to a result: it has no verdict.
	VerdictNothingChecked = "NOTHING CHECKED"
)

// Verdict is the run's verdict. A run stopped before its end has none unless something failed
// before the stop (then it is NOT CONFORMING).
func (r *Report) Verdict() string {
	switch {
	case r.Summary.Interrupted && r.Summary.Failed == 0:
		return VerdictInterrupted
	case r.Summary.Ran == 0 && r.Summary.Failed == 0:
		return VerdictNothingChecked
	case r.Summary.Conforming:
		return VerdictConforming
	}
	return VerdictNonconforming
}

// reproduceHint names the variables a curl command needs exported.
func reproduceHint(curl string) string {
	vars := curlVars(curl)
	if len(vars) == 0 {
		return "paste it into a shell"
	}
	return "export " + strings.Join(vars, ", ") + " first"
}

// MockServeAddr is where a reproduction against the embedded mock asks for the same mock to be
// served: the embedded one is gone once the run ends.
const MockServeAddr = "127.0.0.1:8080"

// Reproduction is how to send a failing request again: a hint (what to export or start first)
// and the curl command. Against the embedded mock, whose address is gone after the run, the
// command targets the same mock served by `favconform serve` (Mock.Serve) at MockServeAddr, and
// the variables are its public tokens.
func (r *Report) Reproduction(curl string) (hint, command string) {
	if r.Mock == nil {
		return reproduceHint(curl), curl
	}
	command = strings.ReplaceAll(curl, strings.TrimRight(r.Target, "/"), "http://"+MockServeAddr)
	var exports []string
	for _, v := range curlVars(curl) {
		if tok, ok := r.Mock.Tokens[v]; ok {
			exports = append(exports, v+"="+tok)
		} else {
			exports = append(exports, v)
		}
	}
	hint = "the embedded mock at " + r.Target + " is gone after the run: start the same mock with `" + r.Mock.Serve + "`"
	if len(exports) > 0 {
		hint += ", export " + strings.Join(exports, " ") + " (the mock's public tokens)"
	}
	return hint + ", then", command
}

// curlVars lists the placeholder variables a curl command uses.
func curlVars(curl string) []string {
	var vars []string
	for _, part := range strings.Split(curl, "$")[1:] {
		end := strings.IndexFunc(part, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') })
		if end < 0 {
			end = len(part)
		}
		if v := part[:end]; strings.HasPrefix(v, "FAVCONFORM_") && !slices.Contains(vars, v) {
			vars = append(vars, v)
		}
	}
	return vars
}

// Headline is the gist of a failure message: its first line, followed by the next one when the
// first only announces it ("...: the exchange breaks the spec:").
func Headline(msg string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(msg), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasSuffix(l, "spec violation(s):") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return ""
	}
	if len(lines) > 1 && strings.HasSuffix(lines[0], ":") {
		return lines[0] + " " + lines[1]
	}
	return lines[0]
}
