package suites

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/webhook"
)

// The event suite: the three webhook events of favorite-list-api.txt, received by the run's
// webhook.Receiver (Config.Receiver), which verifies every delivery (RS256 signature with the
// app's key, expiry) and validates it against the spec's Webhook* and FavoriteList*Event schemas.
// Events "may be delayed": a spec waits for the event it expects, up to the receiver's Wait, and
// finds it by its list (entityId), its kind and the state it carries, whatever order deliveries
// arrive in. Checks that an event does not come wait until no delivery has come for the
// receiver's Quiet.
func describeEvents() {
	Describe("Webhook events", Label(Webhooks), func() {
		DescribeTable("every delivery about a new list passes the receiver's check",
			func(ctx SpecContext, kind webhook.RejectionKind) {
				w := newWorld(ctx)
				ev := w.events()
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list")
				ev.deliveryFor(l, "creating a list")
				ev.noRejections(l, kind, "the deliveries about the new list")
			},
			Entry("a JWT signed RS256 with the app's key, and not expired", Covers("events.signed"), webhook.RejectedSignature),
			Entry("its payload as documented: data a string holding the envelope, whose data and identity are strings, all matching the spec's schemas",
				Covers("events.payload-format"), webhook.RejectedPayload),
		)

		It("create delivers Favorite List Created carrying the list the API returned",
			Covers("events.created"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				ev := w.events()
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage, docsAnother), "create a list")
				ev.expect(webhook.SlugCreated, l, "create")
			})

		It("add for a user with no list delivers Created carrying the new list; an Updated, if one comes too, carries the same state",
			Covers("events.created"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				ev := w.events()
				me := w.fresh(identity.User)
				l := okList(me.AddFavorite(docsSample), "add a favorite with no list")
				ev.expect(webhook.SlugCreated, l, "add with no list")
				ups := ev.of(l, webhook.SlugUpdated)
				for _, d := range ups {
					sameEntity(d, l, "an Updated event for the add that created the list")
				}
				if len(ups) > 0 { // (that none came is known only after a wait the strict spec makes)
					observe("event-triggers", "add with no list sends Created and Updated", nil)
				}
			})

		It("add for a user with no list delivers Created only: the list was created, never updated (its revision stays 1) (reading)",
			Reading("event-triggers"), Covers("events.created"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				ev := w.events()
				me := w.fresh(identity.User)
				l := okList(me.AddFavorite(docsSample), "add a favorite with no list")
				ev.expect(webhook.SlugCreated, l, "add with no list")
				ev.settle()
				if ups := ev.of(l, webhook.SlugUpdated); len(ups) > 0 {
					Fail(fmt.Sprintf("add with no list: expected Created alone, but Updated came too: %s", ups[0].Event))
				}
			})

		DescribeTable("a write to a list delivers Favorite List Updated carrying the list the API returned",
			func(ctx SpecContext, write func(k *client.Caller, l api.FavoriteList) *client.Response) {
				w := newWorld(ctx)
				ev := w.events()
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage, docsAnother), "create a list")
				after := okList(write(me, l), "the write")
				ev.expect(webhook.SlugUpdated, after, "the write")
			},
			Entry("update", Covers("events.updated"), func(k *client.Caller, l api.FavoriteList) *client.Response {
				return k.UpdateList(l.ID, l.Revision, []api.Favorite{docsSample, docsMyPage})
			}),
			Entry("add", Covers("events.updated"), func(k *client.Caller, _ api.FavoriteList) *client.Response {
				return k.AddFavorite(docsExisting)
			}),
			Entry("delete favorite (one remains)", Covers("events.updated"), func(k *client.Caller, l api.FavoriteList) *client.Response {
				return k.DeleteFavorite(l.Favorites[0].ID)
			}),
		)

		It("delete list delivers Favorite List Deleted for the list",
			Covers("events.deleted"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				ev := w.events()
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list")
				ok(me.DeleteList(l.ID), "delete the list")
				ev.expectDeleted(l, "delete list")
			})

		It("deleting the last favorite delivers Favorite List Deleted for the list",
			Covers("events.deleted"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				ev := w.events()
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list of one")
				ok(me.DeleteFavorite(l.Favorites[0].ID), "delete the only favorite")
				ev.expectDeleted(l, "deleting the last favorite")
			})

		It("deleting the last favorite delivers Updated carrying the emptied list, then Deleted (reading)",
			Reading("event-triggers"), Covers("events.updated"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				ev := w.events()
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list of one")
				r := ok(me.DeleteFavorite(l.Favorites[0].ID), "delete the only favorite")
				final := api.FavoriteList{ID: l.ID, Revision: l.Revision + 1, CreatedDate: l.CreatedDate, Favorites: []api.Favorite{}}
				if r.List != nil && r.List.ID != "" {
					final = *r.List
				}
				d := ev.expectRevision(webhook.SlugUpdated, l, final.Revision, "deleting the last favorite")
				if final.UpdatedDate != "" {
					sameEntity(d, final, "deleting the last favorite")
				} else if e := d.Event.Entity(); len(e.Favorites) != 0 {
					Fail(fmt.Sprintf("deleting the last favorite: the Updated event must carry the list without favorites, got %s", d.Event))
				}
				ev.expectDeleted(l, "deleting the last favorite")
			})

		It("a failed write delivers no event: every event of the list is explained by a successful write",
			Covers("events.none-for-failed-write"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				ev := w.events()
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list")
				before := w.stateOf(me)
				refused(me.UpdateList(l.ID, l.Revision+7, []api.Favorite{docsSample}), 0, "update with a stale revision")
				refused(me.CreateList(docsAnother), 0, "create when the list exists")
				w.unknownID(me.DeleteFavorite(unknownFavoriteID), true, "delete an unknown favorite", w.watch(me))
				refused(me.Invalid().AddFavorite(api.Favorite{PageID: docsSample.PageID, Title: strings.Repeat("t", 41)}), 0, "add a favorite with a 41-character title")
				w.unchanged(me, before, "the refused writes")
				// A successful write after them: its event comes after theirs would have been sent.
				after := okList(me.AddFavorite(docsExisting), "add a favorite")
				ev.expect(webhook.SlugUpdated, after, "add")
				ev.settle()
				// Two successful writes, two states: one event each (whatever its kind: that is the
				// other specs' business), and no other.
				carrying := map[api.Revision]int{}
				for _, d := range ev.of(l, "") {
					e := d.Event.Entity()
					if e == nil || (e.Revision != l.Revision && e.Revision != after.Revision) || carrying[e.Revision] > 0 {
						Fail(fmt.Sprintf("an event came that no successful write explains (the refused writes must send none): %s\n%s", d.Event, ev.describe(l)))
					}
					carrying[e.Revision]++
				}
			})

		It("an event delivered twice is kept once, and every event has an id of its own",
			Covers("events.unique-id"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				ev := w.events()
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list")
				u := okList(me.UpdateList(l.ID, l.Revision, []api.Favorite{docsSample}), "update")
				updated := ev.expect(webhook.SlugUpdated, u, "update")
				// A sender's retry repeats the delivery; the receiver keeps the event once.
				if err := ev.r.Replay(updated); err != nil {
					Fail(fmt.Sprintf("the repeated delivery of %s was refused: %v", updated.Event, err))
				}
				if n := len(ev.of(l, webhook.SlugUpdated)); n != 1 {
					Fail(fmt.Sprintf("after a repeated delivery the receiver holds %d Updated events of the list, want 1\n%s", n, ev.describe(l)))
				}
				a := okList(me.AddFavorite(docsExisting), "add")
				ev.expect(webhook.SlugUpdated, a, "add")
				ev.noRejections(l, webhook.RejectedReusedID, "the list's events")
				seen := map[string]bool{}
				for _, d := range ev.of(l, "") {
					if seen[d.Event.ID] {
						Fail(fmt.Sprintf("event id %s is used twice\n%s", d.Event.ID, ev.describe(l)))
					}
					seen[d.Event.ID] = true
				}
			})

		It("events of a burst of writes, arriving late and in any order, are each matched to their write",
			Covers("events.updated"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				ev := w.events()
				me := w.fresh(identity.User)
				states := burst(me)
				for i := len(states) - 1; i >= 1; i-- { // newest first: order of arrival does not matter
					ev.expect(webhook.SlugUpdated, states[i], fmt.Sprintf("write %d of the burst", i))
				}
			})

		It("entityEventSequence increases with every event of a list, Deleted last (reading)",
			Reading("event-sequence"), Covers("events.sequence"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				ev := w.events()
				me := w.fresh(identity.User)
				states := burst(me)
				last := states[len(states)-1]
				ok(me.DeleteList(last.ID), "delete the list")
				var seqs []int64
				var got []webhook.Delivery
				for i, s := range states { // of whatever kind: which kind is the other specs' business
					got = append(got, ev.expect("", s, fmt.Sprintf("write %d", i)))
				}
				got = append(got, ev.expectDeleted(last, "delete list"))
				for _, d := range got {
					n, ok := d.Event.Sequence()
					if !ok {
						Fail(fmt.Sprintf("entityEventSequence %q of %s is not a string of digits", d.Event.EntityEventSequence, d.Event))
					}
					seqs = append(seqs, n)
				}
				for i := 1; i < len(seqs); i++ {
					if seqs[i] <= seqs[i-1] {
						Fail(fmt.Sprintf("entityEventSequence must increase with each event of the list, in the order of the writes; got %v for %s\n%s",
							seqs, describeKinds(got), ev.describe(last)))
					}
				}
			})
	})
}

