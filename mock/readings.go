package mock

import (
	"fmt"
	"slices"
	"strings"
)

// Reading is a named switch that moves the mock from its default reading of a point the docs
// leave open (spec/discrepancies.yaml) to another reading that still follows every sentence of the
// docs. A deviation breaks a rule and the conformance suites must catch it; a reading breaks none,
// and the suites must pass the mock with it on.
type Reading struct {
	// Name is what Options.Readings takes.
	Name string
	// Discrepancy is the id of the entry of spec/discrepancies.yaml whose silent or contradictory
	// point this is a reading of.
	Discrepancy string
	// Description says what the mock does differently when the reading is on.
	Description string
	// Group, when not empty, names readings that exclude each other: at most one reading of a
	// group may be on.
	Group string
}

// Names of the readings. Each is checked at exactly the point of the mock it affects (search for
// the constant to find it).
const (
	readAddPrepends                = "add-prepends"
	readConflictsAs400             = "conflicts-as-400"
	readCreateKeepsFavoriteIDs     = "create-keeps-favorite-ids"
	readDatesWholeSeconds          = "dates-whole-seconds"
	readTitleOptional              = "title-optional"
	readValidationAs422            = "validation-as-422"
	readContentTypeEnforced        = "content-type-enforced"
	readCreateEmptyRefused         = "create-empty-refused"
	readDatesSharedMillisecond     = "dates-shared-millisecond"
	readDeleteLastAnswersEmpty     = "delete-last-answers-empty"
	readDeleteUnknownFavoriteOK    = "delete-unknown-favorite-ok"
	readEntityFqdnSample           = "entity-fqdn-sample"
	readEventAddSendsUpdatedToo    = "event-add-sends-updated-too"
	readEventEntityAsString        = "event-entity-as-string"
	readEventLastFavoriteNoUpdated = "event-last-favorite-no-updated"
	readEventSequenceConstant      = "event-sequence-constant"
	readExistenceBeforeBody        = "existence-before-body"
	readGetMissingEmpty            = "get-missing-200-empty"
	readGetMissingEmptyList        = "get-missing-200-empty-list"
	readListIDPerUser              = "list-id-per-user"
	readNoRequestID                = "no-request-id"
	readNoSDKPrefix                = "no-sdk-prefix"
	readNoopUpdateUnchanged        = "noop-update-unchanged"
	readNotFoundBeforePermission   = "not-found-before-permission"
	readPatchBadIDsReplaced        = "patch-bad-ids-replaced"
	readPatchBodyIDIgnored         = "patch-body-id-ignored"
	readPatchForeignIDsReplaced    = "patch-foreign-ids-replaced"
	readReadonlyFieldsRefused      = "readonly-fields-refused"
	readRelativeURLEmptyKept       = "relativeurl-empty-kept"
	readRevisionOptional           = "revision-optional"
	readRevisionStartsAt5          = "revision-starts-at-5"
	readUnknownList403             = "unknown-list-403"
	readUpdateEmptyRefused         = "update-empty-refused"
	readUpdateMissingFavoritesKept = "update-missing-favorites-kept"
	readWrongMethod404             = "wrong-method-404"
)

// groupGetMissing holds the readings of what GET answers when the user has no list.
const groupGetMissing = "get-missing"

