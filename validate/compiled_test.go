package validate

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/favconform/favconform/spec"
)

// compiledCase is one schema of the spec compiled for one direction, with kin-openapi's options
// for that direction.
type compiledCase struct {
	name     string
	schema   *openapi3.Schema
	compiled *compiledSchema
	options  []openapi3.SchemaValidationOption
}

// compiledCases compiles every component schema of the spec, for requests and for responses:
// each inner schema (a oneOf's alternative, an item) is then also checked as a root, so that its
// verdicts, which its parents combine, are held to kin-openapi's too.
func compiledCases(t testing.TB) []compiledCase {
	t.Helper()
	v, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	var cases []compiledCase
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range doc.Components.Schemas {
			if !yield(k) {
				return
			}
		}
	}) {
		ref := doc.Components.Schemas[k]
		for _, asRequest := range []bool{false, true} {
			c, err := compileSchema(ref, asRequest, spec.StringFormats())
			if err != nil {
				t.Fatalf("%s does not compile: %v", k, err)
			}
			options, direction := v.bodyOptions, "response"
			if asRequest {
				options, direction = v.requestBodyOptions, "request"
			}
			cases = append(cases, compiledCase{name: k + " as a " + direction, schema: ref.Value, compiled: c, options: options})
		}
	}
	return cases
}

// disagreement says how the compiled verdict on body goes beyond kin-openapi's answer, or "".
// valid must mean kin-openapi accepts; invalid, that it rejects; unsure promises nothing.
func (c compiledCase) disagreement(body []byte) string {
	got := c.compiled.verdict(body)
	if got == unsure {
		return ""
	}
	var kinErr error
	value, err := decodeJSON(body)
	if err != nil {
		kinErr = err
	} else {
		kinErr = c.schema.VisitJSON(value, c.options...)
	}
	switch {
	case got == valid && kinErr != nil:
		return fmt.Sprintf("%s: the compiled check accepts %s, kin-openapi says: %v", c.name, body, kinErr)
	case got == invalid && kinErr == nil:
		return fmt.Sprintf("%s: the compiled check rejects %s, kin-openapi accepts it", c.name, body)
	}
	return ""
}

