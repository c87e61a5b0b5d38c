package mock

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

// The six operations. Each validates its request first (400/413), then takes the lock, finds the
// caller's list and applies the write; a refused call changes nothing.

// get answers GET /dashboard/v1/user-favorite-list. Our reading: a user without a list gets 404
// NOT_FOUND (the docs do not say; the get-missing readings answer 200 instead).
func (m *Mock) get(caller identity.Identity) reply {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.current(m.ownerKey(caller.WixUserID))
	if rec == nil {
		switch {
		case m.dev.on(devGetMissingList500):
			return serverError()
		case m.read.on(readGetMissingEmpty):
			return ok(struct{}{})
		case m.read.on(readGetMissingEmptyList):
			return ok(map[string]struct{}{"favoriteList": {}})
		}
		return appError(http.StatusNotFound, api.CodeNotFound, "the Wix user has no favorite list", nil)
	}
	if m.dev.on(devRevisionBumpedOnRead) {
		rec.list.Revision++
	}
	return ok(m.recordBody(rec))
}

// create answers POST /dashboard/v1/user-favorite-list. The read-only fields sent (list id,
// revision, dates, favorite ids) are ignored, not refused (readonly-fields-refused refuses the
// list's). Our reading: a list with no favorites may be created (the docs say "one or more" but
// name no minimum; favorites has only maxItems; create-empty-refused refuses it).
func (m *Mock) create(caller identity.Identity, r *http.Request) reply {
	key := m.ownerKey(caller.WixUserID)
	if m.read.on(readExistenceBeforeBody) {
		m.mu.Lock()
		exists := m.existingList(key)
		m.mu.Unlock()
		if exists != nil {
			return *exists
		}
	}
	var req listRequest
	if res := m.readBody(r, &req); res != nil {
		return *res
	}
	in := req.FavoriteList
	var v violations
	if in == nil {
		v.add("favoriteList", ruleRequired, "is required", nil)
	} else {
		if m.read.on(readReadonlyFieldsRefused) {
			checkReadOnly(&v, in)
		}
		for i, f := range checked(in.Favorites) {
			m.checkFavorite(&v, fmt.Sprintf("favoriteList.favorites[%d]", i), f, false)
		}
		m.checkCount(&v, len(in.Favorites))
		if m.read.on(readCreateEmptyRefused) {
			checkNotEmpty(&v, in.Favorites, "a list is created with one or more favorite dashboard pages")
		}
	}
	if len(v) > 0 {
		return m.invalid(v)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if exists := m.existingList(key); exists != nil {
		return *exists
	}
	readonly := m.dev.on(devReadonlyFieldsApplied)
	favs := make([]api.Favorite, 0, len(in.Favorites))
	var sent []favoriteIn // the favorites kept, by favs' index
	if !m.dev.on(devCreateDropsFavorites) {
		kept := map[string]bool{}
		for _, f := range in.Favorites {
			id := m.newFavoriteID()
			switch sentID := deref(f.ID); {
			case readonly && sentID != "":
				id = sentID
			case m.read.on(readCreateKeepsFavoriteIDs) && isGUID(sentID) && !kept[strings.ToLower(sentID)]:
				id = sentID
			}
			kept[strings.ToLower(id)] = true
			favs = append(favs, m.stored(f, id))
		}
		sent = in.Favorites
	}
	rec := m.newList(key, favs, false)
	for i, f := range sent {
		m.noteEmptyURL(rec, f, favs[i].ID)
	}
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
	res := ok(m.recordBody(rec), change(Created, rec, caller))
	if m.dev.on(devCreateReturns201) {
		res.status = http.StatusCreated
	}
	return res
}

// existingList is create's refusal when the owner already has a list; nil when it has none (or
// under devCreateOverwritesExisting). m.mu is held.
func (m *Mock) existingList(key string) *reply {
	cur := m.current(key)
	if cur == nil || m.dev.on(devCreateOverwritesExisting) {
		return nil
	}
	return refuse(appError(m.conflictStatus(), api.CodeAlreadyExists, "the Wix user already has a favorite list",
		map[string]any{"favoriteListId": cur.list.ID}))
}

// checkReadOnly is readonly-fields-refused: create refuses the list's read-only fields. A value
// proto3 JSON cannot tell from none ("" or null) counts as not sent.
func checkReadOnly(v *violations, in *listIn) {
	for _, f := range []struct {
		field string
		sent  bool
	}{
		{"favoriteList.id", deref(in.ID) != ""},
		{"favoriteList.revision", present(in.Revision)},
		{"favoriteList.createdDate", deref(in.CreatedDate) != ""},
		{"favoriteList.updatedDate", deref(in.UpdatedDate) != ""},
	} {
		if f.sent {
			v.add(f.field, ruleNotAllow, "is read-only: the server sets it", nil)
		}
	}
}

// checkNotEmpty refuses favorites left out (nil) or [] (create-empty-refused,
// update-empty-refused); why says the rule.
func checkNotEmpty(v *violations, favs []favoriteIn, why string) {
	switch {
	case favs == nil:
		v.add("favoriteList.favorites", ruleRequired, "is required: "+why, nil)
	case len(favs) == 0:
		v.add("favoriteList.favorites", ruleMinSize, "must hold at least 1 favorite: "+why, map[string]any{"minSize": 1})
	}
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
// an id in the body, as the SDK sends it, must equal the path's. Readings move each of these.
func (m *Mock) update(caller identity.Identity, r *http.Request, pathID string) reply {
	var req listRequest
	if res := m.readBody(r, &req); res != nil {
		return *res
	}
	in := req.FavoriteList
	var v violations
	var sent api.Revision
	revisionSent := false
	checkIDs := !m.read.on(readPatchBadIDsReplaced) // else bad ids are replaced, not refused
	if in == nil {
		v.add("favoriteList", ruleRequired, "is required", nil)
	} else {
		if id := deref(in.ID); id != "" {
			if m.dev.on(devPatchBodyIDRejected) {
				v.add("favoriteList.id", ruleNotAllow, "must not be sent in the body", nil)
			} else if id != pathID && !m.read.on(readPatchBodyIDIgnored) {
				v.add("favoriteList.id", ruleOther, fmt.Sprintf("%q differs from the list id in the path, %q", id, pathID), nil)
			}
		}
		switch {
		case !present(in.Revision):
			if !m.read.on(readRevisionOptional) {
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
			m.checkFavorite(&v, fmt.Sprintf("favoriteList.favorites[%d]", i), f, checkIDs)
		}
		if checkIDs {
			checkFavoriteIDs(&v, checked(in.Favorites))
		}
		m.checkCount(&v, len(in.Favorites))
		if m.read.on(readUpdateEmptyRefused) && (in.Favorites != nil || !m.read.on(readUpdateMissingFavoritesKept)) {
			checkNotEmpty(&v, in.Favorites, "an update does not empty a list")
		}
	}
	if len(v) > 0 {
		return m.invalid(v)
	}

	key := m.ownerKey(caller.WixUserID)
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.find(key, pathID)
	if rec == nil && m.dev.on(devUnknownListOK) {
		rec = m.current(key)
	}
	if rec == nil {
		return m.listMissing(key, pathID)
	}
	if !revisionSent {
		sent = rec.list.Revision
	}
	if sent != rec.list.Revision && !m.dev.on(devStaleRevisionAccepted) {
		cur := strconv.FormatInt(int64(rec.list.Revision), 10)
		got := strconv.FormatInt(int64(sent), 10)
		return appError(m.conflictStatus(), api.CodeAborted,
			fmt.Sprintf("revision mismatch: expected %s (the current revision), got %s", cur, got),
			map[string]any{"currentRevision": cur, "sentRevision": got})
	}
	if m.dev.on(devRacyUpdateRevisionCheck) {
		m.pauseUnlocked() // the revision was checked; the write comes after a pause (racy.go)
	}
	keep := in.Favorites == nil && m.read.on(readUpdateMissingFavoritesKept)
	favs, emptyURL := slices.Clone(rec.list.Favorites), rec.emptyURL
	if !keep {
		favs, emptyURL = m.updatedFavorites(rec, in.Favorites)
	}
	if m.read.on(readNoopUpdateUnchanged) && slices.Equal(favs, rec.list.Favorites) && maps.Equal(emptyURL, rec.emptyURL) {
		return ok(m.recordBody(rec))
	}
	if m.dev.on(devUpdateMergesFavorites) && !keep {
		favs = append(slices.Clone(rec.list.Favorites), favs...)
		if emptyURL != nil {
			emptyURL = maps.Clone(emptyURL)
			maps.Copy(emptyURL, rec.emptyURL)
		}
	}
	rec.list.Favorites, rec.emptyURL = favs, emptyURL
	by := api.Revision(1)
	if m.dev.on(devRevisionSkipsOnUpdate) {
		by = 2
	}
	m.touch(rec, by)
	if m.dev.on(devReadonlyFieldsApplied) {
		applyDates(rec, in)
	}
	return ok(m.recordBody(rec), change(Updated, rec, caller))
}

// updatedFavorites is what an update's favorites sent make of rec's: each keeps the id it was sent
// with, or gets a new one when it has none, and under patch-bad-ids-replaced when its id is not a
// GUID or repeats an earlier one, under patch-foreign-ids-replaced when the list never held it.
// emptyURL is relativeurl-empty-kept's set of the favorites sent with relativeUrl "".
func (m *Mock) updatedFavorites(rec *record, sent []favoriteIn) (favs []api.Favorite, emptyURL map[string]bool) {
	favs = make([]api.Favorite, 0, len(sent))
	taken := map[string]bool{} // the ids given so far, lower case
	for _, f := range sent {
		id := deref(f.ID)
		switch {
		case id == "" || m.dev.on(devUpdateRegeneratesIDs):
			id = m.newFavoriteID()
		case m.read.on(readPatchBadIDsReplaced) && (!isGUID(id) || taken[strings.ToLower(id)]):
			id = m.newFavoriteID()
		case m.read.on(readPatchForeignIDsReplaced) && !rec.held[strings.ToLower(id)]:
			id = m.newFavoriteID()
		}
		taken[strings.ToLower(id)] = true
		favs = append(favs, m.stored(f, id))
		if m.read.on(readRelativeURLEmptyKept) && sentEmptyURL(f) {
			if emptyURL == nil {
				emptyURL = map[string]bool{}
			}
			emptyURL[id] = true
		}
	}
	return favs, emptyURL
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
		return m.listMissing(key, pathID)
	}
	if m.dev.on(devDeleteListNoop) {
		return ok(struct{}{})
	}
	last := change(Deleted, rec, caller)
	m.remove(key, rec)
	var body any = struct{}{}
	if m.dev.on(devDeleteListReturnsList) {
		body = m.listBody(last.List, last.emptyURL)
	}
	return ok(body, last)
}

// add answers POST /dashboard/v1/user-favorite-list/add-favorite: the favorite goes at the end of
// the list (add-prepends: first), or into a new list when the user has none. The id sent is
// ignored. Duplicate pageIds are allowed (the docs' own sample adds a pageId already on the list).
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
		return m.invalid(v)
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
		id := m.addedID(f, nil)
		rec = m.newList(key, []api.Favorite{m.stored(f, id)}, true)
		m.noteEmptyURL(rec, f, id)
		return ok(m.recordBody(rec), change(Created, rec, caller))
	}
	if m.dev.on(devDuplicatePageIDRejected) &&
		slices.ContainsFunc(rec.list.Favorites, func(x api.Favorite) bool { return x.PageID == deref(f.PageID) }) {
		return appError(http.StatusConflict, api.CodeAlreadyExists, "the page is already a favorite", nil)
	}
	m.checkCount(&v, len(rec.list.Favorites)+1)
	if len(v) > 0 {
		return m.invalid(v)
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
		id := m.addedID(f, rec)
		if m.read.on(readAddPrepends) {
			rec.list.Favorites = slices.Insert(rec.list.Favorites, 0, m.stored(f, id))
		} else {
			rec.list.Favorites = append(rec.list.Favorites, m.stored(f, id))
		}
		m.noteEmptyURL(rec, f, id)
	}
	by := api.Revision(1)
	if m.dev.on(devRevisionNotIncOnAdd) {
		by = 0
	}
	m.touch(rec, by)
	return ok(m.recordBody(rec), change(Updated, rec, caller))
}

