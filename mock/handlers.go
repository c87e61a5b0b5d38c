package mock

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

// The six operations. Each validates its request first (400/413), then takes the lock, finds the
// caller's list and applies the write; a refused call changes nothing.

// get answers GET /dashboard/v1/user-favorite-list. Our reading: a user without a list gets 404
// NOT_FOUND (the docs do not say).
func (m *Mock) get(caller identity.Identity) reply {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.current(m.ownerKey(caller.WixUserID))
	if rec == nil {
		if m.dev.on(devGetMissingList500) {
			return serverError()
		}
		return appError(http.StatusNotFound, api.CodeNotFound, "the Wix user has no favorite list", nil)
	}
	if m.dev.on(devRevisionBumpedOnRead) {
		rec.list.Revision++
	}
	return ok(m.listBody(rec.list))
}

// create answers POST /dashboard/v1/user-favorite-list. The read-only fields sent (list id,
// revision, dates, favorite ids) are ignored, not refused. Our reading: a list with no favorites
// may be created (the docs say "one or more" but name no minimum; favorites has only maxItems).
func (m *Mock) create(caller identity.Identity, r *http.Request) reply {
	var req listRequest
	if res := m.readBody(r, &req); res != nil {
		return *res
	}
	in := req.FavoriteList
	var v violations
	if in == nil {
		v.add("favoriteList", ruleRequired, "is required", nil)
	} else {
		for i, f := range checked(in.Favorites) {
			m.checkFavorite(&v, fmt.Sprintf("favoriteList.favorites[%d]", i), f, false)
		}
		m.checkCount(&v, len(in.Favorites))
	}
	if len(v) > 0 {
		return badRequest(v)
	}

	key := m.ownerKey(caller.WixUserID)
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur := m.current(key); cur != nil && !m.dev.on(devCreateOverwritesExisting) {
		return appError(http.StatusConflict, api.CodeAlreadyExists, "the Wix user already has a favorite list",
			map[string]any{"favoriteListId": cur.list.ID})
	}
	readonly := m.dev.on(devReadonlyFieldsApplied)
	favs := make([]api.Favorite, 0, len(in.Favorites))
	if !m.dev.on(devCreateDropsFavorites) {
		for _, f := range in.Favorites {
			id := m.newFavoriteID()
			if readonly && deref(f.ID) != "" {
				id = *f.ID
			}
			favs = append(favs, m.stored(f, id))
		}
	}
	rec := m.newList(key, favs, false)
	if readonly {
		if deref(in.ID) != "" {
			rec.list.ID = *in.ID
		}
		var rev api.Revision
		if present(in.Revision) && rev.UnmarshalJSON(in.Revision) == nil {
			rec.list.Revision = rev
		}
		applyDates(rec, in)
	}
	res := ok(m.listBody(rec.list), Change{Kind: Created, List: copyList(rec.list), Identity: caller})
	if m.dev.on(devCreateReturns201) {
		res.status = http.StatusCreated
	}
	return res
}

// applyDates copies the dates a client sent onto a list (devReadonlyFieldsApplied only).
func applyDates(rec *record, in *listIn) {
	if deref(in.CreatedDate) != "" {
		rec.list.CreatedDate = *in.CreatedDate
	}
	if deref(in.UpdatedDate) != "" {
		rec.list.UpdatedDate = *in.UpdatedDate
	}
}

