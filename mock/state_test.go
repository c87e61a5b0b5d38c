package mock

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

func decodeStateBody(t *testing.T, r resp) State {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}
	var s State
	if err := json.Unmarshal(r.body, &s); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	return s
}

func TestStateGet(t *testing.T) {
	e := newEnv(t)
	if r := e.do("", http.MethodGet, StatePath, nil); r.status != http.StatusOK || strings.TrimSpace(string(r.body)) != `{"lists":[]}` {
		t.Fatalf("empty state: %d %s", r.status, r.body)
	}
	app := e.create(identity.App, sampleFav(9))
	user := e.create(identity.User, sampleFavs(2)...)
	s := decodeStateBody(t, e.do("", http.MethodGet, StatePath, nil))
	want := State{Lists: []ListState{
		{Role: identity.User, Token: e.token(identity.User), FavoriteList: user},
		{Role: identity.App, Token: e.token(identity.App), FavoriteList: app},
	}}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("state\n%+v\nwant\n%+v", s, want)
	}
	if got := e.m.State(); !reflect.DeepEqual(got, want) {
		t.Fatalf("State() %+v", got)
	}
}

func TestStatePutRoundTrip(t *testing.T) {
	from := newEnv(t)
	from.create(identity.User, sampleFavs(3)...)
	l := from.create(identity.SecondUser, sampleFav(7))
	from.clock.Advance(time.Second)
	from.do(identity.SecondUser, http.MethodPatch, listIDPath(l.ID), updateBody(l.Revision, favs(fav{"id": l.Favorites[0].ID, "pageId": "x", "title": "X", "relativeUrl": "/a?b"}))).list(t)
	saved := from.do("", http.MethodGet, StatePath, nil)

	to := newEnv(t)
	to.create(identity.App, sampleFav(1)) // replaced: PUT replaces every list
	to.takeChanges()
	r := to.do("", http.MethodPut, StatePath, string(saved.body))
	got := decodeStateBody(t, r)
	if want := from.m.State(); !reflect.DeepEqual(got, want) || !reflect.DeepEqual(to.m.State(), want) {
		t.Fatalf("after PUT:\n%+v\nwant\n%+v", got, want)
	}
	if to.hasList(identity.App) {
		t.Error("PUT kept a list the state does not hold")
	}
	if c := to.takeChanges(); len(c) != 0 {
		t.Errorf("PUT reported %d changes", len(c))
	}
	// The API goes on from the state: the kept revision is the one to send.
	second := to.do(identity.SecondUser, http.MethodGet, listPath, nil).list(t)
	if second.Revision != 2 || second.Favorites[0].RelativeURL != "/a?b" {
		t.Fatalf("second-user's list after PUT: %+v", second)
	}
	to.clock.Set(t0) // before the kept updatedDate: it must still move forward
	up := to.do(identity.SecondUser, http.MethodPatch, listIDPath(second.ID), updateBody("2", sampleFavs(1))).list(t)
	if up.Revision != 3 || up.UpdatedDate <= second.UpdatedDate || up.CreatedDate != second.CreatedDate {
		t.Fatalf("update after PUT: %+v (was %+v)", up, second)
	}
}

func TestStatePutGeneratesMissingFields(t *testing.T) {
	e := newEnv(t)
	gid := "0b6f5a0e-8a3c-4f5e-9d2b-1c2d3e4f5a6b"
	body := `{"lists":[{"role":"user","favoriteList":{"favorites":[{"pageId":"p1","title":"One"},{"id":"` + gid + `","pageId":"p2","title":"Two","relativeUrl":"/x"}]}},
	{"token":"` + e.token(identity.SecondUser) + `","favoriteList":{"id":"` + gid + `","revision":"41","createdDate":"2020-01-02T03:04:05Z","updatedDate":"2021-01-02T03:04:05.123Z","favorites":[]}}]}`
	s := decodeStateBody(t, e.do("", http.MethodPut, StatePath, body))
	if len(s.Lists) != 2 {
		t.Fatalf("lists %+v", s.Lists)
	}
	u := s.Lists[0].FavoriteList
	if !isGUID36(u.ID) || u.Revision != 1 || u.CreatedDate != fmtDate(t0) || u.UpdatedDate != fmtDate(t0) {
		t.Fatalf("generated list fields: %+v", u)
	}
	if len(u.Favorites) != 2 || !isGUID36(u.Favorites[0].ID) || u.Favorites[0].ID == gid || u.Favorites[1].ID != gid || u.Favorites[1].RelativeURL != "/x" {
		t.Fatalf("favorites %+v", u.Favorites)
	}
	want := api.FavoriteList{ID: gid, Revision: 41, CreatedDate: "2020-01-02T03:04:05Z", UpdatedDate: "2021-01-02T03:04:05.123Z", Favorites: []api.Favorite{}}
	if got := s.Lists[1]; got.Role != identity.SecondUser || got.Token != e.token(identity.SecondUser) || !reflect.DeepEqual(got.FavoriteList, want) {
		t.Fatalf("kept fields: %+v", got)
	}
	if l, _ := e.m.List(e.ident(identity.User).WixUserID); l.ID != u.ID {
		t.Fatalf("the API does not see the list: %+v", l)
	}
	// The Go API.
	if err := e.m.SetState(State{Lists: []ListState{{Role: identity.App, FavoriteList: api.FavoriteList{Favorites: []api.Favorite{{PageID: "p", Title: "T"}}}}}}); err != nil {
		t.Fatal(err)
	}
	if got := e.m.State(); len(got.Lists) != 1 || got.Lists[0].Role != identity.App || got.Lists[0].FavoriteList.Favorites[0].PageID != "p" {
		t.Fatalf("after SetState: %+v", got)
	}
	err := e.m.SetState(State{Lists: []ListState{{Role: identity.User, FavoriteList: api.FavoriteList{Favorites: []api.Favorite{{PageID: "p"}}}}}})
	var se *StateError
	if !errors.As(err, &se) || se.Index != 0 || !strings.Contains(err.Error(), "lists[0].favoriteList.favorites[0].title: must be at least 1 character long") {
		t.Fatalf("SetState without a title: %v", err)
	}
}