// addedID is the id of a favorite added to rec (nil: to a new list).
func (m *Mock) addedID(f favoriteIn, rec *record) string {
	onList := func(id string) bool {
		return rec != nil && slices.ContainsFunc(rec.list.Favorites, func(x api.Favorite) bool { return strings.EqualFold(x.ID, id) })
	}
	switch {
	case m.dev.on(devReadonlyFieldsApplied) && deref(f.ID) != "":
		return *f.ID
	case m.read.on(readCreateKeepsFavoriteIDs) && isGUID(deref(f.ID)) && !onList(*f.ID):
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
	rec, at := m.findFavorite(key, favoriteID)
	if rec == nil {
		if cur := m.current(key); cur != nil && m.read.on(readDeleteUnknownFavoriteOK) {
			return ok(m.recordBody(cur))
		}
		return favoriteNotFound(favoriteID)
	}
	if !m.dev.on(devDeleteFavoriteNoop) {
		rec.list.Favorites = slices.Delete(rec.list.Favorites, at, at+1)
		if !slices.ContainsFunc(rec.list.Favorites, func(f api.Favorite) bool { return f.ID == favoriteID }) {
			delete(rec.emptyURL, favoriteID)
		}
	}
	m.touch(rec, 1)
	updated := change(Updated, rec, caller)
	changes := []Change{updated}
	deleted := len(rec.list.Favorites) == 0 && !m.dev.on(devDeleteLastKeepsList)
	if deleted {
		m.remove(key, rec)
		changes = append(changes, change(Deleted, rec, caller))
	}
	if deleted && m.read.on(readDeleteLastAnswersEmpty) {
		return ok(struct{}{}, changes...)
	}
	return ok(m.listBody(updated.List, updated.emptyURL), changes...)
}

// findFavorite is the owner's list holding the favorite id (the newest such), and its index; nil
// when none does. m.mu is held.
func (m *Mock) findFavorite(key, favoriteID string) (*record, int) {
	recs := m.lists[key]
	for i := len(recs) - 1; i >= 0; i-- { // newest first
		if j := slices.IndexFunc(recs[i].list.Favorites, func(f api.Favorite) bool { return f.ID == favoriteID }); j >= 0 {
			return recs[i], j
		}
	}
	return nil, -1
}

func favoriteNotFound(id string) reply {
	return appError(http.StatusNotFound, api.CodeNotFound,
		fmt.Sprintf("favorite %q is not on the Wix user's favorite list", id), map[string]any{"favoriteId": id})
}

// conflictStatus is the status of a create when a list exists and of a stale revision: 409, or
// 400 under readConflictsAs400 (no status is documented for either).
func (m *Mock) conflictStatus() int {
	if m.read.on(readConflictsAs400) {
		return http.StatusBadRequest
	}
	return http.StatusConflict
}

// invalid is the refusal of the fields a request sent: 400 with the violations, or 422 under
// readValidationAs422.
func (m *Mock) invalid(v violations) reply {
	res := badRequest(v)
	if m.read.on(readValidationAs422) {
		res.status = http.StatusUnprocessableEntity
	}
	return res
}

func listNotFound(id string) reply {
	return appError(http.StatusNotFound, api.CodeNotFound,
		fmt.Sprintf("the Wix user has no favorite list with id %q", id), map[string]any{"favoriteListId": id})
}

// listMissing answers an update or delete list whose id is none of the owner's lists: 404, or
// under unknown-list-403, 403 (the caller may not touch a list that is not its own, whoever's
// it is). m.mu is held.
func (m *Mock) listMissing(key, id string) reply {
	if m.read.on(readUnknownList403) {
		return appError(http.StatusForbidden, api.CodePermissionDenied,
			fmt.Sprintf("the favorite list %q is not the Wix user's", id), map[string]any{"favoriteListId": id})
	}
	return listNotFound(id)
}

// lookupBeforePermission is not-found-before-permission: for a caller refused for lacking Manage
// Dashboard, an update, delete list or delete-favorite looks its id up first, and answers as that
// lookup does when the id is not on the caller's list. nil when it is: the 403 stands.
func (m *Mock) lookupBeforePermission(rt routed, caller identity.Identity) *reply {
	key := m.ownerKey(caller.WixUserID)
	m.mu.Lock()
	defer m.mu.Unlock()
	switch rt.op {
	case opUpdate, opDeleteList:
		if m.find(key, rt.id) == nil {
			return refuse(m.listMissing(key, rt.id))
		}
	case opDeleteFavorite:
		if rec, _ := m.findFavorite(key, rt.id); rec == nil {
			return refuse(favoriteNotFound(rt.id))
		}
	}
	return nil
}

// change is a Change of kind reporting rec's state.
func change(kind ChangeKind, rec *record, caller identity.Identity) Change {
	return Change{Kind: kind, List: copyList(rec.list), Identity: caller, emptyURL: maps.Clone(rec.emptyURL)}
}

// noteEmptyURL records, under relativeurl-empty-kept, that rec's favorite id was sent with
// relativeUrl "".
func (m *Mock) noteEmptyURL(rec *record, f favoriteIn, id string) {
	if !m.read.on(readRelativeURLEmptyKept) || !sentEmptyURL(f) {
		return
	}
	if rec.emptyURL == nil {
		rec.emptyURL = map[string]bool{}
	}
	rec.emptyURL[id] = true
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
