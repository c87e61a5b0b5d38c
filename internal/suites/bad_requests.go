package suites

import (
	"fmt"
	"net/http"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/target"
)

// badBody is a malformed or ill-typed request, sent where it is its only fault: create with no
// list (a create while the user has a list has two faults), update and add to the user's list.
type badBody struct {
	method, path, body string
}

// badBodies are the malformed and ill-typed requests, with the requirements each covers.
var badBodies = []struct {
	name   string
	covers Labels
	b      badBody
}{
	{"add: malformed JSON", Covers("errors.bad-request", "errors.wix-shape"), badBody{http.MethodPost, api.AddFavoritePath, `{"favorite": {"pageId": "p", "title": `}},
	{"add: title is a number", Covers("errors.bad-request"), badBody{http.MethodPost, api.AddFavoritePath, `{"favorite": {"pageId": "p", "title": 42}}`}},
	{"add: no pageId", Covers("errors.bad-request"), badBody{http.MethodPost, api.AddFavoritePath, `{"favorite": {"title": "No page"}}`}},
	{"add: no favorite", Covers("errors.bad-request"), badBody{http.MethodPost, api.AddFavoritePath, `{}`}},
	{"add: body is an array", Covers("errors.bad-request"), badBody{http.MethodPost, api.AddFavoritePath, `[{"pageId": "p", "title": "t"}]`}},
	{"update: malformed JSON", Covers("errors.bad-request"), badBody{http.MethodPatch, "{list}", `{"favoriteList": `}},
	{"update: favorites is an object", Covers("errors.bad-request"), badBody{http.MethodPatch, "{list}", `{"favoriteList": {"revision": "1", "favorites": {"pageId": "p"}}}`}},
	{"update: revision is not a number", Covers("errors.bad-request"), badBody{http.MethodPatch, "{list}", `{"favoriteList": {"revision": "one", "favorites": []}}`}},
	{"create: malformed JSON", Covers("errors.bad-request"), badBody{http.MethodPost, api.ListPath, `not json`}},
}

// badBodyEntries are badBodies as table entries, each with extra decorations.
func badBodyEntries(suffix string, decorations ...any) []TableEntry {
	out := make([]TableEntry, len(badBodies))
	for i, c := range badBodies {
		out[i] = Entry(c.name+suffix, append(append([]any{c.covers}, decorations...), c.b)...)
	}
	return out
}

// sendBad sends b as the user: for create with no list, else to the user's list. It returns the
// answer and the state before.
func (w *world) sendBad(me *client.Caller, b badBody) (*client.Response, state) {
	GinkgoHelper()
	path := b.path
	if b.method != http.MethodPost || path != api.ListPath {
		l := okList(me.CreateList(docsMyPage), "create a list")
		if path == "{list}" {
			path = api.ListPath + "/" + l.ID
		}
	}
	before := w.stateOf(me)
	return me.Do(client.Request{Method: b.method, Path: path, Body: []byte(b.body), InvalidOnPurpose: true}), before
}

