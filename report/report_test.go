package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

func TestFromGinkgoCountsAndVerdicts(t *testing.T) {
	r := fixtureReport(t)
	if r.Summary.Passed != 1 || r.Summary.Failed != 1 || r.Summary.Skipped != 2 || r.Summary.Conforming {
		t.Fatalf("summary %+v", r.Summary)
	}
	verdicts := map[string]string{}
	for _, q := range r.Requirements {
		verdicts[q.ID] = q.Verdict
	}
	want := map[string]string{"get.returns-list": "passed", "create.creates-list": "failed", "schema.responses-match-spec": "failed",
		"isolation.per-user": "skipped", "create.fails-when-list-exists": "skipped"}
	for id, v := range want {
		if verdicts[id] != v {
			t.Errorf("requirement %s: verdict %q, want %q", id, verdicts[id], v)
		}
	}
}

// The failure is about the request that ended last before it (the second call), not the
// cleanup after it: that request is the one the curl command sends again.
func TestTheFailingRequestIsTheLastOneBeforeTheFailure(t *testing.T) {
	r := fixtureReport(t)
	s := r.Specs[1]
	if s.Failure == nil || s.Failure.Call == nil || *s.Failure.Call != 1 {
		t.Fatalf("failing call: %+v", s.Failure)
	}
	if !strings.HasPrefix(s.Failure.Curl, "curl -i -X POST ") || s.Transcript[1].Curl != s.Failure.Curl {
		t.Fatalf("failure curl %q, call curl %q", s.Failure.Curl, s.Transcript[1].Curl)
	}
	if s.Transcript[0].Curl != "" || s.Transcript[2].Curl != "" {
		t.Fatal("only failed calls carry a curl command")
	}
	// Without the run's call times, the first call that broke the spec is taken.
	g, reqs, meta := fixture(t)
	meta.CallTimes = nil
	if f := FromGinkgo(g, reqs, meta).Specs[1].Failure; f.Call == nil || *f.Call != 1 {
		t.Fatalf("guessed failing call: %+v", f)
	}
}

func TestEveryDocumentIsRedacted(t *testing.T) {
	r := fixtureReport(t)
	dir := t.TempDir()
	if err := r.WriteAll(dir); err != nil {
		t.Fatal(err)
	}
	var console bytes.Buffer
	r.Print(&console)
	docs := map[string][]byte{"console": console.Bytes()}
	for _, name := range []string{"junit.xml", "report.json", "report.html"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		docs[name] = b
	}
	for name, b := range docs {
		for _, secret := range []string{secretToken, secretHeader} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s contains the secret %q", name, secret)
			}
		}
		if !bytes.Contains(b, []byte("FAVCONFORM_TOKEN_USER")) {
			t.Errorf("%s has no reproduction with the token placeholder", name)
		}
	}
	// The redaction is real: the fixture's documents carry the marker where the secrets were.
	back, err := ReadJSON(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := back.Specs[1].Transcript[1]
	if c.RequestHeader.Get("Authorization") != Redacted || c.RequestHeader.Get("X-Site") != Redacted || c.ResponseHeader.Get("X-Echo") != Redacted ||
		!bytes.Contains(c.ResponseBody, []byte(`"echo":"`+Redacted+`"`)) {
		t.Errorf("report.json: the secrets are not shown as redacted: %+v", c)
	}
}

func TestConsoleSummaryPrintsTheReproduction(t *testing.T) {
	var b bytes.Buffer
	fixtureReport(t).Print(&b)
	out := b.String()
	for _, want := range []string{"1 passed, 1 failed, 2 skipped", "CAUSE 1: createUserFavoriteList response /favoriteList/revision: expected type string matching ^[0-9]+$, got N\n  first in: Create User Favorite List POST creates the list",
		"reproduce the request (export FAVCONFORM_TOKEN_USER, FAVCONFORM_USER_X_SITE first):", "curl -i -X POST http://127.0.0.1:8080/dashboard/v1/user-favorite-list",
		`-H "Authorization: $FAVCONFORM_TOKEN_USER"`, "NOT CONFORMING"} {
		if !strings.Contains(out, want) {
			t.Errorf("console summary lacks %q:\n%s", want, out)
		}
	}
}

