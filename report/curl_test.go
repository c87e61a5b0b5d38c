package report

import (
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/validate"
)

func redactedCall(role identity.Role, method, url string, h http.Header, body string) client.Call {
	c := client.Call{Role: role}
	c.Method, c.URL, c.RequestHeader, c.RequestBody = method, url, h, []byte(body)
	return c
}

func TestCurlRendersMethodURLHeadersAndBodyWithPlaceholders(t *testing.T) {
	c := redactedCall(identity.SecondUser, "PATCH", "http://127.0.0.1:8080/dashboard/v1/user-favorite-list/abc?x=1&y=2",
		http.Header{"Authorization": {Redacted}, "Content-Type": {"application/json"}, "Wix-Site-Id": {Redacted}},
		`{"favoriteList":{"revision":1,"favorites":[{"pageId":"it's","title":"a b"}]}}`)
	got := Curl(c)
	want := `curl -i -X PATCH 'http://127.0.0.1:8080/dashboard/v1/user-favorite-list/abc?x=1&y=2' \
  -H "Authorization: $FAVCONFORM_TOKEN_SECOND_USER" \
  -H 'Content-Type: application/json' \
  -H "Wix-Site-Id: $FAVCONFORM_SECOND_USER_WIX_SITE_ID" \
  --data-binary '{"favoriteList":{"revision":1,"favorites":[{"pageId":"it'\''s","title":"a b"}]}}'`
	if got != want {
		t.Fatalf("curl:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(got, Redacted) {
		t.Fatal("the curl command keeps the redaction marker instead of a variable")
	}
}

func TestCurlOfAGetHasNoMethodFlagAndNoBody(t *testing.T) {
	got := Curl(redactedCall(identity.User, "GET", "http://h/p", http.Header{"Authorization": {Redacted}}, ""))
	want := "curl -i http://h/p \\\n  -H \"Authorization: $FAVCONFORM_TOKEN_USER\""
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// A shell parses the command back into exactly the request: method, URL, each header with the
// exported variable's value, and the body byte for byte (quotes, newlines, non-UTF-8 bytes and a
// secret redacted inside the body included).
func TestCurlRoundTripsThroughAShell(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	body := "{\"a\":\"it's \\\"quoted\\\" $HOME `x` !\"}\n\ttab \x01\xff " + Redacted + " end"
	c := redactedCall(identity.User, "POST", "http://127.0.0.1:1/p?q=a b&r=$x",
		http.Header{"Authorization": {Redacted}, "Content-Type": {"application/json; charset=utf-8"}}, body)
	// curl is replaced by a function printing each argument it gets, NUL-terminated.
	script := "curl() { for a in \"$@\"; do printf '%s\\0' \"$a\"; done; }\n" + Curl(c)
	cmd := exec.Command(bash, "-c", script)
	cmd.Env = []string{"FAVCONFORM_TOKEN_USER=Bearer tok en", "FAVCONFORM_SECRET=s3cr3t", "HOME=/nowhere"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, script)
	}
	args := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	want := []string{"-i", "-X", "POST", "http://127.0.0.1:1/p?q=a b&r=$x",
		"-H", "Authorization: Bearer tok en", "-H", "Content-Type: application/json; charset=utf-8",
		"--data-binary", strings.ReplaceAll(body, Redacted, "s3cr3t")}
	if len(args) != len(want) {
		t.Fatalf("args %q\nwant %q", args, want)
	}
	for i := range want {
		if args[i] != want[i] {
			t.Errorf("arg %d: %q, want %q", i, args[i], want[i])
		}
	}
}

func TestFailedCalls(t *testing.T) {
	var c client.Call
	if Failed(c) {
		t.Fatal("a clean call is not failed")
	}
	c.Err = "timeout"
	if !Failed(c) {
		t.Fatal("a call without a response is failed")
	}
	c.Err = ""
	c.Violations = validate.Violations{{In: validate.InRequest, Pointer: "/favorite/title", Expected: "type string"}}
	c.InvalidOnPurpose = true
	if Failed(c) {
		t.Fatal("a request invalid on purpose does not count against the target")
	}
	c.InvalidOnPurpose = false
	if !Failed(c) {
		t.Fatal("a request-side violation of an ordinary call counts")
	}
}
