package mock

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/validate"
)

// adminMessage decodes an admin refusal's {"message": ...}.
func adminMessage(t *testing.T, r resp) string {
	t.Helper()
	var e AdminError
	if err := json.Unmarshal(r.body, &e); err != nil || e.Message == "" {
		t.Fatalf("body %s is not {\"message\": \"...\"} (%v)", r.body, err)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	return e.Message
}

func (e *env) hasList(role identity.Role) bool {
	_, ok := e.m.List(e.ident(role).WixUserID)
	return ok
}

func TestAdminResetByRole(t *testing.T) {
	e := newEnvWith(t, Options{Identities: identity.Pool(2)})
	users := identity.Accounts(e.ids, identity.User)
	for _, id := range users {
		e.doToken(id.Token, http.MethodPost, listPath, createBody(sampleFavs(1))).list(t)
	}
	e.create(identity.SecondUser, sampleFav(1))
	e.takeChanges()
	r := e.do("", http.MethodPost, ResetPath+"?role=user", nil)
	if r.status != http.StatusOK || strings.TrimSpace(string(r.body)) != "{}" {
		t.Fatalf("reset?role=user: %d %s", r.status, r.body)
	}
	for _, id := range users {
		if _, ok := e.m.List(id.WixUserID); ok {
			t.Errorf("%s's list survived reset?role=user", id.Token)
		}
	}
	if !e.hasList(identity.SecondUser) {
		t.Error("reset?role=user deleted second-user's list")
	}
	if c := e.takeChanges(); len(c) != 0 {
		t.Errorf("a reset reported %d changes", len(c))
	}
}

func TestAdminResetByToken(t *testing.T) {
	e := newEnvWith(t, Options{Identities: identity.Pool(2)})
	users := identity.Accounts(e.ids, identity.User)
	for _, id := range users {
		e.doToken(id.Token, http.MethodPost, listPath, createBody(sampleFavs(2))).list(t)
	}
	r := e.do("", http.MethodPost, ResetPath+"?token="+url.QueryEscape(users[1].Token), nil)
	if r.status != http.StatusOK {
		t.Fatalf("reset?token=: %d %s", r.status, r.body)
	}
	if _, ok := e.m.List(users[1].WixUserID); ok {
		t.Error("the token's list survived")
	}
	if _, ok := e.m.List(users[0].WixUserID); !ok {
		t.Error("another account's list of the same role was deleted")
	}
	// Go API: the app's token resets the list of the user it acts for.
	app := e.ident(identity.App)
	e.doToken(app.Token, http.MethodPost, listPath, createBody(sampleFavs(1))).list(t)
	if err := e.m.ResetToken(app.Token); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.m.List(app.WixUserID); ok {
		t.Error("ResetToken(app) left the list of the user the app acts for")
	}
	if err := e.m.ResetRole("nobody"); err == nil {
		t.Error("ResetRole(nobody): no error")
	}
}

func TestAdminResetRefusals(t *testing.T) {
	e := newEnv(t)
	e.create(identity.User, sampleFav(1))
	for _, c := range []struct{ query, want string }{
		{"?role=nobody", `unknown role "nobody" (known: user, second-user, user-without-permission, app,`},
		{"?token=not-a-token", "unknown token (known: the tokens of the roles user, second-user"},
		{"?role=user&token=" + e.token(identity.User), "not both"},
		{"?role=user&role=app", "one role"},
	} {
		r := e.do("", http.MethodPost, ResetPath+c.query, nil)
		if r.status != http.StatusBadRequest {
			t.Fatalf("reset%s: %d, want 400", c.query, r.status)
		}
		if msg := adminMessage(t, r); !strings.Contains(msg, c.want) {
			t.Errorf("reset%s: message %q, want it to contain %q", c.query, msg, c.want)
		}
		if !e.hasList(identity.User) {
			t.Fatalf("refused reset%s deleted a list", c.query)
		}
	}
	if r := e.do("", http.MethodGet, ResetPath, nil); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" {
		t.Fatalf("GET reset: %d Allow %q", r.status, r.header.Get("Allow"))
	}
	if r := e.do("", http.MethodPost, ResetPath, nil); r.status != http.StatusOK || e.hasList(identity.User) {
		t.Fatalf("reset of everything: %d, list left: %v", r.status, e.hasList(identity.User))
	}
}

