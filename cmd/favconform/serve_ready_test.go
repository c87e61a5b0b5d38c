package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
)

// TestServeReadyJSONNamesEverythingAProgramNeeds starts `serve --ready-json --pool 2` the way the
// npm package's startMock does and expects its first stdout line to be the documented JSON:
// the URLs, a token per role that the mock accepts, every pooled account, the webhook key; then
// that POST adminURL+"reset" forgets a list.
func TestServeReadyJSONNamesEverythingAProgramNeeds(t *testing.T) {
	line := startServe(t, "--pool", "2").line
	if !strings.HasPrefix(line.URL, "http://127.0.0.1:") || line.AdminURL != line.URL+mock.AdminPathPrefix {
		t.Fatalf("url %q, adminURL %q", line.URL, line.AdminURL)
	}
	if line.Pool != 2 || !strings.Contains(line.PublicKeyPEM, "BEGIN PUBLIC KEY") {
		t.Fatalf("pool %d, publicKeyPEM %q", line.Pool, line.PublicKeyPEM)
	}
	for _, role := range identity.Roles {
		if line.Tokens[string(role)] == "" || len(line.Accounts[string(role)]) != 2 || line.Accounts[string(role)][0] != line.Tokens[string(role)] {
			t.Fatalf("role %s: token %q, accounts %q", role, line.Tokens[string(role)], line.Accounts[string(role)])
		}
	}

	endpoint := line.URL + "/dashboard/v1/user-favorite-list"
	second := line.Accounts["user"][1]
	create := `{"favoriteList":{"favorites":[{"pageId":"p","title":"My Page"}]}}`
	for _, step := range []struct {
		method, url, token, body string
		want                     int
		what                     string
	}{
		{"POST", endpoint, second, create, 200, "create with the pool's second user"},
		{"POST", endpoint, second, create, 409, "a second create before reset"},
		{"GET", line.AdminURL + "reset", "", "", http.StatusMethodNotAllowed, "GET reset"},
		{"POST", line.AdminURL + "reset", "", "", 200, "POST reset"},
		{"POST", endpoint, second, create, 200, "create after reset (reset forgets every list)"},
	} {
		var header []string
		if step.token != "" {
			header = []string{"Authorization", step.token}
		}
		if code, body := httpCall(t, step.method, step.url, step.body, header...); code != step.want {
			t.Fatalf("%s: %d, want %d (%s)", step.what, code, step.want, body)
		}
	}
}
