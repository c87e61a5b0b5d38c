package model_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/model"
)

const (
	listID = "b8216af7-cf7c-4860-8014-54e4824a1745"
	fav1   = "7d228ce4-f0c6-4758-be72-beea48f83dd1"
	fav2   = "b38a93a2-89f4-4c4f-8786-618f69cde012"
	fav3   = "10b007d6-1d67-4deb-9adf-32813f580bab"
)

var (
	myPage  = api.Favorite{PageID: "3893d33b-24a1-474b-80b0-dd7c32e20bfb", Title: "My Page"}
	another = api.Favorite{PageID: "81f1ee0a-92b7-42f7-89cb-8b0f96146dcf", Title: "Another Page", RelativeURL: "/route"}
)

// response builds what the client would decode from status and body.
func response(t *testing.T, status int, body string) *client.Response {
	t.Helper()
	r := &client.Response{Status: status, Body: []byte(body)}
	if body == "" {
		return r
	}
	if status >= 400 {
		var e api.ErrorBody
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			t.Fatal(err)
		}
		r.Error = &e
		return r
	}
	var env api.ListEnvelope
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatal(err)
	}
	r.List = env.FavoriteList
	return r
}

func listJSON(rev string, favs ...string) string {
	return `{"favoriteList":{"id":"` + listID + `","revision":"` + rev + `","createdDate":"2024-05-19T13:05:45.684Z","updatedDate":"2024-05-19T13:05:45.684Z","favorites":[` + strings.Join(favs, ",") + `]}}`
}

func favJSON(id string, f api.Favorite) string {
	b, _ := json.Marshal(api.Favorite{ID: id, PageID: f.PageID, Title: f.Title, RelativeURL: f.RelativeURL})
	return string(b)
}

const (
	notFound   = `{"message":"no list","details":{"applicationError":{"code":"NOT_FOUND","description":"no list"}}}`
	badRequest = `{"message":"bad","details":{"validationError":{"fieldViolations":[{"field":"favorite.title"}]}}}`
)

// withList returns a model in which the user has the list of myPage and another at revision 5.
func withList(t *testing.T) *model.Model {
	t.Helper()
	m := model.New(identity.User)
	e := m.Plan(model.Step{Role: identity.User, Op: model.Create, Items: []model.Item{{Keep: -1, Fav: myPage}, {Keep: -1, Fav: another}}})
	r := response(t, 200, listJSON("5", favJSON(fav1, myPage), favJSON(fav2, another)))
	if err := e.Check(r); err != nil {
		t.Fatal(err)
	}
	m.Commit(e, r)
	return m
}

func expectOK(t *testing.T, e model.Expectation, r *client.Response, what string) {
	t.Helper()
	if err := e.Check(r); err != nil {
		t.Errorf("%s: the model refuses a documented reading:\n%v", what, err)
	}
}

func expectFail(t *testing.T, e model.Expectation, r *client.Response, what string) {
	t.Helper()
	if err := e.Check(r); err == nil {
		t.Errorf("%s: the model accepts a response the docs forbid", what)
	}
}

// GET with no list: every documented reading passes; a list does not.
func TestGetWithoutListAcceptsEveryReading(t *testing.T) {
	e := model.New(identity.User).Plan(model.Step{Role: identity.User, Op: model.Get})
	expectOK(t, e, response(t, 404, notFound), "404 in Wix's shape")
	expectOK(t, e, response(t, 200, `{}`), "200 {}")
	expectOK(t, e, response(t, 200, `{"favoriteList":{}}`), `200 {"favoriteList":{}}`)
	expectFail(t, e, response(t, 200, listJSON("1", favJSON(fav1, myPage))), "200 with a list")
	expectFail(t, e, response(t, 404, ""), "404 without Wix's body")
	expectFail(t, e, response(t, 500, ""), "500")
}

// Deleting the last favorite: the list without favorites, {} and {"favoriteList":{}} all pass,
// and the list is gone afterwards either way.
func TestDeleteLastFavoriteAcceptsEveryReading(t *testing.T) {
	for name, body := range map[string]string{
		"the emptied list":    listJSON("7"),
		"{}":                  `{}`,
		`{"favoriteList":{}}`: `{"favoriteList":{}}`,
	} {
		m := withList(t)
		del := model.Step{Role: identity.User, Op: model.DeleteFavorite, Index: 0}
		e := m.Plan(del)
		r := response(t, 200, listJSON("6", favJSON(fav2, another)))
		expectOK(t, e, r, "delete the first of two")
		m.Commit(e, r)
		e = m.Plan(del)
		expectFail(t, e, response(t, 200, listJSON("7", favJSON(fav2, another))), "the last favorite still listed")
		expectOK(t, e, response(t, 200, body), name)
		m.Commit(e, response(t, 200, body))
		if m.State(identity.User).Exists {
			t.Errorf("%s: the model still has a list after its last favorite went", name)
		}
		read := m.Plan(model.Step{Role: identity.User, Op: model.Get})
		expectFail(t, read, response(t, 200, listJSON("7")), name+": a read still showing the list")
	}
}

