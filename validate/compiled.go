package validate

import (
	"fmt"
	"maps"
	"math"
	"math/bits"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// A compiled schema answers, from a JSON body's bytes and without decoding it, the one question
// most validations ask: would kin-openapi accept this body? Decoding the body into maps and
// walking kin-openapi's schema (which rebuilds its settings on every call) was four fifths of a
// validation's time. When the answer is not a sure yes — a violation, a body this walker does not
// take on (a repeated name, invalid UTF-8, bytes after the value, deep nesting), a schema keyword
// it does not know — the caller validates the body kin-openapi's way, so every violation is still
// kin-openapi's own. A compiled schema therefore never decides a violation;
// it only skips the work when there is none.
//
// The contract is one-sided and exact: accepts(body) implies that decodeJSON(body) succeeds and
// VisitJSON returns nil with the same options. TestCompiledSchemasAgreeWithKinOpenAPI and
// FuzzCompiledSchema hold it to that, for the inner verdicts too.
type compiledSchema struct {
	root *node
}

// verdict is what the walker knows of a value. The order matters: a value that must meet
// several constraints gets the largest of their verdicts.
type verdict uint8

const (
	valid   verdict = iota // kin-openapi accepts the value
	unsure                 // kin-openapi decides
	invalid                // kin-openapi rejects the value, if the whole body decodes as read
)

// node is one schema, compiled for one direction (a request's body or a response's).
type node struct {
	// empty is kin-openapi's Schema.IsEmpty: any value but null passes.
	empty bool
	// noOwnKeywords: any value passes the schema's keywords outside oneOf and allOf.
	noOwnKeywords bool
	// onNull is the verdict on null, which depends on the schema alone.
	onNull verdict
	// The types the schema permits (all when it names none).
	boolean, number, str, array, object bool
	integerOnly                         bool // integer permitted, number not
	oneOf, allOf                        []*node
	enum                                []string // all strings (compile refuses others)
	hasEnum                             bool

	minLength, maxLength int64 // maxLength < 0: none
	pattern              *regexp.Regexp
	format               string
	formatCheck          openapi3.StringFormatValidator // from the Validator's formats; nil: kin-openapi's global ones, looked up when checking

	minimum      *float64
	numberFormat string

	minItems, maxItems int64 // maxItems < 0: none
	items              *node

	// names holds the properties and the required names: each gets a bit of a member mask.
	names            []name
	required         uint64 // the bits of the required names
	additional       bool   // names outside properties are allowed
	additionalSchema *node
	minProps         int64
	maxProps         int64 // < 0: none
}

type name struct {
	name   string
	schema *node // nil: required, but no property
	// readOnly: a readOnly property of a request, which must not be sent (null aside) and whose
	// absence kin-openapi forgives.
	readOnly bool
	// mayBeForgiven: kin-openapi may forgive its absence in a request because some other schema
	// applied to the same value declares it readOnly; the walker does not follow that, so it is
	// unsure instead of reporting the absence.
	mayBeForgiven bool
}

// compileSchema compiles ref for a request body (asRequest, as openapi3.VisitAsRequest) or a
// response body, with the Validator's string formats. It returns an error naming the first thing
// it does not take on; the caller then leaves that schema to kin-openapi whole.
func compileSchema(ref *openapi3.SchemaRef, asRequest bool, formats map[string]openapi3.StringFormatValidator) (*compiledSchema, error) {
	c := &compiler{asRequest: asRequest, formats: formats, done: map[*openapi3.Schema]*node{}, onPath: map[*openapi3.Schema]bool{}}
	if asRequest {
		c.readOnly = map[string]bool{}
		collectReadOnly(ref, c.readOnly, map[*openapi3.Schema]bool{})
	}
	root, err := c.compile(ref, "#")
	if err != nil {
		return nil, err
	}
	return &compiledSchema{root: root}, nil
}

type compiler struct {
	asRequest bool
	formats   map[string]openapi3.StringFormatValidator
	readOnly  map[string]bool // names declared readOnly anywhere under the root (requests only)
	done      map[*openapi3.Schema]*node
	onPath    map[*openapi3.Schema]bool
}

// collectReadOnly gathers the names of the readOnly properties of every schema under ref.
func collectReadOnly(ref *openapi3.SchemaRef, into map[string]bool, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	for k, p := range s.Properties {
		if p != nil && p.Value != nil && p.Value.ReadOnly {
			into[k] = true
		}
		collectReadOnly(p, into, seen)
	}
	collectReadOnly(s.Items, into, seen)
	collectReadOnly(s.AdditionalProperties.Schema, into, seen)
	for _, group := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
		for _, r := range group {
			collectReadOnly(r, into, seen)
		}
	}
}

