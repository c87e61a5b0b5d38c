package mock

import (
	"fmt"
	"slices"
	"strings"
)

// Deviation is a named switch that makes the mock break exactly one requirement, so that a
// conformance check can be shown to fail when its rule is broken. A behaviour that breaks no
// sentence of the docs, only the mock's default reading of a point they leave open, is a Reading
// (readings.go), not a deviation.
type Deviation struct {
	// Name is what Options.Deviations takes.
	Name string
	// Requirement is the id of the one requirement the switch breaks. Two switches may break the
	// same requirement in different ways.
	Requirement string
	// Description says what the mock does differently when the switch is on.
	Description string
}

// Names of the deviation switches. Each is checked at exactly the point of the mock it affects
// (search for the constant to find it).
const (
	devAddDropsFavorite          = "add-drops-favorite"
	devWritesLostAfterFive       = "writes-lost-after-five"
	devAddRequiresList           = "add-requires-list"
	devAppIdentityRefused        = "app-identity-refused"
	devAppIgnoresUserPermission  = "app-ignores-user-permission"
	devCreateDropsFavorites      = "create-drops-favorites"
	devCreateOverwritesExisting  = "create-overwrites-existing"
	devCreateReturns201          = "create-returns-201"
	devCreatedDateMoves          = "created-date-moves"
	devDeleteFavoriteNoop        = "delete-favorite-noop"
	devDeleteLastKeepsList       = "delete-last-keeps-list"
	devDeleteListNoop            = "delete-list-noop"
	devDeleteListReturnsList     = "delete-list-returns-list"
	devDuplicateFavoriteIDs      = "duplicate-favorite-ids"
	devDuplicatePageIDRejected   = "duplicate-pageid-rejected"
	devErrorBodyPlainText        = "error-body-plain-text"
	devEventBadSignature         = "event-bad-signature"
	devEventCreatedAsUpdated     = "event-created-as-updated"
	devEventDataNotString        = "event-data-not-string"
	devEventForFailedWrite       = "event-for-failed-write"
	devEventIDReused             = "event-id-reused"
	devEventMissingDeleted       = "event-missing-deleted"
	devEventMissingUpdated       = "event-missing-updated"
	devEventWrongEntity          = "event-wrong-entity"
	devFavoriteIDNotGUID         = "favorite-id-not-guid"
	devGetMissingList500         = "get-missing-list-500"
	devLengthsInBytes            = "lengths-in-bytes"
	devListIDChangesOnWrite      = "list-id-changes-on-write"
	devListIDNotGUID             = "list-id-not-guid"
	devMalformedJSON500          = "malformed-json-500"
	devMissingFieldAccepted      = "missing-field-accepted"
	devNoAuthCheck               = "no-auth-check"
	devNoItemLimit               = "no-item-limit"
	devPageIDLimitUnchecked      = "pageid-limit-unchecked"
	devPatchBodyIDRejected       = "patch-body-id-rejected"
	devPermissionUnchecked       = "permission-unchecked"
	devQueryIDRejected           = "query-id-rejected"
	devRacyAddLostFavorites      = "racy-add-lost-favorites"
	devRacyCallerSlot            = "racy-caller-slot"
	devRacyRevisionCounter       = "racy-revision-counter"
	devRacyUpdateRevisionCheck   = "racy-update-revision-check"
	devReadonlyFieldsApplied     = "readonly-fields-applied"
	devRelativeURLDropsQuery     = "relativeurl-drops-query"
	devRelativeURLLimitUnchecked = "relativeurl-limit-unchecked"
	devRevisionAsNumber          = "revision-as-number"
	devRevisionBumpedOnFailed    = "revision-bumped-on-failed-write"
	devRevisionBumpedOnRead      = "revision-bumped-on-read"
	devRevisionNotIncOnAdd       = "revision-not-incremented-on-add"
	devRevisionNumberRejected    = "revision-number-rejected"
	devRevisionSkipsOnUpdate     = "revision-skips-on-update"
	devSecondListPerUser         = "second-list-per-user"
	devSharedList                = "shared-list"
	devStaleRevisionAccepted     = "stale-revision-accepted"
	devTitleLimitUnchecked       = "title-limit-unchecked"
	devTitleTrimmed              = "title-trimmed"
	devUnknownListOK             = "unknown-list-ok"
	devUpdateMergesFavorites     = "update-merges-favorites"
	devUpdateRegeneratesIDs      = "update-regenerates-ids"
	devUpdatedDateFrozen         = "updated-date-frozen"
)

