package redact

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const secret = `tok/en+a&b<c>"d'é=1`

func TestEveryFormOfASecretIsRedacted(t *testing.T) {
	r := New([]string{secret})
	for _, f := range Forms(secret) {
		text := "before " + f + " after"
		got := r.String(text)
		if strings.Contains(got, f) || !strings.Contains(got, Mark) {
			t.Errorf("form %q survives: %q", f, got)
		}
	}
	// A secret inside a longer base64 text, at each alignment, is found.
	for lead := range 3 {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding} {
			encoded := enc.EncodeToString([]byte(strings.Repeat("x", lead) + "Bearer " + secret + " trailing"))
			if got := r.String(encoded); !strings.Contains(got, Mark) {
				t.Errorf("base64 (lead %d) of a text holding the secret is not redacted: %s", lead, encoded)
			}
		}
	}
}

func TestFormsAreTheOnesOutputsMayHold(t *testing.T) {
	forms := Forms(secret)
	for _, want := range []string{secret, url.QueryEscape(secret), `\u0074\u006f\u006b`[:6]} {
		found := false
		for _, f := range forms {
			if strings.HasPrefix(f, want) || f == want {
				found = true
			}
		}
		if !found {
			t.Errorf("Forms lacks %q", want)
		}
	}
}

func TestLongestSecretIsReplacedWhole(t *testing.T) {
	r := New([]string{"abcdefgh", "abcdefgh-longer"})
	if got := r.String("x abcdefgh-longer y"); got != "x "+Mark+" y" {
		t.Fatalf("got %q", got)
	}
}

func TestUserinfoAndSecretQueryValues(t *testing.T) {
	var r *Redactor
	cases := map[string]string{
		"see http://alice:s3cr3tpass@host:8080/x":          "see http://" + Mark + "@host:8080/x",
		"GET https://h/p?token=abc123&page=2":              "GET https://h/p?token=" + Mark + "&page=2",
		"GET https://h/p?page=2&access_token=zzz#frag":     "GET https://h/p?page=2&access_token=" + Mark + "#frag",
		"GET https://h/p?api_key=k1&tab=sales&x_key=other": "GET https://h/p?api_key=" + Mark + "&tab=sales&x_key=" + Mark,
		"/limited-edition/analytics?tab=sales&range=30d":   "/limited-edition/analytics?tab=sales&range=30d",
	}
	for in, want := range cases {
		if got := r.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
	u, _ := url.Parse("http://user:PASSWORD1@example.com/a?sig=abc&q=1")
	if got := r.URL(u); strings.Contains(got, "PASSWORD1") || strings.Contains(got, "abc") || !strings.Contains(got, "q=1") {
		t.Errorf("URL = %q", got)
	}
}

func TestHeaders(t *testing.T) {
	r := New([]string{"configured-secret"}, "X-Custom-Auth-Header", "X-Site")
	h := http.Header{
		"Authorization": {"anything"}, "Cookie": {"a=b"}, "Set-Cookie": {"c=d"}, "X-Api-Key": {"k"},
		"X-Site": {"site-123"}, "X-Echo": {"has configured-secret inside"}, "Content-Type": {"application/json"},
	}
	got := r.Header(h)
	for _, name := range []string{"Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "X-Site"} {
		if got.Get(name) != Mark {
			t.Errorf("%s = %q, want %s", name, got.Get(name), Mark)
		}
	}
	if got.Get("X-Echo") != "has "+Mark+" inside" || got.Get("Content-Type") != "application/json" {
		t.Errorf("other headers: %v", got)
	}
	if h.Get("Authorization") != "anything" {
		t.Error("Header changed its input")
	}
}

func TestCheckSecret(t *testing.T) {
	if err := CheckSecret("identities.user.headers.Authorization", "x"); err == nil || !strings.Contains(err.Error(), "too short") {
		t.Fatalf("a 1-character secret must be refused, got %v", err)
	}
	if err := CheckSecret("w", "12345678"); err != nil {
		t.Fatal(err)
	}
}

func TestWithAddsSecrets(t *testing.T) {
	a := New([]string{"first-secret"})
	b := a.With("second-secret")
	if got := b.String("first-secret second-secret"); got != Mark+" "+Mark {
		t.Fatalf("got %q", got)
	}
	if got := a.String("second-secret"); got != "second-secret" {
		t.Fatal("With changed its receiver")
	}
}

func TestTerminal(t *testing.T) {
	cases := []struct {
		in, want string
		colour   bool
	}{
		{"plain text\n\tok", "plain text\n\tok", false},
		{"\x1b]0;owned\x07title", `\x1b]0;owned\x07title`, false},
		{"\x1b[2J\x1b[Hcleared", `\x1b[2J\x1b[Hcleared`, true},
		{"\x1b[31mred\x1b[0m", "\x1b[31mred\x1b[0m", true},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`, false},
		{"csi \u009b1m and bad \xff byte, é kept", `csi \u009b1m and bad \xff byte, é kept`, false},
		{"back\rspace\b", `back\x0dspace\x08`, false},
	}
	for _, c := range cases {
		if got := Terminal(c.in, c.colour); got != c.want {
			t.Errorf("Terminal(%q, %v) = %q, want %q", c.in, c.colour, got, c.want)
		}
	}
}

func TestSensitiveNames(t *testing.T) {
	for _, h := range []string{"Authorization", "proxy-authorization", "X-Api-Key", "X-Auth-Token", "X-Session-Id", "X-Wix-Signature"} {
		if !IsSensitiveHeader(h) {
			t.Errorf("%s must be sensitive", h)
		}
	}
	for _, h := range []string{"Content-Type", "X-Wix-Request-Id", "Accept", "Location"} {
		if IsSensitiveHeader(h) {
			t.Errorf("%s must not be sensitive", h)
		}
	}
}

func BenchmarkString(b *testing.B) {
	r := New([]string{"fc-mock-user-a", "fc-mock-user-b", "fc-mock-user-c", "fc-mock-app-granted-user-d"})
	body := strings.Repeat(`{"favoriteList":{"id":"b8216af7-cf7c-4860-8014-54e4824a1745","revision":"2"}}`, 4)
	for b.Loop() {
		r.String(body)
	}
}
