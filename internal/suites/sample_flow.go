package suites

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

func describeSampleFlow() {
	Describe("The docs' sample flow: quick access to a nested dashboard page", func() {
		It("adds a favorite with pageId, relativeUrl and a custom title under a new GUID, raising the revision by 1; deleting it removes it and raises the revision by 1 again",
			Covers("add.appends-favorite", "delete-favorite.removes", "revision.increments-on-write", "ids.favorite-server-generated", "field.values-kept-exactly", "schema.responses-match-spec", "status.success-is-200"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				start := okList(me.CreateList(docsExisting), "create a list holding the docs' existing favorite")

				added := okList(me.AddFavorite(docsSample), "add the docs' sample favorite (step 2)")
				wrote(start, added, "add favorite")
				serverIDs(added, "add favorite")
				fresh := newFavorites(start, added)
				if len(fresh) != 1 {
					Fail("add favorite: expected exactly one favorite with a new id in the returned list")
				}
				sameFavorites(fresh, []api.Favorite{docsSample}, "the added favorite")
				sameFavorites(w.stateOf(me).list.Favorites, added.Favorites, "a read after add")

				removed := okList(me.DeleteFavorite(fresh[0].ID), "delete the added favorite by its id (step 3)")
				wrote(added, removed, "delete favorite")
				sameFavorites(removed.Favorites, start.Favorites, "the list after deleting the added favorite")
				w.unchanged(me, state{exists: true, list: removed}, "deleting the favorite (the read must match the response)")
			})
	})
}
