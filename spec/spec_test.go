package spec_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"go.yaml.in/yaml/v3"

	"github.com/favconform/favconform/spec"
)

const (
	listID     = "b8216af7-cf7c-4860-8014-54e4824a1745"
	favoriteID = "10b007d6-1d67-4deb-9adf-32813f580bab"
	base       = "https://www.wixapis.com/dashboard/v1/user-favorite-list"
)

func load(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestLoad(t *testing.T) {
	doc := load(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3 (3.1 validation is much slower in kin-openapi)", doc.OpenAPI)
	}
	again, err := spec.Load()
	if err != nil || again != doc {
		t.Errorf("Load must return the same shared document every time")
	}
	var ids []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids = append(ids, op.OperationID)
			// 200, any 4xx in Wix's error shape, any 5xx; nothing else (no other 2xx, no default).
			if keys := op.Responses.Keys(); !slices.Equal(keys, []string{"200", "4XX", "5XX"}) {
				t.Errorf("%s: responses %v, want exactly 200, 4XX and 5XX", op.OperationID, keys)
			}
			for _, code := range []int{400, 401, 403, 404, 405, 409, 412, 415, 422, 428, 429, 451, 499} {
				r := op.Responses.Status(code)
				if r == nil || r.Value == nil || r.Value.Content.Get("application/json") == nil ||
					r.Value.Content.Get("application/json").Schema.Ref != "#/components/schemas/ErrorBody" {
					t.Errorf("%s: %d is not described as Wix's error body", op.OperationID, code)
				}
			}
			for _, code := range []int{500, 502, 503, 599} {
				if r := op.Responses.Status(code); r == nil || r.Value == nil || len(r.Value.Content) != 0 {
					t.Errorf("%s: %d must be described, with no content (an empty body conforms)", op.OperationID, code)
				}
			}
			for _, code := range []int{100, 201, 204, 299, 302} {
				if op.Responses.Status(code) != nil || op.Responses.Default() != nil {
					t.Errorf("%s: %d must not be documented [status-200-not-201]", op.OperationID, code)
				}
			}
		}
	}
	if len(ids) != 6 {
		t.Errorf("operations = %v, want 6", ids)
	}
	if len(doc.Security) != 1 || doc.Security[0]["wixAuthorization"] == nil {
		t.Errorf("the Authorization scheme must be required on every operation")
	}
	if !strings.Contains(string(spec.Bytes()), "openapi: 3.0.3") {
		t.Errorf("Bytes does not return openapi.yaml")
	}
}

func TestSchemaOptionsLeaveGlobalRegistryAlone(t *testing.T) {
	load(t)
	if err := spec.VisitJSON("Favorite", map[string]any{"id": "nope", "pageId": "p", "title": "t"}); err == nil {
		t.Fatal("a bad uuid passed")
	}
	if _, ok := openapi3.SchemaStringFormats["uuid"]; ok {
		t.Errorf("uuid was registered in kin-openapi's global format registry")
	}
}

// router routes on a copy of the shared document whose servers are cleared, so that any host
// matches; the shared document keeps its servers.
func router(t *testing.T) routers.Router {
	t.Helper()
	d := *load(t)
	d.Servers = nil
	r, err := gorillamux.NewRouter(&d)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func validationOptions() *openapi3filter.Options {
	return &openapi3filter.Options{
		MultiError:              true,
		IncludeResponseStatus:   true,
		SchemaValidationOptions: spec.SchemaOptions(),
		AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
			if in.RequestValidationInput.Request.Header.Get("Authorization") == "" {
				return errors.New("no Authorization header")
			}
			return nil
		},
	}
}

func newRequest(method, url, body string) *http.Request {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, url, r)
	req.Header.Set("Authorization", "raw-token")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// checkErr fails unless err is nil when want is "", or holds want otherwise.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("valid, but fails: %v", err)
	case want != "" && err == nil:
		t.Errorf("invalid (%s), but passes", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("fails for another reason than %q: %v", want, err)
	}
}

