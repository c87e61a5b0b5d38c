package mock

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

// Probes of the concurrency deviations (registered with the others in deviations_test.go's
// probes). Each first checks that one client at a time sees the faithful behaviour — so that a
// deviation breaking the same rule for everyone (stale-revision-accepted, add-drops-favorite,
// shared-list, ...) is not taken for a race — then races probeRacers requests.
const probeRacers = 8

// racyProbes are the probes of the racy deviations (deviations_test.go gathers every probe).
var racyProbes = map[string]func(e *env) bool{
	devRacyUpdateRevisionCheck: func(e *env) bool {
		l, ok := e.pCreate(sampleFav(0))
		if !ok {
			return false
		}
		// One at a time: a second update with the same revision is refused.
		if e.pUpdate(l.ID, updateBody("1", favs(sampleFav(1)))).status != 200 ||
			e.pUpdate(l.ID, updateBody("1", favs(sampleFav(2)))).status == 200 {
			return false
		}
		statuses := make([]int, probeRacers)
		race(probeRacers, func(i int) {
			statuses[i] = e.pUpdate(l.ID, updateBody("2", favs(sampleFav(i)))).status
		})
		return countOf(statuses, 200) > 1
	},
	devRacyAddLostFavorites: func(e *env) bool {
		e.pCreate(sampleFav(0))
		e.pAdd(sampleFav(1))
		if l, _ := e.pState(); len(l.Favorites) != 2 {
			return false
		}
		ok := make([]bool, probeRacers)
		race(probeRacers, func(i int) { ok[i] = e.pAdd(sampleFav(100+i)).status == 200 })
		l, _ := e.pState()
		return len(l.Favorites) < 2+countTrue(ok)
	},
	devRacyRevisionCounter: func(e *env) bool {
		e.pCreate(sampleFav(0))
		if a, ok := e.pAdd(sampleFav(1)).tryList(); !ok || a.Revision != 2 {
			return false
		}
		revs := make([]api.Revision, probeRacers)
		race(probeRacers, func(i int) {
			if l, ok := e.pAdd(sampleFav(100 + i)).tryList(); ok {
				revs[i] = l.Revision
			}
		})
		slices.Sort(revs)
		l, _ := e.pState()
		return len(slices.Compact(revs)) != probeRacers || l.Revision != 2+probeRacers
	},
	devRacyCallerSlot: func(e *env) bool {
		// One at a time: each user's add lands on its own list. Page ids start with the role.
		e.do(user, http.MethodPost, addPath, addBody(fav{"pageId": string(user) + "-0", "title": "t"}))
		e.do(user2, http.MethodPost, addPath, addBody(fav{"pageId": string(user2) + "-0", "title": "t"}))
		if leaked(e, user, user2) || leaked(e, user2, user) {
			return false
		}
		race(2*probeRacers, func(i int) {
			r := []identity.Role{user, user2}[i%2]
			e.do(r, http.MethodPost, addPath, addBody(fav{"pageId": fmt.Sprintf("%s-%d", r, i), "title": "t"}))
		})
		return leaked(e, user, user2) || leaked(e, user2, user)
	},
}

// leaked reports whether role's list holds a favorite of other's (its pageId starts with other's
// role).
func leaked(e *env, role, other identity.Role) bool {
	l, _ := e.m.List(e.ident(role).WixUserID)
	return slices.ContainsFunc(l.Favorites, func(f api.Favorite) bool { return strings.HasPrefix(f.PageID, string(other)+"-") })
}

func countTrue(xs []bool) int {
	n := 0
	for _, x := range xs {
		if x {
			n++
		}
	}
	return n
}

// TestRacyDeviationsNeedConcurrency: one client at a time, the racy deviations behave exactly as
// the faithful mock does (same statuses, same lists but for the generated ids and dates).
func TestRacyDeviationsNeedConcurrency(t *testing.T) {
	script := func(e *env) []string {
		var out []string
		note := func(r resp) {
			l, _ := r.tryList()
			out = append(out, fmt.Sprintf("%d rev=%d pages=%v", r.status, l.Revision, pageIDs(l)))
		}
		l := e.create(user, sampleFav(0))
		note(e.do(user, http.MethodPost, addPath, addBody(sampleFav(1))))
		note(e.do(user2, http.MethodPost, addPath, addBody(sampleFav(2))))
		note(e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("2", favs(sampleFav(3)))))
		note(e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("2", favs(sampleFav(4)))))
		note(e.do(user, http.MethodPost, addPath, addBody(sampleFav(5))))
		note(e.do(user2, http.MethodGet, listPath, nil))
		return out
	}
	want := script(newEnv(t))
	for _, d := range []string{devRacyAddLostFavorites, devRacyCallerSlot, devRacyRevisionCounter, devRacyUpdateRevisionCheck} {
		if got := script(newEnv(t, d)); !slices.Equal(got, want) {
			t.Errorf("%s, one client at a time:\n got %v\nwant %v", d, got, want)
		}
	}
}
