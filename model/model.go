// Package model is an executable model of the documented behaviour of the Dashboard Favorite List
// API, written from the docs (../shared/api-docs, spec/requirements.yaml and
// spec/discrepancies.yaml), independently of the reference mock.
//
// A Model holds what each user's list must be. For a Step it plans the call and what the docs
// allow it to answer (an Expectation); Check judges a response against it, and Commit moves the
// model on, adopting what the docs leave to the server (ids, the first revision). Where the docs
// are silent the Expectation accepts every documented reading:
//   - GET with no list: a 404 in Wix's error shape, or a 200 without a list ([get-without-list]).
//   - A refusal: any 4xx in Wix's error shape ([undocumented-statuses], [error-precedence]),
//     except 401 with no credentials ("You can only call this method when authenticated").
//   - An id the caller's list does not hold: a refusal that changes nothing, or, for
//     delete-favorite, a 200 with the caller's list unchanged ([unknown-id-status]).
//   - An update that sends the list's favorites unchanged: revision + 1, or the list as it was
//     ([noop-writes]).
//   - Deleting the last favorite: a 200 with the list without favorites, or without a list
//     ([delete-last-favorite]); the list is gone either way.
//   - Add: the new favorite may be anywhere in the list; the others keep their order.
//   - The first revision of a new list, and every id the server generates, are the server's.
//
// Run drives seeded random sequences of steps against a target and shrinks a failing one
// (run.go); Generate makes the sequences (gen.go). Package model/negative derives requests that
// break one constraint of spec/openapi.yaml at a time.
package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

// MaxFavorites is the documented limit of a list ("favoritesArray <Favorite>maxItems 100").
const MaxFavorites = 100

// List is what a user's list must be.
type List struct {
	Exists    bool
	ID        string
	Revision  int64
	Favorites []api.Favorite
}

func (l List) clone() List {
	l.Favorites = slices.Clone(l.Favorites)
	return l
}

func (l List) String() string {
	if !l.Exists {
		return "no list"
	}
	return fmt.Sprintf("list %s at revision %d with %d favorite(s)", l.ID, l.Revision, len(l.Favorites))
}

type user struct {
	list List
	// ids of the user's lists and favorites that are gone (newest last).
	goneLists, goneFavorites []string
}

// Model is the documented state of every user's list. The zero value is not usable: call New.
type Model struct {
	roles []identity.Role
	users map[identity.Role]*user
}

// New returns a model in which every role has no list.
func New(roles ...identity.Role) *Model {
	m := &Model{roles: slices.Clone(roles), users: map[identity.Role]*user{}}
	for _, r := range roles {
		m.users[r] = &user{}
	}
	return m
}

// Roles are the users the model follows, in the order given to New.
func (m *Model) Roles() []identity.Role { return slices.Clone(m.roles) }

// State is what role's list must be now.
func (m *Model) State(role identity.Role) List { return m.user(role).list.clone() }

func (m *Model) user(role identity.Role) *user {
	u, ok := m.users[role]
	if !ok {
		u = &user{}
		m.users[role] = u
		m.roles = append(m.roles, role)
	}
	return u
}

// other is the user after role in the model's roles (nil in a one-user model).
func (m *Model) other(role identity.Role) *user {
	if len(m.roles) < 2 {
		return nil
	}
	i := slices.Index(m.roles, role)
	return m.users[m.roles[(i+1)%len(m.roles)]]
}

// Call is the HTTP request a step makes, made concrete from the model's state.
type Call struct {
	Role identity.Role
	// NoAuth sends no Authorization header.
	NoAuth bool
	// Invalid marks a request that breaks the spec on purpose.
	Invalid bool
	Method  string
	Path    string
	// Body is sent as application/json when not nil.
	Body []byte
}

// Send makes the call through c (as c.As(Role), Invalid(), or c.Anonymous()).
func (call Call) Send(c *client.Client) *client.Response {
	if call.Method == "" {
		return &client.Response{Err: errors.New("model: the step has no request (the model could not plan it)")}
	}
	var k *client.Caller
	switch {
	case call.NoAuth:
		k = c.Anonymous()
	case call.Invalid:
		k = c.As(call.Role).Invalid()
	default:
		k = c.As(call.Role)
	}
	return k.Do(client.Request{Method: call.Method, Path: call.Path, Body: call.Body})
}

