package suites

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

func describeIsolation() {
	Describe("Isolation between users", func() {
		It("a second user neither sees nor changes the first user's list: its calls naming the first user's ids change nothing",
			Covers("isolation.per-user", "list.one-per-user", "errors.unknown-id-changes-nothing"), Needs(identity.SecondUser),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				other := w.fresh(identity.SecondUser)
				mine := okList(me.CreateList(docsMyPage, docsAnother), "the first user creates a list")
				before := w.stateOf(me)

				w.gone(other, "the first user's create (the second user must not see it)")
				first, second := watched{me, before}, watched{other, state{}}
				w.unknownID(other.UpdateList(mine.ID, mine.Revision, []api.Favorite{docsSample}), false, "the second user updates the first user's list", first, second)
				w.unknownID(other.DeleteFavorite(mine.Favorites[0].ID), true, "the second user deletes the first user's favorite", second, first)
				w.unknownID(other.DeleteList(mine.ID), false, "the second user deletes the first user's list", first, second)

				theirs := okList(other.CreateList(docsSample), "the second user creates its own list")
				if theirs.ID == mine.ID {
					Fail("the second user's list must not be the first user's list")
				}
				okList(other.AddFavorite(docsExisting), "the second user adds to its own list")
				w.unchanged(me, before, "the second user's writes to its own list")
			})

		It("a second user's calls naming the first user's ids answer 404 NOT_FOUND (reading)", Reading("unknown-id-status"), Needs(identity.SecondUser),
			Covers("isolation.per-user"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				other := w.fresh(identity.SecondUser)
				mine := okList(me.CreateList(docsMyPage, docsAnother), "the first user creates a list")
				notFound(other.UpdateList(mine.ID, mine.Revision, []api.Favorite{docsSample}), "the second user updates the first user's list")
				notFound(other.DeleteFavorite(mine.Favorites[0].ID), "the second user deletes the first user's favorite")
				notFound(other.DeleteList(mine.ID), "the second user deletes the first user's list")
			})
	})
}
