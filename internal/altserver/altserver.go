// Package altserver is a small server of the Dashboard Favorite List API written apart from the
// reference mock, that takes the OTHER reading of every point the docs leave open: GET with no
// list answers 200 {}; deleting the last favorite answers {}; an add puts the new favorite first;
// refusals use 400 where the mock uses 409 and 409 where it uses 400; new lists start at revision
// 5, under an id derived from the user (the same each time the list is created again); favorite
// ids a PATCH sends are kept when they are GUIDs sent once, and replaced otherwise; a method a
// path does not serve answers 404. It knows the user and the second user of identity.Default.
//
// It follows every sentence of the docs, so the model (package model) and the default profile
// of the conformance suites must pass it; it serves no webhooks.
package altserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

// altServer is the server New returns.
type altServer struct {
	forgetAfter int

	mu     sync.Mutex
	users  map[string]string // token → user
	lists  map[string]*altList
	clock  time.Time
	writes map[string]int
}

type altList struct {
	list    api.FavoriteList
	created time.Time
}

// New returns the server. forgetAfter > 0 makes it faulty in a way no single-call check sees:
// writes to a list after its forgetAfter-th are answered as usual but not stored.
func New(forgetAfter int) http.Handler { return newAltServer(forgetAfter) }

func newAltServer(forgetAfter int) *altServer {
	s := &altServer{forgetAfter: forgetAfter, users: map[string]string{}, lists: map[string]*altList{},
		clock: time.Date(2024, 5, 19, 13, 5, 45, 684e6, time.UTC), writes: map[string]int{}}
	for _, id := range identity.Default() {
		if id.Role == identity.User || id.Role == identity.SecondUser {
			s.users[id.Token] = id.WixUserID
		}
	}
	return s
}

func altError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(api.ErrorBody{Message: code, Details: &api.ErrorDetails{ApplicationError: &api.ApplicationError{Code: code, Description: code}}})
}

func altJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

type altFavorite struct {
	ID          *string `json:"id"`
	PageID      *string `json:"pageId"`
	Title       *string `json:"title"`
	RelativeURL *string `json:"relativeUrl"`
}

func (f altFavorite) valid() bool {
	n := func(p *string) int {
		if p == nil {
			return 0
		}
		return utf8.RuneCountInString(*p)
	}
	return f.PageID != nil && f.Title != nil && n(f.PageID) >= 1 && n(f.PageID) <= 200 &&
		n(f.Title) >= 1 && n(f.Title) <= 40 && n(f.RelativeURL) <= 500
}

func (f altFavorite) stored(id string) api.Favorite {
	out := api.Favorite{ID: id, PageID: *f.PageID, Title: *f.Title}
	if f.RelativeURL != nil {
		out.RelativeURL = *f.RelativeURL
	}
	return out
}