func TestAdminTokenGuardsAdminCalls(t *testing.T) {
	const secret = "admin-secret-0123"
	e := newEnvWith(t, Options{AdminToken: secret, Webhooks: &WebhookOptions{}})
	e.create(identity.User, sampleFav(1))
	calls := []struct{ method, path string }{
		{http.MethodPost, ResetPath}, {http.MethodGet, StatePath}, {http.MethodPut, StatePath},
		{http.MethodGet, RequestsPath}, {http.MethodDelete, RequestsPath},
		{http.MethodGet, FaultsPath}, {http.MethodPost, FaultsPath}, {http.MethodDelete, FaultsPath},
		{http.MethodDelete, FaultsPath + "/f1"},
		{http.MethodGet, ResetPath}, // even a wrong method learns nothing without the token
	}
	for _, c := range calls {
		for _, token := range []string{"", "wrong-token-0123", e.token(identity.User)} {
			r := e.doToken(token, c.method, c.path, nil)
			if r.status != http.StatusUnauthorized || !strings.Contains(adminMessage(t, r), AdminTokenHeader) {
				t.Fatalf("%s %s with Authorization %q: %d %s, want 401", c.method, c.path, token, r.status, r.body)
			}
		}
	}
	if !e.hasList(identity.User) {
		t.Fatal("a refused admin call deleted a list")
	}
	// Open: the identity, the webhook key, the API itself.
	if r := e.do("", http.MethodGet, IdentityPath, nil); r.status != http.StatusOK {
		t.Fatalf("GET %s: %d", IdentityPath, r.status)
	}
	if r := e.do("", http.MethodGet, WebhookPublicKeyPath, nil); r.status != http.StatusOK || !strings.Contains(string(r.body), "PUBLIC KEY") {
		t.Fatalf("GET %s: %d", WebhookPublicKeyPath, r.status)
	}
	if r := e.do(identity.User, http.MethodGet, listPath, nil); r.status != http.StatusOK {
		t.Fatalf("the API with an admin token set: %d", r.status)
	}
	// With the token: as a bearer token, or in its own header.
	if r := e.doToken(secret, http.MethodGet, StatePath, nil); r.status != http.StatusOK {
		t.Fatalf("GET state with Authorization: %s: %d %s", secret, r.status, r.body)
	}
	req := httptest.NewRequest(http.MethodPost, ResetPath, nil)
	req.Header.Set(AdminTokenHeader, secret)
	rec := httptest.NewRecorder()
	e.m.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || e.hasList(identity.User) {
		t.Fatalf("reset with %s: %d, list left %v", AdminTokenHeader, rec.Code, e.hasList(identity.User))
	}
	req = httptest.NewRequest(http.MethodGet, RequestsPath, nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	rec = httptest.NewRecorder()
	e.m.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), secret) {
		t.Fatalf("GET requests with a bearer admin token: %d %s", rec.Code, rec.Body)
	}
}

// TestAdminSpecDescribesTheAdminAPI checks spec/admin.yaml: a valid OpenAPI 3.0 document whose
// paths are the admin paths, and which every admin answer of the mock conforms to (package
// validate, as for the API).
func TestAdminSpecDescribesTheAdminAPI(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile("../spec/admin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("spec/admin.yaml: %v", err)
	}
	var paths []string
	for p := range doc.Paths.Map() {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	want := []string{IdentityPath, ResetPath, RequestsPath, StatePath, WebhookPublicKeyPath, FaultsPath, FaultsPath + "/{id}"}
	slices.Sort(want)
	if !slices.Equal(paths, want) {
		t.Fatalf("spec/admin.yaml's paths %v, want %v", paths, want)
	}
	// The key is a PEM text; kin-openapi decodes no such media type by itself.
	openapi3filter.RegisterBodyDecoder("application/x-pem-file", openapi3filter.PlainBodyDecoder)
	v, err := validate.New(doc)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, Options{Webhooks: &WebhookOptions{}})
	e.create(identity.User, sampleFav(1))
	e.do(identity.User, http.MethodPost, addPath, `{"favorite":{"pageId":"p"}}`)
	state := string(e.do("", http.MethodGet, StatePath, nil).body)
	check := func(e *env, method, path, body string, header ...string) {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		e.m.ServeHTTP(rec, req)
		sent := httptest.NewRequest(method, path, nil)
		sent.Header = req.Header
		op, vs := v.Check(sent, []byte(body), rec.Code, rec.Header(), rec.Body.Bytes())
		if len(vs) > 0 {
			t.Errorf("%s %s (%s) answered %d %s: %v", method, path, op, rec.Code, rec.Body, vs)
		}
	}
	check(e, http.MethodGet, IdentityPath, "")
	check(e, http.MethodGet, WebhookPublicKeyPath, "")
	check(e, http.MethodGet, StatePath, "")
	check(e, http.MethodPut, StatePath, state)
	check(e, http.MethodPut, StatePath, `{"lists":[{"role":"nobody","favoriteList":{}}]}`)
	check(e, http.MethodGet, RequestsPath, "")
	check(e, http.MethodDelete, RequestsPath, "")
	check(e, http.MethodPost, ResetPath+"?role=user", "")
	check(e, http.MethodPost, ResetPath+"?role=nobody", "")
	check(e, http.MethodPost, ResetPath, "")
	check(e, http.MethodPost, FaultsPath, `{"operation":"addUserFavorite","kind":"status","status":429,"retryAfter":2,"count":1}`)
	check(e, http.MethodPost, FaultsPath, `{"faults":[{"operation":"*","kind":"latency","delay":"1ms","jitter":1},{"operation":"getUserFavoriteList","role":"user","kind":"drop","probability":0.5,"seed":7}]}`)
	check(e, http.MethodPost, FaultsPath, `{"operation":"nope","kind":"drop"}`)
	check(e, http.MethodGet, FaultsPath, "")
	check(e, http.MethodDelete, FaultsPath+"/f1", "")
	check(e, http.MethodDelete, FaultsPath+"/f1", "")
	check(e, http.MethodDelete, FaultsPath, "")
	guarded := newEnvWith(t, Options{AdminToken: "admin-secret-0123"})
	check(guarded, http.MethodGet, StatePath, "")
	check(guarded, http.MethodPost, FaultsPath, `{"operation":"*","kind":"drop"}`)
	check(guarded, http.MethodGet, StatePath, "", "Authorization", "Bearer admin-secret-0123")
	off := newEnvWith(t, Options{JournalSize: -1})
	check(off, http.MethodGet, RequestsPath, "")
}
