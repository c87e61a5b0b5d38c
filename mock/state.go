package mock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

// State is every list the mock holds: what GET StatePath answers and PUT StatePath takes.
type State struct {
	Lists []ListState `json:"lists"`
}

// ListState is one list and its owner. State names the owner by the first identity (in the
// mock's order) whose list it is, by both role and token; SetState takes either (a role means
// that role's first identity; both must then agree).
type ListState struct {
	Role  identity.Role `json:"role,omitempty"`
	Token string        `json:"token,omitempty"`
	// FavoriteList has the API's shape (the favoriteList of a GET answer).
	FavoriteList api.FavoriteList `json:"favoriteList"`
}

// maxStateBytes limits the body of PUT StatePath.
const maxStateBytes = 64 << 20

// State returns a copy of every list, ordered by owner (in the order of the mock's identities,
// lists no identity owns last) and, for one owner, oldest first.
func (m *Mock) State() State {
	m.mu.Lock()
	defer m.mu.Unlock()
	type owned struct {
		key   string
		at    int // index of the first identity owning key; len(m.ids) for none
		owner identity.Identity
	}
	owners := make([]owned, 0, len(m.lists))
	for key := range m.lists {
		o := owned{key: key, at: len(m.ids)}
		for i, id := range m.ids {
			if m.ownerKey(id.WixUserID) == key {
				o.at, o.owner = i, id
				break
			}
		}
		owners = append(owners, o)
	}
	slices.SortFunc(owners, func(a, b owned) int {
		if a.at != b.at {
			return a.at - b.at
		}
		return strings.Compare(a.key, b.key)
	})
	out := State{Lists: []ListState{}}
	for _, o := range owners {
		for _, rec := range m.lists[o.key] {
			out.Lists = append(out.Lists, ListState{Role: o.owner.Role, Token: o.owner.Token, FavoriteList: copyList(rec.list)})
		}
	}
	return out
}

// SetState replaces every list with s's, atomically: an entry that does not validate changes
// nothing, and the error names it (lists[i].field). Each list is validated as the API validates a
// create's favorites (and favorite ids as an update's); an id, revision, date or favorite id left
// out is generated as a create generates it, one given is kept: ids must be GUIDs, the revision a
// positive integer, dates RFC 3339. It reports no Change and sends no webhook event.
func (m *Mock) SetState(s State) error {
	in := make([]listStateIn, len(s.Lists))
	for i, l := range s.Lists {
		e := listStateIn{FavoriteList: listInOf(l.FavoriteList)}
		if l.Role != "" {
			r := string(l.Role)
			e.Role = &r
		}
		if l.Token != "" {
			t := l.Token
			e.Token = &t
		}
		in[i] = e
	}
	return m.setState(in)
}

// StateError is SetState's refusal: the entry (lists[Index]) and what is wrong with it.
type StateError struct {
	Index int
	// Problems are "field: description", the field relative to the entry (favoriteList.revision).
	Problems []string
}

func (e *StateError) Error() string {
	prefix := fmt.Sprintf("lists[%d]", e.Index)
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = prefix + "." + p
		if strings.HasPrefix(p, ": ") {
			parts[i] = prefix + p
		}
	}
	return strings.Join(parts, "; ")
}

// listStateIn is ListState as sent, with pointers to tell a field left out.
type listStateIn struct {
	Role         *string `json:"role"`
	Token        *string `json:"token"`
	FavoriteList *listIn `json:"favoriteList"`
}

// listInOf is l as a client would send it: empty values are left out, except pageId and title.
func listInOf(l api.FavoriteList) *listIn {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	in := &listIn{ID: opt(l.ID), CreatedDate: opt(l.CreatedDate), UpdatedDate: opt(l.UpdatedDate),
		Favorites: make([]favoriteIn, len(l.Favorites))}
	if l.Revision != 0 {
		in.Revision = json.RawMessage(strconv.Quote(strconv.FormatInt(int64(l.Revision), 10)))
	}
	for i, f := range l.Favorites {
		pageID, title := f.PageID, f.Title
		in.Favorites[i] = favoriteIn{ID: opt(f.ID), PageID: &pageID, Title: &title, RelativeURL: opt(f.RelativeURL)}
	}
	return in
}

// planned is one validated entry of a new state.
type planned struct {
	key              string
	in               *listIn
	revision         api.Revision // 0: generated
	created, updated time.Time    // zero: generated
}

