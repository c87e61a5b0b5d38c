package mock

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// fieldCases are favorites that break (or just meet) one field rule. field "" means valid.
var fieldCases = []struct {
	name  string
	fav   fav
	field string // the favorite's field that breaks a rule
	rule  string
}{
	{"all fields", fav{"pageId": "p", "title": "t", "relativeUrl": "/r"}, "", ""},
	{"pageId left out", fav{"title": "t"}, "pageId", ruleRequired},
	{"pageId null", fav{"pageId": nil, "title": "t"}, "pageId", ruleRequired},
	{"pageId empty", fav{"pageId": "", "title": "t"}, "pageId", ruleMinLength},
	{"pageId 1", fav{"pageId": "p", "title": "t"}, "", ""},
	{"pageId 200", fav{"pageId": strings.Repeat("p", 200), "title": "t"}, "", ""},
	{"pageId 201", fav{"pageId": strings.Repeat("p", 201), "title": "t"}, "pageId", ruleMaxLength},
	{"pageId 200 two-byte", fav{"pageId": strings.Repeat("é", 200), "title": "t"}, "", ""},
	{"pageId 201 two-byte", fav{"pageId": strings.Repeat("é", 201), "title": "t"}, "pageId", ruleMaxLength},
	{"pageId of spaces", fav{"pageId": "   ", "title": "t"}, "", ""},
	{"title left out", fav{"pageId": "p"}, "title", ruleRequired},
	{"title null", fav{"pageId": "p", "title": nil}, "title", ruleRequired},
	{"title empty", fav{"pageId": "p", "title": ""}, "title", ruleMinLength},
	{"title 40", fav{"pageId": "p", "title": strings.Repeat("t", 40)}, "", ""},
	{"title 41", fav{"pageId": "p", "title": strings.Repeat("t", 41)}, "title", ruleMaxLength},
	{"title 40 four-byte", fav{"pageId": "p", "title": strings.Repeat("🎉", 40)}, "", ""},
	{"title 41 four-byte", fav{"pageId": "p", "title": strings.Repeat("🎉", 41)}, "title", ruleMaxLength},
	{"title 40 with combining marks", fav{"pageId": "p", "title": strings.Repeat("e\u0301", 20)}, "", ""},
	{"title 42 with combining marks", fav{"pageId": "p", "title": strings.Repeat("e\u0301", 21)}, "title", ruleMaxLength},
	{"relativeUrl empty", fav{"pageId": "p", "title": "t", "relativeUrl": ""}, "", ""},
	{"relativeUrl null", fav{"pageId": "p", "title": "t", "relativeUrl": nil}, "", ""},
	{"relativeUrl 500", fav{"pageId": "p", "title": "t", "relativeUrl": "/" + strings.Repeat("u", 499)}, "", ""},
	{"relativeUrl 501", fav{"pageId": "p", "title": "t", "relativeUrl": "/" + strings.Repeat("u", 500)}, "relativeUrl", ruleMaxLength},
	{"relativeUrl 500 two-byte", fav{"pageId": "p", "title": "t", "relativeUrl": strings.Repeat("ü", 500)}, "", ""},
	{"relativeUrl 501 two-byte", fav{"pageId": "p", "title": "t", "relativeUrl": strings.Repeat("ü", 501)}, "relativeUrl", ruleMaxLength},
	{"unknown field ignored", fav{"pageId": "p", "title": "t", "color": "red"}, "", ""},
}

// TestFieldValidation runs every field case through create, update and add.
func TestFieldValidation(t *testing.T) {
	ops := []struct {
		name string
		// send sends f as the second favorite (or the only one for add) and returns the path of
		// the favorite in violations.
		send func(e *env, f fav) (resp, string)
	}{
		{"create", func(e *env, f fav) (resp, string) {
			return e.do(user2, http.MethodPost, listPath, createBody(favs(sampleFav(0), f))), "favoriteList.favorites[1]"
		}},
		{"update", func(e *env, f fav) (resp, string) {
			l := e.mustList(user)
			return e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody(fmt.Sprint(int64(l.Revision)), favs(sampleFav(0), f))), "favoriteList.favorites[1]"
		}},
		{"add", func(e *env, f fav) (resp, string) {
			return e.do(user, http.MethodPost, addPath, addBody(f)), "favorite"
		}},
	}
	for _, op := range ops {
		for _, c := range fieldCases {
			t.Run(op.name+"/"+c.name, func(t *testing.T) {
				e := newEnv(t)
				e.create(user, sampleFav(9))
				before := e.snapshot()
				e.takeChanges()
				r, at := op.send(e, c.fav)
				if c.field == "" {
					l := r.list(t)
					got := l.Favorites[len(l.Favorites)-1]
					for k, want := range map[string]any{"pageId": got.PageID, "title": got.Title, "relativeUrl": got.RelativeURL} {
						if sent, ok := c.fav[k].(string); ok && sent != want {
							t.Errorf("%s stored as %q, sent %q", k, want, sent)
						}
					}
					return
				}
				wantViolation(t, r, 400, at+"."+c.field, c.rule)
				e.mustBeUnchanged(before)
				if ch := e.takeChanges(); len(ch) != 0 {
					t.Errorf("refused write reported %+v", ch)
				}
			})
		}
	}
}

