package validate

import (
	"encoding/json"
	"fmt"
	"maps"
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

// compiledCases compiles every schema of the spec — each component and each schema inside one
// (a oneOf's alternative, a property, an item) — for requests and for responses: the inner
// verdicts, which their parents combine, are then held to kin-openapi's as roots.
func compiledCases(t testing.TB) []compiledCase {
	t.Helper()
	doc, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	var cases []compiledCase
	eachSchema(doc, func(where string, s *openapi3.Schema) {
		for _, asRequest := range []bool{false, true} {
			cases = append(cases, compiledCaseOf(t, where, openapi3.NewSchemaRef("", s), asRequest))
		}
	})
	return cases
}

// eachSchema calls f once for each schema of doc: each component, each body schema of an
// operation, and each schema inside those (items, not, additionalProperties, properties, oneOf,
// anyOf, allOf).
func eachSchema(doc *openapi3.T, f func(where string, s *openapi3.Schema)) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, ref *openapi3.SchemaRef)
	walk = func(where string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		f(where, s)
		walk(where+"/items", s.Items)
		walk(where+"/not", s.Not)
		walk(where+"/additionalProperties", s.AdditionalProperties.Schema)
		for _, k := range slices.Sorted(maps.Keys(s.Properties)) {
			walk(where+"/properties/"+k, s.Properties[k])
		}
		for i, group := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
			for j, r := range group {
				walk(fmt.Sprintf("%s/%s/%d", where, []string{"oneOf", "anyOf", "allOf"}[i], j), r)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(doc.Components.Schemas)) {
		walk("#/components/schemas/"+k, doc.Components.Schemas[k])
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status, resp := range op.Responses.Map() {
				for mt, media := range resp.Value.Content {
					walk(fmt.Sprintf("%s %s %s %s", method, path, status, mt), media.Schema)
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for mt, media := range op.RequestBody.Value.Content {
					walk(fmt.Sprintf("%s %s request %s", method, path, mt), media.Schema)
				}
			}
		}
	}
}