// supported is the zero Schema once the keywords compile understands, and those that do not
// change what a value must be, are cleared: anything left is a keyword it does not take on.
func supported(s *openapi3.Schema) bool {
	rest := *s
	rest.Extensions, rest.Origin = nil, nil
	rest.Title, rest.Description, rest.Example, rest.ExternalDocs, rest.Deprecated, rest.XML = "", "", nil, nil, false, nil
	rest.OneOf, rest.AllOf, rest.Type, rest.Format, rest.Enum = nil, nil, nil, "", nil
	rest.Nullable, rest.ReadOnly = false, false
	rest.Min = nil
	rest.MinLength, rest.MaxLength, rest.Pattern = 0, nil, ""
	rest.MinItems, rest.MaxItems, rest.Items = 0, nil, nil
	rest.Required, rest.Properties, rest.MinProps, rest.MaxProps, rest.AdditionalProperties = nil, nil, 0, nil, openapi3.AdditionalProperties{}
	return reflect.DeepEqual(rest, openapi3.Schema{})
}

func (c *compiler) compile(ref *openapi3.SchemaRef, where string) (*node, error) {
	if ref == nil || ref.Value == nil {
		return nil, fmt.Errorf("%s: unresolved reference %q", where, refOf(ref))
	}
	s := ref.Value
	if n, ok := c.done[s]; ok {
		return n, nil
	}
	if c.onPath[s] {
		return nil, fmt.Errorf("%s: a recursive schema", where)
	}
	c.onPath[s] = true
	defer delete(c.onPath, s)
	if !supported(s) {
		return nil, fmt.Errorf("%s: a keyword the compiled check does not take on", where)
	}
	n := &node{empty: s.IsEmpty(), maxLength: -1, maxItems: -1, maxProps: -1}
	n.boolean = s.Type.Permits(openapi3.TypeBoolean)
	n.str = s.Type.Permits(openapi3.TypeString)
	n.array = s.Type.Permits(openapi3.TypeArray)
	n.object = s.Type.Permits(openapi3.TypeObject)
	integer, number := s.Type.Permits(openapi3.TypeInteger), s.Type.Permits(openapi3.TypeNumber)
	n.number, n.integerOnly = integer || number, integer && !number
	var err error
	for i, r := range s.OneOf {
		sub, err := c.compile(r, fmt.Sprintf("%s/oneOf/%d", where, i))
		if err != nil {
			return nil, err
		}
		n.oneOf = append(n.oneOf, sub)
	}
	for i, r := range s.AllOf {
		sub, err := c.compile(r, fmt.Sprintf("%s/allOf/%d", where, i))
		if err != nil {
			return nil, err
		}
		n.allOf = append(n.allOf, sub)
	}
	if len(s.Enum) > 0 {
		n.hasEnum = true
		for _, e := range s.Enum {
			str, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%s: an enum value that is not a string (%T)", where, e)
			}
			n.enum = append(n.enum, str)
		}
	}
	n.minLength = int64(s.MinLength)
	if s.MaxLength != nil {
		if *s.MaxLength > math.MaxInt64 {
			return nil, fmt.Errorf("%s: maxLength out of range", where)
		}
		n.maxLength = int64(*s.MaxLength)
	}
	if s.Pattern != "" {
		// kin-openapi rewrites \uXXXX before compiling with regexp; without one, the pattern is
		// the same for both.
		if strings.Contains(s.Pattern, `\u`) {
			return nil, fmt.Errorf("%s: a pattern with \\u", where)
		}
		if n.pattern, err = regexp.Compile(s.Pattern); err != nil {
			return nil, fmt.Errorf("%s: pattern: %w", where, err)
		}
	}
	if s.Format != "" {
		if n.number {
			n.numberFormat = s.Format
		}
		n.format = s.Format
		n.formatCheck = c.formats[s.Format]
	}
	n.minimum = s.Min
	n.minItems = int64(s.MinItems)
	if s.MaxItems != nil {
		if *s.MaxItems > math.MaxInt64 {
			return nil, fmt.Errorf("%s: maxItems out of range", where)
		}
		n.maxItems = int64(*s.MaxItems)
	}
	if s.Items != nil {
		if n.items, err = c.compile(s.Items, where+"/items"); err != nil {
			return nil, err
		}
	}
	if err := c.compileObject(n, s, where); err != nil {
		return nil, err
	}
	n.onNull = nullVerdict(n, s)
	n.noOwnKeywords = s.Type == nil && !n.hasEnum && n.minLength == 0 && n.maxLength < 0 && n.pattern == nil &&
		n.format == "" && n.minimum == nil && n.minItems == 0 && n.maxItems < 0 && n.items == nil &&
		len(n.names) == 0 && n.additional && n.additionalSchema == nil && n.minProps == 0 && n.maxProps < 0
	c.done[s] = n
	return n, nil
}