// Refusals: any 4xx in Wix's shape where no status is documented; exact statuses where the
// register states them.
func TestRefusalStatuses(t *testing.T) {
	m := withList(t)
	create := m.Plan(model.Step{Role: identity.User, Op: model.Create, Items: []model.Item{{Keep: -1, Fav: myPage}}})
	for _, status := range []int{400, 409, 428} {
		expectOK(t, create, response(t, status, notFound), "create on an existing list refused with "+http.StatusText(status))
	}
	expectFail(t, create, response(t, 200, listJSON("1", favJSON(fav3, myPage))), "create on an existing list accepted")
	expectFail(t, create, response(t, 409, `{"message":"exists"}`), "a refusal without details")

	stale := m.Plan(model.Step{Role: identity.User, Op: model.Update, Fault: model.StaleRevision, RevisionDelta: -1, Items: []model.Item{{Keep: 0}}})
	expectOK(t, stale, response(t, 409, notFound), "stale revision refused with 409")
	expectOK(t, stale, response(t, 400, badRequest), "stale revision refused with 400")
	if !strings.Contains(string(stale.Call.Body), `"revision":"4"`) {
		t.Errorf("a stale update must send the current revision - 1: %s", stale.Call.Body)
	}

	// An unknown favorite: a refusal, or (idempotent) a 200 with the list unchanged [unknown-id-status].
	unknown := m.Plan(model.Step{Role: identity.User, Op: model.DeleteFavorite, Fault: model.UnknownID, Nonce: 7})
	expectOK(t, unknown, response(t, 404, notFound), "unknown favorite: 404")
	expectOK(t, unknown, response(t, 403, notFound), "unknown favorite: 403")
	expectOK(t, unknown, response(t, 200, listJSON("5", favJSON(fav1, myPage), favJSON(fav2, another))), "unknown favorite: 200 with the list unchanged")
	expectFail(t, unknown, response(t, 200, listJSON("6", favJSON(fav1, myPage), favJSON(fav2, another))), "unknown favorite: 200 with the revision moved")
	expectFail(t, unknown, response(t, 200, listJSON("5", favJSON(fav1, myPage))), "unknown favorite: 200 with a favorite gone")
	expectFail(t, unknown, response(t, 500, ""), "unknown favorite: 500")

	noAuth := m.Plan(model.Step{Role: identity.User, Op: model.Get, Fault: model.NoAuth})
	if !noAuth.Call.NoAuth {
		t.Error("a NoAuth step must send no credentials")
	}
	expectOK(t, noAuth, response(t, 401, notFound), "no credentials: 401")
	expectFail(t, noAuth, response(t, 403, notFound), "no credentials: 403")

	malformed := m.Plan(model.Step{Role: identity.User, Op: model.Add, Fault: model.MalformedJSON, Items: []model.Item{{Keep: -1, Fav: myPage}}})
	if json.Valid(malformed.Call.Body) {
		t.Errorf("a MalformedJSON step sent well-formed JSON: %s", malformed.Call.Body)
	}
	expectOK(t, malformed, response(t, 400, badRequest), "malformed JSON: 400")
	expectOK(t, malformed, response(t, 422, badRequest), "malformed JSON: 422 (no status is documented)")
	expectFail(t, malformed, response(t, 500, ""), "malformed JSON: 500")
}

// Add: the new favorite may be anywhere; the others keep their order and ids; revision + 1.
func TestAddAcceptsAnyPosition(t *testing.T) {
	m := withList(t)
	add := m.Plan(model.Step{Role: identity.User, Op: model.Add, Items: []model.Item{{Keep: -1, Fav: myPage}}})
	expectOK(t, add, response(t, 200, listJSON("6", favJSON(fav1, myPage), favJSON(fav2, another), favJSON(fav3, myPage))), "appended")
	expectOK(t, add, response(t, 200, listJSON("6", favJSON(fav3, myPage), favJSON(fav1, myPage), favJSON(fav2, another))), "prepended")
	expectFail(t, add, response(t, 200, listJSON("6", favJSON(fav3, myPage), favJSON(fav2, another), favJSON(fav1, myPage))), "the others reordered")
	expectFail(t, add, response(t, 200, listJSON("7", favJSON(fav1, myPage), favJSON(fav2, another), favJSON(fav3, myPage))), "revision + 2")
	expectFail(t, add, response(t, 200, listJSON("6", favJSON(fav1, myPage), favJSON(fav2, another), favJSON(fav2, myPage))), "the new favorite reuses an id")
	expectFail(t, add, response(t, 200, listJSON("6", favJSON(fav1, myPage), favJSON(fav2, another))), "the favorite dropped")
}

