package har_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/har"
	"github.com/favconform/favconform/identity"
)

func fixture(name string) string { return filepath.Join(fixturesDir, name) }

func check(t *testing.T, l *har.Log, opts har.Options) har.Result {
	t.Helper()
	res, err := har.Check(l, "test.har", opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func read(t *testing.T, name string) *har.Log {
	t.Helper()
	l, err := har.ReadFile(fixture(name))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestCleanRecordingConforms(t *testing.T) {
	res, err := har.CheckFile(fixture("clean.har"), har.Options{})
	if err != nil {
		t.Fatal(err)
	}
	conform, violating, skipped := res.Counts()
	if conform != 6 || violating != 0 || skipped != 1 {
		t.Fatalf("want 6 conforming entries and 1 skipped, got %d/%d/%d: %+v", conform, violating, skipped, res.Entries)
	}
	ops := map[string]bool{}
	for _, e := range res.Entries {
		ops[e.Operation] = true
	}
	for _, op := range []string{"createUserFavoriteList", "getUserFavoriteList", "updateUserFavoriteList", "addUserFavorite", "deleteUserFavorite", "deleteUserFavoriteList"} {
		if !ops[op] {
			t.Errorf("the recording must hold %s", op)
		}
	}
	if res.Entries[0].Skipped != har.SkipNotAPI || strings.Contains(res.Entries[0].URL, "?") {
		t.Errorf("the page asset must be skipped as not an API path: %+v", res.Entries[0])
	}
}

func TestViolationsRecordingIsCaught(t *testing.T) {
	res, err := har.CheckFile(fixture("violations.har"), har.Options{})
	if err != nil {
		t.Fatal(err)
	}
	type hit struct{ op, in, ptr string }
	var got []hit
	for _, e := range res.Entries {
		for _, v := range e.Violations {
			got = append(got, hit{e.Operation, string(v.In), v.Pointer})
		}
	}
	want := []hit{
		{"createUserFavoriteList", "response", "/favoriteList/revision"},
		{"getUserFavoriteList", "response", "/favoriteList/revision"}, // recorded base64-encoded
		{"updateUserFavoriteList", "response", "/favoriteList/revision"},
		{"addUserFavorite", "response", "/favoriteList/revision"},
		{"deleteUserFavorite", "response", "/favoriteList/revision"},
		{"addUserFavorite", "request", "/favorite/title"},
		{"getUserFavoriteList", "request", "header Authorization"},
	}
	if len(got) != len(want) {
		t.Fatalf("want %d violations, got %d: %+v", len(want), len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("violation %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, _, skipped := res.Counts(); skipped != 1 {
		t.Errorf("the page asset is skipped, not failed: %d skipped", skipped)
	}
}

func TestMalformedRecordingSaysWhere(t *testing.T) {
	_, err := har.CheckFile(fixture("malformed.har"), har.Options{})
	var fe *har.FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("want a *har.FormatError, got %v", err)
	}
	if fe.Entry != 2 || fe.Field != "response.status" || !strings.Contains(err.Error(), "malformed.har: log.entries[2].response.status: expected a JSON number") {
		t.Fatalf("the error must name the file, the entry and the field: %v", err)
	}
}

func TestUnreadableInputs(t *testing.T) {
	entry := func(mod string) string {
		return `{"log":{"version":"1.2","entries":[{"request":{"method":"GET","url":"https://www.wixapis.com/dashboard/v1/user-favorite-list","headers":[]},` + mod + `}]}}`
	}
	okResponse := `"response":{"status":200,"headers":[],"content":{"size":2,"mimeType":"application/json","text":"{}"}}`
	cases := []struct{ name, doc, want string }{
		{"not JSON", "{\n  \"log\": {,", "x.har: expected a HAR file"},
		{"syntax error position", "{\n  \"log\": {,", "line 2, column 11"},
		{"no log", `{"entries":[]}`, `x.har: log: expected an object`},
		{"no entries", `{"log":{"version":"1.2"}}`, "x.har: log.entries: expected an array"},
		{"entries not an array", `{"log":{"entries":{}}}`, "x.har: log.entries: expected an array"},
		{"entry not an object", `{"log":{"entries":[1]}}`, "log.entries[0]: expected an object with a request and a response"},
		{"no response", `{"log":{"entries":[{"request":{"method":"GET","url":"https://x/"}}]}}`, "log.entries[0].response: expected an object"},
		{"no request", `{"log":{"entries":[{` + okResponse + `}]}}`, "log.entries[0].request: expected an object"},
		{"relative url", strings.Replace(entry(okResponse), "https://www.wixapis.com", "", 1), "log.entries[0].request.url: expected an absolute URL"},
		{"no method", strings.Replace(entry(okResponse), `"method":"GET",`, "", 1), "log.entries[0].request.method: expected an HTTP method"},
		{"header value not a string", strings.Replace(entry(okResponse), `"headers":[]`, `"headers":[{"name":"A","value":1}]`, 1), "log.entries[0].request.headers.value: expected a JSON string"},
		{"bad base64", entry(`"response":{"status":200,"content":{"text":"%%%","encoding":"base64"}}`), "log.entries[0].response.content.text: expected text encoded as response.content.encoding says (content.encoding is base64 but the text is not base64"},
		{"unknown encoding", entry(`"response":{"status":200,"content":{"text":"x","encoding":"rot13"}}`), `content.encoding "rot13" is not one this tool decodes`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := har.Parse([]byte(c.doc), "x.har")
			var fe *har.FormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want a FormatError containing %q, got %v", c.want, err)
			}
		})
	}
	if _, err := har.ReadFile(filepath.Join(t.TempDir(), "missing.har")); err == nil || !strings.Contains(err.Error(), "missing.har") {
		t.Fatalf("a missing file must be named: %v", err)
	}
}

// The GET entry's body is base64 in the fixtures: a bad body so encoded must be caught for what
// it says, not refused as undecodable.
func TestBase64BodiesAreDecoded(t *testing.T) {
	l := read(t, "clean.har")
	var get *har.Entry
	for i := range l.Entries {
		if l.Entries[i].Response.Content.Encoding == "base64" {
			get = &l.Entries[i]
		}
	}
	if get == nil {
		t.Fatal("clean.har must hold a base64-encoded body")
	}
	body, err := get.Response.Body()
	if err != nil || !json.Valid(body) {
		t.Fatalf("the base64 body must decode to JSON: %v %q", err, body)
	}
	broken := bytes.Replace(body, []byte(`"revision":"1"`), []byte(`"revision":1`), 1)
	if bytes.Equal(broken, body) {
		t.Fatalf("the fixture's GET must carry revision \"1\": %s", body)
	}
	enc := base64.StdEncoding.EncodeToString(broken)
	get.Response.Content.Text = &enc
	res := check(t, l, har.Options{})
	found := false
	for _, e := range res.Entries {
		for _, v := range e.Violations {
			found = found || (e.Operation == "getUserFavoriteList" && v.Pointer == "/favoriteList/revision")
		}
	}
	if !found {
		t.Fatalf("the decoded body's revision-as-number must be reported: %+v", res.Entries)
	}
}

func TestHostFilter(t *testing.T) {
	l := read(t, "clean.har")
	api, _ := url.Parse(l.Entries[1].Request.URL)
	res := check(t, l, har.Options{Host: api.Host})
	if c, v, s := res.Counts(); c != 6 || v != 0 || s != 1 {
		t.Fatalf("the API host: want 6 checked, got %d/%d/%d", c, v, s)
	}
	res = check(t, l, har.Options{Host: "www.wixapis.com"})
	if c, v, s := res.Counts(); c != 0 || v != 0 || s != 7 {
		t.Fatalf("another host: want everything skipped, got %d/%d/%d", c, v, s)
	}
	if !strings.HasPrefix(res.Entries[1].Skipped, har.SkipOtherHost) {
		t.Fatalf("the reason must say the host: %q", res.Entries[1].Skipped)
	}
}

// Chrome's default export removes Authorization: --sanitized stops reporting its absence, and
// only that.
func TestSanitizedExports(t *testing.T) {
	l := read(t, "violations.har")
	for i := range l.Entries {
		var kept []har.NameValue
		for _, h := range l.Entries[i].Request.Headers {
			if !strings.EqualFold(h.Name, "Authorization") {
				kept = append(kept, h)
			}
		}
		l.Entries[i].Request.Headers = kept
	}
	authFaults := func(res har.Result) (n, others int) {
		for _, e := range res.Entries {
			for _, v := range e.Violations {
				if v.Pointer == "header Authorization" {
					n++
				} else {
					others++
				}
			}
		}
		return
	}
	if n, others := authFaults(check(t, l, har.Options{})); n != 8 || others != 6 {
		t.Fatalf("without --sanitized every API entry lacks Authorization: got %d (and %d others)", n, others)
	}
	res := check(t, l, har.Options{Sanitized: true})
	if n, others := authFaults(res); n != 0 || others != 6 {
		t.Fatalf("with --sanitized: want no Authorization faults and the 6 others, got %d and %d", n, others)
	}
	if !strings.Contains(res.Entries[1].Note, "sanitized") {
		t.Fatalf("the entry must say what was not checked: %+v", res.Entries[1])
	}
}

func TestPreflightsAndUnansweredRequestsAreSkipped(t *testing.T) {
	text := `{}`
	u := "https://manage.wix.com/_api/dashboard/v1/user-favorite-list"
	l := &har.Log{Entries: []har.Entry{
		{Request: har.Request{Method: "OPTIONS", URL: u, Headers: []har.NameValue{{Name: "access-control-request-method", Value: "POST"}}}, Response: har.Response{Status: 204}},
		{Request: har.Request{Method: "GET", URL: u}, Response: har.Response{Status: 0}},
		{Request: har.Request{Method: "GET", URL: "https://manage.wix.com/_api/dashboard/v1/user-favorite-lists"}, Response: har.Response{Status: 404, Content: har.Content{Text: &text}}},
	}}
	res := check(t, l, har.Options{})
	if res.Entries[0].Skipped != har.SkipPreflight || res.Entries[1].Skipped != har.SkipNoResponse || res.Entries[2].Skipped != har.SkipNotAPI {
		t.Fatalf("unexpected: %+v", res.Entries)
	}
}

func TestMissingResponseBodyChecksTheRequestOnly(t *testing.T) {
	u := "https://manage.wix.com/_api/dashboard/v1/user-favorite-list/add-favorite"
	body := `{"favorite":{"pageId":"p","title":"` + strings.Repeat("y", 41) + `"}}`
	l := &har.Log{Entries: []har.Entry{{
		Request:  har.Request{Method: "POST", URL: u, Headers: []har.NameValue{{Name: "authorization", Value: "tok-123456"}}, PostData: &har.PostData{MimeType: "application/json", Text: body}},
		Response: har.Response{Status: 200, Content: har.Content{Size: 512, MimeType: "application/json"}},
	}}}
	res := check(t, l, har.Options{})
	e := res.Entries[0]
	if len(e.Violations) != 1 || e.Violations[0].Pointer != "/favorite/title" || !strings.Contains(e.Note, "only the request was checked") {
		t.Fatalf("want the request's fault and a note, got %+v", e)
	}
}

// No output of a check carries the recorded Authorization values.
func TestResultsAreRedacted(t *testing.T) {
	raw, err := os.ReadFile(fixture("violations.har"))
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for _, id := range identity.Default() {
		if bytes.Contains(raw, []byte(id.Token)) {
			tokens = append(tokens, id.Token)
		}
	}
	if len(tokens) == 0 {
		t.Fatal("the fixture must carry the tokens it was recorded with, or this test proves nothing")
	}
	res, err := har.CheckFile(fixture("violations.har"), har.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	har.Print(&out, []har.Result{res}, true)
	js, _ := json.Marshal(res)
	dir := t.TempDir()
	if err := har.Report([]har.Result{res}, har.ReportMeta{StartedAt: time.Now()}).WriteAll(dir); err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{"console": out.String(), "result JSON": string(js)}
	for _, f := range []string{"report.json", "junit.xml", "report.html"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		outputs[f] = string(b)
	}
	for name, s := range outputs {
		for _, tok := range tokens {
			if strings.Contains(s, tok) {
				t.Errorf("%s leaks the token %q", name, tok)
			}
		}
	}
	if !strings.Contains(outputs["report.json"], "[REDACTED]") {
		t.Error("the report must show the Authorization header as redacted")
	}
}

func TestPrintNamesEntryMethodURLOperationPointer(t *testing.T) {
	res, err := har.CheckFile(fixture("violations.har"), har.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	har.Print(&out, []har.Result{res}, false)
	s := out.String()
	for _, want := range []string{
		"violations.har (recorded by favconform fixture recorder 1): 9 entries: 1 conform, 7 with violations, 1 skipped",
		"log.entries[1] POST http://127.0.0.1:",
		"/dashboard/v1/user-favorite-list → 200: createUserFavoriteList response /favoriteList/revision: expected type string",
		"log.entries[6] POST ",
		"→ 400: addUserFavorite request /favorite/title: expected at most 40 characters",
		"skipped 1: not a Dashboard Favorite List API path",
		"--sanitized",
		"1 passed, 7 failed, 1 skipped",
		"NOT CONFORMING",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the summary must contain %q:\n%s", want, s)
		}
	}
	clean, _ := har.CheckFile(fixture("clean.har"), har.Options{})
	out.Reset()
	har.Print(&out, []har.Result{clean}, false)
	if !strings.HasSuffix(out.String(), "\nCONFORMING\n") || strings.Contains(out.String(), "--sanitized") {
		t.Errorf("a clean file ends CONFORMING with no hint:\n%s", out.String())
	}
}

func TestReportUsesTheRunsShape(t *testing.T) {
	bad, _ := har.CheckFile(fixture("violations.har"), har.Options{})
	clean, _ := har.CheckFile(fixture("clean.har"), har.Options{})
	r := har.Report([]har.Result{clean, bad}, har.ReportMeta{Version: "test"})
	if r.Profile != har.Profile || r.Summary.Passed != 7 || r.Summary.Failed != 7 || r.Summary.Skipped != 2 || r.Summary.Conforming {
		t.Fatalf("unexpected summary %+v (profile %q)", r.Summary, r.Profile)
	}
	if len(r.Specs) != 16 || !strings.Contains(r.Target, "clean.har") || !strings.Contains(r.Target, "violations.har") {
		t.Fatalf("one spec per entry, both files named: %d specs, target %q", len(r.Specs), r.Target)
	}
	var failed int
	for _, s := range r.Specs {
		if s.State != "failed" {
			continue
		}
		failed++
		if s.Failure == nil || !strings.Contains(s.Failure.Location, "log.entries[") || len(s.Transcript) != 1 || len(s.Transcript[0].Violations) == 0 {
			t.Fatalf("a failed entry carries its location, its exchange and violations: %+v", s)
		}
	}
	if failed != 7 {
		t.Fatalf("want 7 failed specs, got %d", failed)
	}
}

func TestWriteRoundTrip(t *testing.T) {
	l := read(t, "clean.har")
	var b bytes.Buffer
	if err := l.Write(&b); err != nil {
		t.Fatal(err)
	}
	again, err := har.Parse(b.Bytes(), "again.har")
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Entries) != len(l.Entries) || again.Version != har.Version {
		t.Fatalf("round trip lost entries: %d vs %d", len(again.Entries), len(l.Entries))
	}
}

// A report of a long file keeps every failing entry's exchange, and those of the first
// ConformingExchanges conforming ones: what it holds grows with the failures, not the file.
func TestConformingExchangesAreASample(t *testing.T) {
	clean, err := har.CheckFile(fixture("clean.har"), har.Options{ConformingExchanges: 2})
	if err != nil {
		t.Fatal(err)
	}
	kept, conforming := 0, 0
	for _, e := range clean.Entries {
		if e.Skipped != "" || len(e.Violations) > 0 {
			continue
		}
		conforming++
		if e.Exchange.Method != "" {
			kept++
			if e.Index >= 2 {
				t.Errorf("log.entries[%d] conforms and kept its exchange past the first 2", e.Index)
			}
		}
	}
	if conforming < 3 || kept == 0 {
		t.Fatalf("clean.har: %d conforming entries, %d kept their exchange: the check needs 3 or more, and some kept", conforming, kept)
	}

	none, err := har.CheckFile(fixture("violations.har"), har.Options{ConformingExchanges: -1})
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, sp := range har.Report([]har.Result{none}, har.ReportMeta{}).Specs {
		switch sp.State {
		case "passed":
			if len(sp.Transcript) > 0 {
				t.Errorf("%s: a conforming entry without its exchange got a transcript", sp.Name)
			}
		case "failed":
			failed++
			if len(sp.Transcript) != 1 || sp.Transcript[0].Method == "" {
				t.Errorf("%s: a failing entry lost its transcript", sp.Name)
			}
		}
	}
	if failed == 0 {
		t.Fatal("violations.har gave no failing entry")
	}
}
