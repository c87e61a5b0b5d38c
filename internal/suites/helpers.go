package suites

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
)

// The docs' own favorites, reused so that transcripts read like the docs.
var (
	docsExisting = api.Favorite{PageID: "3893d33b-24a1-474b-80b0-dd7c32e20bfb", Title: "Existing favorite page"}
	docsSample   = api.Favorite{PageID: "3893d33b-9fm4-474b-80b0-dd7c32e20bfc", RelativeURL: "/limited-edition/analytics", Title: "Limited Edition Products Analytics"}
	docsMyPage   = api.Favorite{PageID: "3893d33b-24a1-474b-80b0-dd7c32e20bfb", Title: "My Page"}
	docsAnother  = api.Favorite{PageID: "81f1ee0a-92b7-42f7-89cb-8b0f96146dcf", RelativeURL: "/route", Title: "Another Page"}
)

// favorites returns n distinct valid favorites.
func favorites(n int) []api.Favorite {
	out := make([]api.Favorite, n)
	for i := range out {
		out[i] = api.Favorite{PageID: fmt.Sprintf("page-%03d", i), Title: fmt.Sprintf("Favorite %d", i), RelativeURL: fmt.Sprintf("/p/%d", i)}
	}
	return out
}

var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// serverIDs expects every favorite id to be a GUID, unique in the list
// (ids.favorite-server-generated).
func serverIDs(l api.FavoriteList, what string) {
	GinkgoHelper()
	seen := map[string]bool{}
	for i, f := range l.Favorites {
		if !guid.MatchString(f.ID) {
			Fail(fmt.Sprintf("%s: favorite %d has id %q; the server must generate a GUID", what, i, f.ID))
		}
		if seen[f.ID] {
			Fail(fmt.Sprintf("%s: favorite id %s appears twice in the list", what, f.ID))
		}
		seen[f.ID] = true
	}
}

// ids returns the favorites' ids.
func ids(l api.FavoriteList) []string {
	out := make([]string, len(l.Favorites))
	for i, f := range l.Favorites {
		out[i] = f.ID
	}
	return out
}

// newFavorites returns the favorites of after whose ids before did not have.
func newFavorites(before, after api.FavoriteList) []api.Favorite {
	old := ids(before)
	var out []api.Favorite
	for _, f := range after.Favorites {
		if !slices.Contains(old, f.ID) {
			out = append(out, f)
		}
	}
	return out
}

func parseDate(s, field, what string) time.Time {
	GinkgoHelper()
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		Fail(fmt.Sprintf("%s: %s %q is not an RFC 3339 date-time", what, field, s))
	}
	return t
}

// wrote expects after to be before after one successful write: same list id (ids.list-stable),
// revision +1 (revision.increments-on-write), createdDate fixed (dates.created-fixed), updatedDate
// no earlier than before and not before createdDate (dates.updated-not-earlier). Two writes in one
// millisecond may share updatedDate (the docs' own add and delete-favorite samples do): that it
// moves strictly forward is a reading (strictlyLater, strict profile).
func wrote(before, after api.FavoriteList, what string) {
	GinkgoHelper()
	if after.ID != before.ID {
		Fail(fmt.Sprintf("%s: the list id must stay %s, got %s", what, before.ID, after.ID))
	}
	revisionStep(before, after, 1, what)
	if after.CreatedDate != before.CreatedDate {
		Fail(fmt.Sprintf("%s: createdDate must never move: was %s, now %s", what, before.CreatedDate, after.CreatedDate))
	}
	datesSane(after, what)
	if parseDate(after.UpdatedDate, "updatedDate", what).Before(parseDate(before.UpdatedDate, "updatedDate", what)) {
		Fail(fmt.Sprintf("%s: updatedDate must never move back on a write: was %s, now %s", what, before.UpdatedDate, after.UpdatedDate))
	}
}

// strictlyLater expects after's updatedDate to be strictly later than before's (the strict
// reading updated-date-precision).
func strictlyLater(before, after api.FavoriteList, what string) {
	GinkgoHelper()
	if !parseDate(after.UpdatedDate, "updatedDate", what).After(parseDate(before.UpdatedDate, "updatedDate", what)) {
		Fail(fmt.Sprintf("%s: updatedDate must move strictly forward on a write: was %s, now %s", what, before.UpdatedDate, after.UpdatedDate))
	}
}

// datesSane expects updatedDate not to be before createdDate.
func datesSane(l api.FavoriteList, what string) {
	GinkgoHelper()
	c := parseDate(l.CreatedDate, "createdDate", what)
	u := parseDate(l.UpdatedDate, "updatedDate", what)
	if u.Before(c) {
		Fail(fmt.Sprintf("%s: updatedDate %s is before createdDate %s", what, l.UpdatedDate, l.CreatedDate))
	}
}

// favoriteWithID returns the favorite of l with id, or fails.
func favoriteWithID(l api.FavoriteList, id, what string) api.Favorite {
	GinkgoHelper()
	for _, f := range l.Favorites {
		if f.ID == id {
			return f
		}
	}
	Fail(fmt.Sprintf("%s: the list holds no favorite with id %s: %v", what, id, ids(l)))
	return api.Favorite{}
}

// added returns the one favorite of after whose id before's list did not hold (an add may put it
// anywhere: [add-position]), and fails unless there is exactly one.
func added(before, after api.FavoriteList, what string) api.Favorite {
	GinkgoHelper()
	fresh := newFavorites(before, after)
	if len(fresh) != 1 {
		Fail(fmt.Sprintf("%s: expected exactly one favorite with a new id in the answered list, got %d: %+v", what, len(fresh), fresh))
	}
	if len(after.Favorites) != len(before.Favorites)+1 {
		Fail(fmt.Sprintf("%s: expected %d favorites (the %d before and the one added), got %d", what, len(before.Favorites)+1, len(before.Favorites), len(after.Favorites)))
	}
	return fresh[0]
}

// others returns l's favorites other than the one with id, in order.
func others(l api.FavoriteList, id string) []api.Favorite {
	var out []api.Favorite
	for _, f := range l.Favorites {
		if f.ID != id {
			out = append(out, f)
		}
	}
	return out
}