// compiledCorpus is the request and response corpora of the fast-path tests, and bodies whose
// form, not content, is odd: escapes, spacing, repeated names, numbers' forms, deep nesting.
func compiledCorpus(t testing.TB) [][]byte {
	t.Helper()
	out := append(responseCorpus(t), requestCorpus(t)...)
	for _, s := range []string{
		` {"favoriteList" : { } } `,
		"{\"favoriteList\":{}}\n",
		`{"favoriteList":{},"favoriteList":{"x":1}}`,
		`{"favoriteList":{"x":1},"favoriteList":{}}`,
		`{"favorite":{"pageId":"p","title":"t"},"favorite":{"pageId":"","title":"t"}}`,
		`{"favorite":{"pageId":"","title":"t"},"favorite":{"pageId":"p","title":"t"}}`,
		`{"favorite":{"pageId":"p","pageId":"","title":"t"}}`,
		`{"favorite":{"pageId":"p","title":"t\u00e9"}}`,
		`{"favorite":{"pageId":"p","title":"\u0000"}}`,
		`{"favorite":{"pageId":"p","title":"\ud800"}}`,
		`{"favorite":{"pageId":"p","title":"\x"}}`,
		`{"fav\u006frite":{"pageId":"p","title":"t"}}`,
		`{"favorite":{"pageId":"p","title":"` + strings.Repeat("é", 40) + `"}}`,
		`{"favorite":{"pageId":"p","title":"` + strings.Repeat("é", 41) + `"}}`,
		`{"favorite":{"pageId":"p","title":"` + strings.Repeat("😀", 40) + `"}}`,
		`{"favorite":{"pageId":"p","title":"` + strings.Repeat("😀", 21) + `"}}`,
		`{"favoriteList":{"revision":1e2}}`, `{"favoriteList":{"revision":-1}}`, `{"favoriteList":{"revision":1.5}}`,
		`{"favoriteList":{"revision":1e400}}`, `{"favoriteList":{"revision":01}}`, `{"favoriteList":{"revision":-}}`,
		`{"favoriteList":{"revision":9223372036854775808}}`, `{"favoriteList":{"revision":"-1"}}`, `{"favoriteList":{"revision":"1"}}`,
		`{"favoriteList":{"revision":1.0}}`, `{"favoriteList":{"revision":0}}`, `{"favoriteList":{"revision":-0}}`,
		`{"favoriteList":{"id":null,"createdDate":null}}`, `{"favoriteList":{"favorites":null}}`,
		`{"favoriteList":{"favorites":[null]}}`, `{"favoriteList":{"favorites":[1,]}}`, `{"favoriteList":{"favorites":[` + strings.Repeat(`{"pageId":"p","title":"t"},`, 100) + `{"pageId":"p","title":"t"}]}}`,
		`{"favoriteList":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`,
		`{"favoriteList":{}} {"favoriteList":{}}`, `{"favoriteList":{}}x`, "\xff", `"\xff"`,
		`{"favoriteList":tru}`, `{"favoriteList":true}`, `{"favoriteList":nul}`, `{"a":1,}`, `{"a" 1}`, `{,}`, `{"a":1 "b":2}`,
		`{"message":"m","details":{"applicationError":{"code":"c"},"validationError":{"fieldViolations":[]}}}`,
		`{"message":"m","details":{}}`, `{"message":"m","details":null}`,
		`{"identityType":"MEMBER","memberId":"m"}`, `{"identityType":"MEMBER"}`, `{"identityType":"UNKNOWN"}`, `{}`,
		`{"identityType":"APP","appId":"a","identityType":"MEMBER"}`, `{"identityType":7}`,
		`{"eventType":"wix.dashboard.v1.favorite_list_created","data":"{}"}`, `{"eventType":"other","data":"{}"}`,
	} {
		out = append(out, []byte(s))
	}
	return out
}

func requestCorpus(t testing.TB) [][]byte {
	t.Helper()
	return bodyCorpus(t,
		`{"favoriteList":{"favorites":[{"pageId":"3893d33b-24a1-474b-80b0-dd7c32e20bfb","title":"My Page","relativeUrl":"/a?b#c"}]}}`,
		`{"favoriteList":{"id":"b8216af7-cf7c-4860-8014-54e4824a1745","revision":"1","favorites":[{"id":"cc5a0ad9-dbc8-4139-b4e2-3c59678a7d77","pageId":"p","title":"t"}]}}`,
		`{"favoriteList":{"revision":1,"createdDate":"2024-05-19T13:05:45.684Z","favorites":[]}}`,
		`{"favorite":{"pageId":"p","title":"New Favorite Page","id":"cc5a0ad9-dbc8-4139-b4e2-3c59678a7d77"}}`,
	)
}

// Every component schema compiles, and every compiled verdict on the corpus is kin-openapi's:
// what it accepts, kin-openapi accepts; what it rejects, kin-openapi rejects.
func TestCompiledSchemasAgreeWithKinOpenAPI(t *testing.T) {
	cases := compiledCases(t)
	corpus := compiledCorpus(t)
	var decided, accepted, compared int
	for _, c := range cases {
		for _, body := range corpus {
			if d := c.disagreement(body); d != "" {
				t.Fatal(d)
			}
			compared++
			switch c.compiled.verdict(body) {
			case valid:
				accepted++
				decided++
			case invalid:
				decided++
			}
		}
	}
	t.Logf("%d verdicts on %d bodies and %d schemas: %d decided (%d accepted), the rest left to kin-openapi", compared, len(corpus), len(cases), decided, accepted)
	if accepted == 0 || decided == accepted {
		t.Fatal("the corpus must hold bodies the compiled check accepts and bodies it rejects")
	}
}

