package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/favconform/favconform/identity"
)

func (e *env) journal() []Request {
	e.t.Helper()
	r := e.do("", http.MethodGet, RequestsPath, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET requests: %d %s", r.status, r.body)
	}
	var j Journal
	if err := json.Unmarshal(r.body, &j); err != nil || j.Requests == nil {
		e.t.Fatalf("GET requests: %s (%v)", r.body, err)
	}
	return j.Requests
}

func TestJournalRecordsAPICalls(t *testing.T) {
	e := newEnv(t)
	user := e.token(identity.User)
	l := e.create(identity.User, sampleFav(1))
	e.do(identity.SecondUser, http.MethodGet, listPath, nil)
	// A title that holds a token, and too long for the spec (and the mock).
	bad := `{"favorite":{"pageId":"p","title":"` + user + strings.Repeat("x", 40) + `"}}`
	e.do(identity.User, http.MethodPost, addPath, bad)
	e.doToken("not-a-known-token", http.MethodDelete, listIDPath(l.ID)+"?favoriteListId="+l.ID, nil)
	e.do("", http.MethodPost, ResetPath+"?role=app", nil) // admin calls are not recorded
	e.do("", http.MethodGet, StatePath, nil)
	e.do("", http.MethodGet, IdentityPath, nil)

	raw := e.do("", http.MethodGet, RequestsPath, nil)
	if bytes.Contains(raw.body, []byte(user)) || bytes.Contains(raw.body, []byte("not-a-known-token")) {
		t.Fatalf("a token appears in the journal: %s", raw.body)
	}
	got := e.journal()
	if len(got) != 4 {
		t.Fatalf("%d entries, want 4: %+v", len(got), got)
	}
	want := []struct {
		method, path, query string
		role                identity.Role
		op                  string
		status              int
		body                string
	}{
		{"POST", listPath, "", identity.User, "createUserFavoriteList", 200, `{"favoriteList":{"favorites":[{"pageId":"page-1","title":"Page 1"}]}}`},
		{"GET", listPath, "", identity.SecondUser, "getUserFavoriteList", 404, ""},
		{"POST", addPath, "", identity.User, "addUserFavorite", 400, `{"favorite":{"pageId":"p","title":"[REDACTED]` + strings.Repeat("x", 40) + `"}}`},
		{"DELETE", listIDPath(l.ID), "favoriteListId=" + l.ID, "", "deleteUserFavoriteList", 401, ""},
	}
	for i, w := range want {
		g := got[i]
		if g.Method != w.method || g.Path != w.path || g.Query != w.query || g.Role != w.role || g.OperationID != w.op || g.Status != w.status || string(g.Body) != w.body {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, g, w)
		}
		if g.Time != t0.Format(time.RFC3339Nano) {
			t.Errorf("entry %d: time %q", i, g.Time)
		}
	}
	if len(got[0].Violations) != 0 || len(got[1].Violations) != 0 {
		t.Errorf("conforming exchanges have violations: %+v %+v", got[0].Violations, got[1].Violations)
	}
	found := false
	for _, v := range got[2].Violations {
		if v.In == "request" && v.Pointer == "/favorite/title" && v.Message != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("the 41-character title is not a request violation at /favorite/title: %+v", got[2].Violations)
	}
}

func TestJournalRingKeepsTheLastN(t *testing.T) {
	e := newEnvWith(t, Options{JournalSize: 3})
	for i := range 5 {
		e.do(identity.User, http.MethodGet, fmt.Sprintf("%s?n=%d", listPath, i), nil)
	}
	got := e.journal()
	if len(got) != 3 || got[0].Query != "n=2" || got[1].Query != "n=3" || got[2].Query != "n=4" {
		t.Fatalf("journal %+v", got)
	}
	if r := e.do("", http.MethodDelete, RequestsPath, nil); r.status != http.StatusOK || strings.TrimSpace(string(r.body)) != "{}" {
		t.Fatalf("DELETE requests: %d %s", r.status, r.body)
	}
	if got := e.journal(); len(got) != 0 {
		t.Fatalf("after DELETE: %+v", got)
	}
	e.do(identity.User, http.MethodGet, listPath+"?n=9", nil)
	if got := e.m.Requests(); len(got) != 1 || got[0].Query != "n=9" {
		t.Fatalf("after a clear and one call: %+v", got)
	}
	if r := e.do("", http.MethodPatch, RequestsPath, nil); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, DELETE" {
		t.Fatalf("PATCH requests: %d Allow %q", r.status, r.header.Get("Allow"))
	}
}