// compiledCaseOf compiles ref for one direction, failing t when it does not compile.
func compiledCaseOf(t testing.TB, name string, ref *openapi3.SchemaRef, asRequest bool) compiledCase {
	t.Helper()
	v, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	c, err := compileSchema(ref, asRequest, spec.StringFormats())
	if err != nil {
		t.Fatalf("%s does not compile: %v", name, err)
	}
	options, direction := v.bodyOptions, "response"
	if asRequest {
		options, direction = v.requestBodyOptions, "request"
	}
	return compiledCase{name: name + " as a " + direction, schema: ref.Value, compiled: c, options: options}
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

// Schemas the spec does not hold but the compiler takes on, each at a corner of kin-openapi's
// rules (null and oneOf, the empty schema, readOnly in requests, repeated names, numbers out of
// range, bounds past int64, enums on objects): every verdict is still kin-openapi's. The first
// rows are the disagreements a review found (the number shortcut, enums on objects and arrays,
// huge bounds), fixed since.
func TestCompiledHandMadeSchemasAgreeWithKinOpenAPI(t *testing.T) {
	big := "18446744073709551615"
	compiled := 0
	for _, tc := range []struct {
		schema string
		bodies []string
	}{
		{`{"nullable":true,"allOf":[{}]}`, []string{`1e400`, `1`, `"a"`, `null`, `{}`}},
		{`{"oneOf":[{"type":"string"},{}]}`, []string{`1e400`, `-1e400`, `1`, `"a"`, `null`}},
		{`{"oneOf":[{"type":"string"},{"description":"x"}]}`, []string{`1e400`}},
		{`{"oneOf":[{"allOf":[{}]},{"type":"integer"}]}`, []string{`1e400`, `1`}},
		{`{"enum":["a"]}`, []string{`{}`, `[]`, `"a"`, `"b"`, `1`, `true`, `null`}},
		{`{"type":"object","enum":["a"]}`, []string{`{}`, `{"a":1}`}},
		{`{"type":"array","enum":["a"]}`, []string{`[]`, `["a"]`}},
		{`{"oneOf":[{"oneOf":[{"enum":["a"]},{"type":"object"}]},{"type":"object"}]}`, []string{`{}`}},
		{`{"type":"array","maxItems":` + big + `}`, []string{`[]`, `[1]`}},
		{`{"type":"object","maxProperties":` + big + `}`, []string{`{}`, `{"a":1}`}},
		{`{"type":"object","minProperties":` + big + `}`, []string{`{}`, `{"a":1}`}},
		{`{"type":"array","minItems":` + big + `}`, []string{`[]`, `[1]`}},
		{`{"type":"string","minLength":` + big + `}`, []string{`""`, `"a"`}},
		{`{"oneOf":[{"type":"object","minProperties":` + big + `},{"type":"object"}]}`, []string{`{}`}},
		{`{"oneOf":[{"type":"array","minItems":` + big + `},{"type":"array"}]}`, []string{`[]`}},
		{`{"type":"integer"}`, []string{`1.0`, `-0`, `1e2`, `1.5`, `1e400`, `1e-400`, `9223372036854775808`, `-0.0`, `1E+2`}},
		{`{"type":"integer","format":"int32"}`, []string{`1`, `3000000000`}},
		{`{"type":"number","format":"int32"}`, []string{`3000000000`}},
		{`{"format":"int32"}`, []string{`3000000000`, `1.5`}},
		{`{"type":"number","format":"float"}`, []string{`1e300`}},
		{`{"type":"number","minimum":0}`, []string{`-0`, `0`, `-1e-400`, `-1`}},
		{`{"type":"string","maxLength":2}`, []string{`"\ud83d\ude00"`, `"😀"`, `"\ud800"`, `"ab"`, `"abc"`, `"\u00e9\u00e9"`}},
		{`{"type":"string","minLength":2}`, []string{`"\ud83d\ude00"`, `"😀"`, `"\ud800"`, `"\ud800\ud800"`}},
		{`{"type":"string","pattern":"^a$"}`, []string{`"a"`, `"\u0061"`, `"a\n"`, `"a\\n"`}},
		{`{"type":"string","format":"uuid"}`, []string{`"3893d33b-24a1-474b-80b0-dd7c32e20bfb"`, `"x"`}},
		{`{"type":"string","format":"date"}`, []string{`"2024-01-01"`, `"x"`}},
		{`{"type":"string","format":"email"}`, []string{`"x"`}},
		{`{"type":"string","format":"byte"}`, []string{`"x"`, `"YQ=="`}},
		{`{"type":"string","enum":["é","a\"b"]}`, []string{`"\u00e9"`, `"é"`, `"a\"b"`}},
		{`{"type":"object","properties":{"id":{"type":"string","readOnly":true}}}`, []string{`{"id":null}`, `{"id":"x"}`, `{"\u0069d":"x"}`, `{}`, `{"id":"x","id":null}`}},
		{`{"type":"object","required":["id"],"properties":{"id":{"type":"string","readOnly":true}}}`, []string{`{}`, `{"id":null}`}},
		{`{"type":"object","required":["id"],"properties":{"id":{"type":"string","nullable":true,"readOnly":true}}}`, []string{`{}`, `{"id":null}`}},
		{`{"type":"object","required":["id"],"allOf":[{"properties":{"id":{"readOnly":true}}}]}`, []string{`{}`, `{"id":1}`}},
		{`{"allOf":[{"type":"object","required":["id"]},{"properties":{"id":{"readOnly":true}}}]}`, []string{`{}`}},
		{`{"oneOf":[{"type":"object","required":["id"]},{"type":"object"}],"properties":{"id":{"readOnly":true}}}`, []string{`{}`}},
		{`{"type":"object","properties":{"p":{"type":"object","required":["id"]}},"allOf":[{"properties":{"p":{"properties":{"id":{"readOnly":true}}}}}]}`, []string{`{"p":{}}`}},
		{`{"type":"object","properties":{"p":{"allOf":[{"type":"object","required":["id"]}],"properties":{"id":{"readOnly":true}}}}}`, []string{`{"p":{}}`}},
		{`{"type":"object","additionalProperties":false,"properties":{"a":{}}}`, []string{`{"a":1}`, `{"b":1}`, `{"a":1,"a":2}`, `{}`}},
		{`{"type":"object","additionalProperties":{"type":"string"}}`, []string{`{"a":"x"}`, `{"a":1}`, `{"a":1,"a":"x"}`, `{"a":"x","a":1}`}},
		{`{"type":"object","additionalProperties":true,"maxProperties":1}`, []string{`{"a":1,"a":2}`, `{"a":1}`, `{"a":1,"b":2}`}},
		{`{"type":"object","minProperties":2}`, []string{`{"a":1,"a":2}`, `{"a":1,"b":2}`}},
		{`{"type":"object","required":["a","a"]}`, []string{`{"a":1}`, `{}`}},
		{`{"properties":{"a":{}}}`, []string{`null`, `1e400`, `{"a":1}`}},
		{`{"items":{}}`, []string{`null`, `1e400`}},
		{`{"additionalProperties":{}}`, []string{`null`, `1e400`}},
		{`{"readOnly":true}`, []string{`1e400`, `null`, `1`}},
		{`{"nullable":true}`, []string{`1e400`, `null`, `1`, `{}`}},
		{`{"type":"string","nullable":true,"oneOf":[{"type":"string"}]}`, []string{`null`}},
		{`{"oneOf":[{"type":"string","nullable":true},{"type":"object"}]}`, []string{`null`}},
		{`{"oneOf":[{"type":"string","nullable":true},{"nullable":true}]}`, []string{`null`}},
		{`{"allOf":[{"nullable":true}],"type":"string"}`, []string{`null`, `1`}},
		{`{"allOf":[{"nullable":true},{"type":"string"}]}`, []string{`null`}},
		{`{"oneOf":[{"nullable":true,"type":"string"}],"allOf":[{"type":"string"}]}`, []string{`null`}},
		{`{"oneOf":[{},{}]}`, []string{`null`, `1`}},
		{`{"oneOf":[{},{"type":"string"}]}`, []string{`null`, `"a"`, `1`}},
		{`{"type":"null"}`, []string{`null`, `1`}},
		{`{"type":"boolean","enum":["true"]}`, []string{`true`}},
		{`{"type":"object","properties":{"a":{"type":"string"}}}`, []string{" {\"a\" : \"x\" } ", "{\"a\":\"x\"}\x00", "\ufeff{}", `{"a":"x"} {}`, `{"a":"x"}]`, "{\"a\":\"x\u2028\"}", `{"a":"\/"}`, `{"a":"\x"}`}},
		{`{"type":"array","items":{"type":"integer"},"maxItems":2}`, []string{`[1,2]`, `[1,2,3]`, `[1 , 2]`, `[1,]`, `[,1]`, `[01]`, `[1.]`, `[.1]`, `[-]`, `[1e]`, `[+1]`, `[1,2`}},
		{`{"type":"array","items":{"type":"array","items":{"type":"integer"}}}`, []string{strings.Repeat("[", 101) + strings.Repeat("]", 101), `[[1],[2.5]]`}},
	} {
		var s openapi3.Schema
		if err := json.Unmarshal([]byte(tc.schema), &s); err != nil {
			t.Fatalf("%s: %v", tc.schema, err)
		}
		ref := openapi3.NewSchemaRef("", &s)
		for _, asRequest := range []bool{false, true} {
			if _, err := compileSchema(ref, asRequest, spec.StringFormats()); err != nil {
				continue // left to kin-openapi whole, which is always right
			}
			compiled++
			c := compiledCaseOf(t, tc.schema, ref, asRequest)
			for _, body := range tc.bodies {
				if d := c.disagreement([]byte(body)); d != "" {
					t.Error(d)
				}
			}
		}
	}
	if compiled < 100 {
		t.Fatalf("only %d of the hand-made schemas compiled: the test checks too little", compiled)
	}
}

// FuzzCompiledSchema holds every compiled schema's verdict on any body to kin-openapi's answer.
func FuzzCompiledSchema(f *testing.F) {
	// Every tenth body of the corpus (TestCompiledSchemasAgreeWithKinOpenAPI checks them all):
	// seeds of each kind, without running the whole corpus twice in plain go test.
	for i, body := range compiledCorpus(f) {
		if i%10 == 0 {
			f.Add(body)
		}
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
