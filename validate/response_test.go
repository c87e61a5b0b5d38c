package validate

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/favconform/favconform/spec"
)

// checkResponse walks response bodies without openapi3filter's "as a response" mode, which is
// the same only while the spec has no writeOnly property and no default; checkRequest leaves out
// the writing back of defaults, which is the same only without defaults: hold the spec to that.
func TestFastPathPreconditions(t *testing.T) {
	doc, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	if doc.IsOpenAPI31OrLater() {
		t.Fatalf("the spec is OpenAPI %s; checkResponse assumes 3.0", doc.OpenAPI)
	}
	walked := 0
	eachSchema(doc, func(where string, s *openapi3.Schema) {
		walked++
		if s.WriteOnly {
			t.Errorf("%s is writeOnly: response bodies must be validated by openapi3filter.ValidateResponse again", where)
		}
		if s.Default != nil {
			t.Errorf("%s has a default: response bodies must be validated by openapi3filter.ValidateResponse again", where)
		}
	})
	if walked < 10 {
		t.Fatalf("walked only %d schemas: the walk is broken", walked)
	}
}

// The fast path must give exactly the violations openapi3filter.ValidateResponse gives, for every
// operation, status, Content-Type and a corpus of good and broken bodies.
func TestResponseFastPathAgreesWithKinOpenAPI(t *testing.T) {
	v, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := spec.Load()
	bodies := responseCorpus(t)
	cts := []string{"application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "text/plain", "", "application/problem+json", "application/*", "garbage"}
	param := regexp.MustCompile(`\{[^}]+\}`)
	var tally agreement
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			statuses := statusesOf(t, op.Responses)
			req := httptest.NewRequest(method, "http://target"+param.ReplaceAllString(path, "b8216af7-cf7c-4860-8014-54e4824a1745"), nil)
			req.Header.Set("Authorization", "token")
			route, params, opName, notFound := v.route(req)
			if notFound != nil {
				t.Fatalf("%s %s: %v", method, path, notFound)
			}
			for _, status := range statuses {
				for _, ct := range cts {
					header := http.Header{}
					if ct != "" {
						header.Set("Content-Type", ct)
					}
					for _, body := range bodies {
						fast := violationsOf(opName, InResponse, v.checkResponse(v.requestInput(req, nil, route, params), status, header, body))
						rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: v.requestInput(req, nil, route, params), Status: status, Header: header, Options: v.options}
						rin.SetBodyBytes(body)
						kin := violationsOf(opName, InResponse, openapi3filter.ValidateResponse(req.Context(), rin))
						tally.check(t, fast, kin, fmt.Sprintf("%s %d %q body %s", opName, status, ct, body))
					}
				}
			}
		}
	}
	tally.done(t, "responses")
}

// statusesOf is the statuses to try on an operation: for each documented key, the status itself,
// or, for a range key ("4XX"), its ends and statuses within it (Wix's and others); then statuses
// the operation does not document (another 2xx, 1xx, 3xx, the 3xx kin-openapi never checks).
func statusesOf(t *testing.T, responses *openapi3.Responses) []int {
	t.Helper()
	set := map[int]bool{100: true, 201: true, 204: true, 302: true, 304: true}
	for _, key := range responses.Keys() {
		if len(key) == 3 && key[1:] == "XX" && key[0] >= '1' && key[0] <= '5' {
			base := int(key[0]-'0') * 100
			for _, within := range []int{0, 3, 5, 12, 15, 22, 29, 99} {
				set[base+within] = true
			}
			continue
		}
		n, err := strconv.Atoi(key)
		if err != nil {
			t.Fatalf("response key %q is neither a status nor a range", key)
		}
		set[n] = true
	}
	statuses := slices.Sorted(maps.Keys(set))
	return statuses
}

// agreement compares the violations of a fast path with kin-openapi's, and counts.
type agreement struct{ compared, withViolations int }

func (a *agreement) check(t *testing.T, fast, kin Violations, what string) {
	t.Helper()
	if !reflect.DeepEqual(fast, kin) {
		t.Fatalf("%s:\nfast path: %v\nkin-openapi: %v", what, fast, kin)
	}
	a.compared++
	if len(kin) > 0 {
		a.withViolations++
	}
}

func (a *agreement) done(t *testing.T, what string) {
	t.Helper()
	t.Logf("%d %s compared, %d of them with violations", a.compared, what, a.withViolations)
	if a.withViolations == 0 || a.withViolations == a.compared {
		t.Fatalf("the corpus must hold both conforming and broken %s", what)
	}
}

// responseCorpus is the docs' response samples, a few whole-body oddities, and every sample
// with each of its values in turn removed or replaced by a value of another type or form.
func responseCorpus(t testing.TB) [][]byte {
	t.Helper()
	return bodyCorpus(t,
		`{"favoriteList":{"id":"b8216af7-cf7c-4860-8014-54e4824a1745","revision":"2","createdDate":"2024-05-19T13:05:45.684Z","updatedDate":"2024-05-20T14:46:50.126Z","favorites":[{"id":"cc5a0ad9-dbc8-4139-b4e2-3c59678a7d77","pageId":"3893d33b-24a1-474b-80b0-dd7c32e20bfb","title":"Existing favorite page","relativeUrl":"/a?b#c"}]}}`,
		`{"favoriteList":{}}`,
		`{"message":"exists","details":{"applicationError":{"code":"ALREADY_EXISTS","description":"exists","data":{}}}}`,
		`{"message":"bad","details":{"validationError":{"fieldViolations":[{"field":"title","description":"too long","violatedRule":"MAX_LENGTH"}]}}}`,
	)
}

// bodyCorpus is samples, a few whole-body oddities, and every sample with each of its values in
// turn removed or replaced by a value of another type or form.
func bodyCorpus(t testing.TB, samples ...string) [][]byte {
	t.Helper()
	out := [][]byte{[]byte(`{}`), []byte(``), []byte(`not json`), []byte(`[]`), []byte(`null`), []byte(`{"favoriteList":{}} trailing`), []byte(`{"favoriteList":`), []byte(`{"a":"\u00e9\ud800"}`)}
	replacements := []any{nil, json.Number("7"), "x", true, []any{}, map[string]any{}, "2024-02-30T10:00:00Z", "b8216af7-cf7c-4860-8014-54e4824a174g"}
	for _, s := range samples {
		out = append(out, []byte(s))
		var root any
		if err := json.Unmarshal([]byte(s), &root); err != nil {
			t.Fatal(err)
		}
		var mutate func(node any, set func(any))
		variants := 0
		emit := func() {
			b, _ := json.Marshal(root)
			out = append(out, b)
			variants++
		}
		mutate = func(node any, set func(any)) {
			for _, r := range replacements {
				set(r)
				emit()
			}
			set(node)
			switch n := node.(type) {
			case map[string]any:
				n["undocumented"] = "extra"
				emit()
				delete(n, "undocumented")
				for k, child := range n {
					delete(n, k)
					emit()
					n[k] = child
					mutate(child, func(x any) { n[k] = x })
				}
			case []any:
				for i, child := range n {
					mutate(child, func(x any) { n[i] = x })
				}
			}
		}
		mutate(root, func(x any) { root = x })
		if variants < 10 {
			t.Fatalf("only %d variants of %s", variants, s)
		}
	}
	return out
}

// The request fast path must give exactly the violations openapi3filter.ValidateRequest gives,
// for every operation, Content-Type, credentials and a corpus of good and broken bodies.
func TestRequestFastPathAgreesWithKinOpenAPI(t *testing.T) {
	v, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := spec.Load()
	bodies := bodyCorpus(t,
		`{"favoriteList":{"favorites":[{"pageId":"3893d33b-24a1-474b-80b0-dd7c32e20bfb","title":"My Page","relativeUrl":"/a?b#c"}]}}`,
		`{"favoriteList":{"id":"b8216af7-cf7c-4860-8014-54e4824a1745","revision":"1","favorites":[{"id":"cc5a0ad9-dbc8-4139-b4e2-3c59678a7d77","pageId":"p","title":"t"}]}}`,
		`{"favoriteList":{"revision":1,"createdDate":"2024-05-19T13:05:45.684Z","favorites":[]}}`,
		`{"favorite":{"pageId":"p","title":"New Favorite Page","id":"cc5a0ad9-dbc8-4139-b4e2-3c59678a7d77"}}`,
	)
	cts := []string{"application/json", "application/json; charset=utf-8", "Application/JSON", "text/plain", ""}
	param := regexp.MustCompile(`\{[^}]+\}`)
	var tally agreement
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			for _, auth := range []string{"token", ""} {
				for _, ct := range cts {
					for _, body := range bodies {
						req := httptest.NewRequest(method, "http://target"+param.ReplaceAllString(path, "b8216af7-cf7c-4860-8014-54e4824a1745")+"?favoriteId=x", nil)
						if auth != "" {
							req.Header.Set("Authorization", auth)
						}
						if ct != "" {
							req.Header.Set("Content-Type", ct)
						}
						route, params, opName, notFound := v.route(req)
						if notFound != nil {
							t.Fatalf("%s %s: %v", method, path, notFound)
						}
						fast := violationsOf(opName, InRequest, v.checkRequest(v.requestInput(req, body, route, params), body))
						kin := violationsOf(opName, InRequest, openapi3filter.ValidateRequest(req.Context(), v.requestInput(req, body, route, params)))
						tally.check(t, fast, kin, fmt.Sprintf("%s %q auth %q body %s", opName, ct, auth, body))
					}
				}
			}
		}
	}
	tally.done(t, "requests")
}
