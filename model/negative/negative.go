// Package negative derives, from spec/openapi.yaml, the requests of create, update and add that
// break exactly one constraint of the document (Cases): the conformance suites send each and
// expect a refusal that changes nothing. It stands apart from package model, which knows the docs'
// behaviour, not the document.
package negative

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/model"
	"github.com/favconform/favconform/spec"
)

// Case is a request of create, update or add that breaks exactly one constraint of
// spec/openapi.yaml: its body is a valid base body (Base) with one value changed or left
// out, or its path carries an id that breaks the path parameter's schema. Cases derives
// them by walking the request schemas, so a constraint added to the spec yields a new case.
type Case struct {
	Op          model.Op
	OperationID string
	// Pointer is the JSON pointer of the body value broken ("" is the whole body). With
	// PathParam set, the path parameter of that name is broken instead.
	Pointer   string
	PathParam string
	// Constraint is the schema keyword broken: required, type, maxLength, minLength, maxItems,
	// minItems, format, pattern, minimum, maximum or readOnly.
	Constraint string
	// Detail says how, e.g. "41 characters where maxLength is 40".
	Detail string
	// Value is what is put at Pointer (or in the path); Remove leaves the property out instead.
	Value  any
	Remove bool
	// Status is the status the register requires (400 for a missing field or a wrong type), or 0
	// for any 4xx ([undocumented-statuses]).
	Status int
	// Requirements are the requirement ids the case checks.
	Requirements []string
	// Strict: the refusal is a reading the docs do not force (e.g. [title-required]).
	Strict bool
	// MayIgnore (read-only fields): a server may refuse the request or ignore the value, but
	// never apply it ([read-only-fields]).
	MayIgnore bool
}

// Name names the case after the operation and what it breaks, e.g.
// "update /favoriteList/favorites/0/title: maxLength (41 characters where maxLength is 40)".
func (c Case) Name() string {
	where := c.Pointer
	switch {
	case c.PathParam != "":
		where = "path {" + c.PathParam + "}"
	case where == "":
		where = "the body"
	}
	return fmt.Sprintf("%s %s: %s (%s)", c.Op, where, c.Constraint, c.Detail)
}

// Body returns a copy of base with the case's change applied.
func (c Case) Body(base any) (any, error) {
	v, err := copyJSON(base)
	if err != nil {
		return nil, err
	}
	if c.PathParam != "" {
		return v, nil
	}
	return setPointer(v, c.Pointer, c.Value, c.Remove)
}

// Request returns the method and path of the case's request against list l (update names l).
// valid is the path with nothing broken.
func (c Case) Request(l api.FavoriteList) (method, path, valid string) {
	switch c.Op {
	case model.Update:
		valid = api.ListPath + "/" + url.PathEscape(l.ID)
		path = valid
		if c.PathParam != "" {
			path = api.ListPath + "/" + url.PathEscape(fmt.Sprint(c.Value))
		}
		return http.MethodPatch, path, valid
	case model.Add:
		return http.MethodPost, api.AddFavoritePath, api.AddFavoritePath
	}
	return http.MethodPost, api.ListPath, api.ListPath
}

// Applied reports whether the read-only value the case sent shows in l as its list id,
// revision, a date or a favorite id.
func (c Case) Applied(l api.FavoriteList) bool {
	v := fmt.Sprint(c.Value)
	if l.ID == v || strconv.FormatInt(int64(l.Revision), 10) == v || l.CreatedDate == v || l.UpdatedDate == v {
		return true
	}
	return slices.ContainsFunc(l.Favorites, func(f api.Favorite) bool { return f.ID == v })
}