func (c *compiler) compileObject(n *node, s *openapi3.Schema, where string) error {
	for _, k := range slices.Sorted(maps.Keys(s.Properties)) {
		sub, err := c.compile(s.Properties[k], where+"/properties/"+k)
		if err != nil {
			return err
		}
		ro := s.Properties[k].Value.ReadOnly
		n.names = append(n.names, name{name: k, schema: sub, readOnly: ro && c.asRequest})
	}
	for _, k := range s.Required {
		i := n.index(k)
		if i < 0 {
			n.names = append(n.names, name{name: k})
			i = len(n.names) - 1
		}
		n.required |= 1 << i
	}
	if len(n.names) > 64 {
		return fmt.Errorf("%s: more than 64 named properties", where)
	}
	for i := range n.names {
		nm := &n.names[i]
		nm.mayBeForgiven = c.asRequest && !nm.readOnly && c.readOnly[nm.name]
	}
	n.additional = s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has
	if n.additional && s.AdditionalProperties.Schema != nil {
		sub, err := c.compile(s.AdditionalProperties.Schema, where+"/additionalProperties")
		if err != nil {
			return err
		}
		n.additionalSchema = sub
	}
	n.minProps = int64(s.MinProps) // as kin-openapi converts it (a huge one is negative: no bound)
	if s.MaxProps != nil {
		if *s.MaxProps > math.MaxInt64 {
			return fmt.Errorf("%s: maxProperties out of range", where)
		}
		n.maxProps = int64(*s.MaxProps)
	}
	return nil
}

// nullVerdict follows visitJSON on null: nullable first, then the empty schema, oneOf and allOf
// (which, when they pass, end the visit), then enum and the null check.
func nullVerdict(n *node, s *openapi3.Schema) verdict {
	if s.Nullable || s.Type.IncludesNull() {
		return valid
	}
	if n.empty {
		return invalid
	}
	visited := false
	if len(n.oneOf) > 0 {
		matched := 0
		for _, b := range n.oneOf {
			if b.onNull == valid {
				matched++
			}
		}
		if matched != 1 {
			return invalid
		}
		visited = true
	}
	for _, a := range n.allOf {
		if a.onNull != valid {
			return invalid
		}
		visited = true
	}
	if visited {
		return valid
	}
	return invalid
}

func (n *node) index(k string) int {
	for i := range n.names {
		if n.names[i].name == k {
			return i
		}
	}
	return -1
}

func refOf(ref *openapi3.SchemaRef) string {
	if ref == nil {
		return ""
	}
	return ref.Ref
}

// accepts reports whether kin-openapi surely accepts body: it decodes, and its value matches.
func (c *compiledSchema) accepts(body []byte) bool {
	return c.verdict(body) == valid
}

// verdict is the walker's verdict on a whole body: unsure unless it reads it all.
func (c *compiledSchema) verdict(body []byte) verdict {
	if !utf8.Valid(body) {
		return unsure // encoding/json's replacement of invalid bytes is its own
	}
	w := walker{jsonParser: jsonParser{b: body, s: string(body)}}
	w.space()
	v := w.check(c.root, 0)
	w.space()
	if w.bad || w.i != len(w.b) {
		return unsure
	}
	return v
}

// walker reads one JSON value from b, checking it against a node as it goes. On anything it
// does not take on, it sets bad and gives up: the body is then kin-openapi's.
// It reads strings, literals and whitespace as the one-pass decoder does (jsondecode.go).
type walker struct {
	jsonParser
	bad bool
}

func (w *walker) fail() verdict {
	w.bad = true
	return unsure
}