// report.json reads back into the same report: the shape is what ReadJSON (and other tools)
// decode.
func TestJSONRoundTrips(t *testing.T) {
	r := fixtureReport(t)
	dir := t.TempDir()
	if err := r.WriteJSON(dir); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(r)
	b, _ := json.Marshal(back)
	if !bytes.Equal(a, b) {
		t.Fatalf("report.json does not read back the same:\n%s\n%s", a, b)
	}
	if back.Specs[1].Transcript[1].Curl == "" || back.Specs[1].Failure.Call == nil {
		t.Fatal("the curl field and the failing call index must survive the round trip")
	}
}

func TestHeadline(t *testing.T) {
	cases := map[string]string{
		"create: the exchange breaks the spec:\n1 spec violation(s):\n  op response /a: expected x\nPOST u": "create: the exchange breaks the spec: op response /a: expected x",
		"plain failure\nmore":  "plain failure",
		"  \n":                 "",
		"ends with colon:\n\n": "ends with colon:",
	}
	for in, want := range cases {
		if got := Headline(in); got != want {
			t.Errorf("Headline(%q) = %q, want %q", in, got, want)
		}
	}
}

// A run stopped while a spec ran: that spec is "interrupted", not failed; with no failure before
// the stop there is no verdict, and with one the verdict stands.
func TestAnInterruptedRunHasNoVerdictUnlessSomethingFailedBefore(t *testing.T) {
	r, reqs, meta := fixture(t)
	passed := r.SpecReports[0]
	stopped := r.SpecReports[1]
	stopped.State = types.SpecStateInterrupted
	stopped.Failure.Message = "Interrupted by User"
	r.SpecReports = types.SpecReports{passed, stopped, r.SpecReports[2]}
	r.SpecialSuiteFailureReasons = []string{"Interrupted by User"}
	got := FromGinkgo(r, reqs, meta)
	if !got.Summary.Interrupted || got.Summary.Failed != 0 || got.Summary.Conforming || got.Summary.Skipped != 2 {
		t.Fatalf("summary %+v", got.Summary)
	}
	if got.Specs[1].State != "interrupted" || got.Verdict() != VerdictInterrupted {
		t.Fatalf("spec state %q, verdict %q", got.Specs[1].State, got.Verdict())
	}
	for _, q := range got.Requirements {
		if q.Verdict == "failed" {
			t.Errorf("requirement %s failed by an interrupt", q.ID)
		}
	}
	var out bytes.Buffer
	got.Print(&out)
	if !strings.Contains(out.String(), "INTERRUPTED while running: Create User Favorite List") || !strings.Contains(out.String(), "INTERRUPTED: the run was stopped") || strings.Contains(out.String(), "FAIL 1") {
		t.Fatalf("console summary:\n%s", out.String())
	}
	junit, err := got.JUnit()
	if err != nil || !strings.Contains(string(junit), `failures="0"`) || !strings.Contains(string(junit), "interrupted: the run was stopped") {
		t.Fatalf("junit (%v):\n%s", err, junit)
	}

	// A failure before the stop is a verdict.
	original, _, _ := fixture(t)
	later := original.SpecReports[2]
	later.State, later.Failure.Message = types.SpecStateInterrupted, "Interrupted by User"
	r.SpecReports = types.SpecReports{passed, original.SpecReports[1], later}
	got = FromGinkgo(r, reqs, meta)
	if got.Verdict() != VerdictNonconforming || got.Summary.Failed != 1 || !got.Summary.Interrupted {
		t.Fatalf("verdict %q, summary %+v", got.Verdict(), got.Summary)
	}
}
