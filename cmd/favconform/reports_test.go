package main

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/browser"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/report"
)

// reportFiles reads the three reports of dir.
func reportFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range []string{"junit.xml", "report.json", "report.html"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("--report-dir must write %s: %v", name, err)
		}
		out[name] = string(b)
	}
	return out
}

// TestReportDirWritesTheThreeReportsWithReproductions runs the command against a mock deviation:
// the reports are written, every failure that sent a request carries a curl command in
// report.json, and the console prints it with the variable to export. When Chromium is
// installed, the rendered report.html shows the run's own counts.
func TestReportDirWritesTheThreeReportsWithReproductions(t *testing.T) {
	dir := t.TempDir()
	r := favconform(t, nil, "run", "--deviate", "revision-as-number", "--report-dir", dir)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	files := reportFiles(t, dir)
	rep := readReport(t, dir)
	failures := 0
	for _, s := range rep.Specs {
		if s.Failure == nil || len(s.Transcript) == 0 {
			continue
		}
		failures++
		if s.Failure.Curl == "" || s.Failure.Call == nil || s.Transcript[*s.Failure.Call].Curl != s.Failure.Curl {
			t.Errorf("spec %q: its failure has no reproduction: %+v", s.Name, s.Failure)
		}
	}
	// The console prints each cause once, with its first spec's reproduction against the same
	// mock served where the reproduction says.
	for i, c := range rep.Causes {
		first := rep.Specs[slices.IndexFunc(rep.Specs, func(s report.Spec) bool { return s.Name == c.Specs[0] })]
		_, curl := rep.Reproduction(first.Failure.Curl)
		if !strings.Contains(r.stdout, fmt.Sprintf("CAUSE %d: %s\n  first in: %s", i+1, c.Cause, first.Name)) || !strings.Contains(r.stdout, curl[:strings.Index(curl, "\n")]) {
			t.Errorf("the console does not print cause %d (%s) with the reproduction of %q", i+1, c.Cause, first.Name)
		}
	}
	if failures == 0 {
		t.Fatal("the deviation made no spec fail")
	}
	// One wrong field in every answer is one cause per operation on the console, not a failure per spec.
	if len(rep.Causes) == 0 || len(rep.Causes) > 3 || len(rep.Causes[0].Specs) < 50 || !strings.Contains(r.stdout, "root cause(s):") ||
		strings.Count(r.stdout, "\nCAUSE ") != len(rep.Causes) || len(strings.Split(r.stdout, "\n")) > 200 {
		t.Errorf("the failures must be grouped by root cause: %d causes, %d console lines\n%s", len(rep.Causes), len(strings.Split(r.stdout, "\n")), r.stdout)
	}
	for _, want := range []string{"reproduce the request (the embedded mock at ", `-H "Authorization: $FAVCONFORM_TOKEN_USER"`,
		"reports written to " + dir + " (junit.xml, report.json, report.html, summary.md)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the console lacks %q", want)
		}
	}
	var junit struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal([]byte(files["junit.xml"]), &junit); err != nil || junit.Failures != rep.Summary.Failed ||
		junit.Tests != rep.Summary.Passed+rep.Summary.Failed+rep.Summary.Skipped {
		t.Errorf("junit.xml: %v, %+v against %+v", err, junit, rep.Summary)
	}
	if !strings.Contains(files["junit.xml"], `<property name="requirement" value="schema.responses-match-spec">`) ||
		!strings.Contains(files["junit.xml"], "<system-out>#1 user ") {
		t.Error("junit.xml: testcases must carry their requirements and transcripts")
	}

	bin := chromiumBinary(t)
	if bin == "" {
		return
	}
	dom := dumpDOM(t, bin, filepath.Join(dir, "report.html"))
	for id, want := range map[string]int{"count-passed": rep.Summary.Passed, "count-failed": rep.Summary.Failed, "count-skipped": rep.Summary.Skipped} {
		m := regexp.MustCompile(`id="` + id + `"[^>]*>([^<]*)<`).FindStringSubmatch(dom)
		if m == nil || m[1] != fmt.Sprint(want) {
			t.Errorf("report.html in Chromium: #%s shows %v, want %d", id, m, want)
		}
	}
	if !strings.Contains(dom, "/favoriteList/revision") {
		t.Error("report.html in Chromium does not show the violation's JSON pointer")
	}
	// One deviation, one cause: the page opens with it, before the failures and the matrix.
	causes, failures := strings.Index(dom, `id="causes"`), strings.Index(dom, "<h2>Failures</h2>")
	if len(rep.Causes) == 0 || causes < 0 || failures < 0 || causes > failures || strings.Index(dom, "<h2>Root causes</h2>") > causes ||
		!strings.Contains(dom[causes:failures], "/favoriteList/revision: expected type string") {
		t.Errorf("report.html in Chromium must open with the root causes (%d in report.json), the revision first", len(rep.Causes))
	}
}