// Base is the valid body of op that the negative cases break: for update, one that keeps
// l's first favorite (under its id, retitled) at l's revision, with l's id in the body as the SDK
// sends it.
func Base(op model.Op, l api.FavoriteList) map[string]any {
	fav := map[string]any{"pageId": "negative-page", "title": "Negative case", "relativeUrl": "/negative?case=1#top"}
	switch op {
	case model.Add:
		return map[string]any{"favorite": fav}
	case model.Update:
		if len(l.Favorites) > 0 {
			fav["id"], fav["pageId"] = l.Favorites[0].ID, l.Favorites[0].PageID
		}
		return map[string]any{"favoriteList": map[string]any{
			"id": l.ID, "revision": strconv.FormatInt(int64(l.Revision), 10), "favorites": []any{fav},
		}}
	}
	return map[string]any{"favoriteList": map[string]any{"favorites": []any{fav}}}
}

// templateList stands for the caller's list while the cases are derived (the docs' own ids).
var templateList = api.FavoriteList{ID: "b8216af7-cf7c-4860-8014-54e4824a1745", Revision: 1,
	Favorites: []api.Favorite{{ID: "7d228ce4-f0c6-4758-be72-beea48f83dd1", PageID: "3893d33b-24a1-474b-80b0-dd7c32e20bfb", Title: "My Page"}}}

// negativeOps are the operations whose requests are broken, by operationId.
var negativeOps = []struct {
	op model.Op
	id string
}{{model.Create, "createUserFavoriteList"}, {model.Update, "updateUserFavoriteList"}, {model.Add, "addUserFavorite"}}

// ignorable are body values a server may ignore rather than refuse, though the schema has no
// readOnly on them: the list id in a PATCH body is read-only on the object page ("idstringRead-only")
// and the SDK repeats it there, so the spec allows it; a server that ignores it, malformed or
// not, follows the docs ([read-only-fields]). A favorite id in a PATCH that is not a GUID may
// likewise be replaced by one of the server's instead of refused ([patch-favorite-ids]).
var ignorable = map[string][]string{"updateUserFavoriteList": {"/favoriteList/id", "/favoriteList/favorites/0/id"}}

// strictlyRequired are the properties whose being required is a reading only the strict
// profile checks (discrepancies.yaml: title-required).
var strictlyRequired = map[string]bool{"title": true}

// Cases derives the negative cases of create, update and add from spec/openapi.yaml.
func Cases() ([]Case, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	reqs, err := spec.Requirements()
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, r := range reqs {
		known[r.ID] = true
	}
	var out []Case
	for _, o := range negativeOps {
		item, op := findOperation(doc, o.id)
		if op == nil {
			return nil, fmt.Errorf("model: spec/openapi.yaml has no operation %s", o.id)
		}
		if op.RequestBody == nil || op.RequestBody.Value == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
			return nil, fmt.Errorf("model: %s has no application/json request body", o.id)
		}
		schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
		params := append(slices.Clone(item.Parameters), op.Parameters...)
		cases, err := deriveCases(o.op, o.id, schema, params, Base(o.op, templateList), known)
		if err != nil {
			return nil, err
		}
		out = append(out, cases...)
	}
	return out, nil
}

func findOperation(doc *openapi3.T, id string) (*openapi3.PathItem, *openapi3.Operation) {
	paths := doc.Paths.Map()
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, op := range paths[k].Operations() {
			if op.OperationID == id {
				return paths[k], op
			}
		}
	}
	return nil, nil
}

// walker derives the cases of one operation.
type walker struct {
	op    model.Op
	opID  string
	known map[string]bool
	cases []Case
}

