package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// MarkdownVerdictPrefix starts summary.md's first line, an HTML comment (invisible once rendered)
// that tools read the verdict from: "<!-- favconform verdict: NOT CONFORMING -->".
const MarkdownVerdictPrefix = "<!-- favconform verdict: "

// Limits that keep summary.md well under GitHub's 1 MiB per job summary.
const (
	mdMaxCauses       = 20
	mdMaxFailedReqs   = 50
	mdShownFailedReqs = 10 // the rest in a <details> element
	mdMaxCauseText    = 500
	mdMaxCurl         = 4000
	mdMaxSpecsByCause = 3
)

// Markdown is summary.md: the verdict, the counts of specs and requirements, the failed
// requirements, the root causes (each with its first spec and the request that reproduces it)
// and the readings the target took, in GitHub-flavoured Markdown — what a CI job summary
// ($GITHUB_STEP_SUMMARY) or a pull-request comment shows. The report is redacted already; what
// the target sent is shown as code, never as Markdown or HTML, so a target cannot put links,
// images or markup into the page.
func (r *Report) Markdown() []byte {
	var b strings.Builder
	v := r.Verdict()
	fmt.Fprintf(&b, "%s%s -->\n", MarkdownVerdictPrefix, v)
	mark := map[string]string{VerdictConforming: "✅", VerdictNonconforming: "❌"}[v]
	if mark == "" {
		mark = "⚠️"
	}
	fmt.Fprintf(&b, "## favconform: %s %s\n\n", mark, v)
	switch v {
	case VerdictInterrupted:
		b.WriteString("The run was stopped before its end; nothing failed before the stop, so it has no verdict.\n\n")
	case VerdictNothingChecked:
		b.WriteString("No spec ran to a result, so the run has no verdict.\n\n")
	}

	target := "target " + code(r.Target)
	if r.Mock != nil {
		target = "the embedded reference mock"
		if len(r.Mock.Deviations) > 0 {
			target += " (deviations: " + code(strings.Join(r.Mock.Deviations, ", ")) + ")"
		}
		if len(r.Mock.Readings) > 0 {
			target += " (readings: " + code(strings.Join(r.Mock.Readings, ", ")) + ")"
		}
	}
	meta := []string{target, "profile " + r.Profile}
	if r.LabelFilter != "" {
		meta = append(meta, "label filter "+code(r.LabelFilter))
	}
	if r.Seed != "" {
		meta = append(meta, "seed "+code(r.Seed))
	}
	meta = append(meta, "took "+(time.Duration(r.DurationMS)*time.Millisecond).String(), "favconform "+code(r.Version))
	b.WriteString(strings.Join(meta, " · ") + "\n\n")

	reqs := map[string]int{}
	var failedReqs []Requirement
	for _, q := range r.Requirements {
		reqs[q.Verdict]++
		if q.Verdict == "failed" {
			failedReqs = append(failedReqs, q)
		}
	}
	b.WriteString("| | specs | requirements |\n|---|---:|---:|\n")
	fmt.Fprintf(&b, "| passed | %d | %d |\n", r.Summary.Passed, reqs["passed"])
	fmt.Fprintf(&b, "| failed | %d | %d |\n", r.Summary.Failed, reqs["failed"])
	fmt.Fprintf(&b, "| skipped | %d | %d |\n", r.Summary.Skipped, reqs["skipped"])
	if n := reqs["uncovered"] + reqs["unknown"]; n > 0 {
		fmt.Fprintf(&b, "| not traced | | %d |\n", n)
	}
	b.WriteString("\n")
	if line := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(r.ranLine()), "("), ")"); line != "" {
		b.WriteString(strings.ToUpper(line[:1]) + line[1:] + ".\n\n")
	}

	if len(failedReqs) > 0 {
		fmt.Fprintf(&b, "### Failed requirements (%d)\n\n", len(failedReqs))
		for i, q := range failedReqs {
			if i == mdShownFailedReqs && len(failedReqs) > mdShownFailedReqs+1 {
				// The rest folded away: a broken field fails most of the register at once.
				fmt.Fprintf(&b, "\n<details><summary>and %d more</summary>\n\n", len(failedReqs)-i)
			}
			if i == mdMaxFailedReqs {
				fmt.Fprintf(&b, "- and %d more (report.html lists them)\n", len(failedReqs)-i)
				break
			}
			fmt.Fprintf(&b, "- %s", code(q.ID))
			if q.Summary != "" {
				fmt.Fprintf(&b, " — %s", text(q.Summary))
			}
			b.WriteString("\n")
		}
		if len(failedReqs) > mdShownFailedReqs+1 {
			b.WriteString("\n</details>\n")
		}
		b.WriteString("\n")
	}

	if len(r.Causes) > 0 {
		fmt.Fprintf(&b, "### Root causes (%d, of %d failed specs)\n\n", len(r.Causes), r.Summary.Failed)
		byName := map[string]Spec{}
		for _, s := range r.Specs {
			byName[s.Name] = s
		}
		for i, c := range r.Causes {
			if i == mdMaxCauses {
				fmt.Fprintf(&b, "And %d more causes (report.html lists them).\n\n", len(r.Causes)-i)
				break
			}
			fmt.Fprintf(&b, "%d. %s — %d spec(s)\n", i+1, code(clip(c.Cause, mdMaxCauseText)), len(c.Specs))
			shown := c.Specs[:min(len(c.Specs), mdMaxSpecsByCause)]
			for j, name := range shown {
				label := "also in"
				if j == 0 {
					label = "first in"
				}
				fmt.Fprintf(&b, "   - %s: %s\n", label, text(name))
			}
			if more := len(c.Specs) - len(shown); more > 0 {
				fmt.Fprintf(&b, "   - and %d more spec(s)\n", more)
			}
			if s, ok := byName[c.Specs[0]]; ok && s.Failure != nil && s.Failure.Curl != "" {
				hint, curl := r.Reproduction(s.Failure.Curl)
				fmt.Fprintf(&b, "\n   <details><summary>reproduce the request</summary>\n\n   %s:\n\n%s\n   </details>\n", text(hint), fence(clip(curl, mdMaxCurl), "   "))
			}
			b.WriteString("\n")
		}
	}

	if len(r.ObservedReadings) > 0 {
		b.WriteString("### Readings the target took where the docs are silent\n\n")
		for _, o := range r.ObservedReadings {
			fmt.Fprintf(&b, "- %s: %s\n", code(o.ID), text(o.Reading))
		}
		b.WriteString("\n")
	}
	b.WriteString("The reports beside this file: `report.html` (each spec, its transcript and reproduction), `report.json`, `junit.xml`.\n")
	return []byte(b.String())
}

