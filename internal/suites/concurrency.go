package suites

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

// Concurrency labels the specs that send many requests at once (select them with
// --label-filter concurrency, or leave them out with '!concurrency').
const Concurrency = "concurrency"

// The number of clients the concurrency specs race: Config.Clients, else DefaultClients. At
// most MaxClients, so that one favorite per client and the list's first one fit in a list
// (favorites has maxItems 100).
const (
	DefaultClients = 16
	MinClients     = 2
	MaxClients     = 99
)

// CheckClients says why n cannot be the number of concurrent clients, or returns nil.
func CheckClients(n int) error {
	if n < MinClients || n > MaxClients {
		return fmt.Errorf("the number of concurrent clients must be from %d to %d (one favorite per client must fit in a list of at most 100), got %d", MinClients, MaxClients, n)
	}
	return nil
}

// clients is the number of clients this run races (Register checked it).
func clients() int { return configured().Clients }

// together runs f(0) … f(n-1) in n goroutines released at the same moment, and waits for all.
// f records what it got; the spec judges afterwards, on its own goroutine.
func together(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			defer GinkgoRecover()
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

// racer is the favorite the i-th client of a race sends; its pageId names the race and the client.
func racer(race string, i int) api.Favorite {
	return api.Favorite{PageID: fmt.Sprintf("racer-%s-%02d", race, i), Title: fmt.Sprintf("Racer %d", i), RelativeURL: fmt.Sprintf("/race/%s/%d", race, i)}
}

// statuses summarises the statuses of a race, e.g. "200×1, 409×15".
func statuses(rs []*client.Response) string {
	count := map[string]int{}
	for _, r := range rs {
		k := strconv.Itoa(r.Status)
		if r.Err != nil {
			k = "no response"
		}
		count[k]++
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(count)) {
		parts = append(parts, fmt.Sprintf("%s×%d", k, count[k]))
	}
	return strings.Join(parts, ", ")
}

// rateLimited reports whether any call of a race was answered 429 (facts.md: "429 resource
// exhausted"): a real target may turn a burst away before applying any of it.
func rateLimited(rs []*client.Response) bool {
	return slices.ContainsFunc(rs, func(r *client.Response) bool { return r.Err == nil && r.Status == http.StatusTooManyRequests })
}

// indexOfPage is the index of the favorite with pageID in favs, or -1; it fails the spec when the
// page appears more than once.
func indexOfPage(favs []api.Favorite, pageID, what string) int {
	GinkgoHelper()
	at := -1
	for i, f := range favs {
		if f.PageID == pageID {
			if at >= 0 {
				Fail(fmt.Sprintf("%s: the favorite of page %s appears twice (ids %s and %s); it was added once", what, pageID, favs[at].ID, f.ID))
			}
			at = i
		}
	}
	return at
}

func describeConcurrency() {
	Describe("Concurrent clients", Label(Concurrency), func() {
		It("updates sent at once with the current revision: exactly one wins, the others are refused as conflicts, and the list holds the winner's favorites",
			Covers("concurrency.one-winner-per-revision"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				n := clients()
				base := okList(me.CreateList(docsMyPage), "create a list")
				res := make([]*client.Response, n)
				together(n, func(i int) {
					res[i] = me.UpdateList(base.ID, base.Revision, []api.Favorite{racer("update", i)})
				})
				var winners []int
				for i, r := range res {
					conforms(r, fmt.Sprintf("update %d of %d", i+1, n))
					if r.Status == http.StatusOK {
						winners = append(winners, i+1)
					}
				}
				switch {
				case len(winners) == 0 && rateLimited(res):
					Skip(fmt.Sprintf("the target rate-limited the race (%s): with no update applied there is nothing to judge; run with fewer --clients", statuses(res)))
				case len(winners) == 0:
					Fail(fmt.Sprintf("none of %d updates sent at once with the current revision %d succeeded (%s); the first to be applied carried the current revision and must win",
						n, base.Revision, statuses(res)))
				case len(winners) > 1:
					Fail(fmt.Sprintf("%d updates sent at once with revision %d: %d succeeded (updates %v; %s). Exactly one may: once it is applied, the revision the others carry is no longer current and they conflict",
						n, base.Revision, len(winners), winners, statuses(res)))
				}
				i := winners[0] - 1
				won := okList(res[i], "the winning update")
				wrote(base, won, "the winning update")
				sameFavorites(won.Favorites, []api.Favorite{racer("update", i)}, "the winning update")
				for j, r := range res {
					if j != i {
						refused(r, 0, fmt.Sprintf("update %d of %d (it lost the race: revision %d was no longer current)", j+1, n, base.Revision))
					}
				}
				w.unchanged(me, state{exists: true, list: won}, fmt.Sprintf("the race of %d updates (a read must show the winner's list)", n))
			})

		It("add-favorite calls sent at once: every favorite added is kept, once, under the id its response gave",
			Covers("concurrency.adds-all-kept"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				n := clients()
				base := okList(me.CreateList(docsExisting), "create a list")
				res := make([]*client.Response, n)
				together(n, func(i int) { res[i] = me.AddFavorite(racer("add", i)) })
				added := map[int]api.Favorite{} // by client, the favorite its successful add answered
				for i, r := range res {
					what := fmt.Sprintf("add %d of %d", i+1, n)
					conforms(r, what)
					if r.Status != http.StatusOK {
						refused(r, 0, what)
						continue
					}
					l := okList(r, what)
					at := indexOfPage(l.Favorites, racer("add", i).PageID, what)
					if at < 0 {
						Fail(fmt.Sprintf("%s answered 200 with a list that lacks the favorite it added (page %s): %+v", what, racer("add", i).PageID, l.Favorites))
					}
					added[i] = l.Favorites[at]
				}
				if len(added) == 0 && rateLimited(res) {
					Skip(fmt.Sprintf("the target rate-limited every add of the race (%s): there is nothing to judge; run with fewer --clients", statuses(res)))
				}
				if len(added) == 0 {
					Fail(fmt.Sprintf("every one of %d add-favorite calls sent at once was refused (%s)", n, statuses(res)))
				}
				final := w.stateOf(me)
				if !final.exists {
					Fail(fmt.Sprintf("after %d successful adds the user has no list", len(added)))
				}
				const what = "the list after the race"
				serverIDs(final.list, what)
				if indexOfPage(final.list.Favorites, base.Favorites[0].PageID, what) < 0 {
					Fail(fmt.Sprintf("%s lost the favorite it held before the race (%s)", what, base.Favorites[0].ID))
				}
				var lost []string
				for _, i := range slices.Sorted(maps.Keys(added)) {
					f := added[i]
					at := indexOfPage(final.list.Favorites, f.PageID, what)
					switch {
					case at < 0:
						lost = append(lost, fmt.Sprintf("add %d (page %s, id %s)", i+1, f.PageID, f.ID))
					case final.list.Favorites[at].ID != f.ID:
						Fail(fmt.Sprintf("%s holds the favorite of add %d under id %s; its response gave %s", what, i+1, final.list.Favorites[at].ID, f.ID))
					}
				}
				missing := len(lost)
				if len(lost) > 5 {
					lost = append(lost[:5], fmt.Sprintf("and %d more", len(lost)-5))
				}
				if len(lost) > 0 {
					Fail(fmt.Sprintf("%d add-favorite calls sent at once, %d answered 200, but %d of their favorites are missing from the list (lost updates: a concurrent add overwrote them): %s",
						n, len(added), missing, strings.Join(lost, "; ")))
				}
				if got, want := len(final.list.Favorites), 1+len(added); got != want {
					Fail(fmt.Sprintf("%s holds %d favorites; expected %d (the one it had and the %d added; refused adds add nothing)", what, got, want, len(added)))
				}
			})

		It("add-favorite calls sent at once: each successful add takes its own revision, and the final revision counts them all",
			Covers("concurrency.revision-per-write"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				n := clients()
				base := okList(me.CreateList(docsExisting), "create a list")
				res := make([]*client.Response, n)
				together(n, func(i int) { res[i] = me.AddFavorite(racer("rev", i)) })
				byRevision := map[api.Revision]int{}
				succeeded := 0
				for i, r := range res {
					what := fmt.Sprintf("add %d of %d", i+1, n)
					conforms(r, what)
					if r.Status != http.StatusOK {
						refused(r, 0, what)
						continue
					}
					l := okList(r, what)
					succeeded++
					if j, dup := byRevision[l.Revision]; dup {
						Fail(fmt.Sprintf("adds %d and %d, sent at once, both answered revision %d: two writes took one revision (each successful write increments it by 1)", j+1, i+1, l.Revision))
					}
					byRevision[l.Revision] = i
					if l.Revision <= base.Revision || int64(l.Revision) > int64(base.Revision)+int64(n) {
						Fail(fmt.Sprintf("%s answered revision %d; with the list at %d and %d adds sent, it must be from %d to %d", what, l.Revision, base.Revision, n, base.Revision+1, int64(base.Revision)+int64(n)))
					}
				}
				if succeeded == 0 && rateLimited(res) {
					Skip(fmt.Sprintf("the target rate-limited every add of the race (%s): there is nothing to judge; run with fewer --clients", statuses(res)))
				}
				if succeeded == 0 {
					Fail(fmt.Sprintf("every one of %d add-favorite calls sent at once was refused (%s)", n, statuses(res)))
				}
				final := w.stateOf(me)
				if !final.exists {
					Fail(fmt.Sprintf("after %d successful adds the user has no list", succeeded))
				}
				revisionStep(base, final.list, int64(succeeded), fmt.Sprintf("the list after %d adds sent at once, %d of them successful", n, succeeded))
			})

		It("users writing and reading at once never see or change each other's lists",
			Covers("concurrency.users-isolated", "isolation.per-user"), Needs(identity.SecondUser),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				roles := []identity.Role{identity.User, identity.SecondUser}
				users := []*client.Caller{w.fresh(roles[0]), w.fresh(roles[1])}
				tag := func(u int) string { return "racer-" + string(roles[u]) + "-" }
				lists := make([]api.FavoriteList, len(users))
				for u, k := range users {
					lists[u] = okList(k.CreateList(api.Favorite{PageID: tag(u) + "base", Title: "Base of " + string(roles[u])}),
						fmt.Sprintf("%s creates a list", roles[u]))
				}
				n := clients()
				// Client i acts as user i%2 and, in turn, adds a favorite or reads the list.
				reads := func(i int) bool { return (i/2)%2 == 1 }
				res := make([]*client.Response, n)
				together(n, func(i int) {
					u := i % 2
					if reads(i) {
						res[i] = users[u].GetList()
					} else {
						res[i] = users[u].AddFavorite(api.Favorite{PageID: fmt.Sprintf("%s%02d", tag(u), i), Title: fmt.Sprintf("Racer %d", i)})
					}
				})
				for i, r := range res {
					u := i % 2
					op := "add"
					if reads(i) {
						op = "read"
					}
					what := fmt.Sprintf("client %d (%s, %s)", i+1, roles[u], op)
					conforms(r, what)
					if op == "add" && r.Status != http.StatusOK {
						refused(r, 0, what)
						continue
					}
					l := okList(r, what)
					if l.ID != lists[u].ID {
						Fail(fmt.Sprintf("%s answered with list %s; %s's list is %s (%s's is %s): a request of another user running at the same time leaked into it",
							what, l.ID, roles[u], lists[u].ID, roles[1-u], lists[1-u].ID))
					}
					for _, f := range l.Favorites {
						if !strings.HasPrefix(f.PageID, tag(u)) {
							Fail(fmt.Sprintf("%s answered with a list holding %s (page %s), a favorite that is not %s's", what, f.ID, f.PageID, roles[u]))
						}
					}
				}
				for u, k := range users {
					final := w.stateOf(k)
					what := fmt.Sprintf("%s's list after the race", roles[u])
					if !final.exists || final.list.ID != lists[u].ID {
						Fail(fmt.Sprintf("%s: expected list %s, a read shows %s", what, lists[u].ID, final))
					}
					for _, f := range final.list.Favorites {
						if !strings.HasPrefix(f.PageID, tag(u)) {
							Fail(fmt.Sprintf("%s holds %s (page %s), which %s never added: another user's write landed on it", what, f.ID, f.PageID, roles[u]))
						}
					}
				}
			})
	})
}
