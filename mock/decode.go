package mock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/favconform/favconform/api"
)

// Request bodies. They mirror api.ListEnvelope and api.FavoriteEnvelope with pointers and raw
// values, so that the mock can tell a field left out from one sent empty, and a revision sent as a
// string from one sent as a number. Unknown fields are ignored (our reading: the docs say nothing;
// Wix's JSON gateway, like protobuf's JSON mapping, drops them).
type (
	listRequest struct {
		FavoriteList *listIn `json:"favoriteList"`
	}
	favoriteRequest struct {
		Favorite *favoriteIn `json:"favorite"`
	}
	listIn struct {
		ID          *string         `json:"id"`
		Revision    json.RawMessage `json:"revision"`
		CreatedDate *string         `json:"createdDate"`
		UpdatedDate *string         `json:"updatedDate"`
		Favorites   []favoriteIn    `json:"favorites"`
	}
	favoriteIn struct {
		ID          *string `json:"id"`
		PageID      *string `json:"pageId"`
		Title       *string `json:"title"`
		RelativeURL *string `json:"relativeUrl"`
	}
)

// Field limits (facts.md: SDK type declarations and the Favorite List Object page).
const (
	maxFavorites   = 100
	maxPageID      = 200
	maxTitle       = 40
	maxRelativeURL = 500
)

// Rules of Wix's field violations (violatedRule).
const (
	ruleRequired  = "REQUIRED_FIELD"
	ruleMinLength = "MIN_LENGTH"
	ruleMaxLength = "MAX_LENGTH"
	ruleMaxSize   = "MAX_SIZE"
	ruleMinSize   = "MIN_SIZE"
	ruleFormat    = "FORMAT"
	ruleNotAllow  = "FIELD_NOT_ALLOWED"
	ruleOther     = "OTHER"
)

// bodyField names the whole body in a field violation.
const bodyField = "body"

// readBody reads and decodes a JSON object body into v. On failure it returns the response:
// 413 over the size limit, else 400 (an empty body is taken as {}; our reading, as a JSON gateway
// reads an empty body as an empty message, so the required envelope is then reported missing).
// Under content-type-enforced, a body that is not empty must be sent as application/json (415).
func (m *Mock) readBody(r *http.Request, v any) *reply {
	var b []byte
	if r.Body != nil {
		var err error
		b, err = io.ReadAll(io.LimitReader(r.Body, m.maxBody+1))
		if err != nil {
			return refuse(m.invalid(violation(bodyField, ruleOther, "reading the body: "+err.Error(), nil)))
		}
	}
	if ct := r.Header.Get("Content-Type"); len(b) > 0 && m.read.on(readContentTypeEnforced) && !isJSONMediaType(ct) {
		desc := fmt.Sprintf("the body is sent as %q; send it as application/json", ct)
		if ct == "" {
			desc = "the body is sent without a Content-Type; send it as application/json"
		}
		return refuse(appError(http.StatusUnsupportedMediaType, codeUnsupportedMediaType, desc, map[string]any{"contentType": ct}))
	}
	if int64(len(b)) > m.maxBody {
		res := badRequest(violation(bodyField, ruleMaxSize, fmt.Sprintf("the body is larger than %d bytes", m.maxBody),
			map[string]any{"maxBytes": m.maxBody}))
		res.status = http.StatusRequestEntityTooLarge
		return &res
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		b = []byte("{}")
	}
	switch {
	case !json.Valid(b):
		if m.dev.on(devMalformedJSON500) {
			return refuse(serverError())
		}
		return refuse(m.invalid(violation(bodyField, ruleFormat, "the body is not well-formed JSON", nil)))
	case !utf8.Valid(b):
		return refuse(m.invalid(violation(bodyField, ruleFormat, "the body is not valid UTF-8", nil)))
	case b[0] != '{':
		return refuse(m.invalid(violation(bodyField, ruleFormat, "the body is not a JSON object", nil)))
	case nestingDepth(b) > maxNesting:
		return refuse(m.invalid(violation(bodyField, ruleFormat, fmt.Sprintf("the body nests objects and arrays deeper than %d levels", maxNesting),
			map[string]any{"maxDepth": maxNesting})))
	}
	if err := json.Unmarshal(b, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return refuse(m.invalid(violation(te.Field, ruleFormat,
				fmt.Sprintf("expected %s, got a JSON %s", jsonKind(te.Type.Kind().String()), te.Value), nil)))
		}
		return refuse(m.invalid(violation(bodyField, ruleFormat, err.Error(), nil)))
	}
	return nil
}

// codeUnsupportedMediaType is the application error code of a 415 (content-type-enforced).
const codeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"

// isJSONMediaType reports whether a Content-Type header is application/json, with any parameters
// (charset=utf-8) and in any case.
func isJSONMediaType(header string) bool {
	mt, _, err := mime.ParseMediaType(header)
	return err == nil && mt == "application/json"
}

// maxNesting is how deep a request body may nest objects and arrays. The API's bodies nest 4
// levels ({"favoriteList": {"favorites": [{...}]}}); our reading: a body nested far deeper is
// refused (400) rather than decoded, even where the depth is in fields the mock ignores.
const maxNesting = 64

