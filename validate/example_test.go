package validate_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/favconform/favconform/validate"
)

// A response whose revision is a JSON number (the API sends it as a string).
const badResponse = `{"favoriteList":{"id":"b8216af7-cf7c-4860-8014-54e4824a1745","revision":2,` +
	`"createdDate":"2024-05-19T13:05:45.684Z","updatedDate":"2024-05-20T14:46:50.126Z","favorites":[]}}`

// Check one exchange: the operation it belongs to and every violation, with the JSON pointer of
// the fault.
func ExampleValidator_Check() {
	v, err := validate.Default()
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest("GET", "https://www.wixapis.com/dashboard/v1/user-favorite-list", nil)
	req.Header.Set("Authorization", "<token>")
	op, violations := v.Check(req, nil, 200, http.Header{"Content-Type": {"application/json"}}, []byte(badResponse))
	fmt.Println(op)
	for _, x := range violations {
		fmt.Println(x.In, x.Pointer, "expected", x.Expected, "got", x.Got)
	}
	// Output:
	// getUserFavoriteList
	// response /favoriteList/revision expected type string matching ^-?[0-9]+$ got 2
}

// Wrap the HTTP client of your own code with Transport: every exchange it makes is validated. In a
// test, report the violations with t.Error; here they are printed.
func ExampleTransport() {
	// The server your code talks to (here, one that breaks the spec).
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, badResponse)
	}))
	defer api.Close()

	httpClient := &http.Client{Transport: &validate.Transport{
		OnExchange: func(x validate.Exchange) {
			for _, v := range x.Violations {
				fmt.Println("violation:", v) // in a test: t.Error(v)
			}
		},
	}}

	// Your code under test, using httpClient.
	req, _ := http.NewRequest("GET", api.URL+"/dashboard/v1/user-favorite-list", nil)
	req.Header.Set("Authorization", "<token>")
	resp, err := httpClient.Do(req)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println("the body reaches your code intact:", strings.Contains(string(body), `"revision":2`))
	// Output:
	// violation: getUserFavoriteList response /favoriteList/revision: expected type string matching ^-?[0-9]+$, got 2
	// the body reaches your code intact: true
}

// Wrap your own server's handler with Middleware to check what it serves.
func ExampleMiddleware() {
	v, _ := validate.Default()
	yourHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated) // the API answers 200, never 201
		io.WriteString(w, strings.Replace(badResponse, `"revision":2`, `"revision":"1"`, 1))
	})
	srv := httptest.NewServer(validate.Middleware(v, func(x validate.Exchange) {
		for _, v := range x.Violations {
			fmt.Println("violation:", v)
		}
	})(yourHandler))
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/dashboard/v1/user-favorite-list", strings.NewReader(`{"favoriteList":{"favorites":[]}}`))
	req.Header.Set("Authorization", "<token>")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	// Output:
	// violation: createUserFavoriteList response status: expected a status the operation documents, got 201
}