func TestManyViolations(t *testing.T) {
	e := newEnv(t)
	r := e.do(user, http.MethodPost, listPath, createBody(favs(fav{}, sampleFav(1), fav{"pageId": "", "title": strings.Repeat("x", 41)})))
	eb := wantViolation(t, r, 400, "favoriteList.favorites[0].pageId", ruleRequired)
	got := map[string]string{}
	for _, v := range eb.Details.ValidationError.FieldViolations {
		got[v.Field] = v.ViolatedRule
	}
	want := map[string]string{
		"favoriteList.favorites[0].pageId": ruleRequired,
		"favoriteList.favorites[0].title":  ruleRequired,
		"favoriteList.favorites[2].pageId": ruleMinLength,
		"favoriteList.favorites[2].title":  ruleMaxLength,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("violations %v, want %v", got, want)
	}
	if !strings.Contains(eb.Message, "favoriteList.favorites[2].title") {
		t.Errorf("message %q does not name the fields", eb.Message)
	}
}

// TestMalformedBodies sends bodies that are not what an operation takes.
func TestMalformedBodies(t *testing.T) {
	common := []struct {
		name, body, field, rule string
	}{
		{"truncated", `{"favoriteList": {`, bodyField, ruleFormat},
		{"not JSON", `favoriteList=1`, bodyField, ruleFormat},
		{"two values", `{} {}`, bodyField, ruleFormat},
		{"trailing comma", `{"favorite": {"pageId": "p", "title": "t",}}`, bodyField, ruleFormat},
		{"array", `[]`, bodyField, ruleFormat},
		{"string", `"favoriteList"`, bodyField, ruleFormat},
		{"number", `42`, bodyField, ruleFormat},
		{"null", `null`, bodyField, ruleFormat},
		{"invalid UTF-8", "{\"favorite\": {\"pageId\": \"p\xff\", \"title\": \"t\"}}", bodyField, ruleFormat},
	}
	perOp := map[string][]struct {
		name, body, field, rule string
	}{
		"create": {
			{"empty body", ``, "favoriteList", ruleRequired},
			{"empty object", `{}`, "favoriteList", ruleRequired},
			{"wrong envelope", `{"favorite": {"pageId": "p", "title": "t"}}`, "favoriteList", ruleRequired},
			{"envelope a number", `{"favoriteList": 5}`, "favoriteList", ruleFormat},
			{"envelope an array", `{"favoriteList": []}`, "favoriteList", ruleFormat},
			{"favorites an object", `{"favoriteList": {"favorites": {}}}`, "favoriteList.favorites", ruleFormat},
			{"favorite a string", `{"favoriteList": {"favorites": ["p"]}}`, "favoriteList.favorites", ruleFormat},
			{"title a number", `{"favoriteList": {"favorites": [{"pageId": "p", "title": 5}]}}`, "favoriteList.favorites.title", ruleFormat},
			{"pageId a bool", `{"favoriteList": {"favorites": [{"pageId": true, "title": "t"}]}}`, "favoriteList.favorites.pageId", ruleFormat},
			{"list id a number", `{"favoriteList": {"id": 5, "favorites": []}}`, "favoriteList.id", ruleFormat},
			{"favorite null", `{"favoriteList": {"favorites": [null]}}`, "favoriteList.favorites[0].pageId", ruleRequired},
		},
		"update": {
			{"empty body", ``, "favoriteList", ruleRequired},
			{"wrong envelope", `{"favorite": {"pageId": "p", "title": "t"}}`, "favoriteList", ruleRequired},
			{"relativeUrl an object", `{"favoriteList": {"revision": "1", "favorites": [{"pageId": "p", "title": "t", "relativeUrl": {}}]}}`, "favoriteList.favorites.relativeUrl", ruleFormat},
			{"favorite id a number", `{"favoriteList": {"revision": "1", "favorites": [{"id": 7, "pageId": "p", "title": "t"}]}}`, "favoriteList.favorites.id", ruleFormat},
		},
		"add": {
			{"empty body", ``, "favorite", ruleRequired},
			{"wrong envelope", `{"favoriteList": {"favorites": [{"pageId": "p", "title": "t"}]}}`, "favorite", ruleRequired},
			{"favorite null", `{"favorite": null}`, "favorite", ruleRequired},
			{"favorite an array", `{"favorite": [{"pageId": "p", "title": "t"}]}`, "favorite", ruleFormat},
			{"title a number", `{"favorite": {"pageId": "p", "title": 5}}`, "favorite.title", ruleFormat},
			{"empty favorite", `{"favorite": {}}`, "favorite.title", ruleRequired},
		},
	}
	for op, cases := range perOp {
		cases = append(cases, common...)
		for _, c := range cases {
			t.Run(op+"/"+c.name, func(t *testing.T) {
				e := newEnv(t)
				l := e.create(user, sampleFav(1))
				if op == "create" {
					l = e.create(user2, sampleFav(1))
					e.do(user2, http.MethodDelete, listIDPath(l.ID), nil) // user2 has no list: a valid create would succeed
				}
				e.takeChanges()
				before := e.snapshot()
				var r resp
				switch op {
				case "create":
					r = e.do(user2, http.MethodPost, listPath, c.body)
				case "update":
					r = e.do(user, http.MethodPatch, listIDPath(l.ID), c.body)
				case "add":
					r = e.do(user, http.MethodPost, addPath, c.body)
				}
				wantViolation(t, r, 400, c.field, c.rule)
				e.mustBeUnchanged(before)
				if ch := e.takeChanges(); len(ch) != 0 {
					t.Errorf("refused write reported %+v", ch)
				}
			})
		}
	}
}

