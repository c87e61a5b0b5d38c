package suites

import (
	"fmt"
	"net/http"
	"regexp"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

var millisUTC = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

func describeFormats() {
	Describe("Formats and headers (readings of facts.md)", func() {
		It("dates are RFC 3339 in UTC with milliseconds, as in every sample", Reading("date-milliseconds"),
			Covers("dates.format"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.CreateList(docsMyPage), "create a list")
				l2 := okList(me.AddFavorite(docsAnother), "add a favorite")
				for _, d := range []string{l.CreatedDate, l.UpdatedDate, l2.UpdatedDate} {
					if !millisUTC.MatchString(d) {
						Fail(fmt.Sprintf("date %q is not of the form 2024-05-19T13:05:45.684Z", d))
					}
				}
			})

		It("every response, error or not, carries an X-Wix-Request-Id header", Reading("request-id-header"),
			Covers("headers.request-id"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				for _, r := range []*client.Response{me.GetList(), me.CreateList(docsMyPage), me.GetList(), me.DeleteFavorite("00000000-0000-4000-8000-00000000beef")} {
					conforms(r, "a call")
					if r.Header.Get("X-Wix-Request-Id") == "" {
						Fail("the response has no X-Wix-Request-Id header: " + r.Describe())
					}
				}
			})

		It("every path is served under the /_api prefix the SDK adds for hosts other than the public one", Reading("sdk-path-prefix"),
			Covers("sdk.path-prefix"),
			func(ctx SpecContext) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				l := okList(me.Do(client.Request{Method: http.MethodPost, Path: api.SDKPathPrefix + api.ListPath, JSON: api.ListEnvelope{FavoriteList: &api.FavoriteList{Favorites: []api.Favorite{docsMyPage}}}}), "create under /_api")
				l = okList(me.Do(client.Request{Method: http.MethodPost, Path: api.SDKPathPrefix + api.AddFavoritePath, JSON: api.FavoriteEnvelope{Favorite: &docsAnother}}), "add under /_api")
				okList(me.Do(client.Request{Method: http.MethodGet, Path: api.SDKPathPrefix + api.ListPath}), "GET under /_api")
				l = okList(me.Do(client.Request{Method: http.MethodDelete, Path: api.SDKPathPrefix + api.DeleteFavoritePathPrefix + l.Favorites[0].ID}), "delete favorite under /_api")
				ok(me.Do(client.Request{Method: http.MethodDelete, Path: api.SDKPathPrefix + api.ListPath + "/" + l.ID}), "delete list under /_api")
				w.gone(me, "deleting the list under /_api")
			})
	})
}