func TestRouting(t *testing.T) {
	r := router(t)
	tests := []struct {
		method, url, body string
		wantOp            string
		wantParams        map[string]string
	}{
		{"GET", base, "", "getUserFavoriteList", nil},
		{"POST", base, `{"favoriteList":{"favorites":[{"pageId":"p","title":"t"}]}}`, "createUserFavoriteList", nil},
		{"PATCH", base + "/" + listID, `{"favoriteList":{"revision":1}}`, "updateUserFavoriteList",
			map[string]string{"favoriteListId": listID}},
		// The SDK: id in the path and in the body, revision as a string.
		{"PATCH", base + "/" + listID, `{"favoriteList":{"id":"` + listID + `","revision":"1","favorites":[]}}`,
			"updateUserFavoriteList", map[string]string{"favoriteListId": listID}},
		{"DELETE", base + "/" + listID, "", "deleteUserFavoriteList", map[string]string{"favoriteListId": listID}},
		{"DELETE", base + "/" + listID + "?favoriteListId=" + listID, "", "deleteUserFavoriteList",
			map[string]string{"favoriteListId": listID}},
		{"POST", base + "/add-favorite", `{"favorite":{"pageId":"p","title":"t"}}`, "addUserFavorite", nil},
		{"DELETE", base + "/delete-favorite/" + favoriteID, "", "deleteUserFavorite",
			map[string]string{"favoriteId": favoriteID}},
		{"DELETE", base + "/delete-favorite/" + favoriteID + "?favoriteId=" + favoriteID, "", "deleteUserFavorite",
			map[string]string{"favoriteId": favoriteID}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+strings.TrimPrefix(tt.url, base), func(t *testing.T) {
			req := newRequest(tt.method, tt.url, tt.body)
			route, params, err := r.FindRoute(req)
			if err != nil {
				t.Fatal(err)
			}
			if route.Operation.OperationID != tt.wantOp {
				t.Fatalf("routed to %s, want %s", route.Operation.OperationID, tt.wantOp)
			}
			for k, v := range tt.wantParams {
				if params[k] != v {
					t.Errorf("param %s = %q, want %q", k, params[k], v)
				}
			}
			in := &openapi3filter.RequestValidationInput{
				Request: req, PathParams: params, Route: route, Options: validationOptions(),
			}
			if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
				t.Errorf("the request does not validate: %v", err)
			}
		})
	}

	// The shared document, servers included, routes the public URL.
	pub, err := gorillamux.NewRouter(load(t))
	if err != nil {
		t.Fatal(err)
	}
	if route, _, err := pub.FindRoute(newRequest("POST", base+"/add-favorite", "")); err != nil ||
		route.Operation.OperationID != "addUserFavorite" {
		t.Errorf("public URL: %v", err)
	}

	for _, tt := range []struct{ method, url string }{
		{"POST", base + "/" + listID},        // no POST on the id template
		{"GET", base + "/delete-favorite/x"}, // no GET there
		{"GET", base + "/a/b/c"},
	} {
		if route, _, err := r.FindRoute(newRequest(tt.method, tt.url, "")); err == nil {
			t.Errorf("%s %s routed to %s", tt.method, tt.url, route.Operation.OperationID)
		}
	}
}

