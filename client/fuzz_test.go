package client

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/fixtures"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
)

// FuzzHostileResponses answers the client's calls with fuzzed statuses, content types and bodies
// (seeds: fixtures/fuzz/response.*). The client never panics, always returns either a response
// or an error, and never takes a 200 whose body is not a JSON object for a good answer.
func FuzzHostileResponses(f *testing.F) {
	for _, b := range fixtures.FuzzSeeds("response.") {
		for _, status := range []int{200, 404, 409, 500} {
			f.Add(uint16(status), "application/json", b)
		}
	}
	f.Add(uint16(200), "text/html", []byte("<html>"))
	f.Add(uint16(204), "", []byte{})

	var mu sync.Mutex
	var status int
	var contentType string
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	f.Cleanup(srv.Close)
	v, err := validate.Default()
	if err != nil {
		f.Fatal(err)
	}
	c := New(target.ForMock(srv.URL, identity.Default()), v, nil)

	f.Fuzz(func(t *testing.T, st uint16, ct string, b []byte) {
		mu.Lock()
		status, contentType, body = 200+int(st)%400, ct, b // 200-599: what a server can send
		mu.Unlock()
		k := c.As(identity.User)
		for _, r := range []*Response{k.GetList(), k.AddFavorite(api.Favorite{PageID: "p", Title: "t"}), k.DeleteList("x")} {
			if r.Err != nil {
				continue // e.g. a body on a 204 or 304
			}
			if r.Status < 200 || r.Status > 599 {
				t.Fatalf("status %d", r.Status)
			}
			var obj map[string]json.RawMessage
			if r.Status == http.StatusOK && json.Unmarshal(r.Body, &obj) != nil && r.DecodeErr == nil && len(r.Violations) == 0 {
				t.Fatalf("a 200 with the body %q passed as a good answer", r.Body)
			}
		}
	})
}
