package suites

import (
	"net/http"
	"net/url"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

var _ = Describe("Delete User Favorite", func() {
	It("deleting the last favorite deletes the list; a create then succeeds",
		Covers("delete-favorite.last-deletes-list", "list.one-per-user"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			l := okList(me.CreateList(docsMyPage), "create a list of one")
			r := me.DeleteFavorite(l.Favorites[0].ID)
			ok(r, "delete the only favorite")
			w.gone(me, "deleting the last favorite")
			okList(me.CreateList(docsAnother), "create a list after the last favorite went")
		})

	It("DELETE with the favorite id repeated as the favoriteId query parameter (as the SDK sends it) deletes the favorite",
		Covers("sdk.repeated-query-ids", "delete-favorite.removes"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			l := okList(me.CreateList(docsMyPage, docsAnother), "create a list of two")
			id := l.Favorites[0].ID
			after := okList(me.Do(client.Request{Method: http.MethodDelete, Path: api.DeleteFavoritePathPrefix + id, Query: url.Values{"favoriteId": {id}}}), "delete a favorite the SDK's way")
			wrote(l, after, "delete favorite")
			sameFavorites(after.Favorites, []api.Favorite{docsAnother}, "delete favorite")
		})

	It("DELETE of an unknown favorite answers 404 and leaves the list unchanged",
		Covers("errors.unknown-id-not-found"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			okList(me.CreateList(docsMyPage), "create a list")
			before := w.stateOf(me)
			refused(me.DeleteFavorite("00000000-0000-4000-8000-00000000beef"), http.StatusNotFound, "delete an unknown favorite")
			w.unchanged(me, before, "deleting an unknown favorite")
		})
})