// WriteMarkdown writes dir/summary.md.
func (r *Report) WriteMarkdown(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report directory: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "summary.md"), r.Markdown(), 0o644)
}

// code shows s as a Markdown code span: nothing in it is markup. Line breaks become spaces, and
// the delimiter is one backtick longer than the longest run of backticks in s. (Not for table
// cells, where GFM splits at a pipe even inside a code span.)
func code(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "` `"
	}
	delim := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return delim + s + delim
}

// text escapes s as Markdown text inside a line: every ASCII punctuation character that could
// start inline markup (emphasis, code, links, images, HTML, entities, strikethrough, tables) is
// backslash-escaped — with the brackets escaped no parenthesis can make a link — and line breaks
// become spaces.
func text(s string) string {
	var b strings.Builder
	for _, c := range strings.Join(strings.Fields(s), " ") {
		if strings.ContainsRune("\\`*_[]<>#!|~&", c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// fence shows s as a fenced code block, each line indented by indent (to sit in a list item).
func fence(s, indent string) string {
	delim := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	var b strings.Builder
	b.WriteString(indent + delim + "sh\n")
	for _, l := range lines {
		b.WriteString(indent + l + "\n")
	}
	b.WriteString(indent + delim)
	return b.String()
}

func longestRun(s string, c byte) int {
	longest, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			longest = max(longest, n)
		} else {
			n = 0
		}
	}
	return longest
}

// clip cuts s to at most n bytes (at a rune boundary), saying so.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + fmt.Sprintf(" … [%d bytes in all]", len(s))
}
