// Package mock is the in-memory reference implementation of the Dashboard Favorite List REST API:
// the bundled target the conformance suites run against by default. It follows every documented
// behaviour; where the docs are silent, the reading it takes is written next to the code that
// takes it (look for "Our reading"). In short:
//   - GET with no list: 404 NOT_FOUND. A list with no favorites may be created, and an update to
//     no favorites keeps the (empty) list; only delete-favorite deletes a list it empties.
//   - Existing list on create: 409 ALREADY_EXISTS. Stale revision: 409 ABORTED. Unknown list or
//     favorite id, or no list: 404 NOT_FOUND. A 101st favorite: 400, MAX_SIZE on
//     favoriteList.favorites (also for add-favorite).
//   - Read-only fields sent are ignored, not refused; unknown JSON fields are ignored.
//   - Update: revision required (a string of digits or a JSON integer); a favorite sent with an id
//     keeps it if it is a GUID unique in the request, whether or not the list held it; an id in the
//     body must equal the path's. DELETE query ids (favoriteListId, favoriteId) must equal the
//     path's when sent.
//   - Field rules: pageId 1-200, title 1-40, relativeUrl 0-500 Unicode code points; left out or
//     null is REQUIRED_FIELD, "" is MIN_LENGTH. Values are kept byte for byte.
//   - Errors: Wix's shape; 400s carry a validationError (body-level problems on the field "body"),
//     the rest an applicationError. A wrong method is 405 METHOD_NOT_ALLOWED; a body over the
//     limit is 413 (MAX_SIZE on "body"). 5xx bodies are empty, as Wix sends them.
//   - Routing (404/405) comes before authentication; authentication before everything else.
//
// Named readings (Readings, Options.Readings) each move it to another legitimate reading of one of
// those silent points — a behaviour that still follows every sentence of the docs, which the
// conformance suites must pass (GET with no list answering 200 {}, create refusing an empty list,
// events carrying the list as a string, ...). Named deviation switches (Deviations) each make it
// break exactly one requirement, so that every conformance check can be shown to fail when its
// rule is broken.
package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

// RequestIDHeader is the response header that carries each request's id (facts.md: the SDK reads
// it).
const RequestIDHeader = "X-Wix-Request-Id"

// DefaultMaxBodyBytes is the request body limit when Options.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 1 << 20

// Options configure a Mock. The zero value is a faithful mock with the default identities.
type Options struct {
	// Identities are the callers the mock knows, by token. nil means identity.Default().
	Identities []identity.Identity
	// Deviations names the switches to turn on (see Deviations). An unknown name makes New fail.
	Deviations []string
	// Readings names the readings to turn on (see Readings). An unknown name, or two readings of
	// one group, makes New fail.
	Readings []string
	// Now is the clock. nil means time.Now.
	Now func() time.Time
	// OnChange, if set, is called after each successful write, outside the mock's lock and before
	// the response is written: when a client has its response, the call has returned. Calls for
	// concurrent requests may run concurrently and in either order (List.Revision orders the
	// changes of one list). It must not call ServeHTTP of the same mock synchronously.
	OnChange func(Change)
	// MaxBodyBytes limits request bodies. 0 means DefaultMaxBodyBytes; a larger body is refused
	// with 413 in Wix's error shape.
	MaxBodyBytes int64
	// Webhooks, if set, makes the mock deliver the API's webhook events (webhooks.go) and serve
	// their public key at WebhookPublicKeyPath. nil: no events, and no key pair is made.
	Webhooks *WebhookOptions
	// JournalSize is how many API calls the request journal keeps (RequestsPath, Requests). 0
	// means DefaultJournalSize; a negative size turns the journal off.
	JournalSize int
	// OnRequest, if set, is called with each API call once it is answered: validated against the
	// spec and redacted as the journal shows it (Request), whether or not the journal is on. It
	// runs on the request's goroutine before the handler returns, so the call's validation is
	// paid on its path (the journal alone validates when read); calls may come concurrently.
	// serve -v prints a line from it.
	OnRequest func(Request)
	// AdminToken, if set, must come with every admin call that changes or reveals state (reset,
	// state, requests) as "Authorization: Bearer T" or AdminTokenHeader. Empty: they are open.
	// IdentityPath and WebhookPublicKeyPath stay open.
	AdminToken string
	// Faults are fault rules on from the start (faults.go; added as AddFault adds them). A bad
	// rule makes New fail. nil: no fault, ever, unless one is added.
	Faults []Fault
}

