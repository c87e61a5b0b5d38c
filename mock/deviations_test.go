package mock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/spec"
)

// Probes. Each observes the precise behaviour its deviation names, from a fresh mock: true means
// "the deviant behaviour was seen". They use only the API and Mock.List, and must tolerate any
// other deviation (they never fail the test themselves).

// anyList decodes {"favoriteList": ...} whatever the status.
func anyList(r resp) (api.FavoriteList, bool) {
	var env api.ListEnvelope
	if json.Unmarshal(r.body, &env) != nil || env.FavoriteList == nil {
		return api.FavoriteList{}, false
	}
	return *env.FavoriteList, true
}

func (e *env) pCreate(fs ...fav) (api.FavoriteList, bool) {
	return anyList(e.do(user, http.MethodPost, listPath, createBody(fs)))
}

func (e *env) pAdd(f fav) resp { return e.do(user, http.MethodPost, addPath, addBody(f)) }

func (e *env) pUpdate(id string, body any) resp {
	return e.do(user, http.MethodPatch, listIDPath(id), body)
}

func (e *env) pState() (api.FavoriteList, bool) { return e.m.List(e.ident(user).WixUserID) }

var millisRE = regexp.MustCompile(`\.\d{3}Z$`)

var probes = gather(coreProbes, racyProbes, webhookProbes)

// gather is the union of the probe tables (a deviation probed twice is a defect of the tests).
func gather(tables ...map[string]func(e *env) bool) map[string]func(e *env) bool {
	out := map[string]func(e *env) bool{}
	for _, t := range tables {
		for name, p := range t {
			if _, dup := out[name]; dup {
				panic("mock tests: deviation " + name + " is probed twice")
			}
			out[name] = p
		}
	}
	return out
}