// burst makes a list and writes to it four times in quick succession, returning each state.
func burst(k *client.Caller) []api.FavoriteList {
	GinkgoHelper()
	l := okList(k.CreateList(docsMyPage), "create a list")
	a := okList(k.AddFavorite(docsAnother), "add")
	b := okList(k.AddFavorite(docsSample), "add again")
	u := okList(k.UpdateList(b.ID, b.Revision, []api.Favorite{docsExisting, docsSample}), "update")
	d := okList(k.DeleteFavorite(u.Favorites[0].ID), "delete a favorite")
	return []api.FavoriteList{l, a, b, u, d}
}

func describeKinds(ds []webhook.Delivery) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.Event.Slug
	}
	return strings.Join(s, ", ")
}

// eventWatch is one spec's view of the run's receiver. A list is known by its id and the
// createdDate of the incarnation the spec made: a server may give a user's list the same id each
// time it is created again ([list-id-reuse]), and an earlier spec's events of that id, arriving
// late, are not this spec's (their eventTime is before this list was created, on the same clock).
type eventWatch struct {
	ctx     context.Context // the spec's: waits end when it is done
	r       *webhook.Receiver
	rejMark int                // rejections before the spec started are not the spec's
	lists   []api.FavoriteList // the lists the spec looked at, for the report
}

