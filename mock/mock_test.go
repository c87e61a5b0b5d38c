package mock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

const (
	user   = identity.User
	user2  = identity.SecondUser
	noPerm = identity.UserWithoutPermission
	app    = identity.App
)

func TestNew(t *testing.T) {
	if _, err := New(Options{Deviations: []string{"no-such-switch"}}); err == nil || !strings.Contains(err.Error(), "no-such-switch") {
		t.Errorf("New with an unknown deviation: err %v, want one naming it", err)
	}
	if _, err := New(Options{Deviations: []string{devSharedList, devNoItemLimit}}); err != nil {
		t.Errorf("New with known deviations: %v", err)
	}
	u := identity.Default()[0]
	for name, ids := range map[string][]identity.Identity{
		"repeated token": {u, u},
		"no token":       {{Role: user, WixUserID: "x"}},
		"no wixUserId":   {{Role: user, Token: "x"}},
	} {
		if _, err := New(Options{Identities: ids}); err == nil {
			t.Errorf("New with identities (%s): no error", name)
		}
	}
	if _, err := New(Options{MaxBodyBytes: -1}); err == nil {
		t.Error("New with a negative MaxBodyBytes: no error")
	}
	// An empty, non-nil list of identities knows nobody.
	e := newEnvWith(t, Options{Identities: []identity.Identity{}})
	wantAppError(t, e.doToken(u.Token, http.MethodGet, listPath, nil), http.StatusUnauthorized, api.CodeUnauthenticated)
}

func TestChangeKindString(t *testing.T) {
	for k, want := range map[ChangeKind]string{Created: "created", Updated: "updated", Deleted: "deleted", 0: "ChangeKind(0)"} {
		if k.String() != want {
			t.Errorf("%d: %q, want %q", int(k), k.String(), want)
		}
	}
}

func TestRouting(t *testing.T) {
	e := newEnv(t)
	l := e.create(user, sampleFav(1))
	for _, c := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "/", 404, ""},
		{http.MethodGet, "/dashboard/v1/user-favorite-lists", 404, ""},
		{http.MethodGet, listPath + "/", 404, ""},
		{http.MethodPatch, listPath + "/a/b", 404, ""},
		{http.MethodDelete, api.DeleteFavoritePathPrefix, 404, ""},
		{http.MethodGet, "/_api", 404, ""},
		{http.MethodGet, "/_api/", 404, ""},
		{http.MethodGet, "/_apidashboard/v1/user-favorite-list", 404, ""},
		{http.MethodPut, listPath, 405, "GET, POST"},
		{http.MethodDelete, listPath, 405, "GET, POST"},
		{http.MethodHead, listPath, 405, "GET, POST"},
		{http.MethodGet, addPath, 405, "POST"},
		{http.MethodDelete, addPath, 405, "POST"},
		{http.MethodGet, delFavPath("x"), 405, "DELETE"},
		{http.MethodPost, delFavPath("x"), 405, "DELETE"},
		{http.MethodGet, listIDPath(l.ID), 405, "PATCH, DELETE"},
		{http.MethodPost, "/_api" + listIDPath(l.ID), 405, "PATCH, DELETE"},
	} {
		before := e.snapshot()
		r := e.do(user, c.method, c.path, nil)
		if r.status != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, r.status, c.status)
			continue
		}
		if c.method != http.MethodHead {
			want := api.CodeNotFound
			if c.status == 405 {
				want = codeMethodNotAllowed
			}
			wantAppError(t, r, c.status, want)
		}
		if got := r.header.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
		e.mustBeUnchanged(before)
	}
	// Routing comes before authentication.
	wantAppError(t, e.do("", http.MethodGet, "/nowhere", nil), 404, api.CodeNotFound)
}

// TestSDKPrefix runs every operation under /_api, as the SDK sends it to a non-public host, with
// the SDK's request shapes (id in the PATCH body, ids repeated in DELETE queries).
func TestSDKPrefix(t *testing.T) {
	e := newEnv(t)
	p := api.SDKPathPrefix
	l := e.do(user, http.MethodPost, p+listPath, createBody(favs(sampleFav(1)))).list(t)
	if got := e.do(user, http.MethodGet, p+listPath, nil).list(t); got.ID != l.ID {
		t.Fatalf("GET under /_api: id %s, want %s", got.ID, l.ID)
	}
	l = e.do(user, http.MethodPatch, p+listIDPath(l.ID), map[string]any{"favoriteList": map[string]any{
		"id": l.ID, "revision": "1", "favorites": []fav{sampleFav(2), sampleFav(3)},
	}}).list(t)
	l = e.do(user, http.MethodPost, p+addPath, addBody(sampleFav(4))).list(t)
	fid := l.Favorites[0].ID
	l = e.do(user, http.MethodDelete, p+delFavPath(fid)+"?favoriteId="+fid, nil).list(t)
	if l.Revision != 4 || len(l.Favorites) != 2 {
		t.Fatalf("after update, add, delete-favorite under /_api: %+v", l)
	}
	r := e.do(user, http.MethodDelete, p+listIDPath(l.ID)+"?favoriteListId="+l.ID, nil)
	if r.status != 200 || string(bytes.TrimSpace(r.body)) != "{}" {
		t.Fatalf("DELETE list under /_api: %d %s", r.status, r.body)
	}
}

