package negative

import (
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/favconform/favconform/model"
	"github.com/favconform/favconform/spec"
)

// The cases the issue names are derived from spec/openapi.yaml, each citing registered
// requirements, and each body (or path id) is one the spec rejects.
func TestNegativeCasesFromTheSpec(t *testing.T) {
	cases, err := Cases()
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := spec.Requirements()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, r := range reqs {
		known[r.ID] = true
	}
	type key struct {
		op         model.Op
		where      string
		constraint string
	}
	got := map[key]Case{}
	for _, c := range cases {
		where := c.Pointer
		if c.PathParam != "" {
			where = "{" + c.PathParam + "}"
		}
		got[key{c.Op, where, c.Constraint}] = c
		for _, id := range c.Requirements {
			if !known[id] {
				t.Errorf("%s cites %s, which is not in spec/requirements.yaml", c.Name(), id)
			}
		}
	}
	for _, want := range []struct {
		k      key
		status int
		req    string
		strict bool
	}{
		{key{model.Add, "/favorite/pageId", "required"}, 0, "errors.bad-request", false},
		{key{model.Add, "/favorite/title", "required"}, 0, "errors.bad-request", true}, // [title-required]
		{key{model.Create, "/favoriteList/favorites/0/title", "type"}, 0, "errors.bad-request", false},
		{key{model.Update, "/favoriteList/revision", "type"}, 0, "errors.bad-request", false},
		{key{model.Update, "/favoriteList/favorites/0/title", "maxLength"}, 0, "field.title-length", false},
		{key{model.Add, "/favorite/pageId", "minLength"}, 0, "field.pageid-length", false},
		{key{model.Create, "/favoriteList/favorites/0/relativeUrl", "maxLength"}, 0, "field.relativeurl-length", false},
		{key{model.Create, "/favoriteList/favorites", "maxItems"}, 0, "favorites.max-100", false},
		{key{model.Update, "/favoriteList/favorites", "maxItems"}, 0, "favorites.max-100", false},
		{key{model.Update, "{favoriteListId}", "format"}, 0, "errors.bad-request", false},
		{key{model.Create, "/favoriteList/id", "readOnly"}, 0, "readonly.not-overridden", false},
		// (A favorite id is not read-only - the SDK marks only the list's fields - and the base
		// bodies of create and add send none, so no case breaks it [create-favorite-ids].)
	} {
		c, ok := got[want.k]
		if !ok {
			t.Errorf("no case breaks %s %s (%s)", want.k.op, want.k.where, want.k.constraint)
			continue
		}
		if c.Status != want.status || !slices.Contains(c.Requirements, want.req) || c.Strict != want.strict {
			t.Errorf("%s: status %d, requirements %v, strict %v; want %d, %s, %v", c.Name(), c.Status, c.Requirements, c.Strict, want.status, want.req, want.strict)
		}
		if c.MayIgnore != (c.Constraint == "readOnly" || strings.HasSuffix(c.Pointer, "/id")) {
			t.Errorf("%s: MayIgnore %v", c.Name(), c.MayIgnore)
		}
	}
	// The list id a PATCH body repeats is read-only on the object page: ignoring it conforms.
	if c := got[key{model.Update, "/favoriteList/id", "format"}]; !c.MayIgnore || c.Status != 0 {
		t.Errorf("%s: MayIgnore %v, status %d; want a refusal or the value ignored", c.Name(), c.MayIgnore, c.Status)
	}
	if _, ok := got[key{model.Create, "/favoriteList/revision", "pattern"}]; ok {
		t.Error("a read-only field gets only the read-only case (a server may ignore it whatever its value)")
	}
}

// The walk follows the schema: a constraint added to it is a new case.
func TestANewConstraintIsANewCase(t *testing.T) {
	maxLen := uint64(3)
	schema := func(minLength uint64) *openapi3.Schema {
		note := openapi3.NewStringSchema()
		note.MaxLength, note.MinLength = &maxLen, minLength
		s := openapi3.NewObjectSchema()
		s.Properties = openapi3.Schemas{"note": openapi3.NewSchemaRef("", note)}
		s.Required = []string{"note"}
		return s
	}
	base := map[string]any{"note": "ab"}
	names := func(s *openapi3.Schema) []string {
		cases, err := deriveCases(model.Add, "op", s, nil, base, map[string]bool{"field.note-length": true})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cases {
			out = append(out, c.Name())
		}
		return out
	}
	before, after := names(schema(0)), names(schema(1))
	want := []string{
		"add the body: type (a number where the spec says object)",
		"add /note: required (left out)",
		"add /note: type (a number where the spec says string)",
		"add /note: maxLength (4 characters where maxLength is 3)",
	}
	if !slices.Equal(before, want) {
		t.Fatalf("cases:\n%q\nwant\n%q", before, want)
	}
	if !slices.Equal(after, append(want, "add /note: minLength (0 characters where minLength is 1)")) {
		t.Fatalf("adding minLength 1 must add exactly its case; got\n%q", after)
	}
}

// A base body that breaks its schema, or a case the schema does not reject, is a derivation
// error, not a check of nothing.
func TestDerivationErrors(t *testing.T) {
	s := openapi3.NewObjectSchema()
	s.Properties = openapi3.Schemas{"n": openapi3.NewSchemaRef("", openapi3.NewStringSchema())}
	if _, err := deriveCases(model.Add, "op", s, nil, map[string]any{"n": 5}, nil); err == nil || !strings.Contains(err.Error(), "does not pass its own schema") {
		t.Errorf("a base body that breaks its schema must be an error, got %v", err)
	}
	// Four characters break the first alternative's maxLength but satisfy the second one.
	short, long := openapi3.NewStringSchema(), openapi3.NewStringSchema()
	three := uint64(3)
	short.MaxLength, long.MinLength = &three, 4
	s.Properties["n"] = openapi3.NewSchemaRef("", openapi3.NewOneOfSchema(short, long))
	if _, err := deriveCases(model.Add, "op", s, nil, map[string]any{"n": "ab"}, nil); err == nil || !strings.Contains(err.Error(), "passes the request schema") {
		t.Errorf("a case whose body passes the schema must be an error, got %v", err)
	}
}