func (s *altServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Wix-Request-Id", uuid.NewString())
	user, ok := s.users[r.Header.Get("Authorization")]
	if !ok {
		altError(w, 401, api.CodeUnauthenticated)
		return
	}
	var body struct {
		FavoriteList *struct {
			Revision  json.RawMessage `json:"revision"`
			Favorites []altFavorite   `json:"favorites"`
		} `json:"favoriteList"`
		Favorite *altFavorite `json:"favorite"`
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		var buf bytes.Buffer
		buf.ReadFrom(r.Body)
		if json.Unmarshal(buf.Bytes(), &body) != nil {
			altError(w, 400, "INVALID_ARGUMENT")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.lists[user]
	path := r.URL.Path
	tail := strings.TrimPrefix(path, api.ListPath+"/")
	switch {
	case r.Method == http.MethodGet && path == api.ListPath:
		if cur == nil {
			altJSON(w, map[string]any{})
			return
		}
		altJSON(w, api.ListEnvelope{FavoriteList: &cur.list})
	case r.Method == http.MethodPost && path == api.ListPath:
		if body.FavoriteList == nil || len(body.FavoriteList.Favorites) > 100 {
			altError(w, 400, "INVALID_ARGUMENT")
			return
		}
		favs := []api.Favorite{}
		for _, f := range body.FavoriteList.Favorites {
			if !f.valid() {
				altError(w, 400, "INVALID_ARGUMENT")
				return
			}
			favs = append(favs, f.stored(uuid.NewString()))
		}
		if cur != nil {
			altError(w, 400, "FAILED_PRECONDITION")
			return
		}
		s.create(w, user, favs)
	case r.Method == http.MethodPost && path == api.AddFavoritePath:
		if body.Favorite == nil || !body.Favorite.valid() {
			altError(w, 400, "INVALID_ARGUMENT")
			return
		}
		f := body.Favorite.stored(uuid.NewString())
		if cur == nil {
			s.create(w, user, []api.Favorite{f})
			return
		}
		if len(cur.list.Favorites) >= 100 {
			altError(w, 409, api.CodeResourceExhausted)
			return
		}
		s.write(w, user, cur, append([]api.Favorite{f}, cur.list.Favorites...))
	case r.Method == http.MethodPatch && strings.HasPrefix(path, api.ListPath+"/"):
		if body.FavoriteList == nil || len(body.FavoriteList.Favorites) > 100 {
			altError(w, 400, "INVALID_ARGUMENT")
			return
		}
		var favs []api.Favorite
		seen := map[string]bool{}
		for _, f := range body.FavoriteList.Favorites {
			if !f.valid() {
				altError(w, 400, "INVALID_ARGUMENT")
				return
			}
			// An id sent is kept when it is a GUID not sent before; any other gets a fresh one.
			id := uuid.NewString()
			if f.ID != nil && isGUID(*f.ID) && !seen[strings.ToLower(*f.ID)] {
				id = *f.ID
			}
			seen[strings.ToLower(id)] = true
			favs = append(favs, f.stored(id))
		}
		if cur == nil || cur.list.ID != tail {
			altError(w, 404, api.CodeNotFound)
			return
		}
		var rev api.Revision
		if rev.UnmarshalJSON(body.FavoriteList.Revision) != nil || rev != cur.list.Revision {
			altError(w, 400, "FAILED_PRECONDITION")
			return
		}
		s.write(w, user, cur, favs)
	case r.Method == http.MethodDelete && strings.HasPrefix(path, api.DeleteFavoritePathPrefix):
		id := strings.TrimPrefix(path, api.DeleteFavoritePathPrefix)
		at := -1
		if cur != nil {
			for i, f := range cur.list.Favorites {
				if f.ID == id {
					at = i
				}
			}
		}
		if at < 0 {
			altError(w, 404, api.CodeNotFound)
			return
		}
		if len(cur.list.Favorites) == 1 {
			delete(s.lists, user)
			altJSON(w, map[string]any{})
			return
		}
		favs := append(append([]api.Favorite{}, cur.list.Favorites[:at]...), cur.list.Favorites[at+1:]...)
		s.write(w, user, cur, favs)
	case r.Method == http.MethodDelete && strings.HasPrefix(path, api.ListPath+"/"):
		if cur == nil || cur.list.ID != tail {
			altError(w, 404, api.CodeNotFound)
			return
		}
		delete(s.lists, user)
		altJSON(w, map[string]any{})
	default:
		altError(w, 404, api.CodeNotFound)
	}
}

func (s *altServer) tick() string {
	s.clock = s.clock.Add(time.Millisecond)
	return s.clock.Format("2006-01-02T15:04:05.000Z")
}

func (s *altServer) create(w http.ResponseWriter, user string, favs []api.Favorite) {
	now := s.tick()
	// The list id is the user's own, the same each time the list is created again.
	id := uuid.NewSHA1(uuid.NameSpaceURL, []byte("favorite-list:"+user)).String()
	l := &altList{list: api.FavoriteList{ID: id, Revision: 5, CreatedDate: now, UpdatedDate: now, Favorites: favs}}
	s.lists[user] = l
	s.writes[user] = 0
	altJSON(w, api.ListEnvelope{FavoriteList: &l.list})
}

func (s *altServer) write(w http.ResponseWriter, user string, cur *altList, favs []api.Favorite) {
	next := cur.list
	next.Favorites = favs
	next.Revision++
	next.UpdatedDate = s.tick()
	s.writes[user]++
	if s.forgetAfter == 0 || s.writes[user] <= s.forgetAfter {
		cur.list = next
	}
	altJSON(w, api.ListEnvelope{FavoriteList: &next})
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}