func describeBadRequests() {
	Describe("Bad requests", func() {
		DescribeTable("a malformed or ill-typed body is refused with a 4xx in Wix's error shape and changes nothing",
			func(ctx SpecContext, b badBody) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				r, before := w.sendBad(me, b)
				refused(r, 0, b.method+" with body "+b.body)
				w.unchanged(me, before, "the refused request")
			},
			badBodyEntries(""),
		)

		DescribeTable("a malformed or ill-typed body is refused with 400, Wix's status for an invalid argument (reading)",
			func(ctx SpecContext, b badBody) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				r, _ := w.sendBad(me, b)
				refused(r, http.StatusBadRequest, b.method+" with body "+b.body)
			},
			append([]TableEntry{Entry("add: no title", Reading("title-required"), Covers("errors.bad-request"), badBody{http.MethodPost, api.AddFavoritePath, `{"favorite": {"pageId": "p"}}`})},
				badBodyEntries(" (reading)", Reading("undocumented-statuses"))...),
		)

		It("a malformed create while the user has a list is refused, whichever fault the server names first, and changes nothing",
			Covers("errors.bad-request", "create.fails-when-list-exists"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				okList(me.CreateList(docsMyPage), "create a list")
				before := w.stateOf(me)
				r := me.Do(client.Request{Method: http.MethodPost, Path: api.ListPath, Body: []byte(`not json`), InvalidOnPurpose: true})
				refused(r, 0, "a malformed create while the list exists")
				observe("error-precedence", fmt.Sprintf("a malformed create while a list exists: %d", r.Status), r)
				w.unchanged(me, before, "the refused create")
			})

		It("a request sent with a Content-Type other than JSON is refused, or read as JSON; either way a read agrees",
			Covers("errors.bad-request"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list")
				r := me.Do(client.Request{Method: http.MethodPost, Path: api.AddFavoritePath, JSON: api.FavoriteEnvelope{Favorite: &docsAnother}, ContentType: "text/plain", InvalidOnPurpose: true})
				what := "add with Content-Type text/plain"
				conforms(r, what)
				if r.Status != http.StatusOK {
					refused(r, 0, what)
					w.unchanged(me, state{exists: true, list: l}, "the refused "+what)
					observe("content-type", fmt.Sprintf("refused with %d", r.Status), r)
					return
				}
				after := okList(r, what)
				wrote(l, after, what)
				sameFavorites([]api.Favorite{added(l, after, what)}, []api.Favorite{docsAnother}, what)
				w.unchanged(me, state{exists: true, list: after}, what+" (a read must match its response)")
				observe("content-type", "read as JSON", r)
			})

		It("a method a path does not serve is refused in Wix's error shape and changes nothing",
			Covers("errors.wix-shape"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list")
				before := w.stateOf(me)
				for _, c := range []struct{ method, path string }{{http.MethodPut, api.ListPath + "/" + l.ID}, {http.MethodGet, api.AddFavoritePath}, {http.MethodPatch, api.ListPath}} {
					r := me.Do(client.Request{Method: c.method, Path: c.path, InvalidOnPurpose: true})
					what := c.method + " " + c.path
					if r.Err != nil {
						Fail(fmt.Sprintf("%s: no response: %v", what, r.Err))
					}
					if r.Status < 400 || r.Status > 499 {
						Fail(fmt.Sprintf("%s: a method the API does not serve there must be refused with a 4xx, got %d\n%s", what, r.Status, r.Describe()))
					}
					wixShaped(r, what)
					observe("wrong-method", fmt.Sprintf("refused with %d", r.Status), r)
				}
				w.unchanged(me, before, "the refused calls")
			})

		DescribeTable("a call without valid credentials is refused with 401 in Wix's error shape and changes nothing",
			func(ctx SpecContext, headers target.Headers) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list")
				before := w.stateOf(me)
				var who *client.Caller
				if headers == nil {
					who = w.client.Anonymous()
				} else {
					who = w.client.WithHeaders("garbage-token", headers)
				}
				calls := []struct {
					what string
					r    func() *client.Response
				}{
					{"GET", who.GetList},
					{"create", func() *client.Response { return who.CreateList(docsAnother) }},
					{"update", func() *client.Response { return who.UpdateList(l.ID, l.Revision, nil) }},
					{"add", func() *client.Response { return who.AddFavorite(docsAnother) }},
					{"delete favorite", func() *client.Response { return who.DeleteFavorite(l.Favorites[0].ID) }},
					{"delete list", func() *client.Response { return who.DeleteList(l.ID) }},
				}
				for _, c := range calls {
					r := c.r()
					refused(r, http.StatusUnauthorized, c.what+" without valid credentials")
				}
				w.unchanged(me, before, "the refused unauthenticated calls")
			},
			Entry("no Authorization header", Covers("auth.required", "errors.wix-shape"), nil),
			Entry("a garbage token", Covers("auth.required"), target.Headers{"Authorization": "garbage-not-a-token"}),
		)
	})
}
