package client_test

import (
	"fmt"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
)

// Drive a target (here the reference mock) through the typed client: every call is validated
// against the spec, and observe sees each one (for a transcript or a log).
func Example() {
	srv, err := mock.NewServer(mock.Options{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	v, err := validate.Default()
	if err != nil {
		panic(err)
	}
	// For another target: target.Load("target.yaml"), or a target.Config with your tokens.
	cfg := target.ForMock(srv.URL, identity.Default())
	c := client.New(cfg, v, func(call client.Call) {
		fmt.Printf("  %s %s → %d (%d violations)\n", call.Role, call.Operation, call.Status, len(call.Violations))
	})
	me := c.As(identity.User)

	created := me.CreateList(api.Favorite{PageID: "3893d33b-24a1-474b-80b0-dd7c32e20bfb", Title: "My Page"})
	added := me.AddFavorite(api.Favorite{PageID: "81f1ee0a-92b7-42f7-89cb-8b0f96146dcf", Title: "Another Page", RelativeURL: "/route"})
	fmt.Println("revision", created.List.Revision, "then", added.List.Revision, "with", len(added.List.Favorites), "favorites")

	// Another user sees no list; a 404 is Wix-shaped, and decoded as such.
	other := c.As(identity.SecondUser).GetList()
	fmt.Println(other.Status, other.Error.Details.ApplicationError.Code)
	// Output:
	//   user createUserFavoriteList → 200 (0 violations)
	//   user addUserFavorite → 200 (0 violations)
	// revision 1 then 2 with 2 favorites
	//   second-user getUserFavoriteList → 404 (0 violations)
	// 404 NOT_FOUND
}
