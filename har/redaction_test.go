package har_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/har"
	"github.com/favconform/favconform/internal/redact"
)

// Every credential of the file — the value of any header redact.IsSensitiveHeader names, each
// cookie of a Cookie header — is kept out of every output in every form redact knows (here raw
// and base64), even where it shows before the entry that carries it.
func TestCredentialsNeverShowInAnyForm(t *testing.T) {
	const apiKey, session = "ak_live_51H8sEcReTkEy0123", "JWS.eyJzZXNzaW9uIjoiMTIzIn0.sig"
	fx := fixtureEntries(t)
	// Entry 1: an answer echoing both, in a title one character too long (so that it shows in
	// the violation too).
	get := fx[2]
	body, err := get.Response.Body()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	fav := doc["favoriteList"].(map[string]any)["favorites"].([]any)[0].(map[string]any)
	fav["title"] = session + " " + base64.StdEncoding.EncodeToString([]byte(apiKey))
	echoed, _ := json.Marshal(doc)
	text := string(echoed)
	get.Response.Content.Text, get.Response.Content.Encoding = &text, ""
	// Entry 2: the call that carries them.
	del := fx[6]
	del.Request.Headers = append(del.Request.Headers,
		har.NameValue{Name: "X-Api-Key", Value: apiKey},
		har.NameValue{Name: "Cookie", Value: "theme=dark; wixSession2=" + session})
	var file bytes.Buffer
	if err := (&har.Log{Creator: har.NameInfo{Name: "test"}, Entries: []har.Entry{fx[1], get, del}}).Write(&file); err != nil {
		t.Fatal(err)
	}
	res, err := har.CheckReader(&file, "secrets.har", har.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entries[1].Violations) == 0 {
		t.Fatalf("the echoing answer must break the spec (a title over 40 characters), or the test proves less: %+v", res.Entries[1])
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
		for _, secret := range []string{apiKey, session} {
			for _, form := range redact.Forms(secret) {
				if strings.Contains(s, form) {
					t.Errorf("%s shows %q (a form of %q)", name, form, secret)
				}
			}
		}
	}
}

// What a file says reaches the terminal escaped: neither its creator's name nor a URL can send
// control sequences (ESC, or the 8-bit CSI U+009B) to it.
func TestSummaryEscapesControlSequences(t *testing.T) {
	fx := fixtureEntries(t)
	e := fx[2]
	e.Request.URL += "?view=\u009b2J"
	res, err := har.Check(&har.Log{Creator: har.NameInfo{Name: "evil\x1b]0;owned\x07", Version: "1"}, Entries: []har.Entry{e}}, "ctl.har", har.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	har.Print(&out, []har.Result{res}, true)
	s := out.String()
	if strings.ContainsAny(s, "\x1b\x07\u009b") {
		t.Fatalf("the summary passes control sequences through:\n%q", s)
	}
	for _, want := range []string{`evil\x1b]0;owned\x07 1`, `?view=\u009b2J`} {
		if !strings.Contains(s, want) {
			t.Errorf("want %q, visibly escaped, in:\n%s", want, s)
		}
	}
}
