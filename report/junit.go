package report

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// JUnit's XML, as CI systems (GitHub Actions reporters, GitLab, Jenkins) read it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Package    string          `xml:"package,attr,omitempty"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name       string          `xml:"name,attr"`
	Classname  string          `xml:"classname,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Failure    *junitFailure   `xml:"failure,omitempty"`
	Skipped    *junitSkipped   `xml:"skipped,omitempty"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

func seconds(ms int64) string { return fmt.Sprintf("%.3f", float64(ms)/1000) }

// JUnit renders the report as JUnit XML: one testcase per spec, carrying its labels and
// requirement ids as properties, its failure with the reproducing curl command, and its
// transcript in system-out. The report is already redacted; so is this.
func (r *Report) JUnit() ([]byte, error) {
	s := junitSuite{
		Name: "favconform conformance", Package: r.Target, Time: seconds(r.DurationMS),
		Properties: []junitProperty{
			{"tool", r.Tool}, {"version", r.Version}, {"target", r.Target}, {"profile", r.Profile},
			{"labelFilter", r.LabelFilter}, {"conforming", fmt.Sprint(r.Summary.Conforming)}, {"verdict", r.Verdict()},
		},
	}
	if r.Seed != "" {
		s.Properties = append(s.Properties, junitProperty{"seed", r.Seed})
	}
	if r.Mock != nil {
		s.Properties = append(s.Properties, junitProperty{"target", "embedded mock"}, junitProperty{"mockServe", r.Mock.Serve})
		for _, d := range r.Mock.Deviations {
			s.Properties = append(s.Properties, junitProperty{"mockDeviation", d})
		}
		for _, d := range r.Mock.Readings {
			s.Properties = append(s.Properties, junitProperty{"mockReading", d})
		}
	}
	for i, c := range r.Causes {
		s.Properties = append(s.Properties, junitProperty{"cause", fmt.Sprintf("%d. %s (%d specs)", i+1, c.Cause, len(c.Specs))})
	}
	if !r.StartedAt.IsZero() {
		s.Timestamp = r.StartedAt.UTC().Format(time.RFC3339)
	}
	for _, q := range r.Requirements {
		if q.Verdict == "failed" {
			s.Properties = append(s.Properties, junitProperty{"failedRequirement", q.ID})
		}
	}
	for _, sp := range r.Specs {
		name := sp.Name
		if sp.Container != "" {
			name = strings.TrimSpace(strings.TrimPrefix(sp.Name, sp.Container))
		}
		class := sp.Container
		if class == "" {
			class = "favconform"
		}
		c := junitCase{Name: name, Classname: class, Time: seconds(sp.DurationMS)}
		for _, id := range sp.Requirements {
			c.Properties = append(c.Properties, junitProperty{"requirement", id})
		}
		for _, l := range sp.Labels {
			c.Properties = append(c.Properties, junitProperty{"label", l})
		}
		s.Tests++
		switch {
		case sp.State == "interrupted":
			s.Skipped++
			c.Skipped = &junitSkipped{Message: "interrupted: the run was stopped while this spec ran"}
		case sp.Failure != nil:
			s.Failures++
			msg := strings.TrimSpace(sp.Failure.Message)
			first, _, _ := strings.Cut(msg, "\n")
			text := msg + "\n\nat " + sp.Failure.Location
			if sp.Failure.Curl != "" {
				hint, curl := r.Reproduction(sp.Failure.Curl)
				text += "\n\nreproduce the request (" + hint + "):\n" + curl
			}
			c.Failure = &junitFailure{Message: first, Type: "failed", Text: text}
		case sp.State != "passed":
			s.Skipped++
			c.Skipped = &junitSkipped{Message: sp.SkipReason}
			if c.Skipped.Message == "" {
				c.Skipped.Message = sp.State
			}
		}
		c.SystemOut = TranscriptText(FailingFirst(sp))
		s.Cases = append(s.Cases, c)
	}
	doc := junitSuites{Name: "favconform", Tests: s.Tests, Failures: s.Failures, Skipped: s.Skipped, Time: s.Time, Suites: []junitSuite{s}}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

// WriteJUnit writes dir/junit.xml.
func (r *Report) WriteJUnit(dir string) error {
	b, err := r.JUnit()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report directory: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "junit.xml"), b, 0o644)
}

// Numbered is a call with its number in the spec's transcript (1 is the first sent), and whether
// it is the request the spec's failure is about.
type Numbered struct {
	Call
	Num     int
	Failing bool
}

// FailingFirst returns a spec's transcript for reading: the call its failure is about first
// (marked), then the others in the order they were sent.
func FailingFirst(sp Spec) []Numbered {
	out := make([]Numbered, 0, len(sp.Transcript))
	failing := -1
	if sp.Failure != nil && sp.Failure.Call != nil {
		failing = *sp.Failure.Call
	}
	if failing >= 0 && failing < len(sp.Transcript) {
		out = append(out, Numbered{Call: sp.Transcript[failing], Num: failing + 1, Failing: true})
	}
	for i, c := range sp.Transcript {
		if i != failing {
			out = append(out, Numbered{Call: c, Num: i + 1})
		}
	}
	return out
}

// TranscriptText renders calls as plain text: each request with its headers and body, the
// response, the violations, and the curl command of the failed ones; the failing call is marked.
func TranscriptText(calls []Numbered) string {
	var b strings.Builder
	for _, c := range calls {
		mark := ""
		if c.Failing {
			mark = "THE FAILING REQUEST: "
		}
		fmt.Fprintf(&b, "%s#%d %s %s %s", mark, c.Num, c.Role, c.Method, c.URL)
		if c.Err != "" {
			fmt.Fprintf(&b, " -> no response: %s\n", c.Err)
		} else {
			fmt.Fprintf(&b, " -> %d (%s)\n", c.Status, c.Duration.Round(100*time.Microsecond))
		}
		writeHeaders(&b, "   > ", c.RequestHeader)
		if len(c.RequestBody) > 0 {
			fmt.Fprintf(&b, "   > %s\n", clipBody(c.RequestBody))
		}
		writeHeaders(&b, "   < ", c.ResponseHeader)
		if len(c.ResponseBody) > 0 {
			fmt.Fprintf(&b, "   < %s\n", clipBody(c.ResponseBody))
		}
		for _, v := range c.Violations {
			note := ""
			if c.InvalidOnPurpose && v.In == "request" {
				note = " (request invalid on purpose)"
			}
			fmt.Fprintf(&b, "   ! %s%s\n", v, note)
		}
		if c.Curl != "" {
			fmt.Fprintf(&b, "   reproduce: %s\n", strings.ReplaceAll(c.Curl, "\n", "\n   "))
		}
	}
	return b.String()
}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, v := range h[n] {
			fmt.Fprintf(b, "%s%s: %s\n", prefix, n, v)
		}
	}
}

// MaxBodyChars bounds how much of a body the text and HTML reports show (report.json keeps it
// whole).
const MaxBodyChars = 4000

func clipBody(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	if len(s) > MaxBodyChars {
		cut := MaxBodyChars
		for cut > 0 && (s[cut]&0xC0) == 0x80 {
			cut--
		}
		return s[:cut] + fmt.Sprintf("… (%d bytes in all)", len(b))
	}
	return s
}