// coreProbes are the probes of the deviations seen through the API alone.
var coreProbes = map[string]func(e *env) bool{
	devWritesLostAfterFive: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(0), sampleFav(1), sampleFav(2), sampleFav(3), sampleFav(4), sampleFav(5), sampleFav(6))
		if len(l.Favorites) != 7 {
			return false
		}
		for _, f := range l.Favorites[:6] { // six deletions: the sixth is answered, not stored
			e.do(user, http.MethodDelete, delFavPath(f.ID), nil)
		}
		now, _ := e.pState()
		return slices.Equal(pageIDs(now), []string{"page-5", "page-6"})
	},
	devAddDropsFavorite: func(e *env) bool {
		e.pCreate(sampleFav(1))
		e.pAdd(sampleFav(2))
		l, _ := e.pState()
		p := pageIDs(l)
		return slices.Contains(p, "page-1") && !slices.Contains(p, "page-2")
	},
	devAddRequiresList: func(e *env) bool {
		return e.pAdd(sampleFav(1)).status == 404
	},
	devAppIgnoresUserPermission: func(e *env) bool {
		return e.do(identity.AppForUserWithoutPermission, http.MethodGet, listPath, nil).status != 403
	},
	devCreateDropsFavorites: func(e *env) bool {
		l, ok := e.pCreate(sampleFav(1), sampleFav(2))
		return ok && len(l.Favorites) == 0
	},
	devCreateOverwritesExisting: func(e *env) bool {
		e.pCreate(sampleFav(1))
		_, ok := e.pCreate(sampleFav(2))
		return ok
	},
	devCreateReturns201: func(e *env) bool {
		return e.do(user, http.MethodPost, listPath, createBody(favs(sampleFav(1)))).status == 201
	},
	devCreatedDateMoves: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		e.clock.Advance(time.Second)
		u, ok := anyList(e.pUpdate(l.ID, updateBody("1", favs(sampleFav(2)))))
		return ok && u.CreatedDate != l.CreatedDate
	},
	devDeleteFavoriteNoop: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1), sampleFav(2))
		if len(l.Favorites) == 0 {
			return false
		}
		e.do(user, http.MethodDelete, delFavPath(l.Favorites[0].ID), nil)
		s, _ := e.pState()
		return slices.Contains(favIDs(s), l.Favorites[0].ID)
	},
	devDeleteLastKeepsList: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		if len(l.Favorites) == 0 {
			return false
		}
		e.do(user, http.MethodDelete, delFavPath(l.Favorites[0].ID), nil)
		s, ok := e.pState()
		return ok && len(s.Favorites) == 0
	},
	devDeleteListNoop: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		e.do(user, http.MethodDelete, listIDPath(l.ID), nil)
		_, ok := e.pState()
		return ok
	},
	devDeleteListReturnsList: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		r := e.do(user, http.MethodDelete, listIDPath(l.ID), nil)
		return r.status == 200 && string(bytes.TrimSpace(r.body)) != "{}"
	},
	devDuplicateFavoriteIDs: func(e *env) bool {
		e.pCreate(sampleFav(1))
		e.pAdd(sampleFav(2))
		s, _ := e.pState()
		ids := favIDs(s)
		slices.Sort(ids)
		return len(slices.Compact(ids)) != len(s.Favorites)
	},
	devDuplicatePageIDRejected: func(e *env) bool {
		e.pCreate(sampleFav(1))
		return e.pAdd(sampleFav(1)).status == 409
	},
	devErrorBodyPlainText: func(e *env) bool {
		r := e.do("", http.MethodGet, listPath, nil)
		var eb api.ErrorBody
		return r.status >= 400 && (json.Unmarshal(r.body, &eb) != nil || eb.Details == nil)
	},
	devFavoriteIDNotGUID: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		return len(l.Favorites) == 1 && !isGUID36(l.Favorites[0].ID)
	},
	devGetMissingList500: func(e *env) bool {
		return e.do(user, http.MethodGet, listPath, nil).status == 500
	},
	devLengthsInBytes: func(e *env) bool {
		return e.pAdd(fav{"pageId": "p", "title": strings.Repeat("é", 40)}).status == 400
	},
	devListIDChangesOnWrite: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		u, ok := anyList(e.pUpdate(l.ID, updateBody("1", favs(sampleFav(2)))))
		return ok && u.ID != l.ID
	},
	devListIDNotGUID: func(e *env) bool {
		l, ok := e.pCreate(sampleFav(1))
		return ok && !isGUID36(l.ID)
	},
	devMalformedJSON500: func(e *env) bool {
		return e.do(user, http.MethodPost, listPath, `{"favoriteList": {`).status == 500
	},
	devMissingFieldAccepted: func(e *env) bool {
		return e.pAdd(fav{"title": "t"}).status == 200
	},
	devNoAuthCheck: func(e *env) bool {
		return e.do("", http.MethodGet, listPath, nil).status != 401
	},
	devNoItemLimit: func(e *env) bool {
		return e.do(user, http.MethodPost, listPath, createBody(sampleFavs(101))).status == 200
	},
	devPageIDLimitUnchecked: func(e *env) bool {
		return e.pAdd(fav{"pageId": strings.Repeat("p", 201), "title": "t"}).status == 200
	},
	devPatchBodyIDRejected: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		r := e.pUpdate(l.ID, map[string]any{"favoriteList": map[string]any{"id": l.ID, "revision": "1", "favorites": []fav{sampleFav(2)}}})
		return r.status == 400 && bytes.Contains(r.body, []byte(`"field":"favoriteList.id"`))
	},
	devPermissionUnchecked: func(e *env) bool {
		return e.do(noPerm, http.MethodGet, listPath, nil).status != 403
	},
	devQueryIDRejected: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1), sampleFav(2))
		if len(l.Favorites) == 0 {
			return false
		}
		id := l.Favorites[0].ID
		return e.do(user, http.MethodDelete, delFavPath(id)+"?favoriteId="+id, nil).status == 400
	},
	devReadonlyFieldsApplied: func(e *env) bool {
		sent := uuid.NewString()
		l, ok := e.anyCreate(map[string]any{"favoriteList": map[string]any{
			"id": sent, "revision": "7", "createdDate": "2001-01-01T00:00:00.000Z", "favorites": []fav{sampleFav(1)},
		}})
		return ok && (l.ID == sent || l.Revision == 7 || l.CreatedDate == "2001-01-01T00:00:00.000Z")
	},
	devRelativeURLDropsQuery: func(e *env) bool {
		l, _ := anyList(e.pAdd(fav{"pageId": "p", "title": "t", "relativeUrl": "/a?b=c#d"}))
		return len(l.Favorites) == 1 && l.Favorites[0].RelativeURL == "/a"
	},
	devRelativeURLLimitUnchecked: func(e *env) bool {
		return e.pAdd(fav{"pageId": "p", "title": "t", "relativeUrl": "/" + strings.Repeat("u", 500)}).status == 200
	},
	devRevisionAsNumber: func(e *env) bool {
		r := e.do(user, http.MethodPost, listPath, createBody(favs(sampleFav(1))))
		return bytes.Contains(r.body, []byte(`"revision":1`))
	},
	devRevisionBumpedOnFailed: func(e *env) bool {
		e.pCreate(sampleFav(1))
		l, _ := e.pState()
		e.pAdd(fav{"pageId": ""}) // an empty pageId: refused under every reading
		s, _ := e.pState()
		return s.Revision == l.Revision+1
	},
	devRevisionBumpedOnRead: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		e.do(user, http.MethodGet, listPath, nil)
		s, ok := e.pState()
		return ok && s.Revision != l.Revision
	},
	devRevisionNotIncOnAdd: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		a, ok := anyList(e.pAdd(sampleFav(2)))
		return ok && a.ID == l.ID && a.Revision == l.Revision
	},
	devRevisionNumberRejected: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		return e.pUpdate(l.ID, updateBody(1, favs(sampleFav(2)))).status == 400
	},
	devRevisionSkipsOnUpdate: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		u, ok := anyList(e.pUpdate(l.ID, updateBody("1", favs(sampleFav(2)))))
		return ok && u.Revision == 3
	},
	devSecondListPerUser: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		e.pAdd(sampleFav(2))
		s, _ := e.pState()
		return s.ID != l.ID && slices.Equal(pageIDs(s), []string{"page-2"})
	},
	devSharedList: func(e *env) bool {
		e.pCreate(sampleFav(1))
		_, ok := e.m.List(e.ident(user2).WixUserID)
		return ok
	},
	devStaleRevisionAccepted: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		e.pUpdate(l.ID, updateBody("1", favs(sampleFav(2))))
		return e.pUpdate(l.ID, updateBody("1", favs(sampleFav(3)))).status == 200
	},
	devTitleLimitUnchecked: func(e *env) bool {
		return e.pAdd(fav{"pageId": "p", "title": strings.Repeat("t", 41)}).status == 200
	},
	devTitleTrimmed: func(e *env) bool {
		l, _ := anyList(e.pAdd(fav{"pageId": "p", "title": " t "}))
		return len(l.Favorites) == 1 && l.Favorites[0].Title == "t"
	},
	devUnknownListOK: func(e *env) bool {
		e.pCreate(sampleFav(1))
		return e.pUpdate(uuid.NewString(), updateBody("1", favs(sampleFav(2)))).status == 200
	},
	devUpdateMergesFavorites: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		e.pUpdate(l.ID, updateBody("1", favs(sampleFav(2))))
		s, _ := e.pState()
		return slices.Equal(pageIDs(s), []string{"page-1", "page-2"})
	},
	devUpdateRegeneratesIDs: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		if len(l.Favorites) == 0 {
			return false
		}
		kept := l.Favorites[0].ID
		u, ok := anyList(e.pUpdate(l.ID, updateBody("1", favs(fav{"id": kept, "pageId": "p", "title": "t"}))))
		return ok && len(u.Favorites) == 1 && u.Favorites[0].ID != kept
	},
	devUpdatedDateFrozen: func(e *env) bool {
		l, _ := e.pCreate(sampleFav(1))
		e.clock.Advance(time.Second)
		u, ok := anyList(e.pUpdate(l.ID, updateBody("1", favs(sampleFav(2)))))
		return ok && u.UpdatedDate == l.UpdatedDate
	},
}

