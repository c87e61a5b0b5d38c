package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/favconform/favconform/internal/browser"
)

// chromium finds a headless-capable Chromium. Without one the test is skipped — unless
// FAVCONFORM_REQUIRE_CHROMIUM=1 (CI sets it after `make setup`), when it fails.
func chromium(t *testing.T) string {
	t.Helper()
	bin, err := browser.Find()
	if err != nil {
		if browser.Required() {
			t.Fatal(err.Error() + " (FAVCONFORM_REQUIRE_CHROMIUM=1: the browser check must run)")
		}
		t.Skip(err.Error())
	}
	return bin
}

// headless runs Chromium on url and returns what it printed.
func headless(t *testing.T, bin, url string, args ...string) string {
	t.Helper()
	out, err := browser.Headless(bin, url, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// counted reads the number the page's script wrote into the element with id.
func counted(t *testing.T, dom, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the rendered page has no element #%s", id)
	}
	return m[1]
}

// TestHTMLReportInChromium opens report.html in headless Chromium and reads the DOM after the
// page's script ran: the summary bar shows the counts (which only the script fills in), the
// failure is listed with its violation's JSON pointer and its curl command, the hostile markup
// of a response body stayed text (its script did not run), and the "failed" filter hides the
// passed specs. It also takes a screenshot (kept when FAVCONFORM_SCREENSHOT_DIR is set).
func TestHTMLReportInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	if err := fixtureReport(t).WriteHTML(dir); err != nil {
		t.Fatal(err)
	}
	url := "file://" + filepath.ToSlash(filepath.Join(dir, "report.html"))

	dom := headless(t, bin, url, "--dump-dom")
	if !regexp.MustCompile(`<body[^>]*data-ready="true"`).MatchString(dom) {
		t.Fatalf("the page's script did not run:\n%.3000s", dom)
	}
	for id, want := range map[string]string{
		"count-passed": "1", "count-failed": "1", "count-skipped": "2", "count-total": "4",
		"req-count-passed": "1", "req-count-failed": "2", "req-count-skipped": "2",
	} {
		if got := counted(t, dom, id); got != want {
			t.Errorf("summary bar: #%s shows %q, want %q", id, got, want)
		}
	}
	for _, want := range []string{
		"NOT CONFORMING",
		`<a href="#spec-2">Create User Favorite List POST creates the list &lt;script&gt;`,
		"create a list: the exchange breaks the spec: createUserFavoriteList response /favoriteList/revision",
		`<td class="ptr">/favoriteList/revision</td>`,
		`-H "Authorization: $FAVCONFORM_TOKEN_USER"`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %q", want)
		}
	}
	if strings.Contains(dom, "data-pwned") && !strings.Contains(dom, "setAttribute('data-pwned'") {
		t.Error("markup from a response body ran in the page")
	}
	if regexp.MustCompile(`<body[^>]*data-pwned`).MatchString(dom) || strings.Contains(dom, "<img") {
		t.Error("markup from a response body was rendered as markup")
	}
	if !strings.Contains(dom, "&lt;script&gt;document.body.setAttribute('data-pwned','script')&lt;/script&gt;") {
		t.Error("the response body's markup is not shown as text")
	}
	for _, secret := range []string{secretToken, secretHeader} {
		if strings.Contains(dom, secret) {
			t.Errorf("the rendered page shows the secret %q", secret)
		}
	}

	filtered := headless(t, bin, url+"#failed", "--dump-dom")
	state := regexp.MustCompile(`<details class="spec" id="spec-(\d)" data-state="(\w+)"([^>]*)>`)
	seen := 0
	for _, m := range state.FindAllStringSubmatch(filtered, -1) {
		seen++
		hidden := strings.Contains(m[3], "hidden")
		if (m[2] == "failed") == hidden {
			t.Errorf("filter failed: spec %s (%s) hidden=%v", m[1], m[2], hidden)
		}
	}
	if seen != 4 || !strings.Contains(filtered, `data-filter="failed" aria-pressed="true"`) {
		t.Errorf("filter failed: %d specs, button state wrong?\n%.2000s", seen, filtered)
	}

	shot := filepath.Join(dir, "report.png")
	headless(t, bin, url, "--hide-scrollbars", "--window-size=1280,1600", "--screenshot="+shot)
	png, err := os.ReadFile(shot)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) || len(png) < 10_000 {
		t.Fatalf("screenshot: %v (%d bytes)", err, len(png))
	}
	if keep := os.Getenv("FAVCONFORM_SCREENSHOT_DIR"); keep != "" {
		if err := os.WriteFile(filepath.Join(keep, "report-fixture.png"), png, 0o644); err != nil {
			t.Error(err)
		}
		fmt.Fprintf(os.Stderr, "screenshot kept in %s\n", keep)
	}
}