// ChangeKind says what a write did to a list.
type ChangeKind int

// The kinds of change, one per webhook event of the API.
const (
	Created ChangeKind = iota + 1
	Updated
	Deleted
)

func (k ChangeKind) String() string {
	switch k {
	case Created:
		return "created"
	case Updated:
		return "updated"
	case Deleted:
		return "deleted"
	}
	return fmt.Sprintf("ChangeKind(%d)", int(k))
}

// Change is one successful write.
//
// Which writes report what:
//   - create, and add-favorite with no list: Created.
//   - update, add-favorite to a list, delete-favorite: Updated.
//   - delete-favorite of the last favorite: Updated (the state returned), then Deleted (the same
//     state): "Updated" fires when pages are removed, and the list is then deleted.
//   - delete list: Deleted, with the list's last state.
type Change struct {
	Kind ChangeKind
	// List is the state the API returned; for Deleted, the list's last state. A copy: the
	// receiver may keep it.
	List api.FavoriteList
	// Identity is the caller.
	Identity identity.Identity

	// emptyURL is relativeurl-empty-kept's set of List's favorites (by id) whose relativeUrl was
	// sent as "": the events write it out. A copy, read after the lock is released.
	emptyURL map[string]bool
}

// Mock is the in-memory API. It is an http.Handler and safe for concurrent use.
type Mock struct {
	dev      deviationSet
	read     readingSet
	tokens   map[string]identity.Identity
	first    identity.Identity // the first identity, for devNoAuthCheck
	hasFirst bool
	now      func() time.Time
	onChange func(Change)
	maxBody  int64
	hooks    *webhooks // nil without Options.Webhooks (webhooks.go)
	ids      []identity.Identity
	// adminToken is Options.AdminToken (admin.go); journal is nil when it is off (journal.go).
	adminToken string
	journal    *journal
	faults     faultSet // faults.go

	mu sync.Mutex
	// lists holds each owner's lists, oldest first; the last is the current one. Faithfully an
	// owner has at most one (devSecondListPerUser makes more).
	lists map[string][]*record
	// seq numbers the non-GUID ids that devFavoriteIDNotGUID and devListIDNotGUID hand out.
	seq int

	// slot is devRacyCallerSlot's server-wide "current caller"; inflight counts the requests
	// being served while a racy deviation is on (racy.go).
	slot     atomic.Pointer[identity.Identity]
	inflight atomic.Int64
}

// record is one stored list.
type record struct {
	list api.FavoriteList // Favorites is never nil
	// updated is updatedDate as a time, to keep updatedDate strictly increasing.
	updated time.Time
	// held is patch-foreign-ids-replaced's set of every favorite id (lower case) the list has
	// held; nil while that reading is off.
	held map[string]bool
	// emptyURL is relativeurl-empty-kept's set of favorites (by id) whose relativeUrl was sent as
	// ""; nil while that reading is off.
	emptyURL map[string]bool
}

// clone is a deep copy of rec.
func (rec *record) clone() record {
	return record{list: copyList(rec.list), updated: rec.updated,
		held: maps.Clone(rec.held), emptyURL: maps.Clone(rec.emptyURL)}
}

