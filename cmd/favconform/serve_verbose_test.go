package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/mock"
)

// serve -v logs one line per API call on stderr, with what the spec says of the exchange: a
// conforming call, a request that breaks the spec, a response that does (a deviation), a call
// with an unknown token, and a dropped connection each get theirs; admin calls get none, and no
// token is printed.
func TestServeVerboseLogsEachCallWithItsValidation(t *testing.T) {
	s := startServe(t, "-v", "--deviate", "create-returns-201", "--fault", "deleteUserFavoriteList:drop,count=1")
	user := s.line.Tokens["user"]
	auth := []string{"Authorization", user}
	if code, _ := httpCall(t, "POST", s.line.URL+api.ListPath, `{"favoriteList":{"favorites":[{"pageId":"p1","title":"One"}]}}`, auth...); code != http.StatusCreated {
		t.Fatalf("create with create-returns-201: %d", code)
	}
	if code, _ := httpCall(t, "GET", s.line.URL+api.ListPath+"?token="+user, "", auth...); code != http.StatusOK {
		t.Fatalf("get: %d", code)
	}
	if code, _ := httpCall(t, "POST", s.line.URL+api.AddFavoritePath, `{"favorite":{"pageId":"p2","title":"`+strings.Repeat("x", 41)+`"}}`, auth...); code != http.StatusBadRequest {
		t.Fatalf("add with a 41-character title: %d", code)
	}
	if code, _ := httpCall(t, "GET", s.line.URL+api.ListPath, "", "Authorization", "not-a-known-token"); code != http.StatusUnauthorized {
		t.Fatalf("get with an unknown token: %d", code)
	}
	req, _ := http.NewRequest("DELETE", s.line.URL+api.ListPath+"/some-id", nil)
	req.Header.Set("Authorization", user)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the drop fault answered %d", resp.StatusCode)
	}
	// A body over the journal's 64 KiB is answered but not validated, and the line says so.
	if code, _ := httpCall(t, "POST", s.line.URL+api.AddFavoritePath, `{"favorite":{"pageId":"p3","title":"`+strings.Repeat("y", 70<<10)+`"}}`, auth...); code != http.StatusBadRequest {
		t.Fatalf("add with a 70 KiB title: %d", code)
	}
	httpCall(t, "GET", s.line.URL+mock.StatePath, "")

	want := []string{
		"#1 ", "POST " + api.ListPath + " (user) → 201 createUserFavoriteList: 1 violation: response status",
		"#2 ", "GET " + api.ListPath + " (user) → 200 getUserFavoriteList: conforms",
		"#3 ", "POST " + api.AddFavoritePath + " (user) → 400 addUserFavorite: 1 violation: request /favorite/title: ",
		"#4 ", "GET " + api.ListPath + " (no known token) → 401 getUserFavoriteList: conforms",
		"#5 ", "DELETE " + api.ListPath + "/some-id (user) → no answer (connection dropped) deleteUserFavoriteList",
		"#6 ", "POST " + api.AddFavoritePath + " (user) → 400 POST " + api.AddFavoritePath + ": not validated: a body over 64 KiB is not validated",
	}
	var lines []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		lines = nil
		for _, l := range strings.Split(s.stderr(), "\n") {
			if strings.HasPrefix(l, "favconform serve: #") {
				lines = append(lines, l)
			}
		}
		if len(lines) >= len(want)/2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(lines) != len(want)/2 {
		t.Fatalf("%d log lines, want %d (admin calls are not logged):\n%s", len(lines), len(want)/2, strings.Join(lines, "\n"))
	}
	for i := range lines {
		seq, rest := want[2*i], want[2*i+1]
		if !strings.HasPrefix(lines[i], "favconform serve: "+seq) || !strings.Contains(lines[i], rest) {
			t.Errorf("line %d:\n got %s\nwant %s...%s", i+1, lines[i], seq, rest)
		}
	}
	if all := s.stdout() + s.stderr(); strings.Contains(all, "?token=") || strings.Contains(s.stderr(), user) {
		t.Errorf("a token or a query is in the log:\n%s", s.stderr())
	}
	if code := s.stop(t); code != 0 {
		t.Fatalf("exit %d", code)
	}
}
