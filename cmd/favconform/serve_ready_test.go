package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
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
	cmd := exec.Command(os.Args[0], "serve", "--ready-json", "--pool", "2", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "FAVCONFORM_TEST_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	r := bufio.NewReader(stdout)
	first, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the first line: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	var line readyLine
	if err := json.Unmarshal([]byte(first), &line); err != nil {
		t.Fatalf("the first line is not JSON (%v): %q", err, first)
	}
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
	call := func(method, url, token, body string) int {
		t.Helper()
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	second := line.Accounts["user"][1]
	create := `{"favoriteList":{"favorites":[{"pageId":"p","title":"My Page"}]}}`
	if code := call("POST", endpoint, second, create); code != 200 {
		t.Fatalf("create with the pool's second user: %d", code)
	}
	if code := call("POST", endpoint, second, create); code != 409 {
		t.Fatalf("a second create before reset: %d, want 409", code)
	}
	if code := call("GET", line.AdminURL+"reset", "", ""); code != http.StatusMethodNotAllowed {
		t.Fatalf("GET reset: %d, want 405", code)
	}
	if code := call("POST", line.AdminURL+"reset", "", ""); code != 200 {
		t.Fatalf("POST reset: %d", code)
	}
	if code := call("POST", endpoint, second, create); code != 200 {
		t.Fatalf("create after reset: %d, want 200 (reset forgets every list)", code)
	}
}
