package suites

import (
	"fmt"
	"net/http"
	"net/url"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

var _ = Describe("Delete User Favorite List", func() {
	It("DELETE answers an empty object and the list is gone; a new list can then be created",
		Covers("delete-list.returns-empty-object", "delete-list.removes-list", "list.one-per-user"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			l := okList(me.CreateList(docsMyPage, docsAnother), "create a list")
			r := ok(me.DeleteList(l.ID), "delete the list")
			if string(compactJSON(r.Body)) != "{}" {
				Fail(fmt.Sprintf("delete list: expected the empty object {}, got %s", r.Body))
			}
			w.gone(me, "deleting the list")
			okList(me.CreateList(docsAnother), "create a list after deleting the old one")
		})

	It("DELETE with the list id repeated as the favoriteListId query parameter (as the SDK sends it) deletes the list",
		Covers("sdk.repeated-query-ids"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			l := okList(me.CreateList(docsMyPage), "create a list")
			ok(me.Do(client.Request{Method: http.MethodDelete, Path: api.ListPath + "/" + l.ID, Query: url.Values{"favoriteListId": {l.ID}}}), "delete the list the SDK's way")
			w.gone(me, "deleting the list the SDK's way")
		})

	It("DELETE of an unknown list id answers 404 and leaves the list unchanged",
		Covers("errors.unknown-id-not-found"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			okList(me.CreateList(docsMyPage), "create a list")
			before := w.stateOf(me)
			refused(me.DeleteList("00000000-0000-4000-8000-00000000dead"), http.StatusNotFound, "delete an unknown list id")
			w.unchanged(me, before, "deleting an unknown list id")
		})
})