// deriveCases walks schema along base and emits one case per constraint, then checks that the
// base passes the schema and that every case's body (or path id) fails it.
func deriveCases(op model.Op, opID string, schema *openapi3.Schema, params openapi3.Parameters, base any, known map[string]bool) ([]Case, error) {
	opts := append(spec.SchemaOptions(), openapi3.VisitAsRequest(), openapi3.MultiErrors())
	generic, err := copyJSON(base)
	if err != nil {
		return nil, err
	}
	if err := schema.VisitJSON(generic, opts...); err != nil {
		return nil, fmt.Errorf("model: the base body of %s does not pass its own schema: %v", opID, err)
	}
	w := &walker{op: op, opID: opID, known: known}
	w.value(schema, "", "", generic)
	for _, p := range params {
		if p.Value == nil || p.Value.In != openapi3.ParameterInPath || p.Value.Schema == nil || p.Value.Schema.Value == nil {
			continue
		}
		ps := p.Value.Schema.Value
		for _, c := range w.scalar(ps, "", p.Value.Name) {
			if c.Constraint == "minLength" { // an empty path segment routes elsewhere
				continue
			}
			c.Op, c.OperationID, c.PathParam = op, opID, p.Value.Name
			if ps.VisitJSON(c.Value, spec.SchemaOptions()...) == nil {
				return nil, fmt.Errorf("model: %s: the path id %v passes the parameter's schema", c.Name(), c.Value)
			}
			c.Requirements = []string{"errors.bad-request", "errors.wix-shape"}
			w.cases = append(w.cases, c)
		}
	}
	seen := map[string]bool{}
	for _, c := range w.cases {
		if seen[c.Name()] {
			return nil, fmt.Errorf("model: two negative cases are named %q", c.Name())
		}
		seen[c.Name()] = true
		if c.PathParam != "" {
			continue
		}
		body, err := c.Body(base)
		if err != nil {
			return nil, err
		}
		if schema.VisitJSON(body, opts...) == nil {
			return nil, fmt.Errorf("model: %s: the body passes the request schema, so it breaks nothing", c.Name())
		}
	}
	return w.cases, nil
}

func (w *walker) add(c Case) {
	c.Op, c.OperationID = w.op, w.opID
	if slices.Contains(ignorable[w.opID], c.Pointer) && !c.MayIgnore {
		c.MayIgnore, c.Status = true, 0
		c.Requirements = append([]string{"readonly.not-overridden"}, c.Requirements...)
	}
	w.cases = append(w.cases, c)
}

// value emits the cases of the value at ptr (the property name), then walks into it.
func (w *walker) value(s *openapi3.Schema, ptr, name string, v any) {
	if wrong, ok := wrongType(s); ok {
		w.add(Case{Pointer: ptr, Constraint: "type", Detail: fmt.Sprintf("%s where the spec says %s", jsonType(wrong), strings.Join(allowedTypes(s), " or ")),
			Value: wrong, Requirements: []string{"errors.bad-request", "errors.wix-shape"}})
	}
	for _, c := range w.scalar(s, ptr, name) {
		w.add(c)
	}
	switch {
	case s.Type.Is(openapi3.TypeObject):
		o, ok := v.(map[string]any)
		if !ok {
			return
		}
		names := make([]string, 0, len(s.Properties))
		for n := range s.Properties {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			ps := s.Properties[n].Value
			if ps == nil {
				continue
			}
			p := ptr + "/" + escapePointer(n)
			if ps.ReadOnly {
				w.add(Case{Pointer: p, Constraint: "readOnly", Detail: "a value for a read-only field", Value: sample(ps, 0),
					MayIgnore: true, Requirements: []string{"readonly.not-overridden", "errors.wix-shape"}})
				continue
			}
			cv, present := o[n]
			if !present {
				continue
			}
			if slices.Contains(s.Required, n) {
				c := Case{Pointer: p, Constraint: "required", Detail: "left out", Remove: true,
					Requirements: []string{"errors.bad-request", "errors.wix-shape"}, Strict: strictlyRequired[n]}
				w.add(c)
			}
			w.value(ps, p, n, cv)
		}
	case s.Type.Is(openapi3.TypeArray):
		a, ok := v.([]any)
		if ok && len(a) > 0 && s.Items != nil && s.Items.Value != nil {
			w.value(s.Items.Value, ptr+"/0", name, a[0])
		}
	}
}

