package suites

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

var _ = Describe("Add User Favorite", func() {
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

	It("add appends the favorite, keeps the others, and raises the revision by 1; a pageId already listed may be added again",
		Covers("add.appends-favorite", "favorites.duplicate-pageids-allowed", "revision.increments-on-write"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			before := okList(me.CreateList(docsExisting), "create a list")
			// The docs' add sample adds a page already in the list under a new title.
			dup := api.Favorite{PageID: docsExisting.PageID, Title: "New Favorite Page"}
			after := okList(me.AddFavorite(dup), "add a favorite for a page already listed")
			wrote(before, after, "add")
			fresh := newFavorites(before, after)
			sameFavorites(fresh, []api.Favorite{dup}, "the added favorite")
			if len(after.Favorites) != 2 {
				Fail(fmt.Sprintf("add: expected 2 favorites, got %d", len(after.Favorites)))
			}
			serverIDs(after, "add")
			w.unchanged(me, state{exists: true, list: after}, "add (a read must match its response)")
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
