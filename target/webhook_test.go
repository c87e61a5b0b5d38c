package target

import (
	"github.com/favconform/favconform/identity"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const base = "baseURL: https://www.wixapis.com\nidentities: {user: {headers: {Authorization: tok-12345678}}}\n"

func TestWebhooksSection(t *testing.T) {
	c, err := Parse([]byte(base+"webhooks: {listen: ':8099', publicURL: 'https://abc.example.net/hooks', publicKeyFile: keys/app.pem, wait: 45s, quiet: 3s}\n"), "/etc/fc/target.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w := c.Webhooks
	if w == nil || w.Listen != ":8099" || w.PublicURL != "https://abc.example.net/hooks" || w.PublicKeyFile != filepath.FromSlash("/etc/fc/keys/app.pem") ||
		w.EventWait() != 45*time.Second || w.EventQuiet() != 3*time.Second {
		t.Fatalf("parsed %+v", w)
	}
	c, err = Parse([]byte(base), "t.yaml")
	if err != nil || c.Webhooks != nil {
		t.Fatalf("no section: %+v, %v", c.Webhooks, err)
	}
	if d := (Webhooks{}); d.EventWait() != DefaultEventWait || d.EventQuiet() != DefaultEventQuiet {
		t.Fatal("defaults")
	}
	abs, err := Parse([]byte(base+"webhooks: {listen: '127.0.0.1:1', publicKeyFile: /k.pem}\n"), "dir/t.yaml")
	if err != nil || abs.Webhooks.PublicKeyFile != "/k.pem" {
		t.Fatalf("absolute key path: %+v %v", abs.Webhooks, err)
	}
}

func TestWebhooksSectionErrors(t *testing.T) {
	for section, want := range map[string]string{
		"{publicKeyFile: k.pem}":                          "listen is required",
		"{listen: 8099, publicKeyFile: k.pem}":            "not a host:port",
		"{listen: ':1'}":                                  "publicKeyFile is required",
		"{listen: ':1', publicKeyFile: k, publicURL: x}":  "not an http(s) URL",
		"{listen: ':1', publicKeyFile: k, wait: soon}":    "wait \"soon\"",
		"{listen: ':1', publicKeyFile: k, quiet: -1s}":    "quiet",
		"{listen: ':1', publicKeyFile: k, tunnel: ngrok}": "tunnel",
	} {
		_, err := Parse([]byte(base+"webhooks: "+section+"\n"), "t.yaml")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("webhooks %s: want an error containing %q, got %v", section, want, err)
		}
	}
}

func TestShortSecretsAreRefusedAndUserinfoIsASecret(t *testing.T) {
	_, err := Parse([]byte("baseURL: https://www.wixapis.com\nidentities: {user: {headers: {Authorization: x}}}\n"), "t.yaml")
	if err == nil || !strings.Contains(err.Error(), "identities.user.headers.Authorization") || !strings.Contains(err.Error(), "too short") {
		t.Fatalf("a 1-character token must be refused, naming where it is: %v", err)
	}
	c, err := Parse([]byte("baseURL: https://alice:pass-word-99@api.example.com\nidentities: {user: {headers: {Authorization: tok-12345678}}}\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.DisplayURL(); strings.Contains(got, "pass-word-99") || strings.Contains(got, "alice") {
		t.Fatalf("DisplayURL keeps the userinfo: %s", got)
	}
	if got := c.Redact("error talking to https://alice:pass-word-99@api.example.com: pass-word-99"); strings.Contains(got, "pass-word-99") {
		t.Fatalf("the password survives redaction: %s", got)
	}
}

func TestARoleMayListSeveralAccounts(t *testing.T) {
	c, err := Parse([]byte(`baseURL: https://api.example.com
identities:
  user: [{headers: {Authorization: tok-user-0001}}, {headers: {Authorization: tok-user-0002}}, {headers: {Authorization: tok-user-0003}}]
  second-user: [{headers: {Authorization: tok-second-01}}, {headers: {Authorization: tok-second-02}}]
  app: {headers: {Authorization: tok-app-00001}}
`), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Slots() != 3 || c.Identities[identity.User]["Authorization"] != "tok-user-0001" {
		t.Fatalf("slots %d, user %v", c.Slots(), c.Identities[identity.User])
	}
	s1, s2 := c.Slot(1), c.Slot(2)
	if s1.Identities[identity.User]["Authorization"] != "tok-user-0002" || s1.Identities[identity.SecondUser]["Authorization"] != "tok-second-02" || s1.Has(identity.App) {
		t.Fatalf("slot 1: %+v", s1.Identities)
	}
	if s2.Has(identity.SecondUser) || s2.Identities[identity.User]["Authorization"] != "tok-user-0003" {
		t.Fatalf("slot 2: %+v", s2.Identities)
	}
	if got := c.Redact("tok-user-0003 tok-second-02"); strings.Contains(got, "tok-") {
		t.Fatalf("a pool account's token survives redaction: %s", got)
	}
	if _, err := Parse([]byte("baseURL: https://a.example.com\nidentities: {user: [{headers: {Authorization: tok-12345678}}, {headers: {Authorization: x}}]}\n"), "t.yaml"); err == nil || !strings.Contains(err.Error(), "identities.user[1].headers.Authorization") {
		t.Fatalf("a short token of the second account must be refused naming it: %v", err)
	}
}