// events returns the spec's view of the webhook receiver, skipping the spec when the run has
// none. Call it before any write.
func (w *world) events() *eventWatch {
	GinkgoHelper()
	if !slices.Contains(CurrentSpecReport().Labels(), Webhooks) {
		Fail("harness defect: the spec uses the target's webhook events without the label " + Webhooks)
	}
	r := configured().Receiver
	if r == nil {
		Skip("needs the target's webhook events: " + target.NoWebhooksMessage)
	}
	ev := &eventWatch{ctx: w.ctx, r: r, rejMark: len(r.Rejections())}
	DeferCleanup(func() {
		var b strings.Builder
		for _, l := range ev.lists {
			b.WriteString(ev.describe(l))
		}
		if b.Len() > 0 {
			AddReportEntry("events", b.String(), ReportEntryVisibilityFailureOrVerbose)
		}
	})
	return ev
}

func (ev *eventWatch) note(l api.FavoriteList) {
	if !slices.ContainsFunc(ev.lists, func(x api.FavoriteList) bool { return x.ID == l.ID }) {
		ev.lists = append(ev.lists, l)
	}
}

// ofList reports whether d is about this incarnation of l: its entityId, and an eventTime no
// earlier than l's createdDate (when both are dates).
func ofList(d webhook.Delivery, l api.FavoriteList) bool {
	if d.Event.EntityID != l.ID {
		return false
	}
	at, err1 := time.Parse(time.RFC3339Nano, d.Event.EventTime)
	created, err2 := time.Parse(time.RFC3339Nano, l.CreatedDate)
	return err1 != nil || err2 != nil || !at.Before(created)
}

// of returns the accepted events of a list (of one slug, or all with ""), in arrival order.
func (ev *eventWatch) of(l api.FavoriteList, slug string) []webhook.Delivery {
	var out []webhook.Delivery
	for _, d := range ev.r.Deliveries() {
		if ofList(d, l) && (slug == "" || d.Event.Slug == slug) {
			out = append(out, d)
		}
	}
	return out
}

// rejections returns the spec's rejected deliveries about a list ("" for those that could not
// be tied to one).
func (ev *eventWatch) rejections(l api.FavoriteList) []webhook.Rejection {
	var out []webhook.Rejection
	all := ev.r.Rejections()
	for _, x := range all[min(ev.rejMark, len(all)):] {
		if x.EntityID == l.ID || x.EntityID == "" {
			out = append(out, x)
		}
	}
	return out
}

// describe lists what the receiver got about a list, for failure messages.
func (ev *eventWatch) describe(l api.FavoriteList) string {
	var b strings.Builder
	fmt.Fprintf(&b, "events received for list %s:\n", l.ID)
	ds := ev.of(l, "")
	for _, d := range ds {
		fmt.Fprintf(&b, "  %s at %s\n", d.Event, d.Received.Format(time.RFC3339Nano))
	}
	if len(ds) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, x := range ev.rejections(l) {
		fmt.Fprintf(&b, "  %s\n", x)
	}
	return b.String()
}

