package har

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/report"
)

// Print writes the console summary of results: per file, one line per violation naming the entry
// (log.entries[i]), its method, URL and status, the operation and the JSON pointer; the skipped
// entries by reason (each one with verbose); then the totals and the verdict. What comes from a
// file (names, URLs, methods, what a body held) is made safe for a terminal first
// (redact.Terminal): a file cannot move the cursor or rewrite the summary.
func Print(out io.Writer, results []Result, verbose bool) {
	w := terminalWriter{out}
	var conform, violating, skipped, violations int
	authMissing := false
	for _, r := range results {
		c, v, s := r.Counts()
		conform, violating, skipped = conform+c, violating+v, skipped+s
		creator := ""
		if r.Creator != "" {
			creator = " (recorded by " + r.Creator + ")"
		}
		fmt.Fprintf(w, "%s%s: %d entries: %d conform, %d with violations, %d skipped\n", r.File, creator, len(r.Entries), c, v, s)
		reasons := map[string]int{}
		for _, e := range r.Entries {
			where := fmt.Sprintf("  log.entries[%d] %s %s → %d", e.Index, e.Method, e.URL, e.Status)
			switch {
			case e.Skipped != "":
				reasons[e.Skipped]++
				if verbose {
					fmt.Fprintf(w, "%s: skipped: %s\n", where, e.Skipped)
				}
				continue
			case len(e.Violations) == 0:
				if verbose {
					fmt.Fprintf(w, "%s: %s conforms\n", where, e.Operation)
				}
			}
			for _, v := range e.Violations {
				violations++
				if v.Pointer == "header Authorization" {
					authMissing = true
				}
				fmt.Fprintf(w, "%s: %s\n", where, v.String())
			}
			if e.Note != "" && (verbose || len(e.Violations) > 0) {
				fmt.Fprintf(w, "%s: note: %s\n", where, e.Note)
			}
		}
		if !verbose && len(reasons) > 0 {
			keys := make([]string, 0, len(reasons))
			for k := range reasons {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(w, "  skipped %d: %s\n", reasons[k], k)
			}
		}
	}
	if authMissing {
		fmt.Fprintln(w, "hint: entries without an Authorization header break the spec's security requirement. If the HAR was exported sanitized (Chrome's default \"Export HAR (sanitized)\" removes Authorization), run with --sanitized.")
	}
	fmt.Fprintf(w, "\n%d passed, %d failed, %d skipped (HAR entries; %d violation(s))\n", conform, violating, skipped, violations)
	switch {
	case violating > 0:
		fmt.Fprintln(w, "NOT CONFORMING")
	case conform == 0:
		fmt.Fprintln(w, "NOTHING CHECKED: no entry of the Dashboard Favorite List API was found")
	default:
		fmt.Fprintln(w, "CONFORMING")
	}
}

// ReportMeta describes a validation run for its report.
type ReportMeta struct {
	Version   string
	StartedAt time.Time
	Duration  time.Duration
	// Sanitized records that missing Authorization headers were not reported.
	Sanitized bool
}

// Profile is report.Report's profile for recorded traffic.
const Profile = "har"

// Report turns results into the run's report shape (report.Report), so that the same files
// (report.json, junit.xml, report.html) describe recorded traffic: each API entry is a "spec"
// named "FILE log.entries[i] METHOD URL", passed when it conforms, failed with its violations, or
// skipped with the reason; its transcript is the one redacted exchange. Target lists the files;
// Profile is "har"; there are no requirements (the checks are the OpenAPI document's).
func Report(results []Result, meta ReportMeta) *report.Report {
	r := &report.Report{
		SchemaVersion: report.SchemaVersion, Tool: "favconform", Version: meta.Version, Profile: Profile,
		StartedAt: meta.StartedAt, DurationMS: meta.Duration.Milliseconds(),
		Requirements: []report.Requirement{}, Specs: []report.Spec{},
	}
	var files []string
	for _, res := range results {
		files = append(files, res.File)
		for _, e := range res.Entries {
			sp := report.Spec{
				Name:      fmt.Sprintf("%s log.entries[%d] %s %s", res.File, e.Index, e.Method, e.URL),
				Labels:    []string{"har"},
				Container: res.File,
			}
			if e.Operation != "" {
				sp.Labels = append(sp.Labels, "operation:"+e.Operation)
			}
			if meta.Sanitized {
				sp.Labels = append(sp.Labels, "sanitized")
			}
			switch {
			case e.Skipped != "":
				sp.State, sp.SkipReason = "skipped", e.Skipped
				r.Summary.Skipped++
			case len(e.Violations) > 0:
				sp.State = "failed"
				zero := 0
				sp.Failure = &report.Failure{Message: failureMessage(e), Location: fmt.Sprintf("%s log.entries[%d]", res.File, e.Index), Call: &zero}
				r.Summary.Failed++
			default:
				sp.State = "passed"
				r.Summary.Passed++
			}
			if e.Skipped == "" && e.Exchange.Method != "" {
				sp.Transcript = []report.Call{{Call: client.Call{Role: "recorded", Exchange: e.Exchange}}}
			}
			r.Specs = append(r.Specs, sp)
		}
	}
	r.Target = strings.Join(files, ", ")
	r.Summary.Conforming = r.Summary.Failed == 0
	return r
}

// terminalWriter escapes control sequences in what is written through it, line by line as Print
// writes them.
type terminalWriter struct{ w io.Writer }

func (t terminalWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(t.w, redact.Terminal(string(p), false)); err != nil {
		return 0, err
	}
	return len(p), nil
}

func failureMessage(e EntryResult) string {
	lines := []string{fmt.Sprintf("%s %s → %d breaks the API spec (%d violation(s)):", e.Method, e.URL, e.Status, len(e.Violations))}
	for _, v := range e.Violations {
		lines = append(lines, "  "+v.String())
	}
	if e.Note != "" {
		lines = append(lines, "note: "+e.Note)
	}
	return strings.Join(lines, "\n")
}