// readingRegistry holds every reading. Keep it sorted by name (a test checks).
var readingRegistry = []Reading{
	{readAddPrepends, "add-position",
		"add-favorite puts the new favorite first in the list instead of last", ""},
	{readConflictsAs400, "undocumented-statuses",
		"create when the user has a list, and an update with a stale revision, answer 400 (same Wix error body) instead of 409: no status is documented for either (facts.md)", ""},
	{readContentTypeEnforced, "content-type",
		"a create, update or add whose body is not empty and whose Content-Type is not application/json (parameters allowed) answers 415 UNSUPPORTED_MEDIA_TYPE in Wix's error shape", ""},
	{readCreateEmptyRefused, "empty-favorites",
		"create with no favorites ([] or left out) is refused with 400 on favoriteList.favorites (MIN_SIZE or REQUIRED_FIELD): a list is created with one or more favorite dashboard pages", ""},
	{readCreateKeepsFavoriteIDs, "create-favorite-ids",
		"a favorite id sent with create or add-favorite that is a GUID, unique in the request and not already on the list, is kept instead of replaced (Favorite._id is not read-only in the SDK)", ""},
	{readDatesSharedMillisecond, "updated-date-precision",
		"updatedDate is the write's time to the millisecond, not pushed 1 ms past the previous one: writes in the same millisecond share it (it still never goes back)", ""},
	{readDatesWholeSeconds, "date-milliseconds",
		"dates are written without fractional seconds (2006-01-02T15:04:05Z): RFC 3339 allows any precision", ""},
	{readDeleteLastAnswersEmpty, "delete-last-favorite",
		"deleting the last favorite answers 200 {} instead of the emptied list (the list is still deleted; events as before)", ""},
	{readDeleteUnknownFavoriteOK, "unknown-id-status",
		"delete-favorite of an id not on the caller's list answers 200 with the list unchanged (no revision change, no event); no list: still 404", ""},
	{readEntityFqdnSample, "entity-fqdn",
		"webhook events carry entityFqdn wix.os.backoffice.v1.favorites, as the docs' samples show, instead of the stated wix.dashboard.v1.favorite_list", ""},
	{readEventAddSendsUpdatedToo, "event-triggers",
		"add-favorite for a user with no list sends Updated (with the new list) besides Created (webhooks)", ""},
	{readEventEntityAsString, "event-entity-type",
		"webhook events carry createdEvent.entity and updatedEvent.currentEntity as a JSON string holding the list's JSON, as the SDK's type declarations type them, instead of an object", ""},
	{readEventLastFavoriteNoUpdated, "event-triggers",
		"deleting the last favorite sends only Deleted, without the Updated carrying the emptied list (webhooks)", ""},
	{readEventSequenceConstant, "event-sequence",
		"every webhook event carries entityEventSequence \"1\"", ""},
	{readExistenceBeforeBody, "error-precedence",
		"create when the user already has a list answers 409 ALREADY_EXISTS before the body is read: a malformed or invalid create then gets 409, not 400", ""},
	{readGetMissingEmpty, "get-without-list",
		"GET when the user has no list answers 200 {} instead of 404", groupGetMissing},
	{readGetMissingEmptyList, "get-without-list",
		"GET when the user has no list answers 200 {\"favoriteList\": {}} instead of 404", groupGetMissing},
	{readListIDPerUser, "list-id-reuse",
		"a new list's id is a name-based UUID of its owner's wixUserId: a list made again after a delete gets the same id", ""},
	{readNoRequestID, "request-id-header",
		"responses carry no X-Wix-Request-Id header", ""},
	{readNoSDKPrefix, "sdk-path-prefix",
		"paths with the SDK's /_api prefix are not served (404), as on the public host", ""},
	{readNoopUpdateUnchanged, "noop-writes",
		"an update whose favorites equal the list's (same ids, pageIds, titles, relativeUrls, order) answers 200 with the list unchanged: revision and updatedDate stay, no Updated event", ""},
	{readNotFoundBeforePermission, "error-precedence",
		"update, delete list and delete-favorite look the id up before checking Manage Dashboard: a caller lacking it who names an id not on its own list gets 404 (an id on it, and GET, create and add, still 403)", ""},
	{readPatchBadIDsReplaced, "patch-favorite-ids",
		"in an update, a favorite id that is not a GUID, or repeats an earlier favorite's id in the request, is replaced by a new GUID instead of refused with 400", ""},
	{readPatchBodyIDIgnored, "patch-body-id",
		"in an update, a favoriteList.id in the body that differs from the path's is ignored (the path's list is updated) instead of refused with 400", ""},
	{readPatchForeignIDsReplaced, "patch-favorite-ids",
		"in an update, a favorite id (a GUID) the list has never held is replaced by a new GUID instead of kept", ""},
	{readReadonlyFieldsRefused, "read-only-fields",
		"create refuses (400, FIELD_NOT_ALLOWED naming the field) a body that carries the list's id, revision, createdDate or updatedDate instead of ignoring them", ""},
	{readRelativeURLEmptyKept, "relativeurl-empty",
		"a favorite sent with relativeUrl \"\" is answered (and sent in events) with \"relativeUrl\": \"\" instead of without the field", ""},
	{readRevisionOptional, "undocumented-statuses",
		"update without a revision is accepted (as if the current revision had been sent)", ""},
	{readRevisionStartsAt5, "first-revision",
		"a new list (create, or add with no list) starts at revision 5 instead of 1; each write still adds 1", ""},
	{readTitleOptional, "title-required",
		"a favorite without a title (left out, null or \"\", which proto3 JSON does not tell apart) is accepted by create, add and update, and answered without one (the SDK types it title?: string | null)", ""},
	{readUnknownList403, "unknown-id-status",
		"update or delete list with an id that is not the caller's list (another user's, or no one's) answers 403 PERMISSION_DENIED instead of 404", ""},
	{readUpdateEmptyRefused, "empty-favorites",
		"update with favorites [] (or left out, unless update-missing-favorites-kept is on) is refused with 400 on favoriteList.favorites (MIN_SIZE or REQUIRED_FIELD): an update never empties a list", ""},
	{readUpdateMissingFavoritesKept, "patch-without-favorites",
		"an update without the favorites field keeps the list's favorites (revision + 1, updatedDate moves, Updated event; with noop-update-unchanged on, nothing changes) instead of emptying the list", ""},
	{readValidationAs422, "undocumented-statuses",
		"every refusal of what a request sends (malformed JSON, a wrong type, a length, a missing or empty field, a bad id, a 101st favorite) answers 422 with the same validation error instead of 400", ""},
	{readWrongMethod404, "wrong-method",
		"a known path with a method it does not serve answers 404 NOT_FOUND (no Allow header) instead of 405", ""},
}