// nestingDepth is the deepest nesting of objects and arrays in b, a well-formed JSON text.
func nestingDepth(b []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// checked is the part of favs whose favorites are validated one by one: a list over the limit is
// refused for its size (MAX_SIZE), and the favorites past the first maxFavorites+1 add nothing but
// violations; checking them would let a 1 MiB body of {} buy a 100 MB error response.
func checked[T any](favs []T) []T {
	return favs[:min(len(favs), maxFavorites+1)]
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "struct", "map", "ptr":
		return "an object"
	case "slice", "array":
		return "an array"
	}
	return goKind
}

func refuse(r reply) *reply { return &r }

func violation(field, rule, description string, data map[string]any) []api.FieldViolation {
	return []api.FieldViolation{{Field: field, Description: description, ViolatedRule: rule, Data: data}}
}

// violations collects the broken rules of one request; all are reported together.
type violations []api.FieldViolation

func (v *violations) add(field, rule, description string, data map[string]any) {
	*v = append(*v, violation(field, rule, description, data)...)
}

// checkFavorite validates one favorite sent at path (favoriteList.favorites[3] or favorite).
// withID: the favorite's id is taken (update) and must then be a GUID.
func (m *Mock) checkFavorite(v *violations, path string, f favoriteIn, withID bool) {
	m.checkText(v, path+".pageId", f.PageID, !m.dev.on(devMissingFieldAccepted), maxPageID, devPageIDLimitUnchecked)
	m.checkText(v, path+".title", f.Title, !m.read.on(readTitleOptional), maxTitle, devTitleLimitUnchecked)
	m.checkText(v, path+".relativeUrl", f.RelativeURL, false, maxRelativeURL, devRelativeURLLimitUnchecked)
	if withID && f.ID != nil && *f.ID != "" && !isGUID(*f.ID) {
		v.add(path+".id", ruleFormat, "must be a GUID", map[string]any{"format": "GUID"})
	}
}

// checkText checks a string field. Our reading of "required, 1 to N characters": left out or null
// breaks REQUIRED_FIELD, "" breaks MIN_LENGTH. Lengths count Unicode code points.
func (m *Mock) checkText(v *violations, field string, s *string, required bool, max int, unchecked string) {
	switch {
	case s == nil:
		if required {
			v.add(field, ruleRequired, "is required", nil)
		}
	case *s == "":
		if required {
			v.add(field, ruleMinLength, "must be at least 1 character long", map[string]any{"minLength": 1})
		}
	case m.length(*s) > max && !m.dev.on(unchecked):
		v.add(field, ruleMaxLength, fmt.Sprintf("must be at most %d characters long", max), map[string]any{"maxLength": max})
	}
}

func (m *Mock) length(s string) int {
	if m.dev.on(devLengthsInBytes) {
		return len(s)
	}
	return utf8.RuneCountInString(s)
}

// checkCount checks the number of favorites a list would hold.
func (m *Mock) checkCount(v *violations, n int) {
	if n > maxFavorites && !m.dev.on(devNoItemLimit) {
		v.add("favoriteList.favorites", ruleMaxSize, fmt.Sprintf("must hold at most %d favorites", maxFavorites),
			map[string]any{"maxSize": maxFavorites})
	}
}

// checkFavoriteIDs checks that the ids sent in an update are unique (compared as GUIDs, so case
// does not matter).
func checkFavoriteIDs(v *violations, favs []favoriteIn) {
	seen := map[string]int{}
	for i, f := range favs {
		if f.ID == nil || *f.ID == "" || !isGUID(*f.ID) {
			continue
		}
		k := strings.ToLower(*f.ID)
		if j, dup := seen[k]; dup {
			*v = append(*v, api.FieldViolation{
				Field:        fmt.Sprintf("favoriteList.favorites[%d].id", i),
				Description:  fmt.Sprintf("repeats the id of favoriteList.favorites[%d]", j),
				ViolatedRule: ruleOther,
				RuleName:     "UNIQUE_FAVORITE_IDS",
			})
			continue
		}
		seen[k] = i
	}
}

// isGUID reports whether s is a GUID in its canonical 36-character form.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

// stored turns a validated favorite into what the list keeps: the values byte for byte.
func (m *Mock) stored(f favoriteIn, id string) api.Favorite {
	fav := api.Favorite{ID: id, PageID: deref(f.PageID), Title: deref(f.Title), RelativeURL: deref(f.RelativeURL)}
	if m.dev.on(devTitleTrimmed) {
		fav.Title = strings.TrimSpace(fav.Title)
	}
	if m.dev.on(devRelativeURLDropsQuery) {
		if i := strings.IndexAny(fav.RelativeURL, "?#"); i >= 0 {
			fav.RelativeURL = fav.RelativeURL[:i]
		}
	}
	return fav
}

// sentEmptyURL reports whether f was sent with relativeUrl "" (not left out, not null).
func sentEmptyURL(f favoriteIn) bool { return f.RelativeURL != nil && *f.RelativeURL == "" }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// present reports whether a raw JSON value was sent (and is not null).
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}