func TestAuth(t *testing.T) {
	userTok := identity.Default()[0].Token
	for _, c := range []struct {
		name   string
		token  string
		role   identity.Role // used when token is ""
		status int
		code   string
	}{
		{"no header", "", "", 401, api.CodeUnauthenticated},
		{"unknown token", "not-a-token", "", 401, api.CodeUnauthenticated},
		{"empty bearer", "Bearer ", "", 401, api.CodeUnauthenticated},
		{"token of another case", strings.ToUpper(userTok), "", 401, api.CodeUnauthenticated},
		{"raw token", userTok, "", 404, api.CodeNotFound},
		{"Bearer token", "Bearer " + userTok, "", 404, api.CodeNotFound},
		{"bearer token", "bearer " + userTok, "", 404, api.CodeNotFound},
		{"user without permission", "", noPerm, 403, api.CodePermissionDenied},
		{"app not granted", "", identity.AppNotGranted, 403, api.CodePermissionDenied},
		{"app for a user without permission", "", identity.AppForUserWithoutPermission, 403, api.CodePermissionDenied},
		{"app granted, user permitted", "", app, 404, api.CodeNotFound},
		{"second user", "", user2, 404, api.CodeNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			tok := c.token
			if c.role != "" {
				tok = e.token(c.role)
			}
			// GET with no list: 404 once authenticated.
			wantAppError(t, e.doToken(tok, http.MethodGet, listPath, nil), c.status, c.code)
		})
	}
}

// TestRefusedCallsChangeNothing sends every operation, with bodies that would otherwise succeed
// and bodies that are malformed, as each refused caller: auth is checked before anything else.
func TestRefusedCallsChangeNothing(t *testing.T) {
	e := newEnv(t)
	l := e.create(user, sampleFav(1), sampleFav(2))
	e.create(user2, sampleFav(3))
	e.create(app, sampleFav(4))
	e.takeChanges()
	fid := l.Favorites[0].ID
	calls := []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, listPath, nil},
		{http.MethodPost, listPath, createBody(favs(sampleFav(9)))},
		{http.MethodPost, listPath, "{not json"},
		{http.MethodPatch, listIDPath(l.ID), updateBody("1", favs(sampleFav(9)))},
		{http.MethodPatch, listIDPath(l.ID), "{not json"},
		{http.MethodDelete, listIDPath(l.ID), nil},
		{http.MethodPost, addPath, addBody(sampleFav(9))},
		{http.MethodPost, addPath, "[]"},
		{http.MethodDelete, delFavPath(fid), nil},
	}
	callers := map[string]struct {
		token  string
		status int
	}{
		"none":                            {"", 401},
		"unknown":                         {"who-knows", 401},
		"user without permission":         {e.token(noPerm), 403},
		"app not granted":                 {e.token(identity.AppNotGranted), 403},
		"app for user without permission": {e.token(identity.AppForUserWithoutPermission), 403},
	}
	for name, c := range callers {
		for _, call := range calls {
			before := e.snapshot()
			r := e.doToken(c.token, call.method, call.path, call.body)
			if r.status != c.status {
				t.Errorf("%s: %s %s: status %d, want %d", name, call.method, call.path, r.status, c.status)
			}
			errorShape(t, r)
			e.mustBeUnchanged(before)
		}
	}
	if ch := e.takeChanges(); len(ch) != 0 {
		t.Errorf("refused calls reported %d changes", len(ch))
	}
}

// TestAppActsForItsUser: an app works on the list of the user it acts for.
func TestAppActsForItsUser(t *testing.T) {
	u := identity.Identity{Role: user, Token: "u", IdentityType: identity.TypeWixUser, WixUserID: "w1",
		UserPermissions: []string{api.ManageDashboardScope}}
	a := identity.Identity{Role: app, Token: "a", IdentityType: identity.TypeApp, AppID: "app", WixUserID: "w1",
		UserPermissions: []string{api.ManageDashboardScope}, AppPermissions: []string{api.ManageDashboardScope}}
	e := newEnvWith(t, Options{Identities: []identity.Identity{u, a}})
	created := e.doToken("a", http.MethodPost, listPath, createBody(favs(sampleFav(1)))).list(t)
	got := e.doToken("u", http.MethodGet, listPath, nil).list(t)
	if got.ID != created.ID {
		t.Fatalf("the user sees list %s, the app created %s", got.ID, created.ID)
	}
	wantAppError(t, e.doToken("u", http.MethodPost, listPath, createBody(nil)), 409, api.CodeAlreadyExists)
	ch := e.takeChanges()
	if len(ch) != 1 || ch[0].Identity.Token != "a" {
		t.Errorf("changes %+v, want one by the app", ch)
	}
}