// TestBodiesIgnored: GET and DELETE ignore a body, even a malformed one.
func TestBodiesIgnored(t *testing.T) {
	e := newEnv(t)
	l := e.create(user, sampleFav(1), sampleFav(2))
	if r := e.do(user, http.MethodGet, listPath, "{not json"); r.status != 200 {
		t.Errorf("GET with a body: %d", r.status)
	}
	if r := e.do(user, http.MethodDelete, delFavPath(l.Favorites[0].ID), "{not json"); r.status != 200 {
		t.Errorf("delete-favorite with a body: %d", r.status)
	}
	if r := e.do(user, http.MethodDelete, listIDPath(l.ID), "{not json"); r.status != 200 {
		t.Errorf("delete list with a body: %d", r.status)
	}
}

// TestNeverPanics crosses methods, paths, tokens and bodies: no 5xx, and every error is in Wix's
// shape. FuzzServeHTTP goes further.
func TestNeverPanics(t *testing.T) {
	e := newEnv(t)
	l := e.create(user, sampleFav(1))
	paths := []string{"", "/", listPath, addPath, listIDPath(l.ID), delFavPath(l.Favorites[0].ID), "/_api" + listPath,
		listPath + "/%2F", listPath + "/..", delFavPath("%00"), listPath + "?favoriteListId=%zz", "//" + listPath}
	bodies := []string{"", "{", "{}", "null", `{"favoriteList": {"revision": "1", "favorites": [{}]}}`,
		`{"favorite": {"pageId": "p", "title": "t"}}`, `{"favoriteList": {"revision": 1e400}}`, "\x00\xff",
		strings.Repeat("[", 20000) + strings.Repeat("]", 20000)}
	for _, method := range []string{"GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "TRACE", "get"} {
		for _, p := range paths {
			for _, b := range bodies {
				for _, tok := range []string{"", e.token(user), e.token(noPerm)} {
					r := e.doToken(tok, method, "http://x"+p, b)
					if r.status >= 500 {
						t.Fatalf("%s %q %q: %d %s", method, p, b, r.status, r.header.Get("X-Mock-Panic"))
					}
					if r.status >= 400 {
						errorShape(t, r)
					}
				}
			}
		}
	}
}

func FuzzServeHTTP(f *testing.F) {
	f.Add("POST", listPath, `{"favoriteList": {"favorites": [{"pageId": "p", "title": "t"}]}}`)
	f.Add("PATCH", listPath+"/x", `{"favoriteList": {"revision": "1", "favorites": [{"id": "x", "pageId": "p", "title": "t"}]}}`)
	f.Add("POST", addPath, `{"favorite": {"pageId": "p", "title": "t", "relativeUrl": "/?#"}}`)
	f.Add("DELETE", delFavPath("x")+"?favoriteId=y", "")
	f.Add("GET", "/_api"+listPath, "")
	e := newEnv(f)
	tok := e.token(user)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n#") || strings.ContainsAny(method, " \t\r\n/") || method == "" {
			t.Skip()
		}
		defer func() {
			if p := recover(); p != nil { // httptest.NewRequest panics on what it cannot parse
				t.Skip()
			}
		}()
		r := e.doToken(tok, method, path, body)
		if r.status >= 500 {
			t.Fatalf("%s %q %q: %d %s", method, path, body, r.status, r.header.Get("X-Mock-Panic"))
		}
		if r.status >= 400 {
			errorShape(t, r)
		}
	})
}
