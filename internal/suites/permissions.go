package suites

import (
	"fmt"
	"net/http"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

// The role matrix of dashboard-api.txt's permission model: every role against each of the six
// endpoints. Calls without valid credentials (401) are bad_requests.go's.
func describePermissions() {
	Describe("Permissions", func() {
		DescribeTable("a caller holding Manage Dashboard gets the documented success from each of the six endpoints, on its own list",
			func(ctx SpecContext, role identity.Role) {
				w := newWorld(ctx)
				k := w.fresh(role)
				what := func(s string) string { return fmt.Sprintf("%s as %s", s, role) }

				created := okList(k.CreateList(docsMyPage, docsAnother), what("create"))
				sameFavorites(created.Favorites, []api.Favorite{docsMyPage, docsAnother}, what("create"))
				w.unchanged(k, state{exists: true, list: created}, what("create (GET must show the created list)"))

				updated := okList(k.UpdateList(created.ID, created.Revision, []api.Favorite{docsSample}), what("update"))
				wrote(created, updated, what("update"))
				sameFavorites(updated.Favorites, []api.Favorite{docsSample}, what("update"))

				withAdded := okList(k.AddFavorite(docsExisting), what("add"))
				wrote(updated, withAdded, what("add"))
				fresh := added(updated, withAdded, what("add"))
				sameFavorites([]api.Favorite{fresh}, []api.Favorite{docsExisting}, what("add"))
				sameFavorites(others(withAdded, fresh.ID), updated.Favorites, what("add"))

				removed := okList(k.DeleteFavorite(updated.Favorites[0].ID), what("delete favorite"))
				wrote(withAdded, removed, what("delete favorite"))
				sameFavorites(removed.Favorites, []api.Favorite{docsExisting}, what("delete favorite"))
				w.unchanged(k, state{exists: true, list: removed}, what("the writes (GET must show the last write's list)"))

				r := ok(k.DeleteList(removed.ID), what("delete list"))
				emptyObject(r, what("delete list"))
				w.gone(k, what("delete list"))
			},
			Entry("a user holding it", Covers("auth.permission-required"), identity.User),
			Entry("a second user holding it", Covers("auth.permission-required"), Needs(identity.SecondUser), identity.SecondUser),
			// The harness cannot see which user an app acts for; what it checks is that the app's
			// writes and reads form one list, as its user's list would (discrepancy register:
			// app-acts-for-user).
			Entry("an app granted it, acting for a user who holds it: it works on that user's list",
				Covers("auth.permission-required", "auth.app-acts-for-user"), Needs(identity.App), identity.App),
		)

		DescribeTable("a caller lacking Manage Dashboard is refused with 403 in Wix's error shape by each of the six endpoints, and nothing changes",
			func(ctx SpecContext, role identity.Role) {
				w := newWorld(ctx)
				owner := w.fresh(identity.User)
				denied := w.as(role)
				mine := okList(owner.CreateList(docsMyPage, docsAnother), "the permitted user creates a list")
				before := w.stateOf(owner)

				// The writes target the permitted user's list (its ids) or the denied caller's own;
				// whatever a nonconforming server lets through is undone after the spec.
				var created, added *client.Response
				DeferCleanup(func(ctx SpecContext) { undoDenied(denied.WithContext(ctx), created, added) })
				calls := []struct {
					what string
					call func() *client.Response
				}{
					{"GET", denied.GetList},
					{"create", func() *client.Response { created = denied.CreateList(docsSample); return created }},
					{"add", func() *client.Response { added = denied.AddFavorite(docsSample); return added }},
					{"update of the permitted user's list", func() *client.Response {
						return denied.UpdateList(mine.ID, mine.Revision, []api.Favorite{docsSample})
					}},
					{"delete favorite of the permitted user's list", func() *client.Response { return denied.DeleteFavorite(mine.Favorites[0].ID) }},
					{"delete of the permitted user's list", func() *client.Response { return denied.DeleteList(mine.ID) }},
				}
				for i, c := range calls {
					what := fmt.Sprintf("%s as %s", c.what, role)
					r := c.call()
					if i < 3 {
						refused(r, http.StatusForbidden, what)
						continue
					}
					// Two faults at once: no permission, and an id the caller's list does not hold. No
					// order is documented: any refusal that changes nothing follows the docs
					// [error-precedence]; the strict profile checks 403.
					refused(r, 0, what)
					observe("error-precedence", fmt.Sprintf("a caller without the permission naming another user's id: %d", r.Status), r)
				}
				w.unchanged(owner, before, fmt.Sprintf("the refused calls of %s", role))
			},
			Entry("a user without it", Covers("auth.permission-required", "errors.wix-shape"), Needs(identity.UserWithoutPermission), identity.UserWithoutPermission),
			Entry("an app not granted it, acting for a user who holds it", Covers("auth.permission-required"), Needs(identity.AppNotGranted), identity.AppNotGranted),
			Entry("an app granted it, acting for a user who lacks it", Covers("auth.app-needs-user-permission"), Needs(identity.AppForUserWithoutPermission), identity.AppForUserWithoutPermission),
		)

		It("a caller lacking Manage Dashboard that names another user's ids is refused with 403 before the ids are looked up (reading)", Reading("error-precedence"), Needs(identity.UserWithoutPermission),
			Covers("auth.permission-required"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				owner := w.fresh(identity.User)
				denied := w.as(identity.UserWithoutPermission)
				mine := okList(owner.CreateList(docsMyPage, docsAnother), "the permitted user creates a list")
				refused(denied.UpdateList(mine.ID, mine.Revision, []api.Favorite{docsSample}), http.StatusForbidden, "update of the permitted user's list")
				refused(denied.DeleteFavorite(mine.Favorites[0].ID), http.StatusForbidden, "delete favorite of the permitted user's list")
				refused(denied.DeleteList(mine.ID), http.StatusForbidden, "delete of the permitted user's list")
			})
	})
}

// undoDenied removes what a create or an add wrongly allowed to a denied caller left behind: the
// list the call created, or the favorite it added.
func undoDenied(k *client.Caller, created, added *client.Response) {
	switch {
	case created != nil && created.OK() && created.List != nil && created.List.ID != "":
		k.DeleteList(created.List.ID)
	case added != nil && added.OK() && added.List != nil && added.List.ID != "":
		l := added.List
		if len(l.Favorites) == 1 {
			k.DeleteList(l.ID) // the add created the list (a denied caller has none of its own to keep)
			return
		}
		for i := len(l.Favorites) - 1; i >= 0; i-- {
			if f := l.Favorites[i]; f.PageID == docsSample.PageID && f.Title == docsSample.Title {
				k.DeleteFavorite(f.ID)
				return
			}
		}
	}
}