func (e *env) anyCreate(body any) (api.FavoriteList, bool) {
	return anyList(e.do(user, http.MethodPost, listPath, body))
}

func TestDeviationRegistry(t *testing.T) {
	ds := Deviations()
	if !sort.SliceIsSorted(ds, func(i, j int) bool { return ds[i].Name < ds[j].Name }) {
		t.Error("Deviations() is not sorted by name")
	}
	seen := map[string]bool{}
	for _, d := range ds {
		if d.Name == "" || d.Requirement == "" || d.Description == "" {
			t.Errorf("incomplete deviation %+v", d)
		}
		if seen[d.Name] {
			t.Errorf("deviation %s registered twice", d.Name)
		}
		seen[d.Name] = true
		if probes[d.Name] == nil {
			t.Errorf("deviation %s has no probe", d.Name)
		}
	}
	for name := range probes {
		if !seen[name] {
			t.Errorf("probe for unregistered deviation %s", name)
		}
	}
	// The brief's switches, by requirement.
	// Every deviation breaks a requirement of the register.
	reqs, err := spec.Requirements()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if !slices.ContainsFunc(reqs, func(r spec.Requirement) bool { return r.ID == d.Requirement }) {
			t.Errorf("deviation %s breaks %s, which spec/requirements.yaml lacks", d.Name, d.Requirement)
		}
	}
	// Deviations returns a copy.
	ds[0].Name = "changed"
	if Deviations()[0].Name == "changed" {
		t.Error("Deviations() hands out the registry")
	}
}