func TestJournalOff(t *testing.T) {
	e := newEnvWith(t, Options{JournalSize: -1})
	e.create(identity.User, sampleFav(1))
	r := e.do("", http.MethodGet, RequestsPath, nil)
	if r.status != http.StatusNotFound || !strings.Contains(adminMessage(t, r), "journal is off") {
		t.Fatalf("GET requests with the journal off: %d %s", r.status, r.body)
	}
	if e.m.Requests() != nil {
		t.Fatal("Requests() with the journal off is not nil")
	}
	if d := newEnv(t); d.m.journal == nil || d.m.journal.size != DefaultJournalSize {
		t.Fatal("JournalSize 0 is not DefaultJournalSize")
	}
}

func TestJournalBodies(t *testing.T) {
	e := newEnv(t)
	e.do(identity.User, http.MethodPost, listPath, "not json at all")
	big := `{"favoriteList":{"favorites":[],"x":"` + strings.Repeat("a", 100<<10) + `"}}`
	e.do(identity.User, http.MethodPost, listPath, big)
	got := e.journal()
	if len(got) != 2 {
		t.Fatalf("%d entries", len(got))
	}
	if string(got[0].Body) != `"not json at all"` || got[0].BodyTruncated || got[0].Status != 400 {
		t.Errorf("a non-JSON body: %s truncated %v status %d", got[0].Body, got[0].BodyTruncated, got[0].Status)
	}
	var s string
	if err := json.Unmarshal(got[1].Body, &s); err != nil || !got[1].BodyTruncated || len(s) != MaxJournalBody || !strings.HasPrefix(big, s) {
		t.Errorf("a 100 KiB body: %d bytes, truncated %v (%v)", len(s), got[1].BodyTruncated, err)
	}
	if got[1].Status != 200 {
		t.Errorf("the big create was answered %d: the journal must not eat the body", got[1].Status)
	}
	if got[1].NotValidated == "" || len(got[1].Violations) != 0 || got[0].NotValidated != "" {
		t.Errorf("a body over 64 KiB is not validated, saying so (%q, %d violations); a small one is (%q)", got[1].NotValidated, len(got[1].Violations), got[0].NotValidated)
	}
}

// TestJournalConcurrent is meant for -race: calls and reads of the journal at once.
func TestJournalConcurrent(t *testing.T) {
	e := newEnvWith(t, Options{JournalSize: 50, Identities: identity.Pool(4)})
	users := identity.Accounts(e.ids, identity.User)
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 30 {
				e.doToken(u.Token, http.MethodPost, addPath, addBody(sampleFav(1)))
			}
		}()
		go func() {
			defer wg.Done()
			for range 10 {
				for _, r := range e.m.Requests() {
					if r.OperationID != "addUserFavorite" || r.Status != 200 {
						t.Errorf("entry %+v", r)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if n := len(e.m.Requests()); n != 50 {
		t.Fatalf("%d entries, want 50", n)
	}
}

// OnRequest sees each API call, validated and redacted as the journal shows it, whether or not
// the journal keeps it; admin calls are not API calls.
func TestOnRequestSeesEachCallValidated(t *testing.T) {
	for _, size := range []int{0, -1} {
		t.Run(fmt.Sprintf("journal=%d", size), func(t *testing.T) {
			var mu sync.Mutex
			var seen []Request
			e := newEnvWith(t, Options{JournalSize: size, OnRequest: func(r Request) {
				mu.Lock()
				defer mu.Unlock()
				seen = append(seen, r)
			}})
			user := e.token(identity.User)
			e.create(identity.User, sampleFav(1))
			e.do(identity.User, http.MethodPost, addPath, `{"favorite":{"pageId":"p","title":"`+user+strings.Repeat("x", 40)+`"}}`)
			e.do("", http.MethodGet, StatePath, nil)
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 2 {
				t.Fatalf("OnRequest saw %d calls, want 2: %+v", len(seen), seen)
			}
			if seen[0].OperationID != "createUserFavoriteList" || seen[0].Status != 200 || len(seen[0].Violations) != 0 || seen[0].Role != identity.User {
				t.Errorf("create: %+v", seen[0])
			}
			if seen[1].OperationID != "addUserFavorite" || seen[1].Status != 400 || len(seen[1].Violations) == 0 || seen[1].Violations[0].Pointer != "/favorite/title" {
				t.Errorf("an add with a 41-character title: %+v", seen[1])
			}
			if strings.Contains(string(seen[1].Body), user) {
				t.Errorf("the token is in what OnRequest saw: %s", seen[1].Body)
			}
			if kept := e.m.Requests(); (size < 0) != (kept == nil) {
				t.Errorf("journal %d keeps %d calls", size, len(kept))
			}
		})
	}
}
