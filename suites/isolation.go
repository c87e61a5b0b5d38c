package suites

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

var _ = Describe("Isolation between users", func() {
	It("a second user neither sees nor changes the first user's list: its ids are unknown to it (404) and nothing changes",
		Covers("isolation.per-user", "list.one-per-user", "errors.unknown-id-not-found"),
		func(ctx SpecContext) {
			w := newWorld(ctx)
			me := w.fresh(identity.User)
			other := w.fresh(identity.SecondUser)
			mine := okList(me.CreateList(docsMyPage, docsAnother), "the first user creates a list")
			before := w.stateOf(me)

			w.gone(other, "the first user's create (the second user must not see it)")
			refused(other.UpdateList(mine.ID, mine.Revision, []api.Favorite{docsSample}), http.StatusNotFound, "the second user updates the first user's list")
			refused(other.DeleteFavorite(mine.Favorites[0].ID), http.StatusNotFound, "the second user deletes the first user's favorite")
			refused(other.DeleteList(mine.ID), http.StatusNotFound, "the second user deletes the first user's list")
			w.unchanged(me, before, "the second user's attempts")

			theirs := okList(other.CreateList(docsSample), "the second user creates its own list")
			if theirs.ID == mine.ID {
				Fail("the second user's list must not be the first user's list")
			}
			okList(other.AddFavorite(docsExisting), "the second user adds to its own list")
			w.unchanged(me, before, "the second user's writes to its own list")
		})
})