func TestRequestValidation(t *testing.T) {
	r := router(t)
	tests := []struct {
		name, method, url, body string
		want                    string // in the error
	}{
		{"missing Authorization", "GET", base, "", "security requirements failed"},
		// [create-favorite-ids] A favorite's id is not read-only (the SDK marks only the list's).
		{"favorite id on add", "POST", base + "/add-favorite", `{"favorite":{"id":"` + favoriteID + `","pageId":"p","title":"t"}}`, ""},
		{"favorite id on add that is no GUID", "POST", base + "/add-favorite", `{"favorite":{"id":"fav-1","pageId":"p","title":"t"}}`, `format "uuid"`},
		{"read-only list id on create", "POST", base, `{"favoriteList":{"id":"` + listID + `","favorites":[{"id":"` + favoriteID + `","pageId":"p","title":"t"}]}}`, `readOnly property "id"`},
		{"read-only date on create", "POST", base, `{"favoriteList":{"createdDate":"2024-05-19T13:05:45.684Z"}}`, `readOnly property "createdDate"`},
		{"no envelope", "POST", base + "/add-favorite", `{"pageId":"p","title":"t"}`, `property "favorite" is missing`},
		{"no body", "POST", base, "", "value is required but missing"},
		{"title missing", "POST", base + "/add-favorite", `{"favorite":{"pageId":"p"}}`, `property "title" is missing`},
		{"relativeUrl null on add (the SDK: `relativeUrl?: string | null`)", "POST", base + "/add-favorite", `{"favorite":{"pageId":"p","title":"t","relativeUrl":null}}`, ""},
		{"title null on add", "POST", base + "/add-favorite", `{"favorite":{"pageId":"p","title":null}}`, "Value is not nullable"},
		{"title of 41 characters", "POST", base + "/add-favorite", `{"favorite":{"pageId":"p","title":"` + strings.Repeat("x", 41) + `"}}`, "maximum string length is 40"},
		{"revision not digits", "PATCH", base + "/" + listID, `{"favoriteList":{"revision":"1a"}}`, `string doesn't match the regular expression`},
		{"101 favorites", "PATCH", base + "/" + listID, `{"favoriteList":{"favorites":[` +
			strings.TrimSuffix(strings.Repeat(`{"pageId":"p","title":"t"},`, 101), ",") + `]}}`, "maximum number of items is 100"},
		{"path id not a uuid", "DELETE", base + "/not-a-uuid", "", `format "uuid"`},
		{"query id not a uuid", "DELETE", base + "/delete-favorite/" + favoriteID + "?favoriteId=x", "", `format "uuid"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(tt.method, tt.url, tt.body)
			if tt.name == "missing Authorization" {
				req.Header.Del("Authorization")
			}
			route, params, err := r.FindRoute(req)
			if err != nil {
				t.Fatal(err)
			}
			in := &openapi3filter.RequestValidationInput{
				Request: req, PathParams: params, Route: route, Options: validationOptions(),
			}
			checkErr(t, openapi3filter.ValidateRequest(context.Background(), in), tt.want)
		})
	}
}

func TestResponseValidation(t *testing.T) {
	r := router(t)
	const goodList = `{"id":"` + listID + `","revision":"2","createdDate":"2024-05-19T13:05:45.684Z",` +
		`"updatedDate":"2024-05-20T14:46:50.126Z","favorites":[{"id":"` + favoriteID + `","pageId":"p","title":"t"}]}`
	tests := []struct {
		name, method, url string
		status            int
		body              string
		want              string // in the error; "" if the response is valid
	}{
		{"good list", "GET", base, 200, `{"favoriteList":` + goodList + `}`, ""},
		// The negative cases use create, whose list is a plain required FavoriteList (GET's is a oneOf).
		{"revision as a number", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, `"2"`, `2`, 1) + `}`, `"/favoriteList/revision": value must be a string`},
		{"list id not a uuid", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, listID, "b8216af7", 1) + `}`, `"/favoriteList/id": string doesn't match the format "uuid"`},
		{"favorite id not a uuid", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, favoriteID, "10b007d6-1d67-4deb-9adf-32813f580bag", 1) + `}`, `"/favoriteList/favorites/0/id": string doesn't match the format "uuid"`},
		{"updatedDate missing", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, `"updatedDate":"2024-05-20T14:46:50.126Z",`, "", 1) + `}`, `property "updatedDate" is missing`},
		// The SDK: `title?: string | null`; a real list may hold a favorite without a title.
		{"favorite title missing", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, `,"title":"t"`, "", 1) + `}`, ""},
		{"favorite title missing in GET", "GET", base, 200, `{"favoriteList":` + strings.Replace(goodList, `,"title":"t"`, "", 1) + `}`, ""},
		{"favorite title null", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, `"title":"t"`, `"title":null`, 1) + `}`, ""},
		{"favorite title empty", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, `"title":"t"`, `"title":""`, 1) + `}`, "minimum string length is 1"},
		{"favorite title of 41 characters", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, `"title":"t"`, `"title":"`+strings.Repeat("x", 41)+`"`, 1) + `}`, "maximum string length is 40"},
		{"favorite relativeUrl null", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, `"title":"t"`, `"title":"t","relativeUrl":null`, 1) + `}`, ""},
		{"favorite pageId missing", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, `"pageId":"p",`, "", 1) + `}`, `property "pageId" is missing`},
		{"favorite id missing", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, `"id":"`+favoriteID+`",`, "", 1) + `}`, `property "id" is missing`},
		// An absent int64 is 0 in proto3 JSON, and nothing rules a revision 0 out.
		{"revision missing", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, `"revision":"2",`, "", 1) + `}`, ""},
		{"revision negative", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, `"2"`, `"-2"`, 1) + `}`, ""},
		{"revision not an integer", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, `"2"`, `"2.5"`, 1) + `}`, "doesn't match the regular expression"},
		{"list id missing", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, `"id":"`+listID+`",`, "", 1) + `}`, `property "id" is missing`},
		{"undocumented property", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, `"revision"`, `"owner":"x","revision"`, 1) + `},"extra":1}`, ""},
		{"date that does not exist", "POST", base, 200, `{"favoriteList":` + strings.Replace(goodList, "2024-05-19T", "2024-02-30T", 1) + `}`, `format "date-time"`},
		{"revision as a number in GET", "GET", base, 200, `{"favoriteList":` + strings.Replace(goodList, `"2"`, `2`, 1) + `}`, `value must be a string`},
		{"upper-case uuid", "GET", base, 200, `{"favoriteList":` + strings.Replace(goodList, listID, strings.ToUpper(listID), 1) + `}`, ""},
		{"no favorites", "GET", base, 200, `{"favoriteList":` + strings.Replace(goodList, `,"favorites":[{"id":"`+favoriteID+`","pageId":"p","title":"t"}]`, "", 1) + `}`, ""},
		{"GET without a list", "GET", base, 200, `{}`, ""},
		{"GET with an empty list", "GET", base, 200, `{"favoriteList":{}}`, ""},
		{"GET with half a list", "GET", base, 200, `{"favoriteList":{"id":"` + listID + `"}}`, `property "createdDate" is missing`},
		{"create without a list", "POST", base, 200, `{}`, `property "favoriteList" is missing`},
		{"201", "POST", base, 201, `{"favoriteList":` + goodList + `}`, "status is not supported"},
		{"delete-favorite of the last one", "DELETE", base + "/delete-favorite/" + favoriteID, 200, `{}`, ""},
		{"delete list", "DELETE", base + "/" + listID, 200, `{}`, ""},
		{"delete list with a body", "DELETE", base + "/" + listID, 200, `{"ok":true}`, "at most 0 properties"},
		{"application error", "POST", base, 409, `{"message":"exists","details":{"applicationError":{"code":"ALREADY_EXISTS","description":"d","data":{}}}}`, ""},
		{"validation error", "POST", base + "/add-favorite", 400, `{"message":"bad","details":{"validationError":{"fieldViolations":[{"field":"favorite.title","description":"too long","violatedRule":"MAX_LENGTH","data":{"threshold":40}}]}}}`, ""},
		{"error without message", "GET", base, 404, `{"details":{"applicationError":{"code":"NOT_FOUND"}}}`, `property "message" is missing`},
		{"error with both kinds of details", "GET", base, 400, `{"message":"m","details":{"applicationError":{"code":"X"},"validationError":{"fieldViolations":[]}}}`, "more than one"},
		{"5xx with an empty body", "GET", base, 503, ``, ""},
		{"5xx with an HTML page", "GET", base, 502, `<html>bad gateway</html>`, ""},
		// Any 4xx in Wix's error shape: the methods return "only standard" errors, and no page
		// names the status of a given failure.
		{"405 in Wix's error shape", "POST", base, 405, `{"message":"m","details":{"applicationError":{"code":"METHOD_NOT_ALLOWED"}}}`, ""},
		{"412 in Wix's error shape", "POST", base, 412, `{"message":"m","details":{"applicationError":{"code":"FAILED_PRECONDITION"}}}`, ""},
		{"415 in Wix's error shape", "POST", base, 415, `{"message":"m","details":{"applicationError":{"code":"X"}}}`, ""},
		{"422 in Wix's error shape", "POST", base + "/add-favorite", 422, `{"message":"m","details":{"validationError":{"fieldViolations":[{"field":"favorite.title"}]}}}`, ""},
		{"429 in Wix's error shape", "GET", base, 429, `{"message":"slow down","details":{"applicationError":{"code":"RESOURCE_EXHAUSTED"}}}`, ""},
		{"499 in Wix's error shape", "DELETE", base + "/" + listID, 499, `{"message":"m","details":{"applicationError":{"code":"X"}}}`, ""},
		{"error data that is not an object", "GET", base, 404, `{"message":"m","details":{"applicationError":{"code":"NOT_FOUND","data":"x"}}}`, ""},
		{"422 not in Wix's error shape", "POST", base, 422, `{"error":"unprocessable"}`, `property "message" is missing`},
		{"4xx with an empty body", "POST", base, 405, ``, "failed to decode"},
		{"204", "DELETE", base + "/" + listID, 204, ``, "status is not supported"},
		{"299", "GET", base, 299, `{}`, "status is not supported"},
		{"302", "GET", base, 302, `{}`, "status is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(tt.method, tt.url, "")
			route, params, err := r.FindRoute(req)
			if err != nil {
				t.Fatal(err)
			}
			in := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{
					Request: req, PathParams: params, Route: route,
				},
				Status:  tt.status,
				Header:  http.Header{"Content-Type": {"application/json"}},
				Body:    io.NopCloser(strings.NewReader(tt.body)),
				Options: validationOptions(),
			}
			checkErr(t, openapi3filter.ValidateResponse(context.Background(), in), tt.want)
		})
	}
}

