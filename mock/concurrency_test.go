package mock

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

const racers = 32

// race runs f(i) for i in [0, n) at once and waits.
func race(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

func TestConcurrentUpdatesOneRevision(t *testing.T) {
	e := newEnv(t)
	l := e.create(user, sampleFav(0))
	e.takeChanges()
	statuses := make([]int, racers)
	race(racers, func(i int) {
		statuses[i] = e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("1", favs(sampleFav(i)))).status
	})
	won, lost := 0, 0
	for _, s := range statuses {
		switch s {
		case 200:
			won++
		case 409:
			lost++
		}
	}
	if won != 1 || lost != racers-1 {
		t.Fatalf("%d updates with revision 1: %d won, %d got 409 (statuses %v)", racers, won, lost, statuses)
	}
	got := e.mustList(user)
	if got.Revision != 2 || len(got.Favorites) != 1 {
		t.Fatalf("after the race: %+v", got)
	}
	if ch := e.takeChanges(); len(ch) != 1 || ch[0].List.Favorites[0].PageID != got.Favorites[0].PageID {
		t.Errorf("changes %+v", ch)
	}
}

func TestConcurrentAdds(t *testing.T) {
	e := newEnv(t)
	revisions := make([]api.Revision, racers)
	race(racers, func(i int) {
		revisions[i] = e.add(user, sampleFav(i)).Revision
	})
	got := e.mustList(user)
	if got.Revision != racers || len(got.Favorites) != racers {
		t.Fatalf("after %d concurrent adds to no list: revision %d, %d favorites", racers, got.Revision, len(got.Favorites))
	}
	ids := favIDs(got)
	slices.Sort(ids)
	if len(slices.Compact(ids)) != racers {
		t.Errorf("favorite ids repeat: %v", favIDs(got))
	}
	pages := pageIDs(got)
	slices.Sort(pages)
	want := pageIDs(api.FavoriteList{})
	for i := range racers {
		want = append(want, fmt.Sprintf("page-%d", i))
	}
	slices.Sort(want)
	if !slices.Equal(pages, want) {
		t.Errorf("pages %v, want %v", pages, want)
	}
	// Each add saw its own revision: 1 (the one that made the list) to 32.
	slices.Sort(revisions)
	for i, r := range revisions {
		if r != api.Revision(i+1) {
			t.Fatalf("revisions answered %v, want 1..%d", revisions, racers)
		}
	}
	kinds := map[ChangeKind]int{}
	for _, c := range e.takeChanges() {
		kinds[c.Kind]++
	}
	if kinds[Created] != 1 || kinds[Updated] != racers-1 {
		t.Errorf("changes %v", kinds)
	}
}

func TestConcurrentCreates(t *testing.T) {
	e := newEnv(t)
	statuses := make([]int, racers)
	race(racers, func(i int) {
		statuses[i] = e.do(user, http.MethodPost, listPath, createBody(favs(sampleFav(i)))).status
	})
	if n := countOf(statuses, 200); n != 1 || countOf(statuses, 409) != racers-1 {
		t.Fatalf("concurrent creates: statuses %v", statuses)
	}
}

func TestConcurrentDeleteFavorites(t *testing.T) {
	e := newEnv(t)
	l := e.create(user, sampleFavs(racers)...)
	// Every favorite deleted twice at once: each once 200, once 404; the last deletes the list.
	statuses := make([]int, 2*racers)
	race(2*racers, func(i int) {
		statuses[i] = e.do(user, http.MethodDelete, delFavPath(l.Favorites[i/2].ID), nil).status
	})
	if countOf(statuses, 200) != racers || countOf(statuses, 404) != racers {
		t.Fatalf("statuses %v", statuses)
	}
	if _, ok := e.m.List(e.ident(user).WixUserID); ok {
		t.Error("the list survived its last favorite")
	}
}

// TestConcurrentMixed races every operation of several identities, for the race detector; each
// user's final state must still be consistent.
func TestConcurrentMixed(t *testing.T) {
	e := newEnv(t)
	roles := []identity.Role{user, user2, app}
	race(64, func(i int) {
		r := roles[i%len(roles)]
		switch i % 7 {
		case 0:
			e.do(r, http.MethodPost, listPath, createBody(favs(sampleFav(i))))
		case 1, 2:
			e.do(r, http.MethodPost, addPath, addBody(sampleFav(i)))
		case 3:
			e.do(r, http.MethodGet, listPath, nil)
		case 4:
			if l, ok := e.m.List(e.ident(r).WixUserID); ok {
				e.do(r, http.MethodPatch, listIDPath(l.ID), updateBody(fmt.Sprint(int64(l.Revision)), favs(sampleFav(i))))
			}
		case 5:
			if l, ok := e.m.List(e.ident(r).WixUserID); ok && len(l.Favorites) > 0 {
				e.do(r, http.MethodDelete, delFavPath(l.Favorites[0].ID), nil)
			}
		case 6:
			if l, ok := e.m.List(e.ident(r).WixUserID); ok && i > 40 {
				e.do(r, http.MethodDelete, listIDPath(l.ID), nil)
			}
		}
	})
	for _, r := range roles {
		if l, ok := e.m.List(e.ident(r).WixUserID); ok {
			if l.Revision < 1 || !isGUID36(l.ID) || l.UpdatedDate < l.CreatedDate {
				t.Errorf("%s: inconsistent list %+v", r, l)
			}
		}
	}
}

func countOf(xs []int, x int) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

func TestServer(t *testing.T) {
	if _, err := NewServer(Options{Deviations: []string{"nope"}}); err == nil {
		t.Fatal("NewServer with an unknown deviation: no error")
	}
	s, err := NewServer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q", s.URL)
	}
	u, _ := identity.ByRole(identity.Default(), user)
	tok := u.Token
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/_api"+addPath, strings.NewReader(`{"favorite": {"pageId": "p", "title": "t"}}`))
	req.Header.Set("Authorization", tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !isGUID36(res.Header.Get(RequestIDHeader)) {
		t.Fatalf("over HTTP: %d %s", res.StatusCode, body)
	}
	if l, ok := s.Mock.List(u.WixUserID); !ok || l.Favorites[0].PageID != "p" {
		t.Fatalf("state after an add over HTTP: %+v %v", l, ok)
	}
	// 64 clients at once over real connections.
	statuses := make([]int, 64)
	race(64, func(i int) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+addPath, strings.NewReader(fmt.Sprintf(`{"favorite": {"pageId": "p%d", "title": "t"}}`, i)))
		req.Header.Set("Authorization", tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		statuses[i] = res.StatusCode
	})
	if countOf(statuses, 200) != 64 {
		t.Errorf("statuses %v", statuses)
	}
	if l, _ := s.Mock.List(u.WixUserID); len(l.Favorites) != 65 || l.Revision != 65 {
		t.Errorf("after 64 adds over HTTP: %d favorites, revision %d", len(l.Favorites), l.Revision)
	}
	s.Close()
	s.Close() // twice is fine
	if _, err := http.Get(s.URL + listPath); err == nil {
		t.Error("the server still answers after Close")
	}
}