// expectKind is the shape of an expected success.
type expectKind int

const (
	readList     expectKind = iota + 1 // GET of an existing list: exactly the model's list
	readNone                           // GET with no list: 404, or 200 without a list
	newList                            // a new list holding want's favorites (all new)
	sameList                           // the list after a write: same id, revision + 1
	emptyObject                        // delete list: {}
	lastFavorite                       // delete of the last favorite: the list is gone
)

// Expectation is what the docs allow a step to answer.
type Expectation struct {
	Step Step
	Call Call
	// Refused: the call must be refused with a 4xx in Wix's error shape; with Status, exactly it.
	Refused bool
	Status  int
	// Rules are the requirement ids (spec/requirements.yaml) the expectation rests on.
	Rules []string
	// Why says in words what is expected and why.
	Why string

	kind expectKind
	want List
	// anyPosition: the one new favorite may be anywhere (add).
	anyPosition bool
	// mayAnswerUnchanged (a refused delete-favorite of an id the list does not hold): a 200
	// carrying the caller's list as it is (want), or no list, is accepted too.
	mayAnswerUnchanged bool
	// mayKeepRevision (an update that changes nothing): the list may answer at its revision.
	mayKeepRevision bool
	// unplanned says why the step has no plan (an unknown operation); "" for every other.
	unplanned string
}

// reason is one reason a call must be refused.
type reason struct {
	status int // 0: any 4xx
	rule   string
	why    string
}

func (e *Expectation) refuse(rs []reason) {
	e.Refused = true
	e.kind = 0
	var rules, whys []string
	for _, r := range rs {
		if !slices.Contains(rules, r.rule) {
			rules = append(rules, r.rule)
		}
		whys = append(whys, r.why)
	}
	e.Rules = append(rules, "errors.wix-shape")
	if len(rs) == 1 {
		e.Status = rs[0].status
	}
	what := "any 4xx"
	if e.Status != 0 {
		what = strconv.Itoa(e.Status)
	}
	e.Why = fmt.Sprintf("a refusal (%s in Wix's error shape) that changes nothing: %s", what, strings.Join(whys, "; "))
}

func (e *Expectation) succeed(kind expectKind, want List, why string, rules ...string) {
	e.kind, e.want, e.Why, e.Rules = kind, want, why, rules
}