func TestCreate(t *testing.T) {
	e := newEnv(t)
	r := e.do(user, http.MethodPost, listPath, createBody(favs(
		fav{"pageId": "3893d33b-24a1-474b-80b0-dd7c32e20bfb", "title": "My Page"},
		fav{"pageId": "81f1ee0a-92b7-42f7-89cb-8b0f96146dcf", "title": "Another Page", "relativeUrl": "/route"},
	)))
	l := r.list(t)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if !bytes.Contains(r.body, []byte(`"revision":"1"`)) {
		t.Errorf("revision is not the string \"1\": %s", r.body)
	}
	if !isGUID36(l.ID) || l.Revision != 1 || l.CreatedDate != fmtDate(t0) || l.UpdatedDate != l.CreatedDate {
		t.Errorf("created list %+v", l)
	}
	if len(l.Favorites) != 2 || l.Favorites[0].Title != "My Page" || l.Favorites[1].RelativeURL != "/route" || l.Favorites[0].RelativeURL != "" {
		t.Errorf("favorites %+v", l.Favorites)
	}
	if !isGUID36(l.Favorites[0].ID) || !isGUID36(l.Favorites[1].ID) || l.Favorites[0].ID == l.Favorites[1].ID || l.Favorites[0].ID == l.ID {
		t.Errorf("favorite ids %v", favIDs(l))
	}
	if stored, _ := e.m.List(e.ident(user).WixUserID); !equalLists(stored, l) {
		t.Errorf("stored %+v, returned %+v", stored, l)
	}
	if ch := e.takeChanges(); len(ch) != 1 || ch[0].Kind != Created || !equalLists(ch[0].List, l) || ch[0].Identity.Role != user {
		t.Errorf("changes %+v", ch)
	}

	// A second create: 409, nothing changed.
	before := e.snapshot()
	wantAppError(t, e.do(user, http.MethodPost, listPath, createBody(favs(sampleFav(5)))), 409, api.CodeAlreadyExists)
	e.mustBeUnchanged(before)
	if ch := e.takeChanges(); len(ch) != 0 {
		t.Errorf("a refused create reported %+v", ch)
	}
}

func TestCreateIgnoresReadOnlyFields(t *testing.T) {
	e := newEnv(t)
	sentID, sentFav := uuid.NewString(), uuid.NewString()
	l := e.do(user, http.MethodPost, listPath, map[string]any{"favoriteList": map[string]any{
		"id": sentID, "revision": "7", "createdDate": "2001-01-01T00:00:00.000Z", "updatedDate": "2001-01-01T00:00:00.000Z",
		"favorites": []fav{{"id": sentFav, "pageId": "p", "title": "t"}, {"id": "not-a-guid", "pageId": "q", "title": "u"}},
	}}).list(t)
	if l.ID == sentID || l.Revision != 1 || l.CreatedDate != fmtDate(t0) || l.UpdatedDate != fmtDate(t0) ||
		l.Favorites[0].ID == sentFav || !isGUID36(l.Favorites[1].ID) {
		t.Errorf("create took read-only fields: %+v", l)
	}
}

func TestCreateEmpty(t *testing.T) {
	for _, body := range []any{createBody(nil), `{"favoriteList": {}}`, `{"favoriteList": {"favorites": null}}`} {
		e := newEnv(t)
		r := e.do(user, http.MethodPost, listPath, body)
		if l := r.list(t); len(l.Favorites) != 0 || !bytes.Contains(r.body, []byte(`"favorites":[]`)) {
			t.Errorf("create %v: %s", body, r.body)
		}
		if got := e.do(user, http.MethodGet, listPath, nil); !bytes.Contains(got.body, []byte(`"favorites":[]`)) {
			t.Errorf("GET after an empty create: %s", got.body)
		}
	}
}

func TestGet(t *testing.T) {
	e := newEnv(t)
	wantAppError(t, e.do(user, http.MethodGet, listPath, nil), 404, api.CodeNotFound)
	created := e.create(user, sampleFav(1), sampleFav(2))
	e.clock.Advance(time.Hour)
	for range 3 {
		if got := e.do(user, http.MethodGet, listPath, nil).list(t); !equalLists(got, created) {
			t.Fatalf("GET %+v, want %+v", got, created)
		}
	}
	if ch := e.takeChanges(); len(ch) != 1 {
		t.Errorf("GETs reported changes: %+v", ch[1:])
	}
}

