package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/mock"
)

func TestServeFaultFlagRefusesABadSpec(t *testing.T) {
	for _, c := range []struct{ spec, want string }{
		{"nope:drop", `operation: unknown operationId "nope"`},
		{"addUserFavorite:status=200", "status: 200 is not an error status"},
		{"addUserFavorite", "want OPERATION:KIND"},
		{"addUserFavorite:drop,colour=red", "colour: unknown key"},
		{"*:latency=soon", `latency: "soon" is not a valid value`},
	} {
		var stdout, stderr bytes.Buffer
		code := serveCommand([]string{"--addr", "127.0.0.1:0", "--fault", c.spec}, &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("serve --fault %q: exit %d, stderr %q; want 2 and %q", c.spec, code, firstLine(stderr.String()), c.want)
		}
		if strings.Contains(stdout.String(), "listening") {
			t.Errorf("serve --fault %q started", c.spec)
		}
	}
	// A role no identity has is refused by the mock (exit 2 too).
	var stdout, stderr bytes.Buffer
	if code := serveCommand([]string{"--addr", "127.0.0.1:0", "--fault", "*:drop,role=nobody"}, &stdout, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), `role: unknown role "nobody"`) {
		t.Errorf("serve --fault *:drop,role=nobody: exit %d, stderr %q", code, stderr.String())
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func TestServeFaultFlag(t *testing.T) {
	s := startServe(t,
		"--fault", "addUserFavorite:status=429,retryAfter=2,count=1",
		"--fault", "getUserFavoriteList:drop,role=second-user",
		"--fault", "updateUserFavoriteList:concurrent-writer,count=1")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.stdout(), "faults on:") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	want := "faults on: addUserFavorite:status=429,retryAfter=2,count=1 (f1), getUserFavoriteList:drop,role=second-user (f2), updateUserFavoriteList:concurrent-writer,count=1 (f3)"
	if !strings.Contains(s.stdout(), want) {
		t.Fatalf("serve's output does not say %q:\n%s", want, s.stdout())
	}
	user := s.line.Tokens["user"]
	if code, body := httpCall(t, "POST", s.line.URL+api.ListPath, `{"favoriteList":{"favorites":[{"pageId":"p1","title":"One"}]}}`, "Authorization", user); code != 200 {
		t.Fatalf("create: %d %s", code, body)
	}
	code, body := httpCall(t, "POST", s.line.URL+api.AddFavoritePath, `{"favorite":{"pageId":"p2","title":"Two"}}`, "Authorization", user)
	if code != http.StatusTooManyRequests || !strings.Contains(string(body), api.CodeResourceExhausted) {
		t.Fatalf("add under the 429 fault: %d %s", code, body)
	}
	if code, body := httpCall(t, "POST", s.line.URL+api.AddFavoritePath, `{"favorite":{"pageId":"p2","title":"Two"}}`, "Authorization", user); code != 200 {
		t.Fatalf("add after the one 429: %d %s", code, body)
	}
	// The drop is the second user's only.
	if code, _ := httpCall(t, "GET", s.line.URL+api.ListPath, "", "Authorization", user); code != 200 {
		t.Fatalf("user's GET: %d", code)
	}
	req, _ := http.NewRequest("GET", s.line.URL+api.ListPath, nil)
	req.Header.Set("Authorization", s.line.Tokens["second-user"])
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("second-user's GET under a drop answered %d", res.StatusCode)
	}
	// The admin API lists the rules, with their hits.
	code, body = httpCall(t, "GET", s.line.URL+mock.FaultsPath, "")
	var got mock.FaultList
	if code != 200 || json.Unmarshal(body, &got) != nil || len(got.Faults) != 3 || got.Faults[0].Hits != 1 || got.Faults[1].Hits < 1 { // net/http may retry a GET dropped on a reused connection
		t.Fatalf("GET %s: %d %s", mock.FaultsPath, code, body)
	}
	if code := s.stop(t); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
}

func TestServeWithoutFaultFlagSaysNothingOfFaults(t *testing.T) {
	s := startServe(t)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.stdout(), "admin API") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(s.stdout(), "faults on") {
		t.Fatalf("serve without --fault says faults are on:\n%s", s.stdout())
	}
	code, body := httpCall(t, "GET", s.line.URL+mock.FaultsPath, "")
	if code != 200 || strings.TrimSpace(string(body)) != `{"faults":[]}` {
		t.Fatalf("GET %s: %d %s", mock.FaultsPath, code, body)
	}
}