// Plan makes a step concrete from the model's state: the call to send and what it may answer.
// It does not change the model.
func (m *Model) Plan(s Step) Expectation {
	u := m.user(s.Role)
	e := Expectation{Step: s, Call: Call{Role: s.Role}}
	var rs []reason
	switch s.Op {
	case Get:
		e.Call.Method, e.Call.Path = http.MethodGet, api.ListPath
		m.planRead(&e, u.list)
	case Create:
		e.Call.Method, e.Call.Path = http.MethodPost, api.ListPath
		sent, want := m.createFavorites(s)
		e.Call.Body = mustJSON(map[string]any{"favoriteList": map[string]any{"favorites": sent}})
		rs = append(rs, bodyReasons(s, len(sent))...)
		if u.list.Exists {
			rs = append(rs, reason{0, "create.fails-when-list-exists", "the user already has a list"})
		}
		e.succeed(newList, List{Exists: true, Favorites: want},
			"200 with a new list holding the favorites sent, in order, each under a new id",
			"create.creates-list", "ids.favorite-server-generated")
	case Update:
		id, idr := m.listID(s)
		e.Call.Method, e.Call.Path = http.MethodPatch, api.ListPath+"/"+url.PathEscape(id)
		sent, want := m.updateFavorites(s)
		rev := u.list.Revision
		if s.Fault == StaleRevision {
			rev += s.RevisionDelta
			if rev < 0 { // a revision is never negative: stale the other way
				rev = u.list.Revision + 1
			}
		}
		var revision any = strconv.FormatInt(rev, 10)
		if s.RevisionAsNumber {
			revision = rev
		}
		e.Call.Body = mustJSON(map[string]any{"favoriteList": map[string]any{"revision": revision, "favorites": sent}})
		rs = append(rs, bodyReasons(s, len(sent))...)
		if idr != nil {
			rs = append(rs, *idr)
		}
		if s.Fault == StaleRevision && s.RevisionDelta != 0 {
			rs = append(rs, reason{0, "revision.stale-refused", fmt.Sprintf("the revision sent is the current one %+d", s.RevisionDelta)})
		}
		after := u.list.clone()
		after.Revision++
		after.Favorites = want
		e.mayKeepRevision = slices.Equal(want, u.list.Favorites)
		rules := []string{"update.replaces-favorites", "update.keeps-favorite-ids", "revision.increments-on-write", "ids.list-stable"}
		if s.RevisionAsNumber {
			rules = append(rules, "sdk.revision-string-or-number")
		}
		e.succeed(sameList, after, "200 with the list holding exactly the favorites sent, in order (kept ones under their ids), at revision + 1", rules...)
	case DeleteList:
		id, idr := m.listID(s)
		e.Call.Method, e.Call.Path = http.MethodDelete, api.ListPath+"/"+url.PathEscape(id)
		if idr != nil {
			rs = append(rs, *idr)
		}
		e.succeed(emptyObject, List{}, "200 with {} and the list gone", "delete-list.returns-empty-object", "delete-list.removes-list")
	case Add:
		e.Call.Method, e.Call.Path = http.MethodPost, api.AddFavoritePath
		fav := api.Favorite{PageID: "page", Title: "Favorite"}
		if len(s.Items) > 0 {
			fav = s.Items[0].Fav
		}
		sent := favoriteJSON(fav, "")
		if s.Fault == BadField {
			sent = badFavorite(s.Break)
		}
		e.Call.Body = mustJSON(map[string]any{"favorite": sent})
		rs = append(rs, bodyReasons(s, 1)...)
		if u.list.Exists && len(u.list.Favorites) >= MaxFavorites {
			rs = append(rs, reason{0, "favorites.max-100", "the list already holds 100 favorites"})
		}
		fav.ID = ""
		if u.list.Exists {
			after := u.list.clone()
			after.Revision++
			after.Favorites = append(after.Favorites, fav)
			e.succeed(sameList, after, "200 with the list holding its favorites plus the new one under a new id, at revision + 1",
				"add.appends-favorite", "revision.increments-on-write", "ids.list-stable", "ids.favorite-server-generated")
			e.anyPosition = true
		} else {
			e.succeed(newList, List{Exists: true, Favorites: []api.Favorite{fav}}, "200 with a new list holding just the favorite added",
				"add.creates-list-when-missing", "ids.favorite-server-generated")
		}
	case DeleteFavorite:
		id, at, idr := m.favoriteID(s)
		e.Call.Method, e.Call.Path = http.MethodDelete, api.DeleteFavoritePathPrefix+url.PathEscape(id)
		if idr != nil {
			rs = append(rs, *idr)
			e.mayAnswerUnchanged, e.want = s.Fault != NoAuth, u.list.clone()
			break
		}
		if len(u.list.Favorites) == 1 {
			e.succeed(lastFavorite, u.list.clone(), "200 with the list without favorites, or without a list; the list is deleted",
				"delete-favorite.last-deletes-list")
			break
		}
		after := u.list.clone()
		after.Revision++
		after.Favorites = slices.Delete(after.Favorites, at, at+1)
		e.succeed(sameList, after, "200 with the list without that favorite, the others in order, at revision + 1",
			"delete-favorite.removes", "revision.increments-on-write", "ids.list-stable")
	default:
		// A step the model cannot plan sends nothing and fails its check.
		e.unplanned = fmt.Sprintf("the model has no plan for operation %v", s.Op)
		e.Why = e.unplanned
		return e
	}
	if s.Op != Get && e.Call.Body != nil && s.Fault == MalformedJSON {
		e.Call.Body = e.Call.Body[:len(e.Call.Body)-1]
	}
	if s.Fault == NoAuth {
		e.Call.NoAuth, e.Call.Invalid = true, true
		e.refuse([]reason{{http.StatusUnauthorized, "auth.required", "the call carries no Authorization header"}})
		return e
	}
	// Only these faults make the request break the spec; an unknown id or a stale revision is a
	// well-formed request the server must refuse.
	e.Call.Invalid = s.Fault == MalformedJSON || s.Fault == BadField || s.Fault == TooMany
	if len(rs) > 0 {
		e.refuse(rs)
	}
	return e
}