// TestDeviationsChangeTheirBehaviour: each probe sees nothing on the faithful mock and sees its
// behaviour with its switch on.
func TestDeviationsChangeTheirBehaviour(t *testing.T) {
	for _, d := range Deviations() {
		t.Run(d.Name, func(t *testing.T) {
			probe := probes[d.Name]
			if probe == nil {
				t.Skip("no probe (TestDeviationRegistry fails)")
			}
			if probe(newEnv(t)) {
				t.Errorf("the probe sees %q on the faithful mock", d.Description)
			}
			if !probe(newEnv(t, d.Name)) {
				t.Errorf("with %s on, the probe does not see %q", d.Name, d.Description)
			}
		})
	}
}

// TestDeviationsAreIsolated: with one switch on, every other switch's probe sees nothing — no
// switch shows another's behaviour.
func TestDeviationsAreIsolated(t *testing.T) {
	for _, d := range Deviations() {
		for _, other := range Deviations() {
			if other.Name == d.Name || probes[other.Name] == nil {
				continue
			}
			if probes[other.Name](newEnv(t, d.Name)) {
				t.Errorf("with %s on, the probe of %s fires too", d.Name, other.Name)
			}
		}
	}
}

// TestDeviationSpecifics checks the details of some switches beyond their probe.
func TestDeviationSpecifics(t *testing.T) {
	t.Run("get-missing-list-500 leaves GET of a list alone", func(t *testing.T) {
		e := newEnv(t, devGetMissingList500)
		e.create(user, sampleFav(1))
		e.do(user, http.MethodGet, listPath, nil).list(t)
	})
	t.Run("revision-as-number is on every list response", func(t *testing.T) {
		e := newEnv(t, devRevisionAsNumber)
		for _, r := range []resp{
			e.do(user, http.MethodPost, addPath, addBody(sampleFav(1))),
			e.do(user, http.MethodGet, listPath, nil),
		} {
			if !bytes.Contains(r.body, []byte(`"revision":`)) || bytes.Contains(r.body, []byte(`"revision":"`)) {
				t.Errorf("body %s", r.body)
			}
			if !bytes.Contains(r.body, []byte(`"favorites":[`)) {
				t.Errorf("favorites missing: %s", r.body)
			}
		}
	})
	t.Run("revision-bumped-on-failed-write counts every refused write", func(t *testing.T) {
		e := newEnv(t, devRevisionBumpedOnFailed)
		l := e.create(user, sampleFav(1))
		e.do(user, http.MethodPost, listPath, createBody(nil))               // 409
		e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("9", nil)) // 409
		e.do(user, http.MethodDelete, delFavPath("nope"), nil)               // 404
		e.do(user, http.MethodGet, listPath, nil)                            // a read: no
		e.do("", http.MethodPost, addPath, addBody(sampleFav(1)))            // refused before auth: no
		if s := e.mustList(user); s.Revision != 4 {
			t.Errorf("revision %d, want 4", s.Revision)
		}
	})
	t.Run("no-auth-check still knows tokens", func(t *testing.T) {
		e := newEnv(t, devNoAuthCheck)
		e.do("", http.MethodPost, listPath, createBody(favs(sampleFav(1)))).list(t)
		if _, ok := e.m.List(e.ident(user).WixUserID); !ok {
			t.Error("an anonymous create did not act as the first identity")
		}
		wantAppError(t, e.do(noPerm, http.MethodGet, listPath, nil), 403, api.CodePermissionDenied)
	})
	t.Run("permission-unchecked lets an app not granted through", func(t *testing.T) {
		e := newEnv(t, devPermissionUnchecked)
		if r := e.do(identity.AppNotGranted, http.MethodGet, listPath, nil); r.status != 404 {
			t.Errorf("status %d", r.status)
		}
	})
	t.Run("favorite-id-not-guid covers add and update", func(t *testing.T) {
		e := newEnv(t, devFavoriteIDNotGUID)
		l := e.add(user, sampleFav(1))
		l = e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("1", favs(sampleFav(2)))).list(t)
		if isGUID36(l.Favorites[0].ID) {
			t.Errorf("ids %v", favIDs(l))
		}
	})
	t.Run("query-id-rejected covers delete list", func(t *testing.T) {
		e := newEnv(t, devQueryIDRejected)
		l := e.create(user, sampleFav(1))
		wantViolation(t, e.do(user, http.MethodDelete, listIDPath(l.ID)+"?favoriteListId="+l.ID, nil), 400, "favoriteListId", ruleNotAllow)
		if r := e.do(user, http.MethodDelete, listIDPath(l.ID), nil); r.status != 200 {
			t.Errorf("without the query: %d", r.status)
		}
	})
	t.Run("unknown-list-ok covers delete list", func(t *testing.T) {
		e := newEnv(t, devUnknownListOK)
		e.create(user, sampleFav(1))
		if r := e.do(user, http.MethodDelete, listIDPath(uuid.NewString()), nil); r.status != 200 {
			t.Errorf("status %d", r.status)
		}
		if _, ok := e.m.List(e.ident(user).WixUserID); ok {
			t.Error("the list is still there")
		}
	})
	t.Run("second-list-per-user keeps both lists", func(t *testing.T) {
		e := newEnv(t, devSecondListPerUser)
		first := e.create(user, sampleFav(1))
		second := e.add(user, sampleFav(2))
		if second.ID == first.ID {
			t.Fatal("same list")
		}
		if got := e.do(user, http.MethodGet, listPath, nil).list(t); got.ID != second.ID {
			t.Errorf("GET returns %s, want the newest %s", got.ID, second.ID)
		}
		// The first is still reachable by id.
		if r := e.do(user, http.MethodPatch, listIDPath(first.ID), updateBody("1", nil)); r.status != 200 {
			t.Errorf("update of the first list: %d", r.status)
		}
	})
	t.Run("error-body-plain-text is text", func(t *testing.T) {
		e := newEnv(t, devErrorBodyPlainText)
		r := e.do("", http.MethodGet, listPath, nil)
		if r.status != 401 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") || bytes.HasPrefix(r.body, []byte("{")) {
			t.Errorf("%d %q %s", r.status, r.header.Get("Content-Type"), r.body)
		}
	})
	t.Run("malformed-json-500 has an empty body", func(t *testing.T) {
		e := newEnv(t, devMalformedJSON500)
		if r := e.do(user, http.MethodPost, addPath, "{"); r.status != 500 || len(r.body) != 0 {
			t.Errorf("%d %q", r.status, r.body)
		}
		// Well-formed but wrong bodies are still 400.
		wantViolation(t, e.do(user, http.MethodPost, addPath, "[]"), 400, bodyField, ruleFormat)
	})
	t.Run("readonly-fields-applied on update and add", func(t *testing.T) {
		e := newEnv(t, devReadonlyFieldsApplied)
		l := e.create(user, sampleFav(1))
		fid := uuid.NewString()
		a := e.add(user, fav{"id": fid, "pageId": "p", "title": "t"})
		if a.Favorites[1].ID != fid {
			t.Errorf("add ignored the sent id: %v", favIDs(a))
		}
		u := e.do(user, http.MethodPatch, listIDPath(l.ID), map[string]any{"favoriteList": map[string]any{
			"revision": "2", "createdDate": "2001-01-01T00:00:00.000Z", "favorites": []fav{},
		}}).list(t)
		if u.CreatedDate != "2001-01-01T00:00:00.000Z" || u.Revision != 3 {
			t.Errorf("update: %+v", u)
		}
	})
}