// check reads the value at w.i, which it always reads whole (unless bad), and returns the verdict
// of n on it.
func (w *walker) check(n *node, depth int) verdict {
	if w.bad || w.i >= len(w.b) || depth > fastJSONMaxDepth {
		return w.fail()
	}
	if w.b[w.i] == 'n' {
		if !w.literal("null") {
			return w.fail()
		}
		return n.onNull
	}
	if n.empty {
		w.skip(depth)
		return valid
	}
	v := valid
	start, end := w.i, -1
	if len(n.oneOf) > 0 {
		v = w.oneOf(n.oneOf, depth)
		end, w.i = w.i, start
	}
	for _, a := range n.allOf {
		v = max(v, w.check(a, depth))
		end, w.i = w.i, start
	}
	if c := w.b[start]; n.noOwnKeywords && end >= 0 && c != '-' && (c < '0' || c > '9') {
		w.i = end // the alternatives read the value whole; nothing else is asked of it
		return v
	}
	return max(v, w.own(n, depth))
}

// oneOf is oneOf's verdict: exactly one alternative matches.
func (w *walker) oneOf(alternatives []*node, depth int) verdict {
	start := w.i
	matched, undecided := 0, 0
	for _, a := range alternatives {
		w.i = start
		switch w.check(a, depth) {
		case valid:
			matched++
		case unsure:
			undecided++
		}
	}
	switch {
	case w.bad:
		return unsure
	case matched > 1:
		return invalid
	case matched == 1 && undecided == 0:
		return valid
	case matched+undecided == 0:
		return invalid
	}
	return unsure
}

// own reads the value and checks n's own keywords on it (enum, type and the type's keywords).
func (w *walker) own(n *node, depth int) verdict {
	switch c := w.b[w.i]; {
	case n.hasEnum && (c == '{' || c == '['):
		w.skip(depth)
		return invalid // the enum holds strings only
	case c == '{':
		return w.object(n, depth)
	case c == '[':
		return w.array(n, depth)
	case c == '"':
		return w.string(n)
	case c == 't' || c == 'f':
		if !w.literal("true") && !w.literal("false") {
			return w.fail()
		}
		if n.hasEnum || !n.boolean {
			return invalid // the enum holds strings only
		}
		return valid
	case c == '-' || '0' <= c && c <= '9':
		return w.number(n)
	}
	return w.fail()
}

func (w *walker) string(n *node) verdict {
	s, ok := w.str()
	if !ok {
		return w.fail()
	}
	if n.hasEnum {
		found := false
		for _, e := range n.enum {
			if e == s {
				found = true
				break
			}
		}
		if !found {
			return invalid
		}
	}
	if !n.str {
		return invalid
	}
	if n.minLength != 0 || n.maxLength >= 0 {
		// kin-openapi's count, verbatim (on decoded UTF-8 it is the number of runes).
		length := int64(0)
		for _, r := range s {
			if utf16.IsSurrogate(r) {
				length += 2
			} else {
				length++
			}
		}
		if length < n.minLength || n.maxLength >= 0 && length > n.maxLength {
			return invalid
		}
	}
	if n.pattern != nil && !n.pattern.MatchString(s) {
		return invalid
	}
	if n.format != "" {
		f := n.formatCheck
		if f == nil {
			f = openapi3.SchemaStringFormats[n.format]
		}
		if f != nil && f.Validate(s) != nil {
			return invalid
		}
	}
	return valid
}

func (w *walker) number(n *node) verdict {
	start := w.i
	if !w.numberSyntax() {
		return w.fail()
	}
	if n.hasEnum || !n.number {
		return invalid
	}
	f, err := strconv.ParseFloat(w.s[start:w.i], 64)
	if err != nil {
		return invalid // json.Number.Float64 fails: kin-openapi reports it
	}
	v := valid
	if n.integerOnly && math.Trunc(f) != f {
		return invalid
	}
	if n.numberFormat != "" {
		_, isInt := openapi3.SchemaIntegerFormats[n.numberFormat]
		_, isNumber := openapi3.SchemaNumberFormats[n.numberFormat]
		if n.integerOnly && isInt || !n.integerOnly && isNumber {
			v = unsure // a format kin-openapi checks: its call
		}
	}
	if n.minimum != nil && !(*n.minimum <= f) {
		return invalid
	}
	return v
}

// numberSyntax reads a number (numberEnd's grammar).
func (w *walker) numberSyntax() bool {
	end, ok := numberEnd(w.b, w.i)
	w.i = end
	return ok
}

// next reads what follows a member or an element: a comma (more to come) or the closing byte.
// Anything else is a syntax error: bad, and the end.
func (w *walker) next(closing byte) (end bool) {
	end, ok := w.jsonParser.next(closing)
	if !ok {
		w.fail()
		return true
	}
	w.space()
	return end
}