// New returns a Mock with no lists.
func New(opts Options) (*Mock, error) {
	dev, err := parseDeviations(opts.Deviations)
	if err != nil {
		return nil, err
	}
	read, err := parseReadings(opts.Readings)
	if err != nil {
		return nil, err
	}
	ids := opts.Identities
	if ids == nil {
		ids = identity.Default()
	}
	m := &Mock{
		dev:      dev,
		read:     read,
		tokens:   make(map[string]identity.Identity, len(ids)),
		now:      opts.Now,
		onChange: opts.OnChange,
		maxBody:  opts.MaxBodyBytes,
		lists:    map[string][]*record{},
		ids:      ids,

		adminToken: opts.AdminToken,
		journal:    newJournal(opts.JournalSize, ids, opts.OnRequest),
	}
	for n, id := range ids {
		switch {
		case id.Token == "":
			return nil, fmt.Errorf("mock: identities[%d] (role %q) has no token", n, id.Role)
		case id.WixUserID == "":
			return nil, fmt.Errorf("mock: identities[%d] (role %q) has no wixUserId", n, id.Role)
		}
		if _, dup := m.tokens[id.Token]; dup {
			return nil, fmt.Errorf("mock: identities[%d] (role %q) repeats a token", n, id.Role)
		}
		m.tokens[id.Token] = id
		if n == 0 {
			m.first, m.hasFirst = id, true
		}
	}
	if m.now == nil {
		m.now = time.Now
	}
	if opts.Webhooks != nil {
		if m.hooks, err = newWebhooks(*opts.Webhooks, m.now); err != nil {
			return nil, err
		}
	}
	if _, err := m.addFaults(opts.Faults, func(i int) string { return fmt.Sprintf("mock: Faults[%d].", i) }); err != nil {
		return nil, err
	}
	switch {
	case m.maxBody == 0:
		m.maxBody = DefaultMaxBodyBytes
	case m.maxBody < 0:
		return nil, fmt.Errorf("mock: MaxBodyBytes %d is negative", m.maxBody)
	}
	return m, nil
}

// List returns a copy of the current list of the Wix user wixUserID, and whether there is one.
func (m *Mock) List(wixUserID string) (api.FavoriteList, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.current(m.ownerKey(wixUserID))
	if rec == nil {
		return api.FavoriteList{}, false
	}
	return copyList(rec.list), true
}

// Reset deletes every list. It reports no Change.
func (m *Mock) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lists = map[string][]*record{}
	m.seq = 0
}

// ServeHTTP serves the API.
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !m.read.on(readNoRequestID) {
		w.Header().Set(RequestIDHeader, uuid.NewString())
	}
	defer func() {
		// Never expected: the fuzz target reports any 5xx. Answer as Wix does for a server error
		// (an empty body) instead of taking the process down.
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p) // a dropped connection (faults.go): net/http closes it, answering nothing
			}
			w.Header().Set("X-Mock-Panic", strings.ReplaceAll(fmt.Sprint(p), "\n", " "))
			w.WriteHeader(http.StatusInternalServerError)
		}
	}()
	if m.serveWebhookKey(w, r) || m.serveIdentity(w, r) || m.serveAdmin(w, r) {
		return
	}
	r = m.withFaultWriter(w, r) // faults.go
	if m.journal != nil && !strings.HasPrefix(r.URL.Path, AdminPathPrefix) {
		m.serveJournaled(w, r) // journal.go
		return
	}
	m.write(w, m.serve(r))
}

