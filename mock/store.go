package mock

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/favconform/favconform/api"
)

// The helpers below run with m.mu held.

// current is the owner's current list, or nil.
func (m *Mock) current(key string) *record {
	if recs := m.lists[key]; len(recs) > 0 {
		return recs[len(recs)-1]
	}
	return nil
}

// find is the owner's list with id, or nil.
func (m *Mock) find(key, id string) *record {
	for _, rec := range m.lists[key] {
		if rec.list.ID == id {
			return rec
		}
	}
	return nil
}

// remove deletes one of the owner's lists.
func (m *Mock) remove(key string, rec *record) {
	recs := slices.DeleteFunc(m.lists[key], func(r *record) bool { return r == rec })
	if len(recs) == 0 {
		delete(m.lists, key)
		return
	}
	m.lists[key] = recs
}

// newList stores a new list with revision 1 (revision-starts-at-5: 5) as the owner's current one.
// Faithfully it replaces nothing: callers make sure the owner has none, except under
// devCreateOverwritesExisting and devSecondListPerUser.
func (m *Mock) newList(key string, favorites []api.Favorite, keepOthers bool) *record {
	at := m.stamp(time.Time{})
	first := api.Revision(1)
	if m.read.on(readRevisionStartsAt5) {
		first = 5
	}
	var id string
	if m.read.on(readListIDPerUser) && !m.dev.on(devListIDNotGUID) {
		id = uuid.NewSHA1(listIDNamespace, []byte(key)).String()
	} else {
		id = m.newListID()
	}
	rec := &record{
		list: api.FavoriteList{
			ID:          id,
			Revision:    first,
			CreatedDate: m.formatDate(at),
			UpdatedDate: m.formatDate(at),
			Favorites:   append(make([]api.Favorite, 0, len(favorites)), favorites...),
		},
		updated: at,
	}
	m.hold(rec)
	if keepOthers {
		m.lists[key] = append(m.lists[key], rec)
	} else {
		m.lists[key] = []*record{rec}
	}
	return rec
}

// listIDNamespace is the namespace of list-id-per-user's list ids: each is the name-based
// (version 5) UUID of its owner's wixUserId in it, so the same for every list of that owner.
var listIDNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/favconform/favconform/mock#list-id-per-user"))

// hold records, under patch-foreign-ids-replaced, the ids of rec's favorites as held by the list.
func (m *Mock) hold(rec *record) {
	if !m.read.on(readPatchForeignIDsReplaced) {
		return
	}
	if rec.held == nil {
		rec.held = map[string]bool{}
	}
	for _, f := range rec.list.Favorites {
		rec.held[strings.ToLower(f.ID)] = true
	}
}

// touch records a successful write to an existing list: revision + by, updatedDate moves forward.
func (m *Mock) touch(rec *record, by api.Revision) {
	m.hold(rec)
	rec.list.Revision += by
	if !m.dev.on(devUpdatedDateFrozen) {
		rec.updated = m.stamp(rec.updated)
		rec.list.UpdatedDate = m.formatDate(rec.updated)
	}
	if m.dev.on(devCreatedDateMoves) {
		rec.list.CreatedDate = rec.list.UpdatedDate
	}
	if m.dev.on(devListIDChangesOnWrite) {
		rec.list.ID = m.newListID()
	}
}

// stamp is the time of a write: now, to the millisecond, but always after prev (updatedDate is
// strictly increasing per list: if the clock has not moved past prev, prev + 1 ms). Under
// dates-shared-millisecond it is now to the millisecond, or prev should the clock have gone back.
func (m *Mock) stamp(prev time.Time) time.Time {
	t := m.now().UTC().Truncate(time.Millisecond)
	switch {
	case prev.IsZero() || t.After(prev):
	case m.read.on(readDatesSharedMillisecond):
		t = prev
	default:
		t = prev.Add(time.Millisecond)
	}
	return t
}

// dateLayout is how the API writes dates: RFC 3339, UTC, milliseconds.
const dateLayout = "2006-01-02T15:04:05.000Z"

func (m *Mock) formatDate(t time.Time) string {
	if m.read.on(readDatesWholeSeconds) {
		return t.UTC().Format("2006-01-02T15:04:05Z")
	}
	return t.UTC().Format(dateLayout)
}

func (m *Mock) newListID() string {
	if m.dev.on(devListIDNotGUID) {
		m.seq++
		return fmt.Sprintf("list-%d", m.seq)
	}
	return uuid.NewString()
}

func (m *Mock) newFavoriteID() string {
	if m.dev.on(devFavoriteIDNotGUID) {
		m.seq++
		return fmt.Sprintf("fav-%d", m.seq)
	}
	return uuid.NewString()
}
