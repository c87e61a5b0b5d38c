package suites

import (
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

var _ = Describe("Create User Favorite List", func() {
	It("POST creates the list with the favorites sent, each under a new GUID, and answers 200",
		Covers("create.creates-list", "ids.list-server-generated", "ids.favorite-server-generated", "status.success-is-200", "schema.responses-match-spec"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			l := okList(me.CreateList(docsMyPage, docsAnother), "create a list of two favorites (the docs' sample)")
			if !guid.MatchString(l.ID) {
				Fail(fmt.Sprintf("create: the list id %q must be a GUID", l.ID))
			}
			sameFavorites(l.Favorites, []api.Favorite{docsMyPage, docsAnother}, "create")
			serverIDs(l, "create")
			datesSane(l, "create")
			if l.Revision < 1 {
				Fail(fmt.Sprintf("create: revision must be positive, got %d", l.Revision))
			}
		})

	It("POST when the user already has a list fails in Wix's error shape and changes nothing",
		Covers("create.fails-when-list-exists", "list.one-per-user", "revision.unchanged-otherwise", "errors.wix-shape"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			okList(me.CreateList(docsMyPage), "create the first list")
			before := w.stateOf(me)
			refused(me.CreateList(docsAnother), 0, "create a second list")
			w.unchanged(me, before, "the refused second create")
		})

	It("POST when the user already has a list answers 409 ALREADY_EXISTS (reading)", Reading("undocumented-statuses"),
		Covers("create.fails-when-list-exists"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			okList(me.CreateList(docsMyPage), "create the first list")
			r := me.CreateList(docsAnother)
			refused(r, http.StatusConflict, "create a second list")
			if e := r.Error.Details.ApplicationError; e == nil || e.Code != api.CodeAlreadyExists {
				Fail("create a second list: expected applicationError.code ALREADY_EXISTS\n" + r.Describe())
			}
		})

	It("read-only fields a client sends with create (id, revision, dates, favorite ids) are never applied",
		Covers("readonly.not-overridden"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			sentID, sentFav := "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
			body := map[string]any{"favoriteList": map[string]any{
				"id": sentID, "revision": "77", "createdDate": "2001-01-01T00:00:00.000Z", "updatedDate": "2001-01-01T00:00:00.000Z",
				"favorites": []map[string]any{{"id": sentFav, "pageId": "p", "title": "T"}},
			}}
			r := me.Do(client.Request{Method: http.MethodPost, Path: api.ListPath, JSON: body, InvalidOnPurpose: true})
			conforms(r, "create with read-only fields")
			if r.Status != http.StatusOK {
				// Refusing read-only input is one allowed reading; then nothing may exist.
				refused(r, 0, "create with read-only fields")
				w.gone(me, "a refused create")
				return
			}
			l := okList(r, "create with read-only fields")
			if l.ID == sentID || l.Revision == 77 || l.CreatedDate == "2001-01-01T00:00:00.000Z" || l.UpdatedDate == "2001-01-01T00:00:00.000Z" || (len(l.Favorites) > 0 && l.Favorites[0].ID == sentFav) {
				Fail(fmt.Sprintf("create: the server applied read-only values the client sent: %+v", l))
			}
			if d := parseDate(l.CreatedDate, "createdDate", "create"); d.Before(time.Now().Add(-24 * time.Hour)) {
				Fail("create: createdDate " + l.CreatedDate + " is not the creation time")
			}
		})
})