func TestUpdate(t *testing.T) {
	e := newEnv(t)
	l := e.create(user, sampleFav(1), sampleFav(2))
	e.takeChanges()
	e.clock.Advance(time.Minute)
	kept := l.Favorites[1].ID
	r := e.do(user, http.MethodPatch, listIDPath(l.ID), map[string]any{"favoriteList": map[string]any{
		"revision":    "1",
		"createdDate": "2001-01-01T00:00:00.000Z",
		"updatedDate": "2001-01-01T00:00:00.000Z",
		"favorites":   []fav{{"id": kept, "pageId": "page-2", "title": "Renamed"}, {"pageId": "new", "title": "New"}},
	}})
	got := r.list(t)
	if got.ID != l.ID || got.Revision != 2 || got.CreatedDate != l.CreatedDate || got.UpdatedDate != fmtDate(t0.Add(time.Minute)) {
		t.Errorf("updated list %+v", got)
	}
	if len(got.Favorites) != 2 || got.Favorites[0].ID != kept || got.Favorites[0].Title != "Renamed" ||
		got.Favorites[1].PageID != "new" || !isGUID36(got.Favorites[1].ID) || got.Favorites[1].ID == l.Favorites[0].ID {
		t.Errorf("favorites not replaced: %+v", got.Favorites)
	}
	if stored, _ := e.m.List(e.ident(user).WixUserID); !equalLists(stored, got) {
		t.Errorf("stored %+v, returned %+v", stored, got)
	}
	if ch := e.takeChanges(); len(ch) != 1 || ch[0].Kind != Updated || !equalLists(ch[0].List, got) {
		t.Errorf("changes %+v", ch)
	}

	// Revision as a JSON number (the docs' sample) and with the id in the body (the SDK).
	got = e.do(user, http.MethodPatch, listIDPath(l.ID), map[string]any{"favoriteList": map[string]any{
		"id": l.ID, "revision": 2, "favorites": []fav{sampleFav(7)},
	}}).list(t)
	if got.Revision != 3 || len(got.Favorites) != 1 {
		t.Errorf("update with a number revision and the body id: %+v", got)
	}

	// No favorites: the list stays, empty.
	r = e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("3", nil))
	if got = r.list(t); got.Revision != 4 || len(got.Favorites) != 0 || !bytes.Contains(r.body, []byte(`"favorites":[]`)) {
		t.Errorf("update to no favorites: %s", r.body)
	}
	if _, ok := e.m.List(e.ident(user).WixUserID); !ok {
		t.Error("update to no favorites deleted the list")
	}
	// Favorites left out: the same as [].
	if got = e.do(user, http.MethodPatch, listIDPath(l.ID), `{"favoriteList": {"revision": "4"}}`).list(t); got.Revision != 5 || len(got.Favorites) != 0 {
		t.Errorf("update without favorites: %+v", got)
	}
}

func TestUpdateRefused(t *testing.T) {
	e := newEnv(t)
	l := e.create(user, sampleFav(1), sampleFav(2))
	e.create(user2, sampleFav(3))
	other, _ := e.m.List(e.ident(user2).WixUserID)
	ok := func(extra map[string]any) map[string]any {
		b := map[string]any{"revision": "1", "favorites": []fav{sampleFav(5)}}
		for k, v := range extra {
			b[k] = v
		}
		return map[string]any{"favoriteList": b}
	}
	g1, g2 := uuid.NewString(), uuid.NewString()
	e.takeChanges()
	for _, c := range []struct {
		name   string
		path   string
		body   any
		status int
		code   string // application error code, or else
		field  string // the field of a violation
		rule   string
	}{
		{"stale revision", listIDPath(l.ID), ok(map[string]any{"revision": "0"}), 409, api.CodeAborted, "", ""},
		{"future revision", listIDPath(l.ID), ok(map[string]any{"revision": 2}), 409, api.CodeAborted, "", ""},
		{"negative revision", listIDPath(l.ID), ok(map[string]any{"revision": "-1"}), 409, api.CodeAborted, "", ""},
		{"unknown list id", listIDPath(uuid.NewString()), ok(nil), 404, api.CodeNotFound, "", ""},
		{"another user's list id", listIDPath(other.ID), ok(nil), 404, api.CodeNotFound, "", ""},
		{"missing revision", listIDPath(l.ID), `{"favoriteList": {"favorites": []}}`, 400, "", "favoriteList.revision", ruleRequired},
		{"null revision", listIDPath(l.ID), ok(map[string]any{"revision": nil}), 400, "", "favoriteList.revision", ruleRequired},
		{"revision not digits", listIDPath(l.ID), ok(map[string]any{"revision": "one"}), 400, "", "favoriteList.revision", ruleFormat},
		{"revision empty string", listIDPath(l.ID), ok(map[string]any{"revision": ""}), 400, "", "favoriteList.revision", ruleFormat},
		{"revision fraction", listIDPath(l.ID), ok(map[string]any{"revision": 1.5}), 400, "", "favoriteList.revision", ruleFormat},
		{"revision fraction string", listIDPath(l.ID), ok(map[string]any{"revision": "1.0"}), 400, "", "favoriteList.revision", ruleFormat},
		{"revision bool", listIDPath(l.ID), ok(map[string]any{"revision": true}), 400, "", "favoriteList.revision", ruleFormat},
		{"revision object", listIDPath(l.ID), ok(map[string]any{"revision": map[string]any{}}), 400, "", "favoriteList.revision", ruleFormat},
		{"revision too big", listIDPath(l.ID), `{"favoriteList": {"revision": 99999999999999999999}}`, 400, "", "favoriteList.revision", ruleFormat},
		{"body id differs", listIDPath(l.ID), ok(map[string]any{"id": uuid.NewString()}), 400, "", "favoriteList.id", ruleOther},
		{"favorite id not a GUID", listIDPath(l.ID), ok(map[string]any{"favorites": []fav{{"id": "fav-1", "pageId": "p", "title": "t"}}}), 400, "", "favoriteList.favorites[0].id", ruleFormat},
		{"favorite id GUID without dashes", listIDPath(l.ID), ok(map[string]any{"favorites": []fav{{"id": strings.ReplaceAll(g1, "-", ""), "pageId": "p", "title": "t"}}}), 400, "", "favoriteList.favorites[0].id", ruleFormat},
		{"favorite ids repeated", listIDPath(l.ID), ok(map[string]any{"favorites": []fav{{"id": g1, "pageId": "p", "title": "t"}, {"id": g2, "pageId": "p", "title": "t"}, {"id": strings.ToUpper(g1), "pageId": "q", "title": "u"}}}), 400, "", "favoriteList.favorites[2].id", ruleOther},
		{"101 favorites", listIDPath(l.ID), ok(map[string]any{"favorites": sampleFavs(101)}), 400, "", "favoriteList.favorites", ruleMaxSize},
		{"no envelope", listIDPath(l.ID), `{}`, 400, "", "favoriteList", ruleRequired},
		{"null envelope", listIDPath(l.ID), `{"favoriteList": null}`, 400, "", "favoriteList", ruleRequired},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := e.snapshot()
			r := e.do(user, http.MethodPatch, c.path, c.body)
			if c.code != "" {
				eb := wantAppError(t, r, c.status, c.code)
				if c.code == api.CodeAborted && !strings.Contains(eb.Details.ApplicationError.Description, "revision mismatch: expected 1") {
					t.Errorf("ABORTED description %q", eb.Details.ApplicationError.Description)
				}
			} else {
				wantViolation(t, r, c.status, c.field, c.rule)
			}
			e.mustBeUnchanged(before)
		})
	}
	if ch := e.takeChanges(); len(ch) != 0 {
		t.Errorf("refused updates reported %+v", ch)
	}
	// No list at all: 404.
	e2 := newEnv(t)
	wantAppError(t, e2.do(user, http.MethodPatch, listIDPath(uuid.NewString()), updateBody("1", nil)), 404, api.CodeNotFound)
	// Many violations are reported together.
	r := e.do(user, http.MethodPatch, listIDPath(l.ID), `{"favoriteList": {"favorites": [{}]}}`)
	if eb := wantViolation(t, r, 400, "favoriteList.revision", ruleRequired); len(eb.Details.ValidationError.FieldViolations) != 3 {
		t.Errorf("want 3 violations (revision, pageId, title): %s", r.body)
	}
}

