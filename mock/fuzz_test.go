package mock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/fixtures"
	"github.com/favconform/favconform/validate"
)

// The fuzz targets of the mock (make fuzz runs each for a few seconds; `go test` runs their seeds).
// Seeds: fixtures/fuzz/request.* and the docs' request samples.

func requestSeeds(f *testing.F) [][]byte {
	f.Helper()
	seeds := fixtures.FuzzSeeds("request.")
	samples, err := fixtures.DocSamples()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range samples {
		if s.Direction == fixtures.DirectionRequest {
			seeds = append(seeds, s.Body)
		}
	}
	return seeds
}

// FuzzDecode feeds request bodies to the decoder of each envelope. It never panics; it takes a
// body only when it is one JSON object within the limits, and otherwise refuses it with 400 (413
// over the size limit) in Wix's shape.
func FuzzDecode(f *testing.F) {
	for _, b := range requestSeeds(f) {
		f.Add(b)
	}
	m, err := New(Options{MaxBodyBytes: 4096})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range []any{&listRequest{}, &favoriteRequest{}} {
			r := httptest.NewRequest(http.MethodPost, addPath, bytes.NewReader(body))
			res := m.readBody(r, v)
			trimmed := bytes.TrimSpace(body)
			if len(trimmed) == 0 {
				trimmed = []byte("{}")
			}
			if res == nil {
				switch {
				case len(body) > 4096:
					t.Fatalf("took a body of %d bytes over the 4096-byte limit", len(body))
				case !json.Valid(trimmed) || trimmed[0] != '{':
					t.Fatalf("took a body that is not one JSON object: %q", body)
				case nestingDepth(trimmed) > maxNesting:
					t.Fatalf("took a body nested %d levels", nestingDepth(trimmed))
				}
				continue
			}
			want := http.StatusBadRequest
			if len(body) > 4096 {
				want = http.StatusRequestEntityTooLarge
			}
			if res.status != want {
				t.Fatalf("refused %q with %d, want %d", body, res.status, want)
			}
			eb, ok := res.body.(api.ErrorBody)
			if !ok || eb.Message == "" || eb.Details == nil || eb.Details.ValidationError == nil || len(eb.Details.ValidationError.FieldViolations) == 0 {
				t.Fatalf("refused %q without a validation error: %+v", body, res.body)
			}
		}
	})
}

// fuzzOps are the operations FuzzHandlers sends a body to, on a user who has a list.
var fuzzOps = []struct {
	method string
	path   func(l api.FavoriteList) string
}{
	{http.MethodPost, func(api.FavoriteList) string { return listPath }},
	{http.MethodPatch, func(l api.FavoriteList) string { return listIDPath(l.ID) }},
	{http.MethodPost, func(api.FavoriteList) string { return addPath }},
	{http.MethodDelete, func(l api.FavoriteList) string {
		return delFavPath(l.Favorites[0].ID) + "?favoriteId=" + l.Favorites[0].ID
	}},
	{http.MethodDelete, func(l api.FavoriteList) string { return listIDPath(l.ID) }},
	{http.MethodGet, func(api.FavoriteList) string { return listPath }},
}

// FuzzHandlers sends a fuzzed body to each operation on a user who has a list (the list id in a
// body may be written LIST_ID). Whatever the body: no 5xx; a refusal is in Wix's shape and
// changes nothing; a success answers what the spec describes and moves the revision by exactly 1
// (or deletes the list, or creates one where there was none).
func FuzzHandlers(f *testing.F) {
	for _, b := range requestSeeds(f) {
		for op := range fuzzOps {
			f.Add(uint8(op), b)
		}
	}
	v, err := validate.Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		k := int(op) % len(fuzzOps)
		o := fuzzOps[k]
		e := newEnv(t)
		l := e.create(user, sampleFav(1), sampleFav(2))
		e.takeChanges()
		before := e.snapshot()
		path := o.path(l)
		body = bytes.ReplaceAll(body, []byte("LIST_ID"), []byte(l.ID))
		req := httptest.NewRequest(o.method, path, bytes.NewReader(body))
		req.Header.Set("Authorization", e.token(user))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.m.ServeHTTP(rec, req)
		r := resp{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
		switch {
		case r.status >= 500:
			t.Fatalf("%s %s %q: %d %s", o.method, path, body, r.status, r.header.Get("X-Mock-Panic"))
		case r.status >= 400:
			errorShape(t, r)
			e.mustBeUnchanged(before)
			if ch := e.takeChanges(); len(ch) != 0 {
				t.Fatalf("a refused call reported changes %+v", ch)
			}
			return
		}
		if r.status != http.StatusOK {
			t.Fatalf("%s %s %q: status %d", o.method, path, body, r.status)
		}
		if _, vs := v.CheckResponse(req, r.status, r.header, r.body); len(vs) > 0 {
			t.Fatalf("%s %s %q: the answer breaks the spec: %v\n%s", o.method, path, body, vs, r.body)
		}
		after, exists := e.m.List(e.ident(user).WixUserID)
		switch k {
		case 5: // get
			e.mustBeUnchanged(before)
		case 4: // delete list
			if exists {
				t.Fatalf("delete list answered 200 but the list is there")
			}
		case 0: // create
			t.Fatalf("create answered 200 for a user who has a list")
		default:
			if !exists || after.ID != l.ID || after.Revision != l.Revision+1 {
				t.Fatalf("%s %s %q: 200, but the list went from %s rev %d to %s rev %d (exists %v)",
					o.method, path, body, l.ID, l.Revision, after.ID, after.Revision, exists)
			}
		}
	})
}

// FuzzRevision: a revision sent in an update (a JSON value) decodes from a string of digits or an
// integer within int64, and from nothing else.
func FuzzRevision(f *testing.F) {
	for _, s := range []string{`"1"`, `1`, `"-3"`, `1.0`, `1e3`, `"01"`, `"9223372036854775807"`, `9223372036854775808`, `" 1"`, `"1 "`, `true`, `"0x1"`, `"\u0031"`, `"１"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		raw = strings.TrimSpace(raw)
		if !json.Valid([]byte(raw)) || raw == "null" { // the decoder hands over valid JSON; null is "not sent"
			return
		}
		var want int64
		var wantErr error
		var str string
		if json.Unmarshal([]byte(raw), &str) == nil {
			want, wantErr = strconv.ParseInt(str, 10, 64)
		} else {
			want, wantErr = strconv.ParseInt(raw, 10, 64)
		}
		var r api.Revision
		err := r.UnmarshalJSON([]byte(raw))
		switch {
		case (err == nil) != (wantErr == nil):
			t.Fatalf("%s: error %v, want one: %v", raw, err, wantErr != nil)
		case err == nil && int64(r) != want:
			t.Fatalf("%s decoded to %d, want %d", raw, r, want)
		}
	})
}