// Readings returns every reading, sorted by name.
func Readings() []Reading {
	return slices.Clone(readingRegistry)
}

// readingSet is the set of readings a Mock was made with. Its zero value has none on.
type readingSet map[string]bool

// parseReadings checks names against the registry and the groups.
func parseReadings(names []string) (readingSet, error) {
	set := readingSet{}
	groupOf := map[string]string{} // group -> the reading of it that is on
	for _, n := range names {
		i := slices.IndexFunc(readingRegistry, func(r Reading) bool { return r.Name == n })
		if i < 0 {
			if isDeviation(n) {
				return nil, fmt.Errorf("mock: %q is a deviation, not a reading: pass it in Options.Deviations (serve --deviate)", n)
			}
			return nil, fmt.Errorf("mock: unknown reading %q (known: %s)", n, strings.Join(readingNames(), ", "))
		}
		if g := readingRegistry[i].Group; g != "" {
			if other, taken := groupOf[g]; taken && other != n {
				return nil, fmt.Errorf("mock: readings %q and %q exclude each other (both are readings of group %q): switch on at most one", other, n, g)
			}
			groupOf[g] = n
		}
		set[n] = true
	}
	return set, nil
}

func readingNames() []string {
	names := make([]string, len(readingRegistry))
	for i, r := range readingRegistry {
		names[i] = r.Name
	}
	return names
}

func isReading(name string) bool {
	return slices.ContainsFunc(readingRegistry, func(r Reading) bool { return r.Name == name })
}

// on reports whether the reading name is on.
func (s readingSet) on(name string) bool { return s[name] }

// names returns the readings that are on, sorted.
func (s readingSet) names() []string {
	out := make([]string, 0, len(s))
	for n := range s {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