func TestDeleteList(t *testing.T) {
	e := newEnv(t)
	l := e.create(user, sampleFav(1))
	e.create(user2, sampleFav(2))
	other, _ := e.m.List(e.ident(user2).WixUserID)
	e.takeChanges()

	for _, c := range []struct {
		name, path string
		status     int
		code       string
	}{
		{"unknown id", listIDPath(uuid.NewString()), 404, api.CodeNotFound},
		{"another user's list", listIDPath(other.ID), 404, api.CodeNotFound},
		{"query id differs", listIDPath(l.ID) + "?favoriteListId=" + uuid.NewString(), 400, ""},
		{"query id repeated, one differs", listIDPath(l.ID) + "?favoriteListId=" + l.ID + "&favoriteListId=x", 400, ""},
	} {
		before := e.snapshot()
		r := e.do(user, http.MethodDelete, c.path, nil)
		if c.code != "" {
			wantAppError(t, r, c.status, c.code)
		} else {
			wantViolation(t, r, c.status, "favoriteListId", ruleOther)
		}
		e.mustBeUnchanged(before)
	}

	r := e.do(user, http.MethodDelete, listIDPath(l.ID)+"?favoriteListId="+l.ID, nil)
	if r.status != 200 || string(bytes.TrimSpace(r.body)) != "{}" || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("DELETE list: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	if _, ok := e.m.List(e.ident(user).WixUserID); ok {
		t.Error("the list is still there")
	}
	if _, ok := e.m.List(e.ident(user2).WixUserID); !ok {
		t.Error("the other user's list went too")
	}
	wantAppError(t, e.do(user, http.MethodGet, listPath, nil), 404, api.CodeNotFound)
	wantAppError(t, e.do(user, http.MethodDelete, listIDPath(l.ID), nil), 404, api.CodeNotFound)
	if ch := e.takeChanges(); len(ch) != 1 || ch[0].Kind != Deleted || !equalLists(ch[0].List, l) {
		t.Errorf("changes %+v", ch)
	}
	// A new list can be made; it is a new one.
	n := e.create(user, sampleFav(3))
	if n.ID == l.ID || n.Revision != 1 {
		t.Errorf("list made after delete: %+v", n)
	}
	// An empty query value counts as not sent.
	if r := e.do(user, http.MethodDelete, listIDPath(n.ID)+"?favoriteListId=", nil); r.status != 200 {
		t.Errorf("DELETE with an empty favoriteListId: %d %s", r.status, r.body)
	}
}