// expect waits for the event of kind slug ("": created or updated) carrying exactly list (the
// list the API returned: id, revision, dates as instants, favorites), and returns it.
func (ev *eventWatch) expect(slug string, list api.FavoriteList, what string) webhook.Delivery {
	GinkgoHelper()
	return ev.await(slug, list, fmt.Sprintf(" carrying the list the API returned (revision %d)", list.Revision), func(d webhook.Delivery) bool {
		return entityIs(d, list)
	}, what)
}

// expectRevision waits for the event of kind slug about l carrying revision rev.
func (ev *eventWatch) expectRevision(slug string, l api.FavoriteList, rev api.Revision, what string) webhook.Delivery {
	GinkgoHelper()
	return ev.await(slug, l, fmt.Sprintf(" carrying revision %d", rev), func(d webhook.Delivery) bool {
		e := d.Event.Entity()
		return e != nil && e.Revision == rev
	}, what)
}

// expectDeleted waits for the Deleted event of l.
func (ev *eventWatch) expectDeleted(l api.FavoriteList, what string) webhook.Delivery {
	GinkgoHelper()
	return ev.await(webhook.SlugDeleted, l, "", func(webhook.Delivery) bool { return true }, what)
}

func (ev *eventWatch) await(slug string, l api.FavoriteList, carrying string, match func(webhook.Delivery) bool, what string) webhook.Delivery {
	GinkgoHelper()
	ev.note(l)
	eventType := webhook.TypeOfSlug(slug)
	accepted := func(d webhook.Delivery) bool {
		return ofList(d, l) && (slug == "" || d.Event.Slug == slug) && match(d)
	}
	// A rejected delivery of that kind about the list ends the wait early: its retries would be
	// rejected too.
	rejected := func(x webhook.Rejection) bool {
		return x.EntityID == l.ID && (slug == "" || x.EventType == eventType)
	}
	ev.r.AwaitAny(ev.ctx, accepted, rejected)
	for _, d := range ev.of(l, slug) {
		if match(d) {
			return d
		}
	}
	kind := slug
	if kind == "" {
		kind = "created or updated"
	}
	Fail(fmt.Sprintf("%s: no acceptable %s event of list %s%s arrived within %s\n%s", what, kind, l.ID, carrying, ev.r.Wait(), ev.describe(l)))
	return webhook.Delivery{}
}

// deliveryFor waits for any delivery about l, accepted or rejected.
func (ev *eventWatch) deliveryFor(l api.FavoriteList, what string) {
	GinkgoHelper()
	ev.note(l)
	if !ev.r.AwaitAny(ev.ctx,
		func(d webhook.Delivery) bool { return ofList(d, l) },
		func(x webhook.Rejection) bool { return x.EntityID == l.ID }) {
		Fail(fmt.Sprintf("%s: no delivery about list %s arrived within %s: nothing could be verified\n%s", what, l.ID, ev.r.Wait(), ev.describe(l)))
	}
}

// noRejections fails on any rejection of kind about l during the spec.
func (ev *eventWatch) noRejections(l api.FavoriteList, kind webhook.RejectionKind, what string) {
	GinkgoHelper()
	for _, x := range ev.rejections(l) {
		if x.Kind == kind {
			Fail(fmt.Sprintf("%s: the receiver %s\n%s", what, x, ev.describe(l)))
		}
	}
}

// settle waits until no delivery has come for the receiver's Quiet (at most its Wait).
func (ev *eventWatch) settle() { ev.r.Settle(ev.ctx) }

// entityIs reports whether the list an event carries is exactly want: id, revision, dates (as
// instants) and favorites.
func entityIs(d webhook.Delivery, want api.FavoriteList) bool {
	got := d.Event.Entity()
	if got == nil {
		return false
	}
	same := got.ID == want.ID && got.Revision == want.Revision && sameInstant(got.CreatedDate, want.CreatedDate) &&
		sameInstant(got.UpdatedDate, want.UpdatedDate) && len(got.Favorites) == len(want.Favorites)
	for i := 0; same && i < len(want.Favorites); i++ {
		same = got.Favorites[i] == want.Favorites[i]
	}
	return same
}

// sameEntity expects the list an event carries to be exactly want.
func sameEntity(d webhook.Delivery, want api.FavoriteList, what string) {
	GinkgoHelper()
	if got := d.Event.Entity(); got == nil || !entityIs(d, want) {
		Fail(fmt.Sprintf("%s: %s must carry the list the API returned:\nevent: %+v\nAPI:   %+v", what, d.Event, got, want))
	}
}

func sameInstant(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := time.Parse(time.RFC3339Nano, a)
	y, err2 := time.Parse(time.RFC3339Nano, b)
	return err1 == nil && err2 == nil && x.Equal(y)
}
