package suites

import (
	"net/http"
	"net/url"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

func describeDeleteFavorite() {
	Describe("Delete User Favorite", func() {
		It("deleting the last favorite deletes the list; a create then succeeds",
			Covers("delete-favorite.last-deletes-list", "list.one-per-user"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list of one")
				r := me.DeleteFavorite(l.Favorites[0].ID)
				ok(r, "delete the only favorite")
				w.gone(me, "deleting the last favorite")
				if r.List != nil && r.List.ID != "" {
					observe("delete-last-favorite", "200 with the emptied list", r)
				} else {
					observe("delete-last-favorite", "200 "+string(compactJSON(r.Body)), r)
				}
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

	})
}
