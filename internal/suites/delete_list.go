package suites

import (
	"net/http"
	"net/url"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

func describeDeleteList() {
	Describe("Delete User Favorite List", func() {
		It("DELETE answers an empty object and the list is gone; a new list can then be created",
			Covers("delete-list.returns-empty-object", "delete-list.removes-list", "list.one-per-user"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage, docsAnother), "create a list")
				r := ok(me.DeleteList(l.ID), "delete the list")
				emptyObject(r, "delete list")
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

	})
}