func (w *walker) array(n *node, depth int) verdict {
	if !n.array {
		w.skip(depth)
		return invalid
	}
	w.i++ // '['
	w.space()
	v, count := valid, int64(0)
	if w.i < len(w.b) && w.b[w.i] == ']' {
		w.i++
	} else {
		for !w.bad {
			count++
			if n.items != nil {
				v = max(v, w.check(n.items, depth+1))
			} else {
				w.skip(depth + 1)
			}
			if w.next(']') {
				break
			}
		}
	}
	if w.bad {
		return unsure
	}
	if count < n.minItems || n.maxItems >= 0 && count > n.maxItems {
		return invalid
	}
	return v
}

func (w *walker) object(n *node, depth int) verdict {
	if !n.object {
		w.skip(depth)
		return invalid
	}
	w.i++ // '{'
	w.space()
	v := valid
	var seen uint64
	var others []string // names outside n.names, when counting or checking them needs them
	track := n.additionalSchema != nil || n.minProps > 0 || n.maxProps >= 0
	count, repeated := int64(0), false
	if w.i < len(w.b) && w.b[w.i] == '}' {
		w.i++
	} else {
		for !w.bad {
			k, ok := w.member()
			if !ok {
				return unsure
			}
			null := w.b[w.i] == 'n'
			if i := n.index(k); i >= 0 {
				bit := uint64(1) << i
				repeated = repeated || seen&bit != 0
				seen |= bit
				nm := &n.names[i]
				if nm.readOnly && !null {
					v = invalid // a readOnly property in a request
				}
				if nm.schema != nil {
					v = max(v, w.check(nm.schema, depth+1))
				} else {
					v = max(v, w.other(n, depth))
				}
			} else {
				if track {
					for _, o := range others {
						repeated = repeated || o == k
					}
					others = append(others, k)
				}
				v = max(v, w.other(n, depth))
			}
			count++
			if w.next('}') {
				break
			}
		}
	}
	if w.bad {
		return unsure
	}
	if repeated {
		// encoding/json keeps the last of repeated names: what was read of the others does not count.
		return unsure
	}
	if count < n.minProps || n.maxProps >= 0 && count > n.maxProps {
		v = invalid
	}
	if missing := n.required &^ seen; missing != 0 {
		for ; missing != 0; missing &= missing - 1 {
			nm := n.names[bits.TrailingZeros64(missing)]
			switch {
			case nm.readOnly:
			case nm.mayBeForgiven:
				v = max(v, unsure)
			default:
				return invalid
			}
		}
	}
	return v
}

// other checks the value of a name that is no property of n: additionalProperties decide.
func (w *walker) other(n *node, depth int) verdict {
	switch {
	case !n.additional:
		w.skip(depth + 1)
		return invalid
	case n.additionalSchema != nil:
		return w.check(n.additionalSchema, depth+1)
	}
	w.skip(depth + 1)
	return valid
}

// skip reads a value of any form, checking its syntax only.
func (w *walker) skip(depth int) {
	if w.bad || w.i >= len(w.b) || depth > fastJSONMaxDepth {
		w.fail()
		return
	}
	ok := true
	switch c := w.b[w.i]; {
	case c == '{':
		w.i++
		w.space()
		if w.i < len(w.b) && w.b[w.i] == '}' {
			w.i++
			return
		}
		for !w.bad {
			if _, ok := w.member(); !ok {
				return
			}
			w.skip(depth + 1)
			if w.next('}') {
				return
			}
		}
	case c == '[':
		w.i++
		w.space()
		if w.i < len(w.b) && w.b[w.i] == ']' {
			w.i++
			return
		}
		for !w.bad {
			w.skip(depth + 1)
			if w.next(']') {
				return
			}
		}
	case c == '"':
		_, ok = w.str()
	case c == 't':
		ok = w.literal("true")
	case c == 'f':
		ok = w.literal("false")
	case c == 'n':
		ok = w.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		ok = w.numberSyntax()
	default:
		ok = false
	}
	if !ok {
		w.fail()
	}
}

// member reads an object member's name and the colon after it, up to its value.
func (w *walker) member() (string, bool) {
	if w.i >= len(w.b) || w.b[w.i] != '"' {
		w.fail()
		return "", false
	}
	k, ok := w.str()
	if ok {
		w.space()
		ok = w.i < len(w.b) && w.b[w.i] == ':'
	}
	if ok {
		w.i++
		w.space()
		ok = w.i < len(w.b)
	}
	if !ok {
		w.fail()
	}
	return k, ok
}
