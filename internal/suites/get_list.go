package suites

import (
	"fmt"
	"net/http"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

func describeGetList() {
	Describe("Get User Favorite List", func() {
		It("GET answers each permitted identity with its list, or with no list, in the spec's shape (read-only)", Label(ReadOnly),
			Covers("get.returns-list", "schema.responses-match-spec"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				// The other roles are read when the configuration has them (no Needs: none is needed).
				for _, role := range []identity.Role{identity.User, identity.SecondUser, identity.App} {
					if !configured().Target.Has(role) {
						continue
					}
					if st := w.stateOf(w.client.As(role)); st.exists {
						datesSane(st.list, "GET as "+string(role))
						serverIDs(st.list, "GET as "+string(role))
					}
				}
			})

		It("GET returns the user's list exactly as the last write left it",
			Covers("get.returns-list", "schema.responses-match-spec"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				created := okList(me.CreateList(docsMyPage, docsAnother), "create a list")
				got := okList(me.GetList(), "GET the list")
				w.unchanged(me, state{exists: true, list: created}, "creating the list (GET must show what create returned)")
				datesSane(got, "GET")
			})

		It("GET leaves the revision and updatedDate alone",
			Covers("revision.unchanged-otherwise"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				created := okList(me.CreateList(docsMyPage), "create a list")
				for i := range 3 {
					okList(me.GetList(), fmt.Sprintf("GET #%d", i+1))
				}
				w.unchanged(me, state{exists: true, list: created}, "three reads")
			})

		It("GET when the user has no list answers 404, or 200 without a list",
			Covers("get.returns-list"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				r := me.GetList()
				conforms(r, "GET with no list")
				switch {
				case r.Status == http.StatusNotFound:
					wixShaped(r, "GET with no list")
					observe("get-without-list", "404", r)
				case r.Status == http.StatusOK && (r.List == nil || (r.List.ID == "" && len(r.List.Favorites) == 0)):
					observe("get-without-list", "200 "+string(compactJSON(r.Body)), r)
				default:
					Fail(fmt.Sprintf("GET with no list: expected 404 or a 200 without a list, got %s", r.Describe()))
				}
			})

		It("GET when the user has no list answers 404 NOT_FOUND (reading)", Reading("get-without-list"),
			Covers("get.returns-list"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				r := me.GetList()
				refused(r, http.StatusNotFound, "GET with no list")
				if r.Error.Details.ApplicationError == nil || r.Error.Details.ApplicationError.Code != api.CodeNotFound {
					Fail("GET with no list: expected applicationError.code NOT_FOUND\n" + r.Describe())
				}
			})
	})
}