func TestAdd(t *testing.T) {
	e := newEnv(t)
	// No list: a new one, revision 1.
	sent := uuid.NewString()
	l := e.add(user, fav{"id": sent, "pageId": "p1", "title": "One"})
	if !isGUID36(l.ID) || l.Revision != 1 || len(l.Favorites) != 1 || l.Favorites[0].ID == sent || !isGUID36(l.Favorites[0].ID) ||
		l.CreatedDate != fmtDate(t0) || l.UpdatedDate != l.CreatedDate {
		t.Fatalf("add with no list: %+v", l)
	}
	if ch := e.takeChanges(); len(ch) != 1 || ch[0].Kind != Created {
		t.Errorf("changes %+v", ch)
	}
	// Appended at the end, revision + 1; the same pageId again is fine.
	e.clock.Advance(time.Second)
	l2 := e.add(user, fav{"pageId": "p1", "title": "One again", "relativeUrl": "/x"})
	if l2.ID != l.ID || l2.Revision != 2 || l2.CreatedDate != l.CreatedDate || l2.UpdatedDate != fmtDate(t0.Add(time.Second)) ||
		!slices.Equal(pageIDs(l2), []string{"p1", "p1"}) || l2.Favorites[0] != l.Favorites[0] || l2.Favorites[1].ID == l.Favorites[0].ID {
		t.Fatalf("add to a list: %+v", l2)
	}
	if ch := e.takeChanges(); len(ch) != 1 || ch[0].Kind != Updated || !equalLists(ch[0].List, l2) {
		t.Errorf("changes %+v", ch)
	}
}

func TestAddLimit(t *testing.T) {
	e := newEnv(t)
	e.create(user, sampleFavs(99)...)
	if l := e.add(user, sampleFav(99)); len(l.Favorites) != 100 {
		t.Fatalf("100th favorite: %d favorites", len(l.Favorites))
	}
	before := e.snapshot()
	wantViolation(t, e.do(user, http.MethodPost, addPath, addBody(sampleFav(100))), 400, "favoriteList.favorites", ruleMaxSize)
	e.mustBeUnchanged(before)
	// Create takes 100, not 101.
	e2 := newEnv(t)
	wantViolation(t, e2.do(user, http.MethodPost, listPath, createBody(sampleFavs(101))), 400, "favoriteList.favorites", ruleMaxSize)
	if l := e2.create(user, sampleFavs(100)...); len(l.Favorites) != 100 {
		t.Fatalf("create with 100: %d", len(l.Favorites))
	}
	// Update takes 100.
	if l := e2.do(user, http.MethodPatch, listIDPath(e2.mustList(user).ID), updateBody("1", sampleFavs(100))).list(t); len(l.Favorites) != 100 {
		t.Fatalf("update with 100: %d", len(l.Favorites))
	}
}

func (e *env) mustList(r identity.Role) api.FavoriteList {
	e.t.Helper()
	l, ok := e.m.List(e.ident(r).WixUserID)
	if !ok {
		e.t.Fatalf("%s has no list", r)
	}
	return l
}

func TestDeleteFavorite(t *testing.T) {
	e := newEnv(t)
	l := e.create(user, sampleFav(1), sampleFav(2), sampleFav(3))
	e.create(user2, sampleFav(4))
	otherFav := e.mustList(user2).Favorites[0].ID
	e.takeChanges()
	for _, c := range []struct {
		name, path string
		status     int
	}{
		{"unknown id", delFavPath(uuid.NewString()), 404},
		{"another user's favorite", delFavPath(otherFav), 404},
		{"the list's id", delFavPath(l.ID), 404},
		{"query id differs", delFavPath(l.Favorites[0].ID) + "?favoriteId=" + l.Favorites[1].ID, 400},
	} {
		before := e.snapshot()
		r := e.do(user, http.MethodDelete, c.path, nil)
		if c.status == 404 {
			wantAppError(t, r, 404, api.CodeNotFound)
		} else {
			wantViolation(t, r, c.status, "favoriteId", ruleOther)
		}
		e.mustBeUnchanged(before)
	}
	if ch := e.takeChanges(); len(ch) != 0 {
		t.Errorf("refused deletes reported %+v", ch)
	}

	e.clock.Advance(time.Second)
	mid := l.Favorites[1].ID
	got := e.do(user, http.MethodDelete, delFavPath(mid)+"?favoriteId="+mid, nil).list(t)
	if got.ID != l.ID || got.Revision != 2 || got.UpdatedDate != fmtDate(t0.Add(time.Second)) || got.CreatedDate != l.CreatedDate ||
		!slices.Equal(favIDs(got), []string{l.Favorites[0].ID, l.Favorites[2].ID}) {
		t.Fatalf("after delete-favorite: %+v", got)
	}
	wantAppError(t, e.do(user, http.MethodDelete, delFavPath(mid), nil), 404, api.CodeNotFound)
	if ch := e.takeChanges(); len(ch) != 1 || ch[0].Kind != Updated || !equalLists(ch[0].List, got) {
		t.Errorf("changes %+v", ch)
	}

	// Delete the rest: the last one deletes the list, and the answer is its final state.
	got = e.do(user, http.MethodDelete, delFavPath(l.Favorites[0].ID), nil).list(t)
	r := e.do(user, http.MethodDelete, delFavPath(l.Favorites[2].ID), nil)
	last := r.list(t)
	if last.ID != l.ID || last.Revision != 4 || len(last.Favorites) != 0 || !bytes.Contains(r.body, []byte(`"favorites":[]`)) ||
		last.UpdatedDate <= got.UpdatedDate {
		t.Fatalf("deleting the last favorite: %s", r.body)
	}
	wantAppError(t, e.do(user, http.MethodGet, listPath, nil), 404, api.CodeNotFound)
	if ch := e.takeChanges(); len(ch) != 3 || ch[1].Kind != Updated || ch[2].Kind != Deleted ||
		!equalLists(ch[1].List, last) || !equalLists(ch[2].List, last) {
		t.Errorf("changes %+v", ch)
	}
	if n := e.create(user, sampleFav(1)); n.ID == l.ID || n.Revision != 1 {
		t.Errorf("create after the list went: %+v", n)
	}
	// No list: 404.
	wantAppError(t, newEnv(t).do(user, http.MethodDelete, delFavPath(uuid.NewString()), nil), 404, api.CodeNotFound)
}

