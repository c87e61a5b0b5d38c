package suites

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

// pauseBeyond is how long to wait for the target's clock to show a later date: a little over a
// second when its dates have no fractional seconds, else 100 ms (room for a clock that ticks every
// few milliseconds).
func pauseBeyond(dates ...string) time.Duration {
	for _, d := range dates {
		if !strings.Contains(d, ".") {
			return 1100 * time.Millisecond
		}
	}
	return 100 * time.Millisecond
}

func describeDates() {
	Describe("List dates", func() {
		It("a write made well after the last one moves updatedDate forward; createdDate stays",
			Covers("dates.updated-not-earlier", "dates.created-fixed"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list")
				// "Date and time the dashboard favorite list was last updated": once more time has
				// passed than the dates resolve, the next write's date is later.
				pause := pauseBeyond(l.CreatedDate, l.UpdatedDate)
				select {
				case <-ctx.Done():
					return
				case <-time.After(pause):
				}
				after := okList(me.AddFavorite(docsAnother), fmt.Sprintf("add a favorite %s after the create", pause))
				wrote(l, after, "the add")
				strictlyLater(l, after, fmt.Sprintf("the add, %s after the create", pause))
			})

		It("every write moves updatedDate strictly forward, even two in the same millisecond (reading)", Reading("updated-date-precision"),
			Covers("dates.updated-moves-forward"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				prev := okList(me.CreateList(docsMyPage), "create a list")
				for i := range 5 {
					next := okList(me.AddFavorite(api.Favorite{PageID: fmt.Sprintf("quick-%d", i), Title: "Quick"}), fmt.Sprintf("quick add %d", i+1))
					strictlyLater(prev, next, fmt.Sprintf("quick add %d", i+1))
					prev = next
				}
			})
	})
}