// setState validates every entry, then replaces the lists.
func (m *Mock) setState(entries []listStateIn) error {
	plans := make([]planned, 0, len(entries))
	owner := map[string]int{} // owner key → the entry that gave it a list
	for i, e := range entries {
		p, problems := m.planEntry(e)
		if len(problems) == 0 && !m.dev.on(devSecondListPerUser) {
			if j, dup := owner[p.key]; dup {
				problems = append(problems, fmt.Sprintf(": its owner already has a list (lists[%d]): a Wix user has one list, and an app shares the list of the user it acts for", j))
			}
			owner[p.key] = i
		}
		if len(problems) > 0 {
			return &StateError{Index: i, Problems: problems}
		}
		plans = append(plans, p)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	m.lists = map[string][]*record{}
	for _, p := range plans {
		favs := make([]api.Favorite, len(p.in.Favorites))
		for i, f := range p.in.Favorites {
			id := deref(f.ID)
			if id == "" {
				id = m.newFavoriteID()
			}
			favs[i] = m.stored(f, id)
		}
		rec := m.newList(p.key, favs, true)
		for i, f := range p.in.Favorites {
			m.noteEmptyURL(rec, f, favs[i].ID)
		}
		if id := deref(p.in.ID); id != "" {
			rec.list.ID = id
		}
		if p.revision != 0 {
			rec.list.Revision = p.revision
		}
		if !p.created.IsZero() {
			rec.list.CreatedDate = *p.in.CreatedDate
		}
		if !p.updated.IsZero() {
			rec.list.UpdatedDate = *p.in.UpdatedDate
			rec.updated = p.updated.UTC().Truncate(time.Millisecond)
		}
	}
	return nil
}

// planEntry checks one entry; problems are "field: description".
func (m *Mock) planEntry(e listStateIn) (planned, []string) {
	var problems []string
	bad := func(field, format string, args ...any) {
		problems = append(problems, field+": "+fmt.Sprintf(format, args...))
	}
	var who identity.Identity
	found := false
	switch {
	case e.Token != nil && *e.Token != "":
		id, ok := m.tokens[*e.Token]
		if !ok {
			bad("token", "unknown token")
			break
		}
		who, found = id, true
		if e.Role != nil && *e.Role != "" && *e.Role != string(id.Role) {
			bad("role", "%q is not the role of the token (%s)", *e.Role, id.Role)
		}
	case e.Role != nil && *e.Role != "":
		id, ok := identity.ByRole(m.ids, identity.Role(*e.Role))
		if !ok {
			bad("role", "unknown role %q (known: %s)", *e.Role, strings.Join(m.roleNames(), ", "))
			break
		}
		who, found = id, true
	default:
		problems = append(problems, ": name the list's owner with token or role")
	}
	p := planned{in: e.FavoriteList}
	if found {
		p.key = m.ownerKey(who.WixUserID)
	}
	in := e.FavoriteList
	if in == nil {
		bad("favoriteList", "is required")
		return p, problems
	}
	if id := deref(in.ID); id != "" && !isGUID(id) {
		bad("favoriteList.id", "%q is not a GUID", id)
	}
	if present(in.Revision) {
		var s string
		n, err := int64(0), json.Unmarshal(in.Revision, &s)
		if err == nil {
			n, err = strconv.ParseInt(s, 10, 64)
		}
		if err != nil || n < 1 {
			bad("favoriteList.revision", "%s is not a positive integer as a string (e.g. \"3\")", in.Revision)
		} else {
			p.revision = api.Revision(n)
		}
	}
	date := func(field string, s *string) time.Time {
		if deref(s) == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339Nano, *s)
		if err != nil {
			bad(field, "%q is not an RFC 3339 date (e.g. 2024-05-19T13:05:45.684Z)", *s)
		}
		return t
	}
	p.created = date("favoriteList.createdDate", in.CreatedDate)
	p.updated = date("favoriteList.updatedDate", in.UpdatedDate)
	// The API's own rules: the favorites as a create takes them, their ids as an update does.
	var v violations
	for i, f := range checked(in.Favorites) {
		m.checkFavorite(&v, fmt.Sprintf("favoriteList.favorites[%d]", i), f, true)
	}
	checkFavoriteIDs(&v, checked(in.Favorites))
	m.checkCount(&v, len(in.Favorites))
	for _, fv := range v {
		bad(fv.Field, "%s", fv.Description)
	}
	return p, problems
}

// serveState answers StatePath: GET the state, PUT a new one (answered with the state made).
func (m *Mock) serveState(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		adminReply(w, http.StatusOK, m.State())
		return
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxStateBytes+1))
	switch {
	case err != nil:
		adminReply(w, http.StatusBadRequest, AdminError{Message: "reading the body: " + err.Error()})
		return
	case len(b) > maxStateBytes:
		adminReply(w, http.StatusRequestEntityTooLarge, AdminError{Message: fmt.Sprintf("the body is larger than %d bytes", maxStateBytes)})
		return
	}
	entries, err := decodeState(b)
	if err == nil {
		err = m.setState(entries)
	}
	if err != nil {
		adminReply(w, http.StatusBadRequest, AdminError{Message: err.Error()})
		return
	}
	adminReply(w, http.StatusOK, m.State())
}

// decodeState reads a state document ({"lists": [...]}); unknown fields are refused, so that a
// misspelt field is not silently dropped.
func decodeState(b []byte) ([]listStateIn, error) {
	var s struct {
		Lists *[]listStateIn `json:"lists"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, fmt.Errorf("%s: expected %s, got a JSON %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
		}
		return nil, fmt.Errorf("the body is not a state document {\"lists\": [...]}: %v", err)
	}
	if dec.More() {
		return nil, errors.New("the body holds more than one JSON value")
	}
	if s.Lists == nil {
		return nil, errors.New("lists: is required (send {\"lists\": []} to delete every list)")
	}
	return *s.Lists, nil
}

// LoadState replaces every list with those of a state document, as PUT StatePath does (the
// format of GET StatePath and of serve --state's file), with the same validation.
func (m *Mock) LoadState(b []byte) error {
	entries, err := decodeState(b)
	if err != nil {
		return err
	}
	return m.setState(entries)
}