// serve routes, authenticates and runs one request.
func (m *Mock) serve(r *http.Request) reply {
	if res, faulted := m.fault(r); faulted { // faults.go
		return res
	}
	defer m.enter()() // racy.go
	rt, refused := m.route(r.Method, r.URL.Path)
	if refused != nil {
		return *refused
	}
	caller, refused := m.authenticate(r)
	if refused != nil {
		if refused.status == http.StatusForbidden && m.read.on(readNotFoundBeforePermission) {
			if missing := m.lookupBeforePermission(rt, caller); missing != nil {
				return *missing
			}
		}
		return *refused
	}
	if m.dev.on(devRacyCallerSlot) && r.Method != http.MethodGet {
		caller = m.racyCaller(caller)
	}
	restore := m.loseWrite(rt.op, caller)
	var res reply
	switch rt.op {
	case opGet:
		res = m.get(caller)
	case opCreate:
		res = m.create(caller, r)
	case opUpdate:
		res = m.update(caller, r, rt.id)
	case opDeleteList:
		res = m.deleteList(caller, r, rt.id)
	case opAdd:
		res = m.add(caller, r)
	case opDeleteFavorite:
		res = m.deleteFavorite(caller, r, rt.id)
	}
	if res.status == http.StatusOK {
		restore()
	}
	if rt.op != opGet && res.status >= 400 && res.status < 500 && m.dev.on(devRevisionBumpedOnFailed) {
		m.mu.Lock()
		if rec := m.current(m.ownerKey(caller.WixUserID)); rec != nil {
			rec.list.Revision++
		}
		m.mu.Unlock()
	}
	m.webhookEvents(rt.op, caller, res)
	if m.onChange != nil {
		for _, c := range res.changes {
			m.onChange(c)
		}
	}
	return res
}

// loseWrite, under devWritesLostAfterFive, prepares to undo an update or a favorite deletion of a
// list that has already seen five writes after its creation: the caller's answer shows the write,
// the store does not. (Adds are spared so that the switch breaks nothing the racing-add checks
// test.)
func (m *Mock) loseWrite(op operation, caller identity.Identity) (restore func()) {
	if !m.dev.on(devWritesLostAfterFive) || (op != opUpdate && op != opDeleteFavorite) {
		return func() {}
	}
	key := m.ownerKey(caller.WixUserID)
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.current(key)
	if rec == nil || rec.list.Revision < 6 {
		return func() {}
	}
	saved := rec.clone()
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		*rec = saved
		if m.current(key) != rec { // the write deleted the list: it comes back
			m.lists[key] = append(m.lists[key], rec)
		}
	}
}

// Routing.

type operation int

const (
	opGet operation = iota + 1
	opCreate
	opUpdate
	opDeleteList
	opAdd
	opDeleteFavorite
)

type routed struct {
	op operation
	id string // the list id (update, delete list) or the favorite id (delete-favorite)
}

// route maps a method and path to an operation. Paths may carry the SDK's /_api prefix. An
// unknown path answers 404, a known path with another method 405 (with an Allow header). Our
// reading: routing comes before authentication, so an unknown path is 404 whoever asks; everything
// the API itself does (bodies, lookups) comes after authentication.
func (m *Mock) route(method, path string) (routed, *reply) {
	if rest, ok := strings.CutPrefix(path, api.SDKPathPrefix+"/"); ok && !m.read.on(readNoSDKPrefix) {
		path = "/" + rest
	}
	var byMethod map[string]routed
	switch {
	case path == api.ListPath:
		byMethod = map[string]routed{http.MethodGet: {op: opGet}, http.MethodPost: {op: opCreate}}
	case path == api.AddFavoritePath:
		byMethod = map[string]routed{http.MethodPost: {op: opAdd}}
	case strings.HasPrefix(path, api.DeleteFavoritePathPrefix) && isSegment(path[len(api.DeleteFavoritePathPrefix):]):
		id := path[len(api.DeleteFavoritePathPrefix):]
		byMethod = map[string]routed{http.MethodDelete: {op: opDeleteFavorite, id: id}}
	case strings.HasPrefix(path, api.ListPath+"/") && isSegment(path[len(api.ListPath)+1:]):
		id := path[len(api.ListPath)+1:]
		byMethod = map[string]routed{http.MethodPatch: {op: opUpdate, id: id}, http.MethodDelete: {op: opDeleteList, id: id}}
	default:
		res := appError(http.StatusNotFound, api.CodeNotFound, fmt.Sprintf("no such path: %s", path), nil)
		return routed{}, &res
	}
	if rt, ok := byMethod[method]; ok {
		return rt, nil
	}
	if m.read.on(readWrongMethod404) {
		res := appError(http.StatusNotFound, api.CodeNotFound, fmt.Sprintf("no such method on this path: %s %s", method, path), nil)
		return routed{}, &res
	}
	allowed := make([]string, 0, len(byMethod))
	for _, meth := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete} {
		if _, ok := byMethod[meth]; ok {
			allowed = append(allowed, meth)
		}
	}
	// Our reading: Wix names no code for a wrong method; METHOD_NOT_ALLOWED says what happened.
	res := appError(http.StatusMethodNotAllowed, codeMethodNotAllowed,
		fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", method, path, strings.Join(allowed, ", ")), nil)
	res.header = http.Header{"Allow": {strings.Join(allowed, ", ")}}
	return routed{}, &res
}