func TestVisitJSON(t *testing.T) {
	identity := func(s string) any {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		schema, value string
		ok            bool
	}{
		{"WebhookIdentity", `{"identityType":"WIX_USER","wixUserId":"` + listID + `"}`, true},
		{"WebhookIdentity", `{"identityType":"APP","appId":"` + listID + `","wixUserId":"` + favoriteID + `"}`, true},
		{"WebhookIdentity", `{"identityType":"MEMBER","wixUserId":"` + listID + `"}`, false},
		{"WebhookIdentity", `{"identityType":"ROBOT"}`, false},
		{"WebhookJWTPayload", `{"data":"{}"}`, true},
		{"WebhookJWTPayload", `{"data":{}}`, false},
		{"FavoriteList", `{"id":"` + listID + `","revision":3,"createdDate":"2024-05-19T13:05:45.684Z","updatedDate":"2024-05-19T13:05:45.684Z"}`, false},
	}
	for _, tt := range tests {
		err := spec.VisitJSON(tt.schema, identity(tt.value))
		if (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok = %v", tt.schema, tt.value, err, tt.ok)
		}
	}
	// readOnly is enforced only when visiting as a request.
	created := identity(`{"id":"` + listID + `","favorites":[]}`)
	if err := spec.VisitJSON("FavoriteListCreateInput", created); err != nil {
		t.Errorf("FavoriteListCreateInput with an id, not as a request: %v", err)
	}
	if err := spec.VisitJSON("FavoriteListCreateInput", created, openapi3.VisitAsRequest()); err == nil {
		t.Errorf("FavoriteListCreateInput with an id, as a request, passes")
	}
	// A favorite's id is not read-only [create-favorite-ids].
	fav := identity(`{"id":"` + favoriteID + `","pageId":"p","title":"t"}`)
	if err := spec.VisitJSON("FavoriteInput", fav, openapi3.VisitAsRequest()); err != nil {
		t.Errorf("FavoriteInput with an id, as a request: %v", err)
	}
	if _, err := spec.Schema("NoSuchSchema"); err == nil {
		t.Errorf("Schema of an unknown name: no error")
	}
}

