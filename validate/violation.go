package validate

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Direction says which half of an exchange broke the spec.
type Direction string

// The two halves of an exchange.
const (
	InRequest  Direction = "request"
	InResponse Direction = "response"
)

// Violation is one way an exchange breaks the spec.
type Violation struct {
	// Operation is the spec's operationId, or "METHOD /path" when no operation matches.
	Operation string `json:"operation"`
	// In is the half of the exchange that broke the spec.
	In Direction `json:"in"`
	// Pointer locates the fault: a JSON pointer into the body ("/favoriteList/revision"), or
	// "status", "header Authorization", "query favoriteId", "path".
	Pointer string `json:"pointer"`
	// Expected is what the spec asks for there.
	Expected string `json:"expected"`
	// Got is what came (a JSON value, shortened).
	Got string `json:"got,omitempty"`
	// Message is kin-openapi's reason, for the details.
	Message string `json:"message,omitempty"`
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s: expected %s", v.Operation, v.In, v.Pointer, v.Expected)
	if v.Got != "" {
		fmt.Fprintf(&b, ", got %s", v.Got)
	}
	return b.String()
}

// Violations is the list of faults of one exchange. Its Error method makes it usable as an error.
type Violations []Violation

func (vs Violations) Error() string {
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.String()
	}
	return fmt.Sprintf("%d spec violation(s):\n  %s", len(vs), strings.Join(lines, "\n  "))
}

// violationsOf turns kin-openapi's error tree into flat violations.
func violationsOf(operation string, in Direction, err error) Violations {
	var out Violations
	var walk func(err error, where string)
	walk = func(err error, where string) {
		if err == nil {
			return
		}
		var multi openapi3.MultiError
		if errors.As(err, &multi) && isTop(err, multi) {
			for _, e := range multi {
				walk(e, where)
			}
			return
		}
		switch e := err.(type) {
		case *openapi3filter.RequestError:
			w := where
			if e.Parameter != nil {
				w = e.Parameter.In + " " + e.Parameter.Name
			}
			if e.Err == nil || !hasSchemaError(e.Err) {
				out = append(out, Violation{Operation: operation, In: in, Pointer: orRoot(w), Expected: expectedOfReason(e), Got: "", Message: e.Error()})
				return
			}
			walk(e.Err, w)
		case *openapi3filter.ResponseError:
			if e.Err == nil || !hasSchemaError(e.Err) {
				v := Violation{Operation: operation, In: in, Pointer: orRoot(where), Expected: e.Reason, Message: e.Error()}
				switch {
				case strings.Contains(e.Reason, "status") && e.Input != nil:
					v.Pointer = "status"
					v.Expected = "a status the operation documents"
					v.Got = fmt.Sprint(e.Input.Status)
				case strings.HasPrefix(e.Reason, "response header Content-Type") && e.Input != nil:
					v.Pointer = "header Content-Type"
					v.Expected = "the media type the operation documents (application/json)"
					v.Got = strconv.Quote(e.Input.Header.Get("Content-Type"))
				case strings.HasPrefix(e.Reason, "failed to decode response body") && e.Err != nil:
					v.Expected = "a body that decodes as the documented media type (application/json)"
					v.Got = Clip(e.Err.Error(), 160)
					v.Message = e.Err.Error()
				case e.Err != nil:
					v.Message = e.Err.Error()
				}
				out = append(out, v)
				return
			}
			walk(e.Err, where)
		case *openapi3filter.SecurityRequirementsError:
			out = append(out, Violation{Operation: operation, In: in, Pointer: "header Authorization", Expected: "an Authorization header (the spec's security requirement)", Got: "none", Message: e.Error()})
		case *openapi3.SchemaError:
			// A value matching no alternative of a oneOf/anyOf: report the faults of the
			// alternative it came closest to, which are the ones a reader can act on.
			if best := closestAlternative(e); best != nil {
				walk(best, where)
				return
			}
			ptr := "/" + strings.Join(escapePointer(e.JSONPointer()), "/")
			if where != "" && !strings.HasPrefix(where, "/") {
				ptr = where + ptr
				if strings.HasSuffix(ptr, "/") {
					ptr = strings.TrimSuffix(ptr, "/")
				}
			}
			out = append(out, Violation{Operation: operation, In: in, Pointer: ptr, Expected: expectedOf(e), Got: shorten(e.Value), Message: e.Reason})
		default:
			if u := errors.Unwrap(err); u != nil {
				walk(u, where)
				return
			}
			out = append(out, Violation{Operation: operation, In: in, Pointer: orRoot(where), Expected: "a body the spec accepts", Message: err.Error()})
		}
	}
	walk(err, "")
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return dedupe(out)
}

