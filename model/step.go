package model

import (
	"fmt"
	"strings"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

// Op is one of the six documented endpoints.
type Op int

// The six operations.
const (
	Get            Op = iota + 1 // GET    /dashboard/v1/user-favorite-list
	Create                       // POST   /dashboard/v1/user-favorite-list
	Update                       // PATCH  /dashboard/v1/user-favorite-list/{id}
	DeleteList                   // DELETE /dashboard/v1/user-favorite-list/{id}
	Add                          // POST   /dashboard/v1/user-favorite-list/add-favorite
	DeleteFavorite               // DELETE /dashboard/v1/user-favorite-list/delete-favorite/{id}
)

func (o Op) String() string {
	switch o {
	case Get:
		return "get"
	case Create:
		return "create"
	case Update:
		return "update"
	case DeleteList:
		return "delete-list"
	case Add:
		return "add"
	case DeleteFavorite:
		return "delete-favorite"
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// Fault is what a step gets wrong on purpose (None: a valid request).
type Fault int

// The faults a step can carry, one at a time.
const (
	None Fault = iota
	// NoAuth sends no Authorization header.
	NoAuth
	// MalformedJSON sends the body cut short (not well-formed JSON).
	MalformedJSON
	// BadField sends a favorite whose field Step.Break names breaks its documented limit.
	BadField
	// TooMany sends 101 favorites (create, update); an add to a full list needs no fault.
	TooMany
	// StaleRevision sends the current revision plus Step.RevisionDelta (update).
	StaleRevision
	// UnknownID sends a GUID that was never issued as the list or favorite id.
	UnknownID
	// DeletedID sends the id of a list or favorite of the caller's that is gone.
	DeletedID
	// OthersID sends the id of the other user's list or favorite (two-user runs).
	OthersID
)

func (f Fault) String() string {
	switch f {
	case None:
		return "none"
	case NoAuth:
		return "no-auth"
	case MalformedJSON:
		return "malformed-json"
	case BadField:
		return "bad-field"
	case TooMany:
		return "too-many"
	case StaleRevision:
		return "stale-revision"
	case UnknownID:
		return "unknown-id"
	case DeletedID:
		return "deleted-id"
	case OthersID:
		return "others-id"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// Break is the field limit a BadField step breaks.
type Break struct {
	// Field is pageId, title or relativeUrl.
	Field string
	// How is "empty", "too-long" or "missing".
	How string
}

// The field breaks a BadField step may carry, each breaking one documented limit.
var Breaks = []Break{
	{"pageId", "empty"}, {"pageId", "too-long"}, {"pageId", "missing"},
	// (An empty or missing title is no break: refusing it is a reading [title-required].)
	{"title", "too-long"},
	{"relativeUrl", "too-long"},
}

// Item is one favorite a create, update or add sends.
type Item struct {
	// Keep >= 0 (update only) sends the list's favorite number Keep, modulo the list's length,
	// with its id. When the list has none, or that favorite is already sent by an earlier item,
	// Fav is sent instead, as a new favorite. Keep < 0 sends Fav as a new favorite.
	Keep int
	// Retitle (with Keep) sends the kept favorite with Fav.Title as its new title.
	Retitle bool
	// Fav is the new favorite's content (its id is never sent).
	Fav api.Favorite
}

// Step is one call of a sequence. It names favorites by their position in the list, never by
// the ids a server hands out, so that a sequence means the same against any server and after
// steps are removed from it (shrinking).
type Step struct {
	Role  identity.Role
	Op    Op
	Fault Fault
	// Items are the favorites a create or an update sends; an add sends Items[0].
	Items []Item
	// Fill, when > 0, replaces Items: a create sends Fill new favorites; an update keeps every
	// favorite of the list and appends new ones up to Fill favorites in all.
	Fill int
	// Index picks the favorite a delete-favorite removes (or whose id a DeletedID / OthersID
	// fault sends), modulo the length of the list it is taken from.
	Index int
	// RevisionDelta is added to the current revision by a StaleRevision update.
	RevisionDelta int64
	// RevisionAsNumber sends an update's revision as a JSON number (the docs' PATCH sample)
	// rather than a string (the SDK).
	RevisionAsNumber bool
	// Break is the field a BadField step breaks.
	Break Break
	// Nonce makes this step's never-issued GUIDs.
	Nonce uint64
}

// String describes the step for people: what is sent, by whom, with which fault.
func (s Step) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", s.Role)
	switch s.Op {
	case Get:
		b.WriteString("GET the list")
	case Create:
		if s.Fill > 0 {
			fmt.Fprintf(&b, "create a list of %d favorites", s.Fill)
		} else {
			fmt.Fprintf(&b, "create a list of %s", describeItems(s.Items, false))
		}
	case Update:
		b.WriteString("update the list")
		if s.Fault == StaleRevision {
			fmt.Fprintf(&b, " with a stale revision (current %+d)", s.RevisionDelta)
		}
		if s.RevisionAsNumber {
			b.WriteString(" (revision as a JSON number)")
		}
		if s.Fill > 0 {
			fmt.Fprintf(&b, ", keeping every favorite and filling it up to %d", s.Fill)
		} else {
			fmt.Fprintf(&b, " to %s", describeItems(s.Items, true))
		}
	case DeleteList:
		b.WriteString("delete the list")
	case Add:
		if len(s.Items) > 0 {
			fmt.Fprintf(&b, "add %s", describeFavorite(s.Items[0].Fav))
		} else {
			b.WriteString("add a favorite")
		}
	case DeleteFavorite:
		fmt.Fprintf(&b, "delete favorite #%d", s.Index)
	default:
		b.WriteString(s.Op.String())
	}
	switch s.Fault {
	case NoAuth:
		b.WriteString(", with no Authorization header")
	case MalformedJSON:
		b.WriteString(", with the JSON body cut short (malformed)")
	case BadField:
		fmt.Fprintf(&b, ", plus a favorite whose %s is %s", s.Break.Field, s.Break.How)
	case TooMany:
		if s.Fill == 0 {
			b.WriteString(", with 101 favorites")
		}
	case UnknownID:
		b.WriteString(", naming a never-issued id")
	case DeletedID:
		fmt.Fprintf(&b, ", naming the id of its own deleted %s", idKind(s.Op))
	case OthersID:
		fmt.Fprintf(&b, ", naming the other user's %s", idKind(s.Op))
		if s.Op == DeleteFavorite {
			fmt.Fprintf(&b, " (#%d)", s.Index)
		}
	}
	return b.String()
}

func idKind(o Op) string {
	if o == DeleteFavorite {
		return "favorite"
	}
	return "list"
}

func describeItems(items []Item, update bool) string {
	parts := make([]string, len(items))
	for i, it := range items {
		switch {
		case update && it.Keep >= 0 && it.Retitle:
			parts[i] = fmt.Sprintf("keep #%d retitled %q", it.Keep, it.Fav.Title)
		case update && it.Keep >= 0:
			parts[i] = fmt.Sprintf("keep #%d", it.Keep)
		default:
			parts[i] = "new " + describeFavorite(it.Fav)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func describeFavorite(f api.Favorite) string {
	s := fmt.Sprintf("{pageId %q, title %q", f.PageID, f.Title)
	if f.RelativeURL != "" {
		s += fmt.Sprintf(", relativeUrl %q", f.RelativeURL)
	}
	return s + "}"
}

// Describe renders steps as a numbered list, one step a line.
func Describe(steps []Step) string {
	var b strings.Builder
	for i, s := range steps {
		fmt.Fprintf(&b, "%3d. %s\n", i+1, s)
	}
	return b.String()
}