// registry holds every switch. Keep it sorted by name (a test checks).
var registry = []Deviation{
	{devAddDropsFavorite, "add.appends-favorite",
		"add-favorite to an existing list answers 200 (revision and updatedDate move as usual) but does not store the favorite"},
	{devAddRequiresList, "add.creates-list-when-missing",
		"add-favorite when the user has no list answers 404 NOT_FOUND instead of creating one"},
	{devAppIdentityRefused, "auth.app-acts-for-user",
		"every call as a Wix app answers 403 PERMISSION_DENIED, even when the app and the user it acts for both hold Manage Dashboard"},
	{devAppIgnoresUserPermission, "auth.app-needs-user-permission",
		"an app granted Manage Dashboard succeeds even when the user it acts for lacks the permission"},
	{devCreateDropsFavorites, "create.creates-list",
		"create makes the list but stores none of the favorites sent"},
	{devCreateOverwritesExisting, "create.fails-when-list-exists",
		"create when the user already has a list replaces it with a new one (200) instead of 409 ALREADY_EXISTS"},
	{devCreateReturns201, "status.success-is-200",
		"a successful create answers 201 instead of 200"},
	{devCreatedDateMoves, "dates.created-fixed",
		"every write sets createdDate to the new updatedDate"},
	{devDeleteFavoriteNoop, "delete-favorite.removes",
		"delete-favorite answers 200 (revision and updatedDate move as usual) but keeps the favorite"},
	{devDeleteLastKeepsList, "delete-favorite.last-deletes-list",
		"deleting the last favorite leaves an empty list instead of deleting the list"},
	{devDeleteListNoop, "delete-list.removes-list",
		"delete list answers 200 {} but keeps the list"},
	{devDeleteListReturnsList, "delete-list.returns-empty-object",
		"delete list deletes the list but answers with {\"favoriteList\": <its last state>} instead of {}"},
	{devDuplicateFavoriteIDs, "ids.favorite-server-generated",
		"add-favorite to a non-empty list gives the new favorite the id of the list's last favorite"},
	{devDuplicatePageIDRejected, "favorites.duplicate-pageids-allowed",
		"add-favorite of a pageId already on the list answers 409 ALREADY_EXISTS"},
	{devErrorBodyPlainText, "errors.wix-shape",
		"error bodies are the bare message as text/plain instead of Wix's JSON error shape"},
	{devEventBadSignature, "events.signed",
		"webhook JWTs are signed RS256 with a key other than the one the mock publishes"},
	{devEventCreatedAsUpdated, "events.created",
		"a write that creates the list (create, add-favorite with no list) sends Updated instead of Created (webhooks)"},
	{devEventDataNotString, "events.payload-format",
		"the webhook JWT payload's data is the envelope as a JSON object instead of a string holding it, as the docs' sample shows"},
	{devEventForFailedWrite, "events.none-for-failed-write",
		"a write refused after authentication (any 4xx) sends Updated with the caller's unchanged list (webhooks)"},
	{devEventIDReused, "events.unique-id",
		"every webhook event of a list carries the id of the list's first event"},
	{devEventMissingDeleted, "events.deleted",
		"delete list and deleting the last favorite send no Deleted event (webhooks)"},
	{devEventMissingUpdated, "events.updated",
		"update, add-favorite to a list and delete-favorite (of a favorite that is not the last) send no Updated event (webhooks)"},
	{devEventWrongEntity, "events.updated",
		"Updated events carry the list's state before the write (updatedEvent.currentEntity) instead of the state the API returned"},
	{devFavoriteIDNotGUID, "ids.favorite-server-generated",
		"new favorite ids are not GUIDs (fav-1, fav-2, ...)"},
	{devGetMissingList500, "get.returns-list",
		"GET when the user has no list answers 500 with an empty body (GET of an existing list is unchanged)"},
	{devLengthsInBytes, "field.length-in-code-points",
		"pageId, title and relativeUrl lengths are counted in UTF-8 bytes instead of Unicode code points"},
	{devListIDChangesOnWrite, "ids.list-stable",
		"every write to an existing list (update, add, delete-favorite) gives the list a new id"},
	{devListIDNotGUID, "ids.list-server-generated",
		"new list ids are not GUIDs (list-1, list-2, ...)"},
	{devMalformedJSON500, "errors.bad-request",
		"a body that is not well-formed JSON answers 500 with an empty body instead of 400"},
	{devMissingFieldAccepted, "errors.bad-request",
		"a favorite sent without pageId is accepted and stored"},
	{devNoAuthCheck, "auth.required",
		"a missing or unknown Authorization header is treated as the first known identity"},
	{devNoItemLimit, "favorites.max-100",
		"the 100-favorite limit is not enforced (create, update, add)"},
	{devPageIDLimitUnchecked, "field.pageid-length",
		"pageId longer than 200 characters is accepted"},
	{devPatchBodyIDRejected, "sdk.patch-body-id",
		"update refuses (400) a body that carries favoriteList.id, as the SDK sends it"},
	{devPermissionUnchecked, "auth.permission-required",
		"the caller's own Manage Dashboard is not checked: a user without it and an app not granted it succeed (an app still needs its user to hold it)"},
	{devQueryIDRejected, "sdk.repeated-query-ids",
		"DELETEs that repeat the id as a query parameter (favoriteListId, favoriteId), as the SDK does, answer 400"},
	{devRacyAddLostFavorites, "concurrency.adds-all-kept",
		"add-favorite reads the list's favorites, pauses with the lock released, then writes back what it read plus the new one: of adds sent at once, some favorites are lost (revisions still count every add)"},
	{devRacyCallerSlot, "concurrency.users-isolated",
		"every write passes its caller through one server-wide slot, read back after a pause: writes of several users sent at once can land on another user's list"},
	{devRacyRevisionCounter, "concurrency.revision-per-write",
		"add-favorite reads the revision, pauses with the lock released, then stores the revision it read plus 1: adds sent at once keep every favorite but share revisions"},
	{devRacyUpdateRevisionCheck, "concurrency.one-winner-per-revision",
		"update checks the revision, pauses with the lock released, then writes: several updates sent at once with the same revision all succeed"},
	{devReadonlyFieldsApplied, "readonly.not-overridden",
		"create takes the client's list id, revision, createdDate, updatedDate and favorite ids; update its createdDate and updatedDate; add its favorite id"},
	{devRelativeURLDropsQuery, "field.values-kept-exactly",
		"relativeUrl is stored without its query string and fragment"},
	{devRelativeURLLimitUnchecked, "field.relativeurl-length",
		"relativeUrl longer than 500 characters is accepted"},
	{devRevisionAsNumber, "schema.responses-match-spec",
		"responses carry revision as a JSON number instead of a string"},
	{devRevisionBumpedOnFailed, "revision.unchanged-otherwise",
		"a write refused after authentication (any 4xx) still increments the caller's list revision"},
	{devRevisionBumpedOnRead, "revision.unchanged-otherwise",
		"each GET increments the stored revision (the response shows the incremented value)"},
	{devRevisionNotIncOnAdd, "revision.increments-on-write",
		"add-favorite to an existing list leaves the revision alone"},
	{devRevisionNumberRejected, "sdk.revision-string-or-number",
		"update refuses (400) a revision sent as a JSON number"},
	{devRevisionSkipsOnUpdate, "revision.increments-on-write",
		"update adds 2 to the revision instead of 1"},
	{devSecondListPerUser, "list.one-per-user",
		"add-favorite when the user has a list creates a separate new list holding only the new favorite (GET returns the newest)"},
	{devSharedList, "isolation.per-user",
		"all identities share one list"},
	{devStaleRevisionAccepted, "revision.stale-refused",
		"update ignores the revision sent (it must still be present and well-formed)"},
	{devTitleLimitUnchecked, "field.title-length",
		"title longer than 40 characters is accepted"},
	{devTitleTrimmed, "field.values-kept-exactly",
		"title is stored with leading and trailing white space trimmed"},
	{devUnknownListOK, "errors.unknown-id-changes-nothing",
		"update and delete list with an id other than the caller's list act on the caller's list (no list: still 404)"},
	{devUpdateMergesFavorites, "update.replaces-favorites",
		"update appends the favorites sent to the existing ones instead of replacing them"},
	{devUpdateRegeneratesIDs, "update.keeps-favorite-ids",
		"update gives every favorite a new id, even those sent with one"},
	{devUpdatedDateFrozen, "dates.updated-not-earlier",
		"writes to an existing list leave updatedDate alone"},
	{devWritesLostAfterFive, "state.model-conformance",
		"from the sixth write to a list on, updates and favorite deletions are answered as usual but not stored: a read shows the earlier state"},
}