// Update: kept favorites keep their ids; the favorites sent replace the list's, in order.
func TestUpdateKeepsIDsAndReplaces(t *testing.T) {
	m := withList(t)
	retitled := myPage
	retitled.Title = "My Updated Page"
	up := m.Plan(model.Step{Role: identity.User, Op: model.Update, Items: []model.Item{{Keep: 1}, {Keep: 0, Retitle: true, Fav: retitled}}, RevisionAsNumber: true})
	if !strings.Contains(string(up.Call.Body), `"revision":5`) || !strings.Contains(string(up.Call.Body), `"id":"`+fav1+`"`) {
		t.Errorf("the update must send the revision as a number and the kept ids: %s", up.Call.Body)
	}
	expectOK(t, up, response(t, 200, listJSON("6", favJSON(fav2, another), favJSON(fav1, retitled))), "replaced and reordered")
	expectFail(t, up, response(t, 200, listJSON("6", favJSON(fav2, another), favJSON(fav3, retitled))), "a kept favorite under a new id")
	expectFail(t, up, response(t, 200, listJSON("6", favJSON(fav1, retitled), favJSON(fav2, another))), "the order sent not kept")
	expectFail(t, up, response(t, 200, listJSON("6", favJSON(fav2, another), favJSON(fav1, myPage))), "the new title not stored")
}

// A step means the same after earlier steps are removed: positions are taken modulo the list,
// and a kept favorite of an empty list is sent as new.
func TestStepsAreTotal(t *testing.T) {
	m := model.New(identity.User)
	for _, s := range []model.Step{
		{Role: identity.User, Op: model.DeleteFavorite, Index: 9},
		{Role: identity.User, Op: model.Update, Items: []model.Item{{Keep: 3, Fav: myPage}}},
		{Role: identity.User, Op: model.DeleteList, Fault: model.DeletedID},
		{Role: identity.User, Op: model.Update, Fault: model.OthersID},
	} {
		e := m.Plan(s)
		if !e.Refused || e.Status != 0 {
			t.Errorf("%s with no list: want a refusal (any 4xx: no status is documented), got refused=%v status=%d", s, e.Refused, e.Status)
		}
	}
	norm := model.Normalize([]identity.Role{identity.User}, []model.Step{
		{Role: identity.User, Op: model.Create, Items: []model.Item{{Keep: -1, Fav: myPage}}},
		{Role: identity.User, Op: model.Update, Items: []model.Item{{Keep: 4}, {Keep: 7, Fav: another}}},
		{Role: identity.User, Op: model.DeleteFavorite, Index: 5},
	})
	if got := norm[1].String(); got != `user: update the list to [keep #0, new {pageId "81f1ee0a-92b7-42f7-89cb-8b0f96146dcf", title "Another Page", relativeUrl "/route"}]` {
		t.Errorf("normalized update: %s", got)
	}
	if norm[2].Index != 1 {
		t.Errorf("normalized delete-favorite index: %d, want 5 modulo the list's 2 favorites = 1", norm[2].Index)
	}
}

// An update that sends the list's favorites unchanged may be a write (revision + 1) or no write
// (the list as it was) [noop-writes]; anything else fails.
func TestNoopUpdateMayKeepTheRevision(t *testing.T) {
	m := withList(t)
	same := m.Plan(model.Step{Role: identity.User, Op: model.Update, Items: []model.Item{{Keep: 0}, {Keep: 1}}})
	expectOK(t, same, response(t, 200, listJSON("6", favJSON(fav1, myPage), favJSON(fav2, another))), "no-op update as a write")
	expectOK(t, same, response(t, 200, listJSON("5", favJSON(fav1, myPage), favJSON(fav2, another))), "no-op update as no write")
	expectFail(t, same, response(t, 200, listJSON("7", favJSON(fav1, myPage), favJSON(fav2, another))), "no-op update at revision + 2")
	changed := m.Plan(model.Step{Role: identity.User, Op: model.Update, Items: []model.Item{{Keep: 1}, {Keep: 0}}})
	expectFail(t, changed, response(t, 200, listJSON("5", favJSON(fav2, another), favJSON(fav1, myPage))), "a reordering update that keeps the revision")
}

// A step of an operation the model does not know is not planned as another: it sends nothing and
// fails its check.
func TestAnUnknownOperationIsNotPlanned(t *testing.T) {
	m := withList(t)
	e := m.Plan(model.Step{Role: identity.User, Op: model.Op(99)})
	if e.Call.Method != "" {
		t.Fatalf("an unknown operation was planned as %s %s", e.Call.Method, e.Call.Path)
	}
	if err := e.Check(response(t, 200, listJSON("5"))); err == nil || !strings.Contains(err.Error(), "no plan") {
		t.Fatalf("the check of an unplanned step must fail, got %v", err)
	}
}