// The register is well formed, and every [id] openapi.yaml cites is in it.
func TestDiscrepancyRegister(t *testing.T) {
	raw, err := os.ReadFile("discrepancies.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var entries []struct {
		ID      string `yaml:"id"`
		Topic   string `yaml:"topic"`
		Sources []struct {
			File  string `yaml:"file"`
			Quote string `yaml:"quote"`
		} `yaml:"sources"`
		Reading    string `yaml:"reading"`
		Why        string `yaml:"why"`
		StrictOnly *bool  `yaml:"strictOnly"`
		Readings   []struct {
			Reading string `yaml:"reading"`
			Mock    string `yaml:"mock"`
		} `yaml:"readings"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&entries); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, e := range entries {
		if e.ID == "" || e.Topic == "" || e.Reading == "" || e.Why == "" || e.StrictOnly == nil || len(e.Sources) == 0 {
			t.Errorf("entry %q: a field is missing", e.ID)
		}
		if ids[e.ID] {
			t.Errorf("entry %q: duplicate id", e.ID)
		}
		ids[e.ID] = true
		for _, s := range e.Sources {
			switch s.File {
			case "favorite-list-api.txt", "dashboard-api.txt", "facts.md":
			default:
				t.Errorf("entry %q: unknown source file %q", e.ID, s.File)
			}
			if s.Quote == "" {
				t.Errorf("entry %q: empty quote", e.ID)
			}
		}
	}
	cites := regexp.MustCompile(`\[([a-z][a-z0-9]*(?:-[a-z0-9]+)+)\]`).FindAllStringSubmatch(string(spec.Bytes()), -1)
	if len(cites) == 0 {
		t.Errorf("openapi.yaml cites no entry: has the citation form changed?")
	}
	for _, m := range cites {
		if !ids[m[1]] {
			t.Errorf("openapi.yaml cites [%s], which is not in discrepancies.yaml", m[1])
		}
	}
}