// scalar returns the cases breaking s's own limits (lengths, items, format, pattern, bounds),
// for each alternative of a oneOf.
func (w *walker) scalar(s *openapi3.Schema, ptr, name string) []Case {
	alts := []*openapi3.Schema{s}
	if len(s.OneOf) > 0 {
		alts = nil
		for _, a := range s.OneOf {
			if a.Value != nil {
				alts = append(alts, a.Value)
			}
		}
	}
	var out []Case
	bad := func(constraint, detail string, v any, reqs ...string) {
		out = append(out, Case{Pointer: ptr, Constraint: constraint, Detail: detail, Value: v,
			Requirements: append(reqs, "errors.bad-request", "errors.wix-shape")})
	}
	for _, a := range alts {
		switch {
		case a.Type.Is(openapi3.TypeString):
			lengthReq := w.requirement("field." + strings.ToLower(name) + "-length")
			if a.MaxLength != nil {
				bad("maxLength", fmt.Sprintf("%d characters where maxLength is %d", *a.MaxLength+1, *a.MaxLength), strings.Repeat("x", int(*a.MaxLength)+1), lengthReq...)
			}
			if a.MinLength > 0 {
				bad("minLength", fmt.Sprintf("%d characters where minLength is %d", a.MinLength-1, a.MinLength), strings.Repeat("x", int(a.MinLength)-1), lengthReq...)
				// An empty title is no title in proto3 JSON: refusing it is a reading [title-required].
				out[len(out)-1].Strict = strictlyRequired[name]
			}
			switch a.Format {
			case "uuid":
				bad("format", "not a GUID where the format is uuid", "not-a-guid")
			case "date-time":
				bad("format", "not an RFC 3339 date-time", "yesterday")
			}
			if a.Pattern != "" {
				if re, err := regexp.Compile(a.Pattern); err == nil {
					for _, cand := range []string{"x1", "one", "-1", " "} {
						if !re.MatchString(cand) {
							bad("pattern", fmt.Sprintf("%q does not match %s", cand, a.Pattern), cand)
							break
						}
					}
				}
			}
		case a.Type.Is(openapi3.TypeInteger) || a.Type.Is(openapi3.TypeNumber):
			if a.Min != nil {
				bad("minimum", fmt.Sprintf("%v where the minimum is %v", *a.Min-1, *a.Min), int64(*a.Min)-1)
			}
			if a.Max != nil {
				bad("maximum", fmt.Sprintf("%v where the maximum is %v", *a.Max+1, *a.Max), int64(*a.Max)+1)
			}
		case a.Type.Is(openapi3.TypeArray):
			if a.Items == nil || a.Items.Value == nil {
				continue
			}
			if a.MaxItems != nil {
				n := int(*a.MaxItems) + 1
				items := make([]any, n)
				for i := range items {
					items[i] = sample(a.Items.Value, i)
				}
				bad("maxItems", fmt.Sprintf("%d items where maxItems is %d", n, *a.MaxItems), items,
					w.requirement(strings.ToLower(name)+".max-"+strconv.FormatUint(*a.MaxItems, 10))...)
			}
			if a.MinItems > 0 {
				items := make([]any, a.MinItems-1)
				for i := range items {
					items[i] = sample(a.Items.Value, i)
				}
				bad("minItems", fmt.Sprintf("%d items where minItems is %d", len(items), a.MinItems), items)
			}
		}
	}
	return out
}

// requirement returns id if the register has it.
func (w *walker) requirement(id string) []string {
	if w.known[id] {
		return []string{id}
	}
	return nil
}

// allowedTypes are the JSON types s (or one of its oneOf alternatives) takes.
func allowedTypes(s *openapi3.Schema) []string {
	var ts []string
	if s.Type != nil {
		ts = append(ts, s.Type.Slice()...)
	}
	for _, a := range s.OneOf {
		if a.Value != nil && a.Value.Type != nil {
			ts = append(ts, a.Value.Type.Slice()...)
		}
	}
	return ts
}

