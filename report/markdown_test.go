package report

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// summary.md says the verdict (also as a machine-readable first line), the counts, the failed
// requirements and the root causes with their reproduction, and holds no secret.
func TestMarkdownSummaryOfAFailedRun(t *testing.T) {
	md := string(fixtureReport(t).Markdown())
	if first, _, _ := strings.Cut(md, "\n"); first != "<!-- favconform verdict: NOT CONFORMING -->" {
		t.Errorf("first line %q, want the verdict comment", first)
	}
	for _, want := range []string{
		"## favconform: ❌ NOT CONFORMING\n",
		"| passed | 1 | 1 |\n", "| failed | 1 | 2 |\n", "| skipped | 2 | 2 |\n",
		"2 of 4 specs ran; 2 skipped",
		"### Failed requirements (2)\n",
		"- `schema.responses-match-spec` — Every response matches the spec.\n",
		"- `create.creates-list` — POST creates a list.\n",
		"### Root causes (1, of 1 failed specs)\n",
		"1. `createUserFavoriteList response /favoriteList/revision: expected type string matching ^[0-9]+$, got N` — 1 spec(s)\n",
		"   - first in: Create User Favorite List POST creates the list \\<script\\>",
		"<details><summary>reproduce the request</summary>",
		"   ```sh\n   curl -i -X POST http://127.0.0.1:8080/dashboard/v1/user-favorite-list",
		`"Authorization: $FAVCONFORM_TOKEN_USER"`,
		"export FAVCONFORM\\_TOKEN\\_USER, FAVCONFORM\\_USER\\_X\\_SITE first:",
		"favconform `v0.0.0-test`",
		"profile default",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	for _, secret := range []string{secretToken, secretHeader} {
		if strings.Contains(md, secret) {
			t.Errorf("summary.md holds the secret %q", secret)
		}
	}
}

func TestMarkdownSummaryOfAConformingRun(t *testing.T) {
	r := &Report{Tool: "favconform", Version: "v0.1.0", Target: "http://127.0.0.1:8080", Profile: "strict",
		Mock:             &MockTarget{Readings: []string{"get-missing-200-empty"}},
		Summary:          Summary{Passed: 3, Total: 3, Ran: 3, Conforming: true},
		Requirements:     []Requirement{{Verdict: "passed"}, {Verdict: "passed"}},
		ObservedReadings: []ObservedReading{{ID: "get-missing", Reading: "GET with no list answers 200 {}"}}}
	md := string(r.Markdown())
	for _, want := range []string{
		"<!-- favconform verdict: CONFORMING -->\n", "## favconform: ✅ CONFORMING\n",
		"the embedded reference mock (readings: `get-missing-200-empty`)", "profile strict",
		"| passed | 3 | 2 |\n", "| failed | 0 | 0 |\n",
		"### Readings the target took where the docs are silent\n\n- `get-missing`: GET with no list answers 200 {}\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	for _, unwanted := range []string{"Failed requirements", "Root causes", "specs ran"} {
		if strings.Contains(md, unwanted) {
			t.Errorf("a conforming run's summary.md has %q:\n%s", unwanted, md)
		}
	}
	r.Summary = Summary{Skipped: 3, Total: 3}
	if md := string(r.Markdown()); !strings.Contains(md, "## favconform: ⚠️ NOTHING CHECKED\n\nNo spec ran to a result") {
		t.Errorf("a run that checked nothing:\n%s", md)
	}
}

// codeSpan matches an inline code span (same-length backtick delimiters).
var codeSpan = regexp.MustCompile("(`+)[^`]*?(`+)")

// outsideCode is md without its code spans, fenced blocks and own markup (the verdict comment,
// the details element): what a Markdown renderer would read as Markdown.
func outsideCode(md string) string {
	var keep []string
	inFence := false
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			inFence = !inFence
			continue
		}
		if inFence || strings.HasPrefix(l, MarkdownVerdictPrefix) {
			continue
		}
		l = strings.NewReplacer("<details><summary>", "", "</summary>", "", "</details>", "").Replace(l)
		keep = append(keep, removeCodeSpans(l))
	}
	return strings.Join(keep, "\n")
}

