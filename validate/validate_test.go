package validate_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/favconform/favconform/validate"
)

const goodList = `{"favoriteList":{"id":"b8216af7-cf7c-4860-8014-54e4824a1745","revision":"2","createdDate":"2024-05-19T13:05:45.684Z","updatedDate":"2024-05-20T14:46:50.126Z","favorites":[{"id":"cc5a0ad9-dbc8-4139-b4e2-3c59678a7d77","pageId":"3893d33b-24a1-474b-80b0-dd7c32e20bfb","title":"Existing favorite page"}]}}`

func validator(t *testing.T) *validate.Validator {
	t.Helper()
	v, err := validate.Default()
	if err != nil {
		t.Fatalf("loading the spec: %v", err)
	}
	return v
}

func request(method, path, body string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, "http://target.example"+path, rd)
	r.Header.Set("Authorization", "token")
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

func TestValidExchangesPass(t *testing.T) {
	v := validator(t)
	cases := []struct {
		name, method, path, reqBody string
		status                      int
		respBody                    string
	}{
		{"get", "GET", "/dashboard/v1/user-favorite-list", "", 200, goodList},
		{"create", "POST", "/dashboard/v1/user-favorite-list", `{"favoriteList":{"favorites":[{"pageId":"p","title":"My Page"}]}}`, 200, goodList},
		{"update with numeric revision (docs sample)", "PATCH", "/dashboard/v1/user-favorite-list/b8216af7-cf7c-4860-8014-54e4824a1745", `{"favoriteList":{"revision":1,"favorites":[{"id":"7d228ce4-f0c6-4758-be72-beea48f83dd1","pageId":"p","title":"t"}]}}`, 200, goodList},
		{"update as the SDK sends it", "PATCH", "/_api/dashboard/v1/user-favorite-list/b8216af7-cf7c-4860-8014-54e4824a1745", `{"favoriteList":{"id":"b8216af7-cf7c-4860-8014-54e4824a1745","revision":"1","favorites":[]}}`, 200, goodList},
		{"delete list", "DELETE", "/dashboard/v1/user-favorite-list/b8216af7-cf7c-4860-8014-54e4824a1745", "", 200, `{}`},
		{"delete list as the SDK sends it", "DELETE", "/dashboard/v1/user-favorite-list/b8216af7-cf7c-4860-8014-54e4824a1745?favoriteListId=b8216af7-cf7c-4860-8014-54e4824a1745", "", 200, `{}`},
		{"add", "POST", "/dashboard/v1/user-favorite-list/add-favorite", `{"favorite":{"pageId":"p","title":"New Favorite Page"}}`, 200, goodList},
		{"delete favorite", "DELETE", "/dashboard/v1/user-favorite-list/delete-favorite/cc5a0ad9-dbc8-4139-b4e2-3c59678a7d77?favoriteId=cc5a0ad9-dbc8-4139-b4e2-3c59678a7d77", "", 200, goodList},
		{"documented error", "POST", "/dashboard/v1/user-favorite-list", `{"favoriteList":{"favorites":[]}}`, 409, `{"message":"exists","details":{"applicationError":{"code":"ALREADY_EXISTS","description":"exists"}}}`},
		// The SDK: `title?: string | null`; a real list may hold a favorite without a title.
		{"a favorite without a title in the response", "GET", "/dashboard/v1/user-favorite-list", "", 200, strings.Replace(goodList, `,"title":"Existing favorite page"`, "", 1)},
		{"a favorite with a null title in the response", "GET", "/dashboard/v1/user-favorite-list", "", 200, strings.Replace(goodList, `"title":"Existing favorite page"`, `"title":null`, 1)},
		{"an error status no page names, in Wix's shape", "POST", "/dashboard/v1/user-favorite-list/add-favorite", `{"favorite":{"pageId":"p","title":"t"}}`, 422, `{"message":"bad","details":{"validationError":{"fieldViolations":[{"field":"favorite.title"}]}}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			op, vs := v.Check(request(c.method, c.path, c.reqBody), []byte(c.reqBody), c.status, jsonHeader(), []byte(c.respBody))
			if len(vs) > 0 {
				t.Fatalf("%s: unexpected violations:\n%v", op, vs)
			}
		})
	}
}

// Each broken exchange must be caught with the operation and the JSON pointer of the fault.
func TestViolationsAreCaughtWithOperationAndPointer(t *testing.T) {
	v := validator(t)
	cases := []struct {
		name, method, path, reqBody string
		status                      int
		respBody                    string
		wantOp, wantIn, wantPointer string
		wantExpected                string
	}{
		{"response revision sent as a number", "GET", "/dashboard/v1/user-favorite-list", "", 200,
			strings.Replace(goodList, `"revision":"2"`, `"revision":2`, 1),
			"getUserFavoriteList", "response", "/favoriteList/revision", "string"},
		{"bad uuid in the response", "GET", "/dashboard/v1/user-favorite-list", "", 200,
			strings.Replace(goodList, `"cc5a0ad9-dbc8-4139-b4e2-3c59678a7d77"`, `"fav-1"`, 1),
			"getUserFavoriteList", "response", "/favoriteList/favorites/0/id", "uuid"},
		{"missing required field in the response", "GET", "/dashboard/v1/user-favorite-list", "", 200,
			strings.Replace(goodList, `"pageId":"3893d33b-24a1-474b-80b0-dd7c32e20bfb"`, `"relativeUrl":"/x"`, 1),
			"getUserFavoriteList", "response", "/favoriteList/favorites/0/pageId", "required"},
		{"undocumented status", "POST", "/dashboard/v1/user-favorite-list", `{"favoriteList":{"favorites":[]}}`, 201, goodList,
			"createUserFavoriteList", "response", "status", "documents"},
		{"bad date-time", "GET", "/dashboard/v1/user-favorite-list", "", 200,
			strings.Replace(goodList, `2024-05-19T13:05:45.684Z`, `yesterday`, 1),
			"getUserFavoriteList", "response", "/favoriteList/createdDate", "date-time"},
		{"title too long in a request", "POST", "/dashboard/v1/user-favorite-list/add-favorite", `{"favorite":{"pageId":"p","title":"` + strings.Repeat("x", 41) + `"}}`, 200, goodList,
			"addUserFavorite", "request", "/favorite/title", "40"},
		{"read-only revision in a create request", "POST", "/dashboard/v1/user-favorite-list", `{"favoriteList":{"revision":"3","favorites":[]}}`, 200, goodList,
			"createUserFavoriteList", "request", "/favoriteList/revision", "read-only"},
		{"no Authorization header", "GET", "/dashboard/v1/user-favorite-list", "", 200, goodList,
			"getUserFavoriteList", "request", "header Authorization", "Authorization"},
		{"error body without message", "GET", "/dashboard/v1/user-favorite-list", "", 404, `{"details":{}}`,
			"getUserFavoriteList", "response", "/message", "message"},
		{"unknown path", "GET", "/dashboard/v1/user-favorite-lists", "", 404, `{}`,
			"GET /dashboard/v1/user-favorite-lists", "request", "path", "documented path"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := request(c.method, c.path, c.reqBody)
			if c.name == "no Authorization header" {
				req.Header.Del("Authorization")
			}
			_, vs := v.Check(req, []byte(c.reqBody), c.status, jsonHeader(), []byte(c.respBody))
			for _, got := range vs {
				if got.Operation == c.wantOp && string(got.In) == c.wantIn && got.Pointer == c.wantPointer && strings.Contains(got.Expected+" "+got.Message, c.wantExpected) {
					return
				}
			}
			t.Fatalf("want a violation %s %s %s mentioning %q; got:\n%v", c.wantOp, c.wantIn, c.wantPointer, c.wantExpected, vs)
		})
	}
}

func TestTransportReportsAndPassesBodiesThrough(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, strings.Replace(goodList, `"revision":"2"`, `"revision":2`, 1))
	}))
	defer srv.Close()
	var got []validate.Exchange
	c := &http.Client{Transport: &validate.Transport{OnExchange: func(x validate.Exchange) { got = append(got, x) }}}
	req, _ := http.NewRequest("GET", srv.URL+"/dashboard/v1/user-favorite-list", nil)
	req.Header.Set("Authorization", "t")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if !bytes.Contains(body, []byte(`"revision":2`)) {
		t.Fatalf("the body must reach the caller intact, got %s", body)
	}
	if len(got) != 1 || len(got[0].Violations) == 0 || got[0].Violations[0].Pointer != "/favoriteList/revision" {
		t.Fatalf("want one exchange with the revision violation, got %+v", got)
	}

	strict := &http.Client{Transport: &validate.Transport{FailOnViolation: true}}
	req2, _ := http.NewRequest("GET", srv.URL+"/dashboard/v1/user-favorite-list", nil)
	req2.Header.Set("Authorization", "t")
	if _, err := strict.Do(req2); err == nil || !strings.Contains(err.Error(), "/favoriteList/revision") {
		t.Fatalf("FailOnViolation: want an error naming the pointer, got %v", err)
	}
}

func TestMiddlewareValidatesServedExchanges(t *testing.T) {
	v := validator(t)
	var got []validate.Exchange
	h := validate.Middleware(v, func(x validate.Exchange) { got = append(got, x) })(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		io.WriteString(w, goodList)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, request("POST", "/dashboard/v1/user-favorite-list", `{"favoriteList":{"favorites":[]}}`))
	if rec.Code != 201 || rec.Body.String() != goodList {
		t.Fatalf("the handler's response must pass through unchanged, got %d %s", rec.Code, rec.Body)
	}
	if len(got) != 1 || len(got[0].Violations) != 1 || got[0].Violations[0].Pointer != "status" {
		t.Fatalf("want the undocumented 201 reported, got %+v", got)
	}
}

func TestViolationsNeverCarryTheToken(t *testing.T) {
	v := validator(t)
	req := request("GET", "/dashboard/v1/user-favorite-list", "")
	req.Header.Set("Authorization", "s3cr3t-token-value")
	_, vs := v.Check(req, nil, 200, jsonHeader(), []byte(`{"favoriteList":{"revision":5}}`))
	if len(vs) == 0 {
		t.Fatal("want violations")
	}
	if strings.Contains(vs.Error(), "s3cr3t") {
		t.Fatalf("a violation leaks the token: %v", vs)
	}
}

// Every operation documents 200, any 4xx in Wix's error shape and any 5xx (spec/openapi.yaml's
// "4XX" and "5XX" range responses): a 405, 412, 415, 422 or 429 from a conforming server is no
// violation, nor a 5xx with an empty body; a success other than 200, a 1xx or a 3xx is; so is a
// 4xx whose body is not Wix's.
func TestStatusRanges(t *testing.T) {
	v := validator(t)
	wixError := `{"message":"m","details":{"applicationError":{"code":"X","description":"d"}}}`
	type exchange struct {
		method, path string
		status       int
		header       http.Header
		body         string
	}
	ops := []struct{ method, path string }{
		{"GET", "/dashboard/v1/user-favorite-list"},
		{"POST", "/dashboard/v1/user-favorite-list"},
		{"PATCH", "/dashboard/v1/user-favorite-list/b8216af7-cf7c-4860-8014-54e4824a1745"},
		{"DELETE", "/dashboard/v1/user-favorite-list/b8216af7-cf7c-4860-8014-54e4824a1745"},
		{"POST", "/dashboard/v1/user-favorite-list/add-favorite"},
		{"DELETE", "/_api/dashboard/v1/user-favorite-list/delete-favorite/cc5a0ad9-dbc8-4139-b4e2-3c59678a7d77"},
	}
	for _, op := range ops {
		for _, status := range []int{400, 401, 403, 404, 405, 409, 412, 415, 422, 428, 429, 451, 499} {
			x := exchange{op.method, op.path, status, jsonHeader(), wixError}
			if _, vs := v.CheckResponse(request(x.method, x.path, ""), x.status, x.header, []byte(x.body)); len(vs) > 0 {
				t.Errorf("%s %s %d in Wix's error shape: %v", x.method, x.path, x.status, vs)
			}
		}
		for _, x := range []exchange{
			{op.method, op.path, 500, http.Header{}, ""},
			{op.method, op.path, 503, jsonHeader(), ""},
			{op.method, op.path, 502, http.Header{"Content-Type": {"text/html"}}, "<html>bad gateway</html>"},
			{op.method, op.path, 599, http.Header{}, ""},
		} {
			if _, vs := v.CheckResponse(request(x.method, x.path, ""), x.status, x.header, []byte(x.body)); len(vs) > 0 {
				t.Errorf("%s %s %d: %v", x.method, x.path, x.status, vs)
			}
		}
		for _, x := range []struct {
			exchange
			pointer, expected string
		}{
			{exchange{op.method, op.path, 201, jsonHeader(), goodList}, "status", "a status the operation documents"},
			{exchange{op.method, op.path, 204, http.Header{}, ""}, "status", "a status the operation documents"},
			{exchange{op.method, op.path, 299, jsonHeader(), `{}`}, "status", "a status the operation documents"},
			{exchange{op.method, op.path, 302, http.Header{"Location": {"/elsewhere"}}, ""}, "status", "a status the operation documents"},
			{exchange{op.method, op.path, 101, http.Header{}, ""}, "status", "a status the operation documents"},
			{exchange{op.method, op.path, 422, jsonHeader(), `{"error":"unprocessable"}`}, "/message", "required property"},
			{exchange{op.method, op.path, 405, http.Header{"Content-Type": {"text/plain"}}, "method not allowed"}, "header Content-Type", "media type"},
			{exchange{op.method, op.path, 429, jsonHeader(), ``}, "/", "a body that decodes"},
		} {
			_, vs := v.CheckResponse(request(x.method, x.path, ""), x.status, x.header, []byte(x.body))
			found := false
			for _, got := range vs {
				found = found || (got.Pointer == x.pointer && strings.Contains(got.Expected, x.expected))
			}
			if !found {
				t.Errorf("%s %s %d %q: want a violation at %s expecting %q, got %v", x.method, x.path, x.status, x.body, x.pointer, x.expected, vs)
			}
		}
	}
}