func (m *Model) planRead(e *Expectation, l List) {
	if l.Exists {
		e.succeed(readList, l.clone(), "200 with the list exactly as the model has it", "get.returns-list")
		return
	}
	e.succeed(readNone, List{}, "no list: a 404 in Wix's error shape, or a 200 without a list", "get.returns-list")
}

// bodyReasons are the refusals a step's body calls for.
func bodyReasons(s Step, favorites int) []reason {
	var rs []reason
	switch s.Fault {
	case MalformedJSON:
		rs = append(rs, reason{0, "errors.bad-request", "the body is not well-formed JSON"})
	case BadField:
		if s.Break.How == "missing" {
			rs = append(rs, reason{0, "errors.bad-request", fmt.Sprintf("a favorite has no %s", s.Break.Field)})
		} else {
			rs = append(rs, reason{0, "field." + strings.ToLower(s.Break.Field) + "-length", fmt.Sprintf("a favorite's %s is %s", s.Break.Field, s.Break.How)})
		}
	}
	if favorites > MaxFavorites {
		rs = append(rs, reason{0, "favorites.max-100", fmt.Sprintf("%d favorites are sent", favorites)})
	}
	return rs
}

// neverIssued is a GUID no server hands out (the null GUID's neighbourhood, v4 layout).
func neverIssued(s Step) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", s.Nonce&0xffffffffffff)
}

// listID is the list id an update or a delete-list names, and the reason it must be refused when
// that id is not the caller's list.
func (m *Model) listID(s Step) (string, *reason) {
	u := m.user(s.Role)
	unknown := &reason{0, "errors.unknown-id-changes-nothing", "the list id names no list of the caller's"}
	// An id the caller's list has now is never sent as a foreign one: the docs do not say that a
	// new list gets an id the user's deleted list (or another user's list) never had.
	mine := func(id string) bool { return u.list.Exists && u.list.ID == id }
	switch s.Fault {
	case UnknownID:
		return neverIssued(s), unknown
	case DeletedID:
		if n := len(u.goneLists); n > 0 && !mine(u.goneLists[n-1]) {
			return u.goneLists[n-1], &reason{0, "errors.unknown-id-changes-nothing", "the list id is of the caller's deleted list"}
		}
		return neverIssued(s), unknown
	case OthersID:
		isolation := &reason{0, "isolation.per-user", "the list id is the other user's"}
		if o := m.other(s.Role); o != nil {
			if o.list.Exists && !mine(o.list.ID) {
				return o.list.ID, isolation
			}
			if n := len(o.goneLists); n > 0 && !mine(o.goneLists[n-1]) {
				return o.goneLists[n-1], isolation
			}
		}
		return neverIssued(s), unknown
	}
	if u.list.Exists {
		return u.list.ID, nil
	}
	if n := len(u.goneLists); n > 0 {
		return u.goneLists[n-1], &reason{0, "errors.unknown-id-changes-nothing", "the caller has no list (the id is of its deleted list)"}
	}
	return neverIssued(s), &reason{0, "errors.unknown-id-changes-nothing", "the caller has no list"}
}

