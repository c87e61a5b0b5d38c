package suites

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

// unknownListID and unknownFavoriteID are ids no server hands out (the null GUID's
// neighbourhood, v4 layout).
const (
	unknownListID     = "00000000-0000-4000-8000-00000000dead"
	unknownFavoriteID = "00000000-0000-4000-8000-00000000beef"
)

// unknownIDCall is a call naming an id the caller's list does not hold.
type unknownIDCall struct {
	favorite bool // a favorite id (delete-favorite), else a list id
	call     func(k *client.Caller, l api.FavoriteList) *client.Response
}

var unknownIDCalls = []struct {
	name string
	c    unknownIDCall
}{
	{"PATCH of a list id that is not the caller's list", unknownIDCall{false, func(k *client.Caller, l api.FavoriteList) *client.Response {
		return k.UpdateList(unknownListID, l.Revision, []api.Favorite{docsAnother})
	}}},
	{"DELETE of a list id that is not the caller's list", unknownIDCall{false, func(k *client.Caller, _ api.FavoriteList) *client.Response {
		return k.DeleteList(unknownListID)
	}}},
	{"DELETE of a favorite the caller's list does not hold", unknownIDCall{true, func(k *client.Caller, _ api.FavoriteList) *client.Response {
		return k.DeleteFavorite(unknownFavoriteID)
	}}},
}

func unknownIDEntries(suffix string, decorations ...any) []TableEntry {
	out := make([]TableEntry, len(unknownIDCalls))
	for i, c := range unknownIDCalls {
		out[i] = Entry(c.name+suffix, append(decorations, c.c)...)
	}
	return out
}

func describeUnknownIDs() {
	Describe("Unknown ids", func() {
		DescribeTable("a call naming an id the caller's list does not hold changes nothing (refused in Wix's error shape, or a delete-favorite answered with the list unchanged)",
			func(ctx SpecContext, c unknownIDCall) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list")
				mine := w.watch(me)
				w.unknownID(c.call(me, l), c.favorite, "the call", mine)
			},
			unknownIDEntries("", Covers("errors.unknown-id-changes-nothing")),
		)

		DescribeTable("a call naming an id the caller's list does not hold answers 404 NOT_FOUND",
			func(ctx SpecContext, c unknownIDCall) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list")
				notFound(c.call(me, l), "the call")
			},
			unknownIDEntries(" (reading)", Reading("unknown-id-status"), Covers("errors.unknown-id-changes-nothing")),
		)
	})
}