// update answers PATCH /dashboard/v1/user-favorite-list/{id}. The favorites sent replace the
// list's; one sent with an id keeps it, one without gets a new one. Our readings: the id sent need
// not be one the list held (it only has to be a GUID, unique in the request); favorites left out
// or [] leave the list in place with no favorites (only delete-favorite deletes an emptied list);
// an id in the body, as the SDK sends it, must equal the path's.
func (m *Mock) update(caller identity.Identity, r *http.Request, pathID string) reply {
	var req listRequest
	if res := m.readBody(r, &req); res != nil {
		return *res
	}
	in := req.FavoriteList
	var v violations
	var sent api.Revision
	revisionSent := false
	if in == nil {
		v.add("favoriteList", ruleRequired, "is required", nil)
	} else {
		if id := deref(in.ID); id != "" {
			if m.dev.on(devPatchBodyIDRejected) {
				v.add("favoriteList.id", ruleNotAllow, "must not be sent in the body", nil)
			} else if id != pathID {
				v.add("favoriteList.id", ruleOther, fmt.Sprintf("%q differs from the list id in the path, %q", id, pathID), nil)
			}
		}
		switch {
		case !present(in.Revision):
			if !m.dev.on(devRevisionOptional) {
				v.add("favoriteList.revision", ruleRequired, "is required: send the list's current revision", nil)
			}
		case in.Revision[0] != '"' && m.dev.on(devRevisionNumberRejected):
			v.add("favoriteList.revision", ruleFormat, "must be a string", nil)
		case sent.UnmarshalJSON(in.Revision) != nil:
			v.add("favoriteList.revision", ruleFormat, "must be an int64: a string of digits or a JSON integer", nil)
		default:
			revisionSent = true
		}
		for i, f := range checked(in.Favorites) {
			m.checkFavorite(&v, fmt.Sprintf("favoriteList.favorites[%d]", i), f, true)
		}
		checkFavoriteIDs(&v, checked(in.Favorites))
		m.checkCount(&v, len(in.Favorites))
	}
	if len(v) > 0 {
		return badRequest(v)
	}

	key := m.ownerKey(caller.WixUserID)
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.find(key, pathID)
	if rec == nil && m.dev.on(devUnknownListOK) {
		rec = m.current(key)
	}
	if rec == nil {
		return listNotFound(pathID)
	}
	if !revisionSent {
		sent = rec.list.Revision
	}
	if sent != rec.list.Revision && !m.dev.on(devStaleRevisionAccepted) {
		cur := strconv.FormatInt(int64(rec.list.Revision), 10)
		got := strconv.FormatInt(int64(sent), 10)
		return appError(http.StatusConflict, api.CodeAborted,
			fmt.Sprintf("revision mismatch: expected %s (the current revision), got %s", cur, got),
			map[string]any{"currentRevision": cur, "sentRevision": got})
	}
	if m.dev.on(devRacyUpdateRevisionCheck) {
		m.pauseUnlocked() // the revision was checked; the write comes after a pause (racy.go)
	}
	favs := make([]api.Favorite, 0, len(in.Favorites))
	for _, f := range in.Favorites {
		id := deref(f.ID)
		if id == "" || m.dev.on(devUpdateRegeneratesIDs) {
			id = m.newFavoriteID()
		}
		favs = append(favs, m.stored(f, id))
	}
	if m.dev.on(devUpdateMergesFavorites) {
		favs = append(slices.Clone(rec.list.Favorites), favs...)
	}
	rec.list.Favorites = favs
	by := api.Revision(1)
	if m.dev.on(devRevisionSkipsOnUpdate) {
		by = 2
	}
	m.touch(rec, by)
	if m.dev.on(devReadonlyFieldsApplied) {
		applyDates(rec, in)
	}
	return ok(m.listBody(rec.list), Change{Kind: Updated, List: copyList(rec.list), Identity: caller})
}

// deleteList answers DELETE /dashboard/v1/user-favorite-list/{id} with {}. The query parameter
// favoriteListId the SDK adds must, if sent, equal the path's id.
func (m *Mock) deleteList(caller identity.Identity, r *http.Request, pathID string) reply {
	if res := m.checkQueryID(r, "favoriteListId", pathID); res != nil {
		return *res
	}
	key := m.ownerKey(caller.WixUserID)
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.find(key, pathID)
	if rec == nil && m.dev.on(devUnknownListOK) {
		rec = m.current(key)
	}
	if rec == nil {
		return listNotFound(pathID)
	}
	if m.dev.on(devDeleteListNoop) {
		return ok(struct{}{})
	}
	last := copyList(rec.list)
	m.remove(key, rec)
	var body any = struct{}{}
	if m.dev.on(devDeleteListReturnsList) {
		body = m.listBody(last)
	}
	return ok(body, Change{Kind: Deleted, List: last, Identity: caller})
}