// favoriteID is the favorite id a delete-favorite names, its position in the caller's list, and
// the reason it must be refused when it is not on the caller's list.
func (m *Model) favoriteID(s Step) (string, int, *reason) {
	u := m.user(s.Role)
	unknown := &reason{0, "errors.unknown-id-changes-nothing", "the favorite id is on no list of the caller's"}
	mine := func(id string) bool {
		return slices.ContainsFunc(u.list.Favorites, func(f api.Favorite) bool { return f.ID == id })
	}
	switch s.Fault {
	case UnknownID:
		return neverIssued(s), -1, unknown
	case DeletedID:
		if n := len(u.goneFavorites); n > 0 && !mine(u.goneFavorites[n-1-s.Index%n]) {
			return u.goneFavorites[n-1-s.Index%n], -1, &reason{0, "errors.unknown-id-changes-nothing", "the favorite id is of a favorite the caller's list no longer holds"}
		}
		return neverIssued(s), -1, unknown
	case OthersID:
		isolation := &reason{0, "isolation.per-user", "the favorite id is on the other user's list"}
		if o := m.other(s.Role); o != nil {
			if n := len(o.list.Favorites); o.list.Exists && n > 0 && !mine(o.list.Favorites[s.Index%n].ID) {
				return o.list.Favorites[s.Index%n].ID, -1, isolation
			}
			if n := len(o.goneFavorites); n > 0 && !mine(o.goneFavorites[n-1]) {
				return o.goneFavorites[n-1], -1, isolation
			}
		}
		return neverIssued(s), -1, unknown
	}
	if n := len(u.list.Favorites); u.list.Exists && n > 0 {
		at := s.Index % n
		return u.list.Favorites[at].ID, at, nil
	}
	if n := len(u.goneFavorites); n > 0 {
		return u.goneFavorites[n-1], -1, &reason{0, "errors.unknown-id-changes-nothing", "the caller has no list (the id is of a favorite it deleted)"}
	}
	return neverIssued(s), -1, &reason{0, "errors.unknown-id-changes-nothing", "the caller has no list"}
}

// fillFavorite is the i-th favorite a Fill step sends.
func fillFavorite(i int) api.Favorite {
	return api.Favorite{PageID: fmt.Sprintf("fill-%03d", i), Title: fmt.Sprintf("Filler %d", i), RelativeURL: fmt.Sprintf("/fill/%d", i)}
}

// createFavorites are the favorites a create sends (as JSON objects) and those it must store.
func (m *Model) createFavorites(s Step) ([]map[string]any, []api.Favorite) {
	var want []api.Favorite
	if s.Fill > 0 {
		for i := range s.Fill {
			want = append(want, fillFavorite(i))
		}
	} else {
		for _, it := range s.Items {
			f := it.Fav
			f.ID = ""
			want = append(want, f)
		}
	}
	sent := make([]map[string]any, 0, len(want)+1)
	for _, f := range want {
		sent = append(sent, favoriteJSON(f, ""))
	}
	if s.Fault == BadField {
		sent = append(sent, badFavorite(s.Break))
	}
	if s.Fault == TooMany && s.Fill == 0 {
		for i := len(sent); i <= MaxFavorites; i++ {
			sent = append(sent, favoriteJSON(fillFavorite(i), ""))
		}
	}
	return sent, want
}

// updateFavorites are the favorites an update sends and those the list must then hold (new ones
// with no id).
func (m *Model) updateFavorites(s Step) ([]map[string]any, []api.Favorite) {
	cur := m.user(s.Role).list.Favorites
	var want []api.Favorite
	if s.Fill > 0 {
		want = slices.Clone(cur)
		for i := len(want); i < s.Fill; i++ {
			want = append(want, fillFavorite(i))
		}
	} else {
		used := map[int]bool{}
		for _, it := range s.Items {
			if it.Keep >= 0 && len(cur) > 0 && !used[it.Keep%len(cur)] {
				j := it.Keep % len(cur)
				used[j] = true
				f := cur[j]
				if it.Retitle {
					f.Title = it.Fav.Title
				}
				want = append(want, f)
				continue
			}
			f := it.Fav
			f.ID = ""
			want = append(want, f)
		}
	}
	sent := make([]map[string]any, 0, len(want)+1)
	for _, f := range want {
		sent = append(sent, favoriteJSON(f, f.ID))
	}
	if s.Fault == BadField {
		sent = append(sent, badFavorite(s.Break))
	}
	if s.Fault == TooMany && s.Fill == 0 {
		for i := len(sent); i <= MaxFavorites; i++ {
			sent = append(sent, favoriteJSON(fillFavorite(i), ""))
		}
	}
	return sent, want
}

