package suites

import (
	"fmt"
	"slices"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

func describeAddFavorite() {
	Describe("Add User Favorite", func() {
		It("add for a user with no list creates a list holding the favorite",
			Covers("add.creates-list-when-missing", "ids.favorite-server-generated"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.AddFavorite(docsSample), "add a favorite with no list")
				sameFavorites(l.Favorites, []api.Favorite{docsSample}, "the new list")
				serverIDs(l, "the new list")
				datesSane(l, "the new list")
				w.unchanged(me, state{exists: true, list: l}, "add (a read must show the new list)")
			})

		It("add stores the favorite under a new id, keeps the others in their order, and raises the revision by 1; a pageId already listed may be added again",
			Covers("add.appends-favorite", "favorites.duplicate-pageids-allowed", "revision.increments-on-write"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				before := okList(me.CreateList(docsExisting), "create a list")
				// The docs' add sample adds a page already in the list under a new title.
				dup := api.Favorite{PageID: docsExisting.PageID, Title: "New Favorite Page"}
				after := okList(me.AddFavorite(dup), "add a favorite for a page already listed")
				wrote(before, after, "add")
				fresh := added(before, after, "add")
				sameFavorites([]api.Favorite{fresh}, []api.Favorite{dup}, "the added favorite")
				sameFavorites(others(after, fresh.ID), before.Favorites, "the favorites the list held")
				serverIDs(after, "add")
				w.unchanged(me, state{exists: true, list: after}, "add (a read must match its response)")
				if after.Favorites[len(after.Favorites)-1].ID == fresh.ID {
					observe("add-position", "last", nil)
				} else {
					observe("add-position", fmt.Sprintf("at position %d of %d", slices.IndexFunc(after.Favorites, func(f api.Favorite) bool { return f.ID == fresh.ID })+1, len(after.Favorites)), nil)
				}
			})

		It("add puts the new favorite last, as every sample of the docs shows (reading)", Reading("add-position"),
			Covers("add.appends-favorite"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				before := okList(me.CreateList(docsExisting, docsMyPage), "create a list of two")
				after := okList(me.AddFavorite(docsSample), "add a favorite")
				fresh := added(before, after, "add")
				if after.Favorites[len(after.Favorites)-1].ID != fresh.ID {
					Fail(fmt.Sprintf("add: the new favorite %s must be last, got the order %v", fresh.ID, ids(after)))
				}
			})

		It("a 101st favorite is refused and changes nothing, by add and by update",
			Covers("favorites.max-100", "errors.bad-request"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				full := okList(me.CreateList(favorites(100)...), "create a list of 100 favorites")
				before := w.stateOf(me)
				refused(me.Invalid().AddFavorite(docsSample), 0, "add a 101st favorite")
				w.unchanged(me, before, "the refused 101st add")
				refused(me.Invalid().UpdateList(full.ID, full.Revision, favorites(101)), 0, "update with 101 favorites")
				w.unchanged(me, before, "the refused update with 101 favorites")
			})
	})
}
