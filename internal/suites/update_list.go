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

func describeUpdateList() {
	Describe("Update User Favorite List", func() {
		It("PATCH replaces the favorites with those sent, keeps the ids sent, and raises the revision by 1",
			Covers("update.replaces-favorites", "update.keeps-favorite-ids", "revision.increments-on-write", "ids.list-stable", "dates.created-fixed", "dates.updated-not-earlier"),
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
				stale := me.UpdateList(l.ID, l.Revision-1, nil)
				refused(stale, 0, "update with the previous revision")
				observe("undocumented-statuses", fmt.Sprintf("a stale revision: %d", stale.Status), stale)
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

		It("PATCH with favorites [] empties the list, deletes it, or is refused; a read agrees with the answer",
			Covers("update.replaces-favorites"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage, docsAnother), "create a list")
				w.emptyingUpdate(me, l, patch(me, l.ID, map[string]any{"revision": l.Revision, "favorites": []any{}}), "update with favorites []", "empty-favorites")
			})

		It("PATCH without favorites empties the list, keeps its favorites, or is refused; a read agrees with the answer",
			Covers("update.replaces-favorites"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage, docsAnother), "create a list")
				r := patch(me, l.ID, map[string]any{"revision": l.Revision})
				what := "update without favorites"
				conforms(r, what)
				if r.Status == http.StatusOK && r.List != nil && len(r.List.Favorites) == len(l.Favorites) && len(l.Favorites) > 0 {
					after := okList(r, what)
					sameFavorites(after.Favorites, l.Favorites, what+" (favorites kept)")
					if after.Revision != l.Revision {
						wrote(l, after, what)
					}
					w.unchanged(me, state{exists: true, list: after}, what+" (a read must match its response)")
					observe("patch-without-favorites", "the favorites are kept (the field is left alone)", r)
					return
				}
				w.emptyingUpdate(me, l, r, what, "patch-without-favorites")
			})

		It("PATCH that sends the list's favorites unchanged answers the list at revision +1 (a write) or as it was (no write), with updatedDate to match",
			Covers("revision.increments-on-write", "revision.unchanged-otherwise"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage, docsAnother), "create a list")
				after := okList(me.UpdateList(l.ID, l.Revision, l.Favorites), "an update that changes nothing")
				sameFavorites(after.Favorites, l.Favorites, "an update that changes nothing")
				if after.ID != l.ID || ids(after)[0] != ids(l)[0] || ids(after)[1] != ids(l)[1] {
					Fail(fmt.Sprintf("an update that changes nothing must keep the list and favorite ids: before %+v, after %+v", l, after))
				}
				switch {
				case after.Revision == l.Revision:
					// "Increments automatically by 1 whenever the list is successfully updated": an
					// unchanged list may be taken as not updated; then nothing moves [noop-writes].
					if after.UpdatedDate != l.UpdatedDate {
						Fail(fmt.Sprintf("an update that kept the revision (%d) must leave updatedDate alone too: was %s, now %s", l.Revision, l.UpdatedDate, after.UpdatedDate))
					}
					observe("noop-writes", "an update that changes nothing is no write (revision and updatedDate stay)", nil)
				default:
					wrote(l, after, "an update that changes nothing")
					observe("noop-writes", "an update that changes nothing is a write (revision + 1)", nil)
				}
				w.unchanged(me, state{exists: true, list: after}, "the update (a read must match its response)")
			})

		It("PATCH whose body names another list id than the path is refused, or updates the path's list alone",
			Covers("sdk.patch-body-id"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list")
				before := w.stateOf(me)
				r := patch(me, l.ID, map[string]any{"id": unknownListID, "revision": l.Revision, "favorites": []api.Favorite{docsAnother}})
				what := "update with another list id in the body"
				conforms(r, what)
				if r.Status != http.StatusOK {
					refused(r, 0, what)
					w.unchanged(me, before, "the refused "+what)
					observe("patch-body-id", fmt.Sprintf("refused with %d", r.Status), r)
					return
				}
				after := okList(r, what)
				wrote(l, after, what)
				sameFavorites(after.Favorites, []api.Favorite{docsAnother}, what)
				w.unchanged(me, state{exists: true, list: after}, what+" (a read must match its response)")
				observe("patch-body-id", "the body's id is ignored; the path's list is updated", r)
			})

		DescribeTable("PATCH favorite ids the list never issued are kept or replaced by the server's; a read agrees; ids stay unique GUIDs",
			func(ctx SpecContext, sent func(l api.FavoriteList) []map[string]any, point string) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list")
				before := w.stateOf(me)
				favs := sent(l)
				r := patch(me.Invalid(), l.ID, map[string]any{"revision": l.Revision, "favorites": favs})
				what := fmt.Sprintf("update sending favorite ids %v", sentIDs(favs))
				conforms(r, what)
				if r.Status != http.StatusOK {
					refused(r, 0, what)
					w.unchanged(me, before, "the refused "+what)
					observe(point, fmt.Sprintf("refused with %d", r.Status), r)
					return
				}
				after := okList(r, what)
				wrote(l, after, what)
				if len(after.Favorites) != len(favs) {
					Fail(fmt.Sprintf("%s: the list must hold the %d favorites sent, got %+v", what, len(favs), after.Favorites))
				}
				serverIDs(after, what)
				kept := 0
				for i, f := range favs {
					if after.Favorites[i].PageID != f["pageId"] {
						Fail(fmt.Sprintf("%s: favorite %d must be page %v, got %+v", what, i, f["pageId"], after.Favorites[i]))
					}
					if after.Favorites[i].ID == f["id"] {
						kept++
					}
				}
				w.unchanged(me, state{exists: true, list: after}, what+" (a read must match its response)")
				if kept > 0 {
					observe(point, "kept where it could be", r)
				} else {
					observe(point, "replaced by the server's ids", r)
				}
			},
			Entry("a GUID the list never held", Covers("update.keeps-favorite-ids", "ids.favorite-server-generated"), func(api.FavoriteList) []map[string]any {
				return []map[string]any{{"id": "00000000-0000-4000-8000-0000000000f1", "pageId": "p-foreign", "title": "Foreign id"}}
			}, "patch-favorite-ids"),
			Entry("an id that is not a GUID", Covers("ids.favorite-server-generated"), func(api.FavoriteList) []map[string]any {
				return []map[string]any{{"id": "not-a-guid", "pageId": "p-bad-id", "title": "Bad id"}}
			}, "patch-favorite-ids"),
			Entry("one id sent twice", Covers("ids.favorite-server-generated"), func(l api.FavoriteList) []map[string]any {
				id := l.Favorites[0].ID
				return []map[string]any{{"id": id, "pageId": "p-twice-1", "title": "Twice 1"}, {"id": id, "pageId": "p-twice-2", "title": "Twice 2"}}
			}, "patch-favorite-ids"),
		)
	})
}