func favoriteJSON(f api.Favorite, id string) map[string]any {
	o := map[string]any{"pageId": f.PageID, "title": f.Title}
	if f.RelativeURL != "" {
		o["relativeUrl"] = f.RelativeURL
	}
	if id != "" {
		o["id"] = id
	}
	return o
}

// badFavorite is a favorite breaking one field limit (facts.md: pageId 1-200, title 1-40,
// relativeUrl at most 500 characters).
func badFavorite(b Break) map[string]any {
	o := map[string]any{"pageId": "bad-page", "title": "Bad field", "relativeUrl": "/bad"}
	switch b.How {
	case "empty":
		o[b.Field] = ""
	case "missing":
		delete(o, b.Field)
	default:
		limit := map[string]int{"pageId": 200, "title": 40, "relativeUrl": 500}[b.Field]
		o[b.Field] = strings.Repeat("x", limit+1)
	}
	return o
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("model: encoding a request body: %v", err)) // maps of strings and numbers always encode
	}
	return b
}

// Check judges a response against the expectation. The error says what was expected, why (with
// the requirement ids), and what came.
func (e Expectation) Check(r *client.Response) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s\n  expected: %s [%s]\n  got:      %s", fmt.Sprintf(format, args...), e.Why, strings.Join(e.Rules, ", "), r.Describe())
	}
	if e.unplanned != "" {
		return errors.New(e.unplanned)
	}
	if r.Err != nil {
		return fail("no response: %v", r.Err)
	}
	if len(r.Violations) > 0 {
		return fail("the exchange breaks spec/openapi.yaml [schema.responses-match-spec]:\n%s", indent(r.Violations.Error()))
	}
	if e.Refused {
		if e.mayAnswerUnchanged && r.Status == http.StatusOK {
			if r.List != nil && r.List.ID != "" {
				if !e.want.Exists || r.List.ID != e.want.ID || int64(r.List.Revision) != e.want.Revision {
					return fail("a delete-favorite of an id the list does not hold may answer 200 only with the caller's list unchanged (%s)", e.want)
				}
				e.kind = readList
				if err := e.compareList(*r.List); err != nil {
					return fail("%v", err)
				}
			}
			return nil
		}
		switch {
		case r.Status < 400 || r.Status > 499:
			return fail("expected the call to be refused with a 4xx, got %d", r.Status)
		case e.Status != 0 && r.Status != e.Status:
			return fail("expected status %d, got %d", e.Status, r.Status)
		case !wixShaped(r):
			return fail("a refusal must carry Wix's error body {message, details: {applicationError | validationError}}")
		}
		return nil
	}
	if e.kind == readNone && r.Status == http.StatusNotFound {
		if !wixShaped(r) {
			return fail("a 404 must carry Wix's error body {message, details: {applicationError | validationError}}")
		}
		return nil
	}
	if r.Status != http.StatusOK {
		return fail("expected status 200, got %d", r.Status)
	}
	if r.DecodeErr != nil {
		return fail("%v", r.DecodeErr)
	}
	switch e.kind {
	case readNone:
		if r.List != nil && (r.List.ID != "" || len(r.List.Favorites) > 0) {
			return fail("the user has no list, but GET answers one")
		}
	case emptyObject:
		var o map[string]json.RawMessage
		if json.Unmarshal(bytes.TrimSpace(r.Body), &o) != nil || len(o) != 0 {
			return fail("delete list must answer {} (\"Returns an empty object.\")")
		}
	case lastFavorite:
		if r.List != nil && len(r.List.Favorites) > 0 {
			return fail("after its last favorite is deleted the list has no favorites")
		}
		if r.List != nil && r.List.ID != "" && r.List.ID != e.want.ID {
			return fail("the list answered is %s, not the caller's list %s", r.List.ID, e.want.ID)
		}
	case readList, newList, sameList:
		if r.List == nil {
			return fail("expected a body with favoriteList")
		}
		if err := e.compareList(*r.List); err != nil {
			return fail("%v", err)
		}
	}
	return nil
}

