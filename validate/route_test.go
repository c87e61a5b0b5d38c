package validate

import (
	"fmt"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/favconform/favconform/spec"
)

// A route from the cache is the router's, and a caller changing its parameters changes nothing
// for the next one.
func TestRouteCacheAnswersAsTheRouter(t *testing.T) {
	v, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"GET /dashboard/v1/user-favorite-list", "POST /dashboard/v1/user-favorite-list", "PUT /dashboard/v1/user-favorite-list",
		"DELETE /dashboard/v1/user-favorite-list/b8216af7-cf7c-4860-8014-54e4824a1745",
		"DELETE /_api/dashboard/v1/user-favorite-list/delete-favorite/cc5a0ad9-dbc8-4139-b4e2-3c59678a7d77",
		"PATCH /dashboard/v1/user-favorite-list/a%2Fb", "GET /dashboard/v1/nothing-here", "POST /dashboard/v1/user-favorite-list/add-favorite",
	}
	for round := 0; round < 3; round++ {
		for _, p := range paths {
			var method, path string
			fmt.Sscan(p, &method, &path)
			req := httptest.NewRequest(method, "http://target"+path, nil)
			r1, p1, n1, e1 := v.route(req)
			fresh, err := New(mustLoad(t)) // nothing cached: the router's own answer
			if err != nil {
				t.Fatal(err)
			}
			r2, p2, n2, e2 := fresh.route(req)
			if n1 != n2 || !reflect.DeepEqual(p1, p2) || !reflect.DeepEqual(e1, e2) || (r1 == nil) != (r2 == nil) ||
				(r1 != nil && (r1.Path != r2.Path || r1.Method != r2.Method || r1.Operation != r2.Operation)) {
				t.Fatalf("round %d, %s: %v %v %s %v; and %v %v %s %v", round, p, r1, p1, n1, e1, r2, p2, n2, e2)
			}
			for k := range p1 {
				p1[k] = "changed by a caller"
			}
		}
	}
	if n := len(v.routes.hits); n == 0 || n > routeCacheSize {
		t.Fatalf("%d routes cached", n)
	}
	for i := 0; i < 2*routeCacheSize; i++ {
		v.route(httptest.NewRequest("DELETE", fmt.Sprintf("http://target/dashboard/v1/user-favorite-list/id-%d", i), nil))
	}
	if n := len(v.routes.hits); n > routeCacheSize {
		t.Fatalf("the cache holds %d routes, more than %d", n, routeCacheSize)
	}
}

func mustLoad(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