// Deviations returns every deviation switch, sorted by name.
func Deviations() []Deviation {
	return slices.Clone(registry)
}

// deviationSet is the set of switches a Mock was made with. Its zero value has none on.
type deviationSet map[string]bool

// parseDeviations checks names against the registry.
func parseDeviations(names []string) (deviationSet, error) {
	set := deviationSet{}
	for _, n := range names {
		if !isDeviation(n) {
			if isReading(n) {
				return nil, fmt.Errorf("mock: %q is a reading, not a deviation: it breaks no rule; "+
					"pass it in Options.Readings (serve --reading)", n)
			}
			return nil, fmt.Errorf("mock: unknown deviation %q (known: %s)", n, strings.Join(deviationNames(), ", "))
		}
		set[n] = true
	}
	return set, nil
}

func isDeviation(name string) bool {
	return slices.ContainsFunc(registry, func(d Deviation) bool { return d.Name == name })
}

func deviationNames() []string {
	names := make([]string, len(registry))
	for i, d := range registry {
		names[i] = d.Name
	}
	return names
}

// on reports whether the switch name is on.
func (s deviationSet) on(name string) bool { return s[name] }

// names returns the switches that are on, sorted.
func (s deviationSet) names() []string {
	out := make([]string, 0, len(s))
	for n := range s {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
