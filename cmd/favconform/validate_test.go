package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/favconform/favconform/har"
	"github.com/favconform/favconform/identity"
)

const harDir = "../../fixtures/har"

func TestValidateCleanHAR(t *testing.T) {
	r := favconform(t, nil, "validate", filepath.Join(harDir, "clean.har"))
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"7 entries: 6 conform, 0 with violations, 1 skipped", "skipped 1: not a Dashboard Favorite List API path", "CONFORMING"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("want %q in:\n%s", want, r.stdout)
		}
	}
}

func TestValidateHARWithViolations(t *testing.T) {
	dir := t.TempDir()
	// Flags after the file work too.
	r := favconform(t, nil, "validate", filepath.Join(harDir, "violations.har"), "--report-dir", dir)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"log.entries[1] POST http://127.0.0.1:",
		"→ 200: createUserFavoriteList response /favoriteList/revision: expected type string",
		"→ 401: getUserFavoriteList request header Authorization",
		"NOT CONFORMING",
		"report written to " + dir,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("want %q in:\n%s", want, r.stdout)
		}
	}
	rep := readReport(t, dir)
	if rep.Profile != "har" || rep.Summary.Failed != 7 || rep.Summary.Passed != 1 || rep.Summary.Skipped != 1 || rep.Summary.Conforming {
		t.Fatalf("unexpected report summary: %+v", rep.Summary)
	}
	var outputs []string
	for _, f := range []string{"report.json", "junit.xml", "report.html"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("the report dir must hold %s: %v", f, err)
		}
		outputs = append(outputs, string(b))
	}
	outputs = append(outputs, r.stdout, r.stderr)
	for _, id := range identity.Default() {
		for _, out := range outputs {
			if strings.Contains(out, id.Token) {
				t.Fatalf("an output leaks the recorded token of %s", id.Role)
			}
		}
	}
}

func TestValidateSanitizedHAR(t *testing.T) {
	r := favconform(t, nil, "validate", "--sanitized", filepath.Join(harDir, "violations.har"))
	if r.code != 1 || strings.Contains(r.stdout, "header Authorization") || !strings.Contains(r.stdout, "/favoriteList/revision") {
		t.Fatalf("--sanitized drops only the Authorization fault: exit %d\n%s", r.code, r.stdout)
	}
}

func TestValidateUnreadableInput(t *testing.T) {
	cases := []struct {
		args []string
		says []string
	}{
		{[]string{"validate", filepath.Join(harDir, "malformed.har")}, []string{"malformed.har: log.entries[2].response.status: expected a JSON number"}},
		{[]string{"validate", filepath.Join(harDir, "no-such.har")}, []string{"no-such.har", "expected a readable HAR file"}},
		{[]string{"validate"}, []string{"no HAR file given"}},
		{[]string{"validate", "--nope", "x.har"}, []string{"nope"}},
	}
	for _, c := range cases {
		r := favconform(t, nil, c.args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s\n%s", c.args, r.code, r.stdout, r.stderr)
		}
		for _, want := range c.says {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%v: want %q in:\n%s", c.args, want, r.stderr)
			}
		}
	}
	// A readable file next to an unreadable one is still summarised; the exit says unreadable.
	r := favconform(t, nil, "validate", filepath.Join(harDir, "clean.har"), filepath.Join(harDir, "malformed.har"))
	if r.code != 2 || !strings.Contains(r.stdout, "clean.har") || !strings.Contains(r.stderr, "1 of 2 file(s) could not be read") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestValidateHelpAndHostFilter(t *testing.T) {
	if r := favconform(t, nil, "validate", "--help"); r.code != 0 || !strings.Contains(r.stderr, "-sanitized") || !strings.Contains(r.stderr, "-report-dir") || !strings.Contains(r.stderr, "-host") {
		t.Fatalf("--help must list the flags: exit %d\n%s", r.code, r.stderr)
	}
	r := favconform(t, nil, "validate", "--host", "www.wixapis.com", filepath.Join(harDir, "violations.har"))
	if r.code != 0 || !strings.Contains(r.stdout, "NOTHING CHECKED") {
		t.Fatalf("every entry of another host is skipped, which is no failure: exit %d\n%s", r.code, r.stdout)
	}
}

// An API entry whose body is over the limit fails, named with its field; the others are checked.
func TestValidateHARWithABodyOverTheLimit(t *testing.T) {
	l, err := har.ReadFile(filepath.Join(harDir, "clean.har"))
	if err != nil {
		t.Fatal(err)
	}
	l.Entries[4].Request.PostData.Text = `{"favorite":{"pageId":"p","title":"` + strings.Repeat("t", har.MaxBodySize) + `"}}`
	path := filepath.Join(t.TempDir(), "big.har")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r := favconform(t, nil, "validate", path)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"big.har (recorded by favconform fixture recorder 1): 7 entries: 5 conform, 1 with violations, 1 skipped",
		"log.entries[4] POST ",
		"request log.entries[4].request.postData.text: expected a body of at most 16777216 bytes (16 MiB, har.MaxBodySize), got 16777254 bytes (16.0 MiB)",
		"note: the entry was not checked",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("want %q in:\n%s", want, r.stdout)
		}
	}
}