// wrongType returns a value of a JSON type s does not take.
func wrongType(s *openapi3.Schema) (any, bool) {
	ts := allowedTypes(s)
	if len(ts) == 0 {
		return nil, false
	}
	for _, cand := range []any{float64(42), "text", true, []any{}, map[string]any{}} {
		ok := true
		for _, t := range candidateTypes(cand) {
			if slices.Contains(ts, t) {
				ok = false
			}
		}
		if ok {
			return cand, true
		}
	}
	return nil, false
}

func candidateTypes(v any) []string {
	switch v.(type) {
	case float64:
		return []string{openapi3.TypeNumber, openapi3.TypeInteger}
	case string:
		return []string{openapi3.TypeString}
	case bool:
		return []string{openapi3.TypeBoolean}
	case []any:
		return []string{openapi3.TypeArray}
	}
	return []string{openapi3.TypeObject}
}

func jsonType(v any) string {
	switch v.(type) {
	case float64:
		return "a number"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	}
	return "an object"
}

// sample returns a value that passes s (the i-th of a kind, so that items differ).
func sample(s *openapi3.Schema, i int) any {
	if len(s.OneOf) > 0 && s.OneOf[0].Value != nil {
		return sample(s.OneOf[0].Value, i)
	}
	switch {
	case s.Type.Is(openapi3.TypeString):
		switch s.Format {
		case "uuid":
			return fmt.Sprintf("0000000a-11de-4000-8000-%012d", i)
		case "date-time":
			return "2001-02-03T04:05:06.789Z"
		}
		if s.Pattern != "" {
			if re, err := regexp.Compile(s.Pattern); err == nil {
				for _, cand := range []string{"77", "sample"} {
					if re.MatchString(cand) {
						return cand
					}
				}
			}
		}
		v := fmt.Sprintf("sample-%d", i)
		if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
			v = v[:*s.MaxLength]
		}
		for uint64(len(v)) < s.MinLength {
			v += "x"
		}
		return v
	case s.Type.Is(openapi3.TypeInteger) || s.Type.Is(openapi3.TypeNumber):
		n := float64(7)
		if s.Min != nil && n < *s.Min {
			n = *s.Min
		}
		return n
	case s.Type.Is(openapi3.TypeBoolean):
		return true
	case s.Type.Is(openapi3.TypeArray):
		items := []any{}
		if s.Items != nil && s.Items.Value != nil {
			for k := range int(s.MinItems) {
				items = append(items, sample(s.Items.Value, k))
			}
		}
		return items
	}
	o := map[string]any{}
	for _, n := range s.Required {
		if p := s.Properties[n]; p != nil && p.Value != nil && !p.Value.ReadOnly {
			o[n] = sample(p.Value, i)
		}
	}
	return o
}

// copyJSON returns a deep copy of v as encoding/json decodes it (maps, slices, float64s).
func copyJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("model: copying the base body: %w", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("model: copying the base body: %w", err)
	}
	return out, nil
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// setPointer sets (or removes) the value at ptr in v, a value decoded by encoding/json.
func setPointer(v any, ptr string, val any, remove bool) (any, error) {
	if ptr == "" {
		return val, nil
	}
	parts := strings.Split(ptr[1:], "/")
	cur := v
	for i, raw := range parts {
		key := unescapePointer(raw)
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if remove {
					delete(c, key)
				} else {
					c[key] = val
				}
				return v, nil
			}
			next, ok := c[key]
			if !ok {
				return nil, fmt.Errorf("model: %s: no %q in the base body", ptr, key)
			}
			cur = next
		case []any:
			n, err := strconv.Atoi(key)
			if err != nil || n < 0 || n >= len(c) {
				return nil, fmt.Errorf("model: %s: no item %q in the base body", ptr, key)
			}
			if last {
				if remove {
					return nil, fmt.Errorf("model: %s: cannot leave out an array item", ptr)
				}
				c[n] = val
				return v, nil
			}
			cur = c[n]
		default:
			return nil, fmt.Errorf("model: %s: %q is not inside an object or array", ptr, key)
		}
	}
	return v, nil
}