func TestDates(t *testing.T) {
	e := newEnv(t)
	l := e.create(user, sampleFav(1))
	// The clock does not move: each write still moves updatedDate, by 1 ms.
	for i := 1; i <= 3; i++ {
		got := e.add(user, sampleFav(i+1))
		if got.UpdatedDate != fmtDate(t0.Add(time.Duration(i)*time.Millisecond)) || got.CreatedDate != l.CreatedDate {
			t.Fatalf("write %d with a stopped clock: %+v", i, got)
		}
	}
	// The clock jumps forward, sub-millisecond parts are dropped.
	e.clock.Advance(time.Hour + 1500*time.Microsecond)
	got := e.add(user, sampleFav(9))
	if got.UpdatedDate != fmtDate(t0.Add(time.Hour+time.Millisecond)) {
		t.Fatalf("after the clock moved: %s", got.UpdatedDate)
	}
	// The clock goes back: still forward.
	e.clock.Set(t0.Add(-time.Hour))
	got2 := e.do(user, http.MethodDelete, delFavPath(got.Favorites[0].ID), nil).list(t)
	if got2.UpdatedDate != fmtDate(t0.Add(time.Hour+2*time.Millisecond)) {
		t.Fatalf("after the clock went back: %s", got2.UpdatedDate)
	}
	for _, d := range []string{got2.CreatedDate, got2.UpdatedDate} {
		if !dateRE.MatchString(d) {
			t.Errorf("date %q is not RFC 3339 UTC with milliseconds", d)
		}
	}
	// A clock in another zone is written in UTC.
	e3 := newEnvWith(t, Options{})
	e3.clock.Set(time.Date(2024, 5, 19, 15, 5, 45, 684_000_000, time.FixedZone("CEST", 2*3600)))
	if l := e3.create(user, sampleFav(1)); l.CreatedDate != "2024-05-19T13:05:45.684Z" {
		t.Errorf("created %s", l.CreatedDate)
	}
}

func TestValuesKeptExactly(t *testing.T) {
	weird := fav{
		"pageId":      "  pâge id/with spaces & <tags> \u00a0",
		"title":       "  Ünïcödé <b>&amp;</b> 'q' \"dq\" 🎉  ",
		"relativeUrl": "/path with space/ü?q=a%20b&x=<y>&z=1+2#frag ment?&",
	}
	check := func(where string, l api.FavoriteList, raw []byte) {
		t.Helper()
		f := l.Favorites[len(l.Favorites)-1]
		if f.PageID != weird["pageId"] || f.Title != weird["title"] || f.RelativeURL != weird["relativeUrl"] {
			t.Errorf("%s: stored %+v", where, f)
		}
		if raw != nil && (!bytes.Contains(raw, []byte("<b>&amp;</b>")) || !bytes.Contains(raw, []byte("x=<y>&z"))) {
			t.Errorf("%s: body escapes HTML: %s", where, raw)
		}
	}
	e := newEnv(t)
	r := e.do(user, http.MethodPost, listPath, createBody(favs(weird)))
	check("create", r.list(t), r.body)
	r = e.do(user, http.MethodGet, listPath, nil)
	check("get", r.list(t), r.body)
	r = e.do(user, http.MethodPost, addPath, addBody(weird))
	check("add", r.list(t), r.body)
	l := r.list(t)
	r = e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("2", favs(weird)))
	check("update", r.list(t), r.body)
	check("List", e.mustList(user), nil)
	if ch := e.takeChanges(); len(ch) != 3 {
		t.Fatalf("changes %d", len(ch))
	} else {
		check("change", ch[2].List, nil)
	}
}