func sentIDs(favs []map[string]any) []any {
	out := make([]any, len(favs))
	for i, f := range favs {
		out[i] = f["id"]
	}
	return out
}

// emptyingUpdate judges an update that leaves the list with no favorites: the list is emptied (it
// stays, at revision + 1), deleted (as deleting the last favorite does), or the update is refused
// and changes nothing. A read must agree with the answer. point is the discrepancy observed.
func (w *world) emptyingUpdate(k *client.Caller, l api.FavoriteList, r *client.Response, what, point string) {
	GinkgoHelper()
	conforms(r, what)
	if r.Status != http.StatusOK {
		refused(r, 0, what)
		w.unchanged(k, state{exists: true, list: l}, "the refused "+what)
		observe(point, fmt.Sprintf("refused with %d", r.Status), r)
		return
	}
	ok(r, what)
	now := w.stateOf(k)
	switch {
	case !now.exists:
		if r.List != nil && len(r.List.Favorites) > 0 {
			Fail(fmt.Sprintf("%s: the list is gone but the answer shows favorites: %s", what, r.Describe()))
		}
		observe(point, "the list is deleted", r)
	default:
		if r.List == nil || r.List.ID == "" {
			Fail(fmt.Sprintf("%s: answered without a list, but a read shows %s", what, now))
		}
		after := *r.List
		wrote(l, after, what)
		if len(after.Favorites) != 0 {
			Fail(fmt.Sprintf("%s: the list must hold no favorites, got %+v", what, after.Favorites))
		}
		w.unchanged(k, state{exists: true, list: after}, what+" (a read must match its response)")
		observe(point, "the list stays, without favorites", r)
	}
}