// codeMethodNotAllowed is the application error code of a 405.
const codeMethodNotAllowed = "METHOD_NOT_ALLOWED"

// isSegment reports whether s is one non-empty path segment.
func isSegment(s string) bool { return s != "" && !strings.Contains(s, "/") }

// Authentication.

// authenticate finds the caller by the Authorization header (the raw token, as the SDK sends it;
// a "Bearer " prefix is accepted too) and checks Manage Dashboard. A caller refused for lacking
// the permission (403) is returned with the refusal (for not-found-before-permission).
func (m *Mock) authenticate(r *http.Request) (identity.Identity, *reply) {
	token := strings.TrimSpace(r.Header.Get("Authorization"))
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	caller, known := m.tokens[token]
	if !known {
		if !m.dev.on(devNoAuthCheck) || !m.hasFirst {
			desc := "unknown Authorization token"
			if token == "" {
				desc = "no Authorization header"
			}
			res := appError(http.StatusUnauthorized, api.CodeUnauthenticated, desc, nil)
			return identity.Identity{}, &res
		}
		caller = m.first
	}
	if !m.permitted(caller) {
		res := appError(http.StatusForbidden, api.CodePermissionDenied,
			fmt.Sprintf("%s %s lacks %s", caller.IdentityType, caller.Role, api.ManageDashboardScope),
			map[string]any{"permission": api.ManageDashboardScope})
		return caller, &res
	}
	return caller, nil
}

// permitted applies dashboard-api.txt's rule (identity.CanManageDashboard): a user needs Manage
// Dashboard; an app needs it for itself and for the user it acts for.
func (m *Mock) permitted(id identity.Identity) bool {
	switch {
	case id.IdentityType == identity.TypeApp && m.dev.on(devAppIdentityRefused):
		return false
	case m.dev.on(devPermissionUnchecked):
		// The caller's own permission goes unchecked; the user an app acts for still needs it
		// (that rule is devAppIgnoresUserPermission's).
		return id.IdentityType != identity.TypeApp || slices.Contains(id.UserPermissions, api.ManageDashboardScope)
	case id.IdentityType == identity.TypeApp && m.dev.on(devAppIgnoresUserPermission):
		return slices.Contains(id.AppPermissions, api.ManageDashboardScope)
	}
	return id.CanManageDashboard()
}

// ownerKey is the key of a Wix user's lists: one list per Wix user, and an app acting for a user
// works on that user's list.
func (m *Mock) ownerKey(wixUserID string) string {
	if m.dev.on(devSharedList) {
		return ""
	}
	return wixUserID
}

// Responses.

// reply is one response. A nil body is sent as an empty body (5xx, as Wix does).
type reply struct {
	status  int
	body    any
	header  http.Header
	changes []Change
}

func (m *Mock) write(w http.ResponseWriter, res reply) {
	for k, v := range res.header {
		w.Header()[k] = v
	}
	if res.body == nil {
		w.WriteHeader(res.status)
		return
	}
	if eb, ok := res.body.(api.ErrorBody); ok && m.dev.on(devErrorBodyPlainText) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(res.status)
		_, _ = w.Write([]byte(eb.Message + "\n"))
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Values are returned byte for byte: no \u003c for "<" and the like.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res.body); err != nil {
		panic(fmt.Sprintf("mock: encoding a response: %v", err)) // turned into a 500 by ServeHTTP
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(res.status)
	_, _ = w.Write(buf.Bytes())
}

