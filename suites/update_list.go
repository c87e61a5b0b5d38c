package suites

import (
	"fmt"
	"net/http"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

// patch sends an update with a raw favoriteList body (revision as the caller chooses to encode it).
func patch(k *client.Caller, listID string, favoriteList map[string]any) *client.Response {
	return k.Do(client.Request{Method: http.MethodPatch, Path: api.ListPath + "/" + listID, JSON: map[string]any{"favoriteList": favoriteList}})
}

var _ = Describe("Update User Favorite List", func() {
	It("PATCH replaces the favorites with those sent, keeps the ids sent, and raises the revision by 1",
		Covers("update.replaces-favorites", "update.keeps-favorite-ids", "revision.increments-on-write", "ids.list-stable", "dates.created-fixed", "dates.updated-moves-forward"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			before := okList(me.CreateList(docsMyPage, docsAnother, docsExisting), "create a list of three")
			// The docs' PATCH sample: retitle the first favorite, keep the second, drop the third.
			first := before.Favorites[0]
			first.Title = "My Updated Page"
			want := []api.Favorite{first, before.Favorites[1], {PageID: "new-page", Title: "Brand new"}}
			after := okList(me.UpdateList(before.ID, before.Revision, want), "update")
			wrote(before, after, "update")
			sameFavorites(after.Favorites, want, "update must replace the favorites")
			if after.Favorites[0].ID != first.ID || after.Favorites[1].ID != before.Favorites[1].ID {
				Fail(fmt.Sprintf("update: favorite ids sent must be kept: sent %s, %s; got %v", first.ID, before.Favorites[1].ID, ids(after)))
			}
			serverIDs(after, "update")
			w.unchanged(me, state{exists: true, list: after}, "update (a read must match its response)")

			again := okList(me.UpdateList(after.ID, after.Revision, after.Favorites[:1]), "a second update")
			wrote(after, again, "the second update")
		})

	It("PATCH with a stale revision fails in Wix's error shape and changes nothing",
		Covers("revision.stale-refused", "revision.unchanged-otherwise", "errors.wix-shape"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			l := okList(me.CreateList(docsMyPage), "create a list")
			l = okList(me.AddFavorite(docsAnother), "add a favorite (revision moves on)")
			before := w.stateOf(me)
			refused(me.UpdateList(l.ID, l.Revision-1, nil), 0, "update with the previous revision")
			w.unchanged(me, before, "the refused stale update")
			refused(me.UpdateList(l.ID, l.Revision+5, nil), 0, "update with a future revision")
			w.unchanged(me, before, "the refused future-revision update")
		})

	It("PATCH with a stale revision answers 409 (reading)", Reading("undocumented-statuses"),
		Covers("revision.stale-refused"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			l := okList(me.CreateList(docsMyPage), "create a list")
			refused(me.UpdateList(l.ID, l.Revision+1, nil), http.StatusConflict, "update with a wrong revision")
		})

	It("PATCH without a revision is refused with 400 and changes nothing (reading)", Reading("undocumented-statuses"),
		Covers("update.revision-required"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			l := okList(me.CreateList(docsMyPage), "create a list")
			before := w.stateOf(me)
			refused(patch(me.Invalid(), l.ID, map[string]any{"favorites": []api.Favorite{docsAnother}}), http.StatusBadRequest, "update without a revision")
			w.unchanged(me, before, "the refused update")
		})

	It("PATCH takes the revision as a JSON number (the docs' sample) and as a string (the SDK)",
		Covers("sdk.revision-string-or-number"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			l := okList(me.CreateList(docsMyPage), "create a list")
			l2 := okList(patch(me, l.ID, map[string]any{"revision": int64(l.Revision), "favorites": []api.Favorite{docsAnother}}), "update with revision as a number")
			wrote(l, l2, "update with revision as a number")
			l3 := okList(patch(me, l.ID, map[string]any{"revision": fmt.Sprint(int64(l2.Revision)), "favorites": []api.Favorite{docsMyPage}}), "update with revision as a string")
			wrote(l2, l3, "update with revision as a string")
		})

	It("PATCH takes the list id inside the body too, as the SDK sends it",
		Covers("sdk.patch-body-id"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			l := okList(me.CreateList(docsMyPage), "create a list")
			l2 := okList(patch(me, l.ID, map[string]any{"id": l.ID, "revision": l.Revision, "favorites": []api.Favorite{docsAnother}}), "update with the id in path and body")
			wrote(l, l2, "update with the id in the body")
			sameFavorites(l2.Favorites, []api.Favorite{docsAnother}, "update with the id in the body")
		})

	It("PATCH of an unknown list id answers 404 and leaves the list unchanged",
		Covers("errors.unknown-id-not-found"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			l := okList(me.CreateList(docsMyPage), "create a list")
			before := w.stateOf(me)
			refused(me.UpdateList("00000000-0000-4000-8000-00000000dead", l.Revision, []api.Favorite{docsAnother}), http.StatusNotFound, "update of an unknown list id")
			w.unchanged(me, before, "the update of an unknown list")
		})
})
