package report

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"sort"
	"time"
)

var (
	//go:embed assets/report.html.tmpl
	htmlTemplate string
	//go:embed assets/report.css
	htmlCSS string
	//go:embed assets/report.js
	htmlJS string
)

var page = template.Must(template.New("report.html").Parse(htmlTemplate))

// ContentSecurityPolicy is report.html's policy: the page may load nothing at all (no network
// request of any kind), and only its own inline style and script, named by their hashes, apply;
// markup that a hostile server smuggled into a body could not run even if escaping failed.
func ContentSecurityPolicy() string {
	return "default-src 'none'; script-src '" + sriHash(htmlJS) + "'; style-src '" + sriHash(htmlCSS) +
		"'; img-src 'none'; base-uri 'none'; form-action 'none'"
}

func sriHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

type htmlView struct {
	R        *Report
	CSP      string
	CSS      template.CSS
	JS       template.JS
	Started  string
	Took     string
	Failures []htmlFailure
	Causes   []htmlCause
	Reqs     []htmlReq
	Specs    []htmlSpec
}

type htmlFailure struct {
	Index       int
	Name, First string
}

type htmlCause struct {
	Num   int
	Cause string
	Specs []htmlRef
}

type htmlReq struct {
	Requirement
	Specs []htmlRef
}

type htmlRef struct {
	Index       int
	Name, State string
}

type htmlSpec struct {
	Spec
	Index   int
	Took    string
	Failure *htmlSpecFailure
	Calls   []htmlCall
}

type htmlSpecFailure struct {
	Failure
	Hint string
}

type htmlCall struct {
	Spec, Num                    int
	Role, Method, URL, Operation string
	Status                       int
	Err, Took                    string
	RequestHeaders               []string
	ResponseHeaders              []string
	RequestBody, ResponseBody    string
	Violations                   []htmlViolation
	Curl                         string
	Bad, Failing                 bool
}

type htmlViolation struct {
	In, Pointer, Expected, Got, Operation string
	OnPurpose                             bool
}

// HTML renders report.html: one self-contained page (inline style and script, no request of any
// kind) with a summary bar, the requirement matrix, and each spec with its failure, the curl
// command reproducing the failing request, and its redacted transcript. Every value is escaped
// by html/template: bodies come from servers that may be hostile.
func (r *Report) HTML() ([]byte, error) {
	v := htmlView{R: r, CSP: ContentSecurityPolicy(), CSS: template.CSS(htmlCSS), JS: template.JS(htmlJS),
		Took: (time.Duration(r.DurationMS) * time.Millisecond).String()}
	if !r.StartedAt.IsZero() {
		v.Started = r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	index := map[string]int{}
	for i, s := range r.Specs {
		index[s.Name] = i + 1
		hs := htmlSpec{Spec: s, Index: i + 1, Took: (time.Duration(s.DurationMS) * time.Millisecond).String()}
		if s.State == "skipped" || s.State == "pending" {
			hs.Took = ""
		}
		if s.Failure != nil {
			hs.Failure = &htmlSpecFailure{Failure: *s.Failure}
			hs.Failure.Hint, hs.Failure.Curl = r.Reproduction(s.Failure.Curl)
			if s.State != "interrupted" {
				v.Failures = append(v.Failures, htmlFailure{Index: i + 1, Name: s.Name, First: Headline(s.Failure.Message)})
			}
		}
		for _, c := range FailingFirst(s) {
			hc := htmlCall{Spec: i + 1, Num: c.Num, Role: string(c.Role), Method: c.Method, URL: c.URL, Operation: c.Operation,
				Status: c.Status, Err: c.Err, Took: c.Duration.Round(100 * time.Microsecond).String(),
				RequestHeaders: headerLines(c.RequestHeader), ResponseHeaders: headerLines(c.ResponseHeader),
				RequestBody: prettyBody(c.RequestBody), ResponseBody: prettyBody(c.ResponseBody),
				Curl: c.Curl, Bad: Failed(c.Call.Call), Failing: c.Failing}
			for _, x := range c.Violations {
				hc.Violations = append(hc.Violations, htmlViolation{In: string(x.In), Pointer: x.Pointer, Expected: x.Expected,
					Got: x.Got, Operation: x.Operation, OnPurpose: c.InvalidOnPurpose && x.In == "request"})
			}
			hs.Calls = append(hs.Calls, hc)
		}
		v.Specs = append(v.Specs, hs)
	}
	state := map[string]string{}
	for _, s := range r.Specs {
		state[s.Name] = s.State
	}
	for n, c := range r.Causes {
		hc := htmlCause{Num: n + 1, Cause: c.Cause}
		for _, name := range c.Specs {
			hc.Specs = append(hc.Specs, htmlRef{Index: index[name], Name: name, State: state[name]})
		}
		v.Causes = append(v.Causes, hc)
	}
	for _, q := range r.Requirements {
		hq := htmlReq{Requirement: q}
		for _, name := range q.Specs {
			hq.Specs = append(hq.Specs, htmlRef{Index: index[name], Name: name, State: state[name]})
		}
		v.Reqs = append(v.Reqs, hq)
	}
	var b bytes.Buffer
	if err := page.Execute(&b, v); err != nil {
		return nil, fmt.Errorf("rendering report.html: %w", err)
	}
	return b.Bytes(), nil
}

// WriteHTML writes dir/report.html.
func (r *Report) WriteHTML(dir string) error {
	b, err := r.HTML()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report directory: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "report.html"), b, 0o644)
}

// WriteAll writes junit.xml, report.json, report.html and summary.md to dir.
func (r *Report) WriteAll(dir string) error {
	for _, write := range []func(string) error{r.WriteJUnit, r.WriteJSON, r.WriteHTML, r.WriteMarkdown} {
		if err := write(dir); err != nil {
			return err
		}
	}
	return nil
}

func headerLines(h map[string][]string) []string {
	var out []string
	for n, vs := range h {
		for _, v := range vs {
			out = append(out, n+": "+v)
		}
	}
	sort.Strings(out)
	return out
}

// prettyBody indents a JSON body for reading (any other body is shown as it came) and clips it.
func prettyBody(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	var out bytes.Buffer
	if len(b) <= MaxBodyChars && json.Valid(b) && json.Indent(&out, b, "", "  ") == nil {
		return out.String()
	}
	return clipBody(b)
}