func TestHeaders(t *testing.T) {
	e := newEnvWith(t, Options{MaxBodyBytes: 100})
	e.create(user, sampleFav(1))
	seen := map[string]bool{}
	for _, c := range []struct {
		role   identity.Role
		method string
		path   string
		body   any
		status int
	}{
		{user, http.MethodGet, listPath, nil, 200},
		{"", http.MethodGet, listPath, nil, 401},
		{noPerm, http.MethodGet, listPath, nil, 403},
		{user, http.MethodGet, "/nope", nil, 404},
		{user, http.MethodPut, listPath, nil, 405},
		{user, http.MethodPost, listPath, createBody(nil), 409},
		{user, http.MethodPost, addPath, "{", 400},
		{user, http.MethodPost, addPath, strings.Repeat(" ", 101), 413},
	} {
		r := e.do(c.role, c.method, c.path, c.body)
		if r.status != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, r.status, c.status)
		}
		id := r.header.Get(RequestIDHeader)
		if !isGUID36(id) || seen[id] {
			t.Errorf("%s %s: %s %q (new GUID wanted)", c.method, c.path, RequestIDHeader, id)
		}
		seen[id] = true
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q", c.method, c.path, ct)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	const limit = 100
	e := newEnvWith(t, Options{MaxBodyBytes: limit})
	body := string(encode(t, addBody(sampleFav(1))))
	exact := body + strings.Repeat(" ", limit-len(body))
	if r := e.do(user, http.MethodPost, addPath, exact); r.status != 200 {
		t.Fatalf("a body of exactly the limit: %d %s", r.status, r.body)
	}
	before := e.snapshot()
	for _, c := range []struct {
		method, path string
	}{{http.MethodPost, addPath}, {http.MethodPost, listPath}, {http.MethodPatch, listIDPath(e.mustList(user).ID)}} {
		wantViolation(t, e.do(user, c.method, c.path, exact+" "), http.StatusRequestEntityTooLarge, bodyField, ruleMaxSize)
	}
	e.mustBeUnchanged(before)
	// The default limit is 1 MiB.
	e2 := newEnv(t)
	big := `{"favorite": {"pageId": "p", "title": "t"}}` + strings.Repeat(" ", DefaultMaxBodyBytes)
	wantViolation(t, e2.do(user, http.MethodPost, addPath, big), 413, bodyField, ruleMaxSize)
}

func TestIsolation(t *testing.T) {
	e := newEnv(t)
	a := e.create(user, sampleFav(1))
	wantAppError(t, e.do(user2, http.MethodGet, listPath, nil), 404, api.CodeNotFound)
	wantAppError(t, e.do(app, http.MethodGet, listPath, nil), 404, api.CodeNotFound)
	b := e.add(user2, sampleFav(2))
	if a.ID == b.ID || b.Revision != 1 {
		t.Fatalf("second user's add: %+v", b)
	}
	if got := e.do(user, http.MethodGet, listPath, nil).list(t); !equalLists(got, a) {
		t.Errorf("user's list changed: %+v", got)
	}
}

func TestOnChangeOutsideLock(t *testing.T) {
	var m *Mock
	calls := 0
	m, err := New(Options{OnChange: func(c Change) {
		calls++
		if _, ok := m.List(c.Identity.WixUserID); !ok && c.Kind != Deleted { // would deadlock inside the lock
			t.Errorf("%v: list not there", c.Kind)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, m: m, ids: identity.Default()}
	e.create(user, sampleFav(1))
	e.add(user, sampleFav(2))
	if calls != 2 {
		t.Errorf("OnChange called %d times, want 2", calls)
	}
}

func TestListIsACopy(t *testing.T) {
	e := newEnv(t)
	e.create(user, sampleFav(1))
	l := e.mustList(user)
	l.Favorites[0].Title = "changed"
	l.Favorites = append(l.Favorites, api.Favorite{ID: "x"})
	if got := e.mustList(user); got.Favorites[0].Title != "Page 1" || len(got.Favorites) != 1 {
		t.Errorf("List gave away the stored list: %+v", got)
	}
	if _, ok := e.m.List("nobody"); ok {
		t.Error("List of an unknown user")
	}
	ch := e.takeChanges()
	ch[0].List.Favorites[0].Title = "changed"
	if got := e.mustList(user); got.Favorites[0].Title != "Page 1" {
		t.Error("Change gave away the stored list")
	}
}

func TestReset(t *testing.T) {
	e := newEnv(t)
	e.create(user, sampleFav(1))
	e.create(user2, sampleFav(1))
	e.m.Reset()
	for _, l := range e.snapshot() {
		if l != nil {
			t.Fatalf("list left after Reset: %+v", l)
		}
	}
	e.create(user, sampleFav(1))
}

func equalLists(a, b api.FavoriteList) bool {
	return string(mustJSON(a)) == string(mustJSON(b))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