// The samples, which conform, are accepted by their operation's compiled schema: the fast path
// is taken, not just correct.
func TestTheOperationsSchemasCompileAndAcceptTheirSamples(t *testing.T) {
	v, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := spec.Load()
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil {
				for _, m := range op.RequestBody.Value.Content {
					if v.compiledRequests[m.Schema.Value] == nil {
						t.Errorf("%s: the request body's schema did not compile", op.OperationID)
					}
				}
			}
			for status, r := range op.Responses.Map() {
				for _, m := range r.Value.Content {
					if v.compiledResponses[m.Schema.Value] == nil {
						t.Errorf("%s %s: the response body's schema did not compile", op.OperationID, status)
					}
				}
			}
		}
	}
	for body, name := range map[string]string{
		`{"favoriteList":{"id":"b8216af7-cf7c-4860-8014-54e4824a1745","revision":"2","createdDate":"2024-05-19T13:05:45.684Z","updatedDate":"2024-05-20T14:46:50.126Z","favorites":[{"id":"cc5a0ad9-dbc8-4139-b4e2-3c59678a7d77","pageId":"p","title":"t","relativeUrl":null}]}}`: "GetUserFavoriteListResponse",
		`{"favoriteList":{}}`: "GetUserFavoriteListResponse",
		`{}`:                  "DeleteUserFavoriteListResponse",
		`{"message":"m","details":{"applicationError":{"code":"NOT_FOUND"}}}`: "ErrorBody",
	} {
		c := v.compiledResponses[doc.Components.Schemas[name].Value]
		if c == nil || !c.accepts([]byte(body)) {
			t.Errorf("%s: the compiled check does not accept %s", name, body)
		}
	}
	for body, name := range map[string]string{
		`{"favorite":{"pageId":"p","title":"t"}}`:                                      "AddUserFavoriteRequest",
		`{"favoriteList":{"revision":"3","favorites":[{"pageId":"p","title":"t"}]}}`:   "UpdateUserFavoriteListRequest",
		`{"favoriteList":{"favorites":[{"pageId":"p","title":"t","relativeUrl":""}]}}`: "CreateUserFavoriteListRequest",
	} {
		c := v.compiledRequests[doc.Components.Schemas[name].Value]
		if c == nil || !c.accepts([]byte(body)) {
			t.Errorf("%s: the compiled check does not accept %s", name, body)
		}
	}
}

// The agreement test catches a compiled check that forgets a keyword: with maxLength dropped from
// every node, some verdict in the corpus is no longer kin-openapi's.
func TestTheAgreementTestCatchesAForgottenKeyword(t *testing.T) {
	corpus := compiledCorpus(t)
	for _, forget := range []struct {
		keyword string
		drop    func(n *node)
	}{
		{"maxLength", func(n *node) { n.maxLength = -1 }},
		{"required", func(n *node) { n.required = 0 }},
		{"format", func(n *node) { n.format, n.formatCheck = "", nil }},
		{"readOnly", func(n *node) {
			for i := range n.names {
				n.names[i].readOnly = false
			}
		}},
	} {
		caught := false
		for _, c := range compiledCases(t) {
			forEachNode(c.compiled.root, map[*node]bool{}, forget.drop)
			for _, body := range corpus {
				if caught = c.disagreement(body) != ""; caught {
					break
				}
			}
			if caught {
				break
			}
		}
		if !caught {
			t.Errorf("with %s forgotten, every verdict still agrees with kin-openapi", forget.keyword)
		}
	}
}

func forEachNode(n *node, seen map[*node]bool, f func(*node)) {
	if n == nil || seen[n] {
		return
	}
	seen[n] = true
	f(n)
	for _, s := range append(append(slices.Clone(n.oneOf), n.allOf...), n.items, n.additionalSchema) {
		forEachNode(s, seen, f)
	}
	for _, nm := range n.names {
		forEachNode(nm.schema, seen, f)
	}
}

// FuzzCompiledSchema holds every compiled schema's verdict on any body to kin-openapi's answer.
func FuzzCompiledSchema(f *testing.F) {
	for _, body := range compiledCorpus(f) {
		f.Add(body)
	}
	cases := compiledCases(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, c := range cases {
			if d := c.disagreement(body); d != "" {
				t.Fatal(d)
			}
		}
	})
}