// ok is a 200 with a body.
func ok(body any, changes ...Change) reply {
	return reply{status: http.StatusOK, body: body, changes: changes}
}

// serverError is a 5xx as Wix sends it: an empty body.
func serverError() reply { return reply{status: http.StatusInternalServerError} }

// appError is an error with an application error.
func appError(status int, code, description string, data map[string]any) reply {
	return reply{status: status, body: api.ErrorBody{
		Message: description,
		Details: &api.ErrorDetails{ApplicationError: &api.ApplicationError{Code: code, Description: description, Data: data}},
	}}
}

// badRequest is a 400 with a validation error.
func badRequest(violations []api.FieldViolation) reply {
	msgs := make([]string, len(violations))
	for i, v := range violations {
		msgs[i] = v.Field + ": " + v.Description
	}
	return reply{status: http.StatusBadRequest, body: api.ErrorBody{
		Message: strings.Join(msgs, "; "),
		Details: &api.ErrorDetails{ValidationError: &api.ValidationError{FieldViolations: violations}},
	}}
}

// listBody is the body of every response that carries a list. emptyURL holds the favorites (by
// id) whose relativeUrl "" is written out (relativeurl-empty-kept; nil otherwise).
func (m *Mock) listBody(l api.FavoriteList, emptyURL map[string]bool) any {
	l = copyList(l)
	if m.dev.on(devRevisionAsNumber) || len(emptyURL) > 0 {
		return map[string]listOut{"favoriteList": wireList(l, emptyURL, m.dev.on(devRevisionAsNumber))}
	}
	return api.ListEnvelope{FavoriteList: &l}
}

// recordBody is listBody of a stored list.
func (m *Mock) recordBody(rec *record) any { return m.listBody(rec.list, rec.emptyURL) }

// listOut is a list as written when a switch changes its wire form from api.FavoriteList's: the
// revision as a JSON number (devRevisionAsNumber), or a relativeUrl "" written out
// (relativeurl-empty-kept).
type listOut struct {
	ID          string          `json:"id,omitempty"`
	Revision    json.RawMessage `json:"revision"`
	CreatedDate string          `json:"createdDate,omitempty"`
	UpdatedDate string          `json:"updatedDate,omitempty"`
	Favorites   []favoriteOut   `json:"favorites"`
}

// favoriteOut is api.Favorite with a relativeUrl that can be written out empty.
type favoriteOut struct {
	ID          string  `json:"id,omitempty"`
	PageID      string  `json:"pageId,omitempty"`
	Title       string  `json:"title,omitempty"`
	RelativeURL *string `json:"relativeUrl,omitempty"`
}

// wireList builds l's listOut; it shares nothing with l or emptyURL.
func wireList(l api.FavoriteList, emptyURL map[string]bool, numberRevision bool) listOut {
	rev, _ := l.Revision.MarshalJSON()
	if numberRevision {
		rev = []byte(strconv.FormatInt(int64(l.Revision), 10))
	}
	out := listOut{ID: l.ID, Revision: rev, CreatedDate: l.CreatedDate, UpdatedDate: l.UpdatedDate,
		Favorites: make([]favoriteOut, len(l.Favorites))}
	for i, f := range l.Favorites {
		out.Favorites[i] = favoriteOut{ID: f.ID, PageID: f.PageID, Title: f.Title}
		if url := f.RelativeURL; url != "" || emptyURL[f.ID] {
			out.Favorites[i].RelativeURL = &url
		}
	}
	return out
}

// copyList is a deep copy whose Favorites is never nil (so it is sent as [] when empty).
func copyList(l api.FavoriteList) api.FavoriteList {
	l.Favorites = append(make([]api.Favorite, 0, len(l.Favorites)), l.Favorites...)
	return l
}