// closestAlternative returns, for a value that matched no alternative of a oneOf, the errors of
// the alternative whose faults lie deepest in the value (the one it almost matched); nil for any
// other error.
func closestAlternative(e *openapi3.SchemaError) error {
	if e.SchemaField != "oneOf" || e.Origin == nil {
		return nil
	}
	alts, ok := errors.Unwrap(errors.Unwrap(e.Origin)).(openapi3.MultiError)
	if !ok || len(alts) == 0 {
		return nil
	}
	var best error
	bestDepth, bestCount := -1, 0
	for _, alt := range alts {
		depth, count := faultDepth(alt)
		if depth > bestDepth || (depth == bestDepth && count < bestCount) {
			best, bestDepth, bestCount = alt, depth, count
		}
	}
	return best
}

// faultDepth is the deepest JSON pointer among err's schema errors, and how many there are.
func faultDepth(err error) (depth, count int) {
	var multi openapi3.MultiError
	if errors.As(err, &multi) {
		for _, e := range multi {
			d, c := faultDepth(e)
			depth, count = max(depth, d), count+c
		}
		return depth, count
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return len(se.JSONPointer()), 1
	}
	return 0, 1
}

// isTop reports whether err itself is the MultiError (not a wrapper of one we handle by type).
func isTop(err error, multi openapi3.MultiError) bool {
	_, ok := err.(openapi3.MultiError)
	return ok
}

func hasSchemaError(err error) bool {
	var se *openapi3.SchemaError
	var multi openapi3.MultiError
	return errors.As(err, &se) || errors.As(err, &multi)
}

func orRoot(where string) string {
	if where == "" {
		return "/"
	}
	return where
}

func expectedOfReason(e *openapi3filter.RequestError) string {
	switch {
	case e.RequestBody != nil && e.Err != nil && strings.Contains(e.Error(), "value is required"):
		return "a request body"
	case e.Reason != "":
		return e.Reason
	case e.Err != nil:
		return e.Err.Error()
	}
	return "a request the spec accepts"
}

// expectedOf says, in words, what the schema asked for at the failing place.
func expectedOf(e *openapi3.SchemaError) string {
	s := e.Schema
	if s == nil {
		return e.SchemaField
	}
	switch e.SchemaField {
	case "type":
		t := "?"
		if s.Type != nil {
			t = strings.Join(s.Type.Slice(), " or ")
		}
		if s.Format != "" {
			t += " (format " + s.Format + ")"
		}
		if s.Pattern != "" {
			t += " matching " + s.Pattern
		}
		return "type " + t
	case "format":
		return "a string of format " + s.Format
	case "pattern":
		return "a string matching " + s.Pattern
	case "required":
		return "required property " + strings.TrimPrefix(strings.TrimSuffix(e.Reason, " is missing"), "property ")
	case "maxLength":
		return fmt.Sprintf("at most %d characters", derefU(s.MaxLength))
	case "minLength":
		return fmt.Sprintf("at least %d characters", s.MinLength)
	case "maxItems":
		return fmt.Sprintf("at most %d items", derefU(s.MaxItems))
	case "minItems":
		return fmt.Sprintf("at least %d items", s.MinItems)
	case "maxProperties":
		return fmt.Sprintf("at most %d properties", derefU(s.MaxProps))
	case "enum":
		return "one of " + shorten(s.Enum)
	case "readOnly":
		return "no read-only property in a request"
	case "additionalProperties":
		return "no property the schema does not define"
	case "oneOf", "anyOf":
		return e.SchemaField + " of the schema's alternatives"
	}
	if e.SchemaField != "" {
		return e.SchemaField + " (" + e.Reason + ")"
	}
	return e.Reason
}

func derefU(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

func escapePointer(parts []string) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1")
	}
	return out
}

// shorten renders v as JSON, cut to a readable length.
func shorten(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return Clip(string(b), 120)
}

func dedupe(vs Violations) Violations {
	seen := map[string]bool{}
	out := vs[:0]
	for _, v := range vs {
		k := string(v.In) + v.Pointer + v.Expected + v.Got
		if !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}

// Clip cuts s to at most max bytes without splitting a character.
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
