package mock_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
)

// Start the reference mock on a loopback port, as httptest.NewServer does, and call it with one of
// its identities' tokens (identity.Default(); `favconform serve` prints them too).
func ExampleNewServer() {
	srv, err := mock.NewServer(mock.Options{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	user, _ := identity.ByRole(identity.Default(), identity.User)

	body := `{"favoriteList": {"favorites": [{"pageId": "3893d33b-24a1-474b-80b0-dd7c32e20bfb", "title": "My Page"}]}}`
	req, _ := http.NewRequest("POST", srv.URL+api.ListPath, strings.NewReader(body))
	req.Header.Set("Authorization", user.Token) // the raw token, as the SDK sends it
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var got api.ListEnvelope
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		panic(err)
	}
	fmt.Println(resp.Status)
	fmt.Println("revision", got.FavoriteList.Revision, "favorites", len(got.FavoriteList.Favorites), got.FavoriteList.Favorites[0].Title)

	// The mock keeps state: the list is there until deleted, and only for its user.
	l, ok := srv.Mock.List(user.WixUserID)
	fmt.Println("stored:", ok, l.ID == got.FavoriteList.ID)
	// Output:
	// 200 OK
	// revision 1 favorites 1 My Page
	// stored: true true
}

// The Mock is an http.Handler: serve it with httptest, or mount it in your own mux. A deviation
// switch makes it break one documented rule, to check that your client notices.
func ExampleNew() {
	m, err := mock.New(mock.Options{Deviations: []string{"revision-as-number"}})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(m)
	defer srv.Close()
	user, _ := identity.ByRole(identity.Default(), identity.User)

	req, _ := http.NewRequest("POST", srv.URL+api.AddFavoritePath, strings.NewReader(`{"favorite": {"pageId": "p", "title": "New Favorite Page"}}`))
	req.Header.Set("Authorization", user.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, strings.Contains(string(b), `"revision":1`))
	// Output:
	// 200 true
}
