package mock

import (
	"fmt"
	"slices"
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

// newList stores a new list with revision 1 as the owner's current one. Faithfully it replaces
// nothing: callers make sure the owner has none, except under devCreateOverwritesExisting and
// devSecondListPerUser.
func (m *Mock) newList(key string, favorites []api.Favorite, keepOthers bool) *record {
	at := m.stamp(time.Time{})
	rec := &record{
		list: api.FavoriteList{
			ID:          m.newListID(),
			Revision:    1,
			CreatedDate: m.formatDate(at),
			UpdatedDate: m.formatDate(at),
			Favorites:   append(make([]api.Favorite, 0, len(favorites)), favorites...),
		},
		updated: at,
	}
	if keepOthers {
		m.lists[key] = append(m.lists[key], rec)
	} else {
		m.lists[key] = []*record{rec}
	}
	return rec
}

// touch records a successful write to an existing list: revision + by, updatedDate moves forward.
func (m *Mock) touch(rec *record, by api.Revision) {
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
// strictly increasing per list: if the clock has not moved past prev, prev + 1 ms).
func (m *Mock) stamp(prev time.Time) time.Time {
	t := m.now().UTC().Truncate(time.Millisecond)
	if !prev.IsZero() && !t.After(prev) {
		t = prev.Add(time.Millisecond)
	}
	return t
}

// dateLayout is how the API writes dates: RFC 3339, UTC, milliseconds.
const dateLayout = "2006-01-02T15:04:05.000Z"

func (m *Mock) formatDate(t time.Time) string {
	if m.dev.on(devDatesWithoutMillis) {
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