// add answers POST /dashboard/v1/user-favorite-list/add-favorite: the favorite goes at the end of
// the list, or into a new list (revision 1) when the user has none. The id sent is ignored.
// Duplicate pageIds are allowed (the docs' own sample adds a pageId already on the list).
func (m *Mock) add(caller identity.Identity, r *http.Request) reply {
	var req favoriteRequest
	if res := m.readBody(r, &req); res != nil {
		return *res
	}
	var v violations
	if req.Favorite == nil {
		v.add("favorite", ruleRequired, "is required", nil)
	} else {
		m.checkFavorite(&v, "favorite", *req.Favorite, false)
	}
	if len(v) > 0 {
		return badRequest(v)
	}
	f := *req.Favorite

	key := m.ownerKey(caller.WixUserID)
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.current(key)
	if rec == nil || m.dev.on(devSecondListPerUser) {
		if rec == nil && m.dev.on(devAddRequiresList) {
			return appError(http.StatusNotFound, api.CodeNotFound, "the Wix user has no favorite list", nil)
		}
		rec = m.newList(key, []api.Favorite{m.stored(f, m.addedID(f, nil))}, true)
		return ok(m.listBody(rec.list), Change{Kind: Created, List: copyList(rec.list), Identity: caller})
	}
	if m.dev.on(devDuplicatePageIDRejected) &&
		slices.ContainsFunc(rec.list.Favorites, func(x api.Favorite) bool { return x.PageID == deref(f.PageID) }) {
		return appError(http.StatusConflict, api.CodeAlreadyExists, "the page is already a favorite", nil)
	}
	m.checkCount(&v, len(rec.list.Favorites)+1)
	if len(v) > 0 {
		return badRequest(v)
	}
	switch { // racy.go: the state read before a pause is what the write starts from
	case m.dev.on(devRacyAddLostFavorites):
		read := slices.Clone(rec.list.Favorites)
		m.pauseUnlocked()
		rec.list.Favorites = read
	case m.dev.on(devRacyRevisionCounter):
		read := rec.list.Revision
		m.pauseUnlocked()
		rec.list.Revision = read
	}
	if !m.dev.on(devAddDropsFavorite) {
		rec.list.Favorites = append(rec.list.Favorites, m.stored(f, m.addedID(f, rec)))
	}
	by := api.Revision(1)
	if m.dev.on(devRevisionNotIncOnAdd) {
		by = 0
	}
	m.touch(rec, by)
	return ok(m.listBody(rec.list), Change{Kind: Updated, List: copyList(rec.list), Identity: caller})
}

// addedID is the id of a favorite added to rec (nil: to a new list).
func (m *Mock) addedID(f favoriteIn, rec *record) string {
	switch {
	case m.dev.on(devReadonlyFieldsApplied) && deref(f.ID) != "":
		return *f.ID
	case m.dev.on(devDuplicateFavoriteIDs) && rec != nil && len(rec.list.Favorites) > 0:
		return rec.list.Favorites[len(rec.list.Favorites)-1].ID
	}
	return m.newFavoriteID()
}

// deleteFavorite answers DELETE /dashboard/v1/user-favorite-list/delete-favorite/{favoriteId}.
// When no favorite remains the list is deleted; the response is then the list's final state
// (revision incremented, favorites []). Our reading: a favorite not on the caller's list, or no
// list, is 404 NOT_FOUND.
func (m *Mock) deleteFavorite(caller identity.Identity, r *http.Request, favoriteID string) reply {
	if res := m.checkQueryID(r, "favoriteId", favoriteID); res != nil {
		return *res
	}
	key := m.ownerKey(caller.WixUserID)
	m.mu.Lock()
	defer m.mu.Unlock()
	var rec *record
	at := -1
	recs := m.lists[key]
	for i := len(recs) - 1; i >= 0 && rec == nil; i-- { // newest first
		if j := slices.IndexFunc(recs[i].list.Favorites, func(f api.Favorite) bool { return f.ID == favoriteID }); j >= 0 {
			rec, at = recs[i], j
		}
	}
	if rec == nil {
		if cur := m.current(key); cur != nil && m.dev.on(devUnknownFavoriteOK) {
			return ok(m.listBody(cur.list))
		}
		return appError(http.StatusNotFound, api.CodeNotFound,
			fmt.Sprintf("favorite %q is not on the Wix user's favorite list", favoriteID), map[string]any{"favoriteId": favoriteID})
	}
	if !m.dev.on(devDeleteFavoriteNoop) {
		rec.list.Favorites = slices.Delete(rec.list.Favorites, at, at+1)
	}
	m.touch(rec, 1)
	state := copyList(rec.list)
	changes := []Change{{Kind: Updated, List: state, Identity: caller}}
	if len(rec.list.Favorites) == 0 && !m.dev.on(devDeleteLastKeepsList) {
		m.remove(key, rec)
		changes = append(changes, Change{Kind: Deleted, List: copyList(state), Identity: caller})
	}
	return ok(m.listBody(state), changes...)
}

func listNotFound(id string) reply {
	return appError(http.StatusNotFound, api.CodeNotFound,
		fmt.Sprintf("the Wix user has no favorite list with id %q", id), map[string]any{"favoriteListId": id})
}

// checkQueryID checks the id the SDK repeats as a query parameter on DELETEs: if sent (and not
// empty), it must equal the path's id.
func (m *Mock) checkQueryID(r *http.Request, name, pathID string) *reply {
	for _, val := range r.URL.Query()[name] {
		if val == "" {
			continue
		}
		if m.dev.on(devQueryIDRejected) {
			return refuse(badRequest(violation(name, ruleNotAllow, "is not allowed as a query parameter", nil)))
		}
		if val != pathID {
			return refuse(badRequest(violation(name, ruleOther, fmt.Sprintf("%q differs from the id in the path, %q", val, pathID), nil)))
		}
	}
	return nil
}