// compareList compares a list answered with want.
func (e Expectation) compareList(got api.FavoriteList) error {
	w := e.want
	switch e.kind {
	case readList:
		if got.ID != w.ID || int64(got.Revision) != w.Revision {
			return fmt.Errorf("the list must read as list %s at revision %d, got list %s at revision %d", w.ID, w.Revision, got.ID, got.Revision)
		}
	case newList:
		if got.ID == "" {
			return fmt.Errorf("the new list has no id")
		}
	case sameList:
		if got.ID != w.ID {
			return fmt.Errorf("the list id must stay %s, got %s [ids.list-stable]", w.ID, got.ID)
		}
		if int64(got.Revision) != w.Revision && !(e.mayKeepRevision && int64(got.Revision) == w.Revision-1) {
			return fmt.Errorf("the revision must go from %d to %d, got %d [revision.increments-on-write]", w.Revision-1, w.Revision, got.Revision)
		}
	}
	favs := got.Favorites
	if e.anyPosition && len(favs) == len(w.Favorites) {
		// Add: take the one favorite with an id the list did not hold, wherever it is.
		old := map[string]bool{}
		for _, f := range w.Favorites[:len(w.Favorites)-1] {
			old[f.ID] = true
		}
		at := slices.IndexFunc(favs, func(f api.Favorite) bool { return !old[f.ID] })
		if at >= 0 {
			favs = append(slices.Delete(slices.Clone(favs), at, at+1), favs[at])
		}
	}
	if len(favs) != len(w.Favorites) {
		return fmt.Errorf("expected %d favorite(s), got %d", len(w.Favorites), len(favs))
	}
	seen := map[string]int{}
	for i, x := range w.Favorites {
		g := favs[i]
		if g.PageID != x.PageID || g.Title != x.Title || g.RelativeURL != x.RelativeURL {
			return fmt.Errorf("favorite %d must be {pageId %q, title %q, relativeUrl %q}, got {pageId %q, title %q, relativeUrl %q}",
				i, x.PageID, x.Title, x.RelativeURL, g.PageID, g.Title, g.RelativeURL)
		}
		switch {
		case g.ID == "":
			return fmt.Errorf("favorite %d has no id", i)
		case x.ID != "" && g.ID != x.ID:
			return fmt.Errorf("favorite %d must keep its id %s, got %s", i, x.ID, g.ID)
		}
		if j, dup := seen[g.ID]; dup {
			return fmt.Errorf("favorites %d and %d share the id %s; favorite ids are unique [ids.favorite-server-generated]", j, i, g.ID)
		}
		seen[g.ID] = i
	}
	return nil
}

// wixShaped reports whether a response carries Wix's error body (facts.md, "About Errors").
func wixShaped(r *client.Response) bool {
	e := r.Error
	return e != nil && strings.TrimSpace(e.Message) != "" && e.Details != nil &&
		(e.Details.ApplicationError != nil || e.Details.ValidationError != nil)
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// Commit moves the model on after a response that passed Check: the list becomes what the
// server answered (its ids and, for a new list, its revision), or goes.
func (m *Model) Commit(e Expectation, r *client.Response) {
	if e.Refused {
		return
	}
	u := m.user(e.Step.Role)
	before := u.list
	switch e.kind {
	case readList, readNone:
		return
	case emptyObject, lastFavorite:
		u.list = List{}
	case newList, sameList:
		if r == nil || r.List == nil {
			return
		}
		l := r.List
		u.list = List{Exists: true, ID: l.ID, Revision: int64(l.Revision), Favorites: slices.Clone(l.Favorites)}
	}
	if before.Exists && (!u.list.Exists || u.list.ID != before.ID) {
		u.goneLists = append(u.goneLists, before.ID)
	}
	for _, f := range before.Favorites {
		if !slices.ContainsFunc(u.list.Favorites, func(g api.Favorite) bool { return g.ID == f.ID }) {
			u.goneFavorites = append(u.goneFavorites, f.ID)
		}
	}
}
