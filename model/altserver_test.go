package model_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/model"
)

// altServer is a small, independent server of the API that takes the other readings of every
// point the docs leave open: GET with no list answers 200 {}; deleting the last favorite answers
// {}; an add puts the new favorite first; refusals use 400 where the mock uses 409 and 409 where
// it uses 400; new lists start at revision 5, under an id derived from the user (the same each
// time the list is created again). The model must accept it.
//
// forgetAfter > 0 makes it faulty in a way no single-call check sees: writes to a list after its
// forgetAfter-th are answered as usual but not stored.
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
		for _, f := range body.FavoriteList.Favorites {
			if !f.valid() {
				altError(w, 400, "INVALID_ARGUMENT")
				return
			}
			id := uuid.NewString()
			if f.ID != nil {
				id = *f.ID
			}
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

// The model accepts a server that takes the other reading of every open point.
func TestOtherReadingsPass(t *testing.T) {
	srv := httptest.NewServer(newAltServer(0))
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL)
	for seed := int64(1); seed <= 2; seed++ {
		roles := twoUsers
		if seed == 1 {
			roles = []identity.Role{identity.User}
		}
		{
			res, err := model.Run(model.Config{Client: c, Roles: roles, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			if res.Failure != nil {
				t.Fatalf("seed %d: the model refuses a server that follows the docs with other readings:\n%s", seed, res.Failure)
			}
		}
	}
}

// A server that stops storing a list's writes after the fifth answers every single call
// correctly; only a sequence shows it. The run fails and shrinks to a sequence of about six
// writes.
func TestAStatefulBugIsCaughtAndShrunk(t *testing.T) {
	srv := httptest.NewServer(newAltServer(5))
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL)
	res, err := model.Run(model.Config{Client: c, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Failure
	if f == nil {
		t.Fatal("the run passed against a server that forgets writes")
	}
	if len(f.Steps) >= f.FirstAt && f.FirstAt > 7 {
		t.Errorf("shrinking found nothing shorter than the %d steps of the first failure", f.FirstAt)
	}
	if !strings.Contains(f.Message, "the read of user's list afterwards") {
		t.Errorf("the failure must be the read after the forgotten write:\n%s", f.Message)
	}
	for _, want := range []string{"seed 3", "FAVCONFORM_SEED=3", "  1. user: ", strconv.Itoa(len(f.Steps)) + " step(s)"} {
		if !strings.Contains(f.Error(), want) {
			t.Errorf("the report must contain %q:\n%s", want, f.Error())
		}
	}
	t.Logf("first failure at step %d; shortest sequence (%d replays):\n%s", f.FirstAt, f.Replays, model.Describe(f.Steps))
}