// chromiumBinary finds Chromium; "" (the rendered page is not checked here; report's own browser
// test says why) when it is absent, unless FAVCONFORM_REQUIRE_CHROMIUM=1.
func chromiumBinary(t *testing.T) string {
	t.Helper()
	bin, err := browser.Find()
	if err != nil {
		if browser.Required() {
			t.Fatal(err.Error() + " (FAVCONFORM_REQUIRE_CHROMIUM=1)")
		}
		t.Log(err.Error() + ": the rendered page is not checked")
	}
	return bin
}

func dumpDOM(t *testing.T, bin, file string) string {
	t.Helper()
	out, err := browser.Headless(bin, "file://"+filepath.ToSlash(file), "--dump-dom")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNoSecretInAnyOutput greps every output of a failing, verbose run — stdout, stderr,
// junit.xml, report.json, report.html — for every token of the identities in each form an output
// may carry it (raw, URL-encoded, base64, JSON-escaped, HTML-escaped: redact.Forms), and for the
// password of the target URL's userinfo, and shows that the tokens were really in play: the target
// accepted them (it answers 401 to anything else), so an output without them was redacted, not
// merely never given them.
func TestNoSecretInAnyOutput(t *testing.T) {
	check := func(t *testing.T, r result, dir string, ids []identity.Identity, others ...string) {
		t.Helper()
		outputs := reportFiles(t, dir)
		outputs["stdout"], outputs["stderr"] = r.stdout, r.stderr
		secrets := map[string]string{}
		for _, id := range ids {
			secrets["the token of role "+string(id.Role)] = id.Token
		}
		for _, o := range others {
			secrets["the secret "+o[:3]+"…"] = o
		}
		for name, text := range outputs {
			for what, secret := range secrets {
				for _, form := range redact.Forms(secret) {
					if i := strings.Index(text, form); i >= 0 {
						around := text[max(0, i-120):min(len(text), i+len(form)+40)]
						t.Errorf("%s contains %s (as %q): …%s…", name, what, form, strings.ReplaceAll(around, form, "<THE SECRET>"))
					}
				}
			}
		}
		if !strings.Contains(outputs["report.json"], `"[REDACTED]"`) || !strings.Contains(outputs["report.html"], "Authorization: [REDACTED]") {
			t.Error("the reports must show the Authorization header as redacted")
		}
		// The tokens reached the target: calls made with them were authenticated (any answer but
		// 401), and the calls made without one were refused with 401.
		rep := readReport(t, dir)
		used, accepted, refused := map[identity.Role]bool{}, map[identity.Role]bool{}, false
		for _, s := range rep.Specs {
			for _, c := range s.Transcript {
				if c.RequestHeader.Get("Authorization") != report.Redacted {
					continue
				}
				used[c.Role] = true
				if c.Status != 0 && c.Status != http.StatusUnauthorized {
					accepted[c.Role] = true
				}
				if c.Role == "garbage-token" && c.Status == http.StatusUnauthorized {
					refused = true
				}
			}
		}
		for _, role := range identity.Roles {
			if used[role] && !accepted[role] {
				t.Errorf("role %s: no call with its token was authenticated", role)
			}
		}
		if !accepted[identity.User] || !accepted[identity.SecondUser] || !refused {
			t.Errorf("the run must show the tokens authenticated (%v) and a wrong token refused with 401 (%v)", accepted, refused)
		}
	}

	// The embedded mock's tokens are public (fixtures/identities.json, printed by serve): its
	// reproductions give them, with the command that serves the same mock once the embedded one
	// is gone; the credential headers are still shown redacted.
	t.Run("embedded mock with a deviation: public tokens in the reproduction", func(t *testing.T) {
		dir := t.TempDir()
		r := favconform(t, nil, "run", "--deviate", "error-body-plain-text", "--report-dir", dir, "-v")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		if !regexp.MustCompile(`(?m)^\[ *\d+/\d+\] FAIL `).MatchString(r.stdout) {
			t.Fatalf("-v must print a line per spec:\n%s", r.stdout)
		}
		for _, want := range []string{"is gone after the run: start the same mock with `favconform serve --addr 127.0.0.1:8080 --deviate error-body-plain-text`",
			"export FAVCONFORM_TOKEN_USER=fc-mock-user-a (the mock's public tokens)", "http://127.0.0.1:8080/dashboard/v1/user-favorite-list"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("the reproduction must say %q:\n%s", want, r.stdout)
			}
		}
		if html := reportFiles(t, dir)["report.html"]; !strings.Contains(html, "Authorization: [REDACTED]") {
			t.Error("report.html must show the Authorization header redacted")
		}
	})

	// A hostile target echoes each caller's token in response headers and in every JSON body (so
	// failure messages, which quote bodies, carry it too), raw and encoded; the tokens hold the
	// characters that URL, JSON and HTML escape, and the target URL carries a password: the
	// outputs must still hold none of them, in any form.
	t.Run("target echoing the tokens, encoded", func(t *testing.T) {
		ids := identity.Default()
		for i := range ids {
			ids[i].Token = fmt.Sprintf(`tok/%s+a&b<c>"d'é=%d`, ids[i].Role, i)
		}
		m, err := mock.New(mock.Options{Identities: ids})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		seen := map[string]bool{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			auth := req.Header.Get("Authorization")
			mu.Lock()
			seen[auth] = true
			mu.Unlock()
			rec := httptest.NewRecorder()
			m.ServeHTTP(rec, req)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			body := rec.Body.Bytes()
			if auth != "" {
				b64 := base64.StdEncoding.EncodeToString([]byte("Bearer " + auth))
				w.Header().Set("X-Echo-Authorization", auth)
				w.Header().Set("X-Echo-Base64", b64)
				w.Header().Set("Location", "/next?token="+url.QueryEscape(auth))
				if bytes.HasPrefix(body, []byte("{")) {
					var u strings.Builder
					for _, c := range auth {
						fmt.Fprintf(&u, `\u%04x`, c)
					}
					echo := fmt.Sprintf(`{"echo":%q,"echoURL":%q,"echoBase64":%q,"echoJSON":"%s","echoHTML":%q,`,
						auth, url.QueryEscape(auth), b64, u.String(), html.EscapeString(auth))
					body = append([]byte(echo), body[1:]...)
				}
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			w.Write(body)
		}))
		defer srv.Close()
		const password = "userinfo-password-42"
		base, _ := url.Parse(srv.URL)
		base.User = url.UserPassword("alice", password)
		var file bytes.Buffer
		fmt.Fprintf(&file, "baseURL: %s\nidentities:\n", base)
		for _, id := range ids {
			fmt.Fprintf(&file, "  %s:\n    headers:\n      Authorization: %q\n", id.Role, id.Token)
		}
		target := filepath.Join(t.TempDir(), "target.yaml")
		if err := os.WriteFile(target, file.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		r := favconform(t, nil, "run", "--target-file", target, "--allow-writes", "--report-dir", dir, "-v")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1 (the echoed fields break the spec)\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		mu.Lock()
		for _, id := range ids {
			if !seen[id.Token] {
				t.Errorf("the token of role %s never reached the target", id.Role)
			}
		}
		mu.Unlock()
		check(t, r, dir, ids, password)
	})
}