func removeCodeSpans(l string) string {
	var b strings.Builder
	for i := 0; i < len(l); {
		if l[i] == '\\' && i+1 < len(l) {
			b.WriteString(l[i : i+2])
			i += 2
			continue
		}
		if l[i] != '`' {
			b.WriteByte(l[i])
			i++
			continue
		}
		n := 0
		for i+n < len(l) && l[i+n] == '`' {
			n++
		}
		delim := strings.Repeat("`", n)
		end := strings.Index(l[i+n:], delim)
		if end < 0 {
			b.WriteString(l[i:])
			break
		}
		i += n + end + n
	}
	return b.String()
}

// What a target sends — markup, links, images, HTML, backticks — reaches the summary as code or
// escaped text: outside code every character that could start inline markup is escaped.
func TestMarkdownShowsWhatATargetSentAsText(t *testing.T) {
	hostileMD := "<img src=https://evil.example/x.png> ![x](https://evil.example/y.png) [click](https://evil.example) **bold** `code` ``` fence &amp; |a|b|\n\n# heading"
	r := fixtureReport(t)
	r.Target = "https://target.example/" + hostileMD
	r.Causes[0].Cause = "createUserFavoriteList response /favoriteList/title: expected a string, got " + hostileMD
	r.Specs[1].Name += hostileMD
	r.Causes[0].Specs[0] = r.Specs[1].Name
	r.ObservedReadings = []ObservedReading{{ID: "x" + hostileMD, Reading: hostileMD}}
	md := string(r.Markdown())
	rest := outsideCode(md)
	for _, l := range strings.Split(rest, "\n") {
		for i := 0; i < len(l); i++ {
			c := l[i]
			if c == '\\' {
				i++
				continue
			}
			if strings.IndexByte("`*_[]<>!&~", c) >= 0 {
				t.Errorf("unescaped %q outside code in line %q", c, l)
				break
			}
		}
		if strings.HasPrefix(strings.TrimLeft(l, " -0123456789."), "#") && !strings.HasPrefix(l, "##") {
			t.Errorf("a line the target made a heading: %q", l)
		}
	}
	if strings.Count(md, "\n## ") != 1 || strings.Count(md, "\n# ") != 0 {
		t.Errorf("headings other than the summary's own:\n%s", md)
	}
	if n := strings.Count(md, "evil.example/x.png"); n != 5 {
		t.Errorf("the hostile text must be shown, as text, where it occurs (target, cause, spec, reading id and reading): %d times\n%s", n, md)
	}
}

// A run with many causes and huge messages stays far below GitHub's 1 MiB job-summary limit.
func TestMarkdownSummaryIsBounded(t *testing.T) {
	r := fixtureReport(t)
	big := strings.Repeat("x", 100_000)
	r.Causes = nil
	for i := range 500 {
		r.Causes = append(r.Causes, Cause{Cause: fmt.Sprintf("cause %d %s", i, big), Specs: []string{r.Specs[1].Name, "b", "c", "d", "e"}})
	}
	r.Specs[1].Failure.Curl = "curl " + big
	for i := range 200 {
		r.Requirements = append(r.Requirements, Requirement{Verdict: "failed"})
		r.Requirements[len(r.Requirements)-1].ID = fmt.Sprintf("req.n%d", i)
	}
	md := r.Markdown()
	if len(md) > 256<<10 {
		t.Fatalf("summary.md is %d bytes", len(md))
	}
	for _, want := range []string{"And 480 more causes (report.html lists them).", "- and 152 more (report.html lists them)", "bytes in all]", "- and 2 more spec(s)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
}

func TestWriteMarkdownWritesSummaryMD(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	r := fixtureReport(t)
	if err := r.WriteMarkdown(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil || string(b) != string(r.Markdown()) {
		t.Fatalf("summary.md: %v\n%s", err, b)
	}
}