func TestStatePutRefusals(t *testing.T) {
	gid := "0b6f5a0e-8a3c-4f5e-9d2b-1c2d3e4f5a6b"
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf(`{"pageId":"p%d","title":"t"}`, i)
	}
	good := `{"role":"second-user","favoriteList":{"favorites":[{"pageId":"p","title":"t"}]}}`
	for _, c := range []struct{ name, entry, want string }{
		{"list id", `{"role":"user","favoriteList":{"id":"list-1","favorites":[]}}`, `lists[1].favoriteList.id: "list-1" is not a GUID`},
		{"revision 0", `{"role":"user","favoriteList":{"revision":"0","favorites":[]}}`, "lists[1].favoriteList.revision: "},
		{"revision number", `{"role":"user","favoriteList":{"revision":3,"favorites":[]}}`, "lists[1].favoriteList.revision: 3 is not a positive integer"},
		{"revision text", `{"role":"user","favoriteList":{"revision":"x","favorites":[]}}`, "lists[1].favoriteList.revision: "},
		{"createdDate", `{"role":"user","favoriteList":{"createdDate":"yesterday","favorites":[]}}`, `lists[1].favoriteList.createdDate: "yesterday" is not an RFC 3339 date`},
		{"updatedDate", `{"role":"user","favoriteList":{"updatedDate":"2024-05-19 13:05","favorites":[]}}`, "lists[1].favoriteList.updatedDate: "},
		{"101 favorites", `{"role":"user","favoriteList":{"favorites":[` + strings.Join(many, ",") + `]}}`, "lists[1].favoriteList.favorites: must hold at most 100 favorites"},
		{"pageId missing", `{"role":"user","favoriteList":{"favorites":[{"title":"t"}]}}`, "lists[1].favoriteList.favorites[0].pageId: is required"},
		{"title long", `{"role":"user","favoriteList":{"favorites":[{"pageId":"p","title":"` + strings.Repeat("é", 41) + `"}]}}`, "lists[1].favoriteList.favorites[0].title: must be at most 40 characters long"},
		{"favorite id", `{"role":"user","favoriteList":{"favorites":[{"id":"f1","pageId":"p","title":"t"}]}}`, "lists[1].favoriteList.favorites[0].id: must be a GUID"},
		{"favorite ids repeat", `{"role":"user","favoriteList":{"favorites":[{"id":"` + gid + `","pageId":"p","title":"t"},{"id":"` + strings.ToUpper(gid) + `","pageId":"q","title":"t"}]}}`, "lists[1].favoriteList.favorites[1].id: repeats the id of favoriteList.favorites[0]"},
		{"unknown role", `{"role":"admin","favoriteList":{"favorites":[]}}`, `lists[1].role: unknown role "admin" (known: user, second-user`},
		{"unknown token", `{"token":"nope-nope","favoriteList":{"favorites":[]}}`, "lists[1].token: unknown token"},
		{"role and token disagree", `{"role":"app","token":"fc-mock-user-a","favoriteList":{"favorites":[]}}`, `lists[1].role: "app" is not the role of the token (user)`},
		{"no owner", `{"favoriteList":{"favorites":[]}}`, "lists[1]: name the list's owner with token or role"},
		{"no list", `{"role":"user"}`, "lists[1].favoriteList: is required"},
		{"same owner twice", `{"token":"fc-mock-user-b","favoriteList":{"favorites":[]}}`, "lists[1]: its owner already has a list (lists[0])"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			before := e.create(identity.User, sampleFav(1))
			r := e.do("", http.MethodPut, StatePath, `{"lists":[`+good+`,`+c.entry+`]}`)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", r.status, r.body)
			}
			if msg := adminMessage(t, r); !strings.Contains(msg, c.want) {
				t.Fatalf("message %q, want it to contain %q", msg, c.want)
			}
			s := e.m.State()
			if len(s.Lists) != 1 || !reflect.DeepEqual(s.Lists[0].FavoriteList, before) {
				t.Fatalf("a refused PUT changed the state: %+v", s)
			}
		})
	}
	e := newEnv(t)
	for _, c := range []struct{ body, want string }{
		{`{}`, "lists: is required"},
		{`{"lists":[{"role":"user","favoriteList":{"favourites":[]}}]}`, `unknown field "favourites"`},
		{`{"lists":[]} {}`, "more than one JSON value"},
		{`[`, "not a state document"},
	} {
		r := e.do("", http.MethodPut, StatePath, c.body)
		if msg := adminMessage(t, r); r.status != http.StatusBadRequest || !strings.Contains(msg, c.want) {
			t.Errorf("PUT %s: %d %q, want 400 containing %q", c.body, r.status, msg, c.want)
		}
	}
	if r := e.do("", http.MethodPost, StatePath, `{"lists":[]}`); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, PUT" {
		t.Errorf("POST state: %d Allow %q", r.status, r.header.Get("Allow"))
	}
}
