package suites

import (
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

// withField returns a valid favorite whose field is set to v.
func withField(field, v string) api.Favorite {
	f := api.Favorite{PageID: "page-limit", Title: "Limit", RelativeURL: "/limit"}
	switch field {
	case "title":
		f.Title = v
	case "pageId":
		f.PageID = v
	case "relativeUrl":
		f.RelativeURL = v
	}
	return f
}

func describeFields() {
	Describe("Favorite field limits", func() {
		// Lengths are counted in characters (facts.md); é is one character and two UTF-8 bytes, so a
		// server that counts bytes fails the at-limit case.
		DescribeTable("a favorite at the limit is kept exactly; one past it is refused by create, add and update and changes nothing",
			func(ctx SpecContext, field string, max int) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				atLimit := withField(field, strings.Repeat("é", max))
				tooLong := withField(field, strings.Repeat("é", max+1))

				refused(me.Invalid().CreateList(tooLong), 0, fmt.Sprintf("create with a %s of %d characters", field, max+1))
				w.gone(me, "a refused create")

				first := okList(me.CreateList(docsMyPage), "create a valid list")
				l := okList(me.AddFavorite(atLimit), fmt.Sprintf("add a favorite whose %s has %d characters", field, max))
				sameFavorites([]api.Favorite{added(first, l, "the add at the limit")}, []api.Favorite{atLimit}, "the favorite at the limit")
				before := w.stateOf(me)
				refused(me.Invalid().AddFavorite(tooLong), 0, fmt.Sprintf("add a favorite whose %s has %d characters", field, max+1))
				w.unchanged(me, before, "the refused add")
				refused(me.Invalid().UpdateList(l.ID, l.Revision, []api.Favorite{docsMyPage, tooLong}), 0, fmt.Sprintf("update with a %s of %d characters", field, max+1))
				w.unchanged(me, before, "the refused update")
			},
			Entry("title: at most 40 characters", Covers("field.title-length", "field.length-in-code-points", "errors.bad-request"), "title", 40),
			Entry("pageId: at most 200 characters", Covers("field.pageid-length", "errors.bad-request"), "pageId", 200),
			Entry("relativeUrl: at most 500 characters", Covers("field.relativeurl-length", "errors.bad-request"), "relativeUrl", 500),
		)

		DescribeTable("an empty required field is refused by create, add and update and changes nothing",
			func(ctx SpecContext, field string) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				empty := withField(field, "")
				refused(me.Invalid().CreateList(empty), 0, fmt.Sprintf("create with an empty %s", field))
				w.gone(me, "a refused create")
				l := okList(me.CreateList(docsMyPage), "create a valid list")
				before := w.stateOf(me)
				refused(me.Invalid().AddFavorite(empty), 0, fmt.Sprintf("add a favorite with an empty %s", field))
				w.unchanged(me, before, "the refused add")
				refused(me.Invalid().UpdateList(l.ID, l.Revision, []api.Favorite{empty}), 0, fmt.Sprintf("update with an empty %s", field))
				w.unchanged(me, before, "the refused update")
			},
			Entry("pageId: at least 1 character", Covers("field.pageid-length", "errors.bad-request"), "pageId"),
			// Discrepancy title-required: the sample flow calls the title optional ("You can also add a
			// custom page title"), the SDK gives it a minimum of 1 character.
			Entry("title: at least 1 character (reading)", Reading("title-required"), Covers("field.title-length"), "title"),
		)

		It("titles and relative URLs come back exactly as sent: query strings, fragments, spaces, non-ASCII",
			Covers("field.values-kept-exactly"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				want := []api.Favorite{
					{PageID: "3893d33b-9fm4-474b-80b0-dd7c32e20bfc", Title: "  Ventes & <rapports> ★ 売上  ", RelativeURL: "/limited-edition/analytics?tab=sales&range=30d#top"},
					{PageID: "page with spaces/and/slashes", Title: "Emoji 🚀 \"quoted\"", RelativeURL: "/route/ünïcode/%20encoded?q=a+b&x=%2F#frag/ment"},
				}
				l := okList(me.CreateList(want[0]), "create with unusual values")
				sameFavorites(l.Favorites, want[:1], "create")
				a := okList(me.AddFavorite(want[1]), "add with unusual values")
				second := added(l, a, "add with unusual values")
				sameFavorites([]api.Favorite{second}, want[1:], "add")
				l = okList(me.UpdateList(a.ID, a.Revision, []api.Favorite{second, l.Favorites[0]}), "update with unusual values")
				sameFavorites(l.Favorites, []api.Favorite{want[1], want[0]}, "update")
				sameFavorites(w.stateOf(me).list.Favorites, []api.Favorite{want[1], want[0]}, "a read")
			})

		It("an empty relativeUrl is accepted (it has no minimum length) and reads back empty, sent or left out",
			Covers("field.relativeurl-length"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				r := me.Do(client.Request{Method: http.MethodPost, Path: api.ListPath, Body: []byte(`{"favoriteList": {"favorites": [{"pageId": "p-empty-url", "title": "Empty URL", "relativeUrl": ""}]}}`)})
				l := okList(r, `create with relativeUrl ""`)
				if len(l.Favorites) != 1 || l.Favorites[0].RelativeURL != "" || l.Favorites[0].PageID != "p-empty-url" {
					Fail(fmt.Sprintf(`create with relativeUrl "": expected the favorite with an empty relativeUrl, got %+v`, l.Favorites))
				}
				if strings.Contains(string(r.Body), `"relativeUrl":""`) || strings.Contains(string(r.Body), `"relativeUrl": ""`) {
					observe("relativeurl-empty", `answered as "relativeUrl": ""`, r)
				} else {
					observe("relativeurl-empty", "answered without relativeUrl", r)
				}
				w.unchanged(me, state{exists: true, list: l}, `create with relativeUrl "" (a read must match its response)`)
			})
	})
}
