package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/spec"
	"github.com/favconform/favconform/webhook"
)

// outcome describes a response in a few words: its status, and for an error its application
// error code or its field violations ("field RULE").
func outcome(r resp) string {
	var eb api.ErrorBody
	if r.status < 400 || json.Unmarshal(r.body, &eb) != nil || eb.Details == nil {
		return fmt.Sprint(r.status)
	}
	if ae := eb.Details.ApplicationError; ae != nil {
		return fmt.Sprintf("%d %s", r.status, ae.Code)
	}
	var parts []string
	if ve := eb.Details.ValidationError; ve != nil {
		for _, v := range ve.FieldViolations {
			parts = append(parts, v.Field+" "+v.ViolatedRule)
		}
	}
	return fmt.Sprintf("%d %s", r.status, strings.Join(parts, ", "))
}

// doCT sends body as role with the Content-Type ct ("" for none).
func (e *env) doCT(role identity.Role, method, path, ct, body string) resp {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", e.token(role))
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	rec := httptest.NewRecorder()
	e.m.ServeHTTP(rec, req)
	return resp{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// sentAs is l's favorites as a client sends them back in an update.
func sentAs(l api.FavoriteList) []fav {
	out := make([]fav, len(l.Favorites))
	for i, f := range l.Favorites {
		out[i] = fav{"id": f.ID, "pageId": f.PageID, "title": f.Title}
		if f.RelativeURL != "" {
			out[i]["relativeUrl"] = f.RelativeURL
		}
	}
	return out
}

// slugs lists the slugs of events, sorted (deliveries run concurrently).
func slugs(s []sentEvent) string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = x.ev.Slug
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// entityOf is the raw entity a sent Created or Updated event carries (nil for none).
func entityOf(x sentEvent) json.RawMessage {
	for wrapper, field := range map[string]string{"createdEvent": "entity", "updatedEvent": "currentEntity"} {
		var inner map[string]json.RawMessage
		if json.Unmarshal(x.raw[wrapper], &inner) == nil && inner[field] != nil {
			return inner[field]
		}
	}
	return nil
}

// withReadings is a mock with the readings on.
func withReadings(t testing.TB, readings ...string) *env {
	t.Helper()
	return newEnvWith(t, Options{Readings: readings})
}

// readingCase observes, from a fresh mock, the point one reading moves: observe returns what it
// sees, faithful with the reading off and reading with it on. observe uses only the API, tolerates
// any other reading and never fails the test itself.
type readingCase struct {
	faithful, reading string
	observe           func(e *env) string
}

var readingCases = map[string]readingCase{
	readConflictsAs400: {"409 ALREADY_EXISTS", "400 ALREADY_EXISTS", func(e *env) string {
		e.pCreate(sampleFav(1))
		return outcome(e.do(user, http.MethodPost, listPath, createBody(favs(sampleFav(2)))))
	}},
	readCreateKeepsFavoriteIDs: {"replaced", "kept", func(e *env) string {
		const sent = "00000000-0000-4000-8000-0000000000a1"
		l, _ := e.pCreate(fav{"id": sent, "pageId": "p", "title": "T"})
		if len(l.Favorites) == 1 && l.Favorites[0].ID == sent {
			return "kept"
		}
		return "replaced"
	}},
	readDatesWholeSeconds: {"2024-05-19T13:05:45.684Z", "2024-05-19T13:05:45Z", func(e *env) string {
		l, _ := e.pCreate(sampleFav(1))
		return l.CreatedDate
	}},
	readTitleOptional: {"400 favorite.title REQUIRED_FIELD", "200", func(e *env) string {
		return outcome(e.pAdd(fav{"pageId": "no-title"}))
	}},
	readValidationAs422: {"400 favorite.title MAX_LENGTH", "422 favorite.title MAX_LENGTH", func(e *env) string {
		return outcome(e.pAdd(fav{"pageId": "p", "title": strings.Repeat("t", 41)}))
	}},
	readAddPrepends: {"page-1 page-2", "page-2 page-1", func(e *env) string {
		e.pCreate(sampleFav(1))
		l, _ := anyList(e.pAdd(sampleFav(2)))
		return strings.Join(pageIDs(l), " ")
	}},
	readContentTypeEnforced: {"200", "415 UNSUPPORTED_MEDIA_TYPE", func(e *env) string {
		return outcome(e.doCT(user, http.MethodPost, listPath, "text/plain", string(encode(e.t, createBody(favs(sampleFav(1)))))))
	}},
	readCreateEmptyRefused: {"200", "400 favoriteList.favorites MIN_SIZE", func(e *env) string {
		return outcome(e.do(user, http.MethodPost, listPath, createBody(nil)))
	}},
	readDatesSharedMillisecond: {"13:05:45.684Z 13:05:45.685Z", "13:05:45.684Z 13:05:45.684Z", func(e *env) string {
		l, _ := e.pCreate(sampleFav(1)) // the clock does not move between the two writes
		a, _ := anyList(e.pAdd(sampleFav(2)))
		return strings.TrimPrefix(l.UpdatedDate, "2024-05-19T") + " " + strings.TrimPrefix(a.UpdatedDate, "2024-05-19T")
	}},
	readDeleteLastAnswersEmpty: {"200 list of 0 favorites; list gone: true", "200 {}; list gone: true", func(e *env) string {
		l, _ := e.pCreate(sampleFav(1))
		if len(l.Favorites) != 1 {
			return "no list"
		}
		r := e.do(user, http.MethodDelete, delFavPath(l.Favorites[0].ID), nil)
		_, exists := e.pState()
		body := string(bytes.TrimSpace(r.body))
		if got, ok := anyList(r); ok {
			body = fmt.Sprintf("list of %d favorites", len(got.Favorites))
		}
		return fmt.Sprintf("%s %s; list gone: %t", outcome(r), body, !exists)
	}},
	readDeleteUnknownFavoriteOK: {"404 NOT_FOUND", "200", func(e *env) string {
		e.pCreate(sampleFav(1))
		return outcome(e.do(user, http.MethodDelete, delFavPath(uuid.NewString()), nil))
	}},
	readEntityFqdnSample: {webhook.EntityFqdn, webhook.SampleEntityFqdn, func(e *env) string {
		h := hooksFor(e)
		h.pCreate(sampleFav(1))
		s := h.flush()
		if len(s) != 1 {
			return fmt.Sprintf("%d events", len(s))
		}
		return s[0].ev.EntityFqdn
	}},
	readEventAddSendsUpdatedToo: {"created", "created updated", func(e *env) string {
		h := hooksFor(e)
		h.pAdd(sampleFav(1))
		return slugs(h.flush())
	}},
	readEventEntityAsString: {"object", "string", func(e *env) string {
		h := hooksFor(e)
		h.pCreate(sampleFav(1))
		s := h.flush()
		if len(s) != 1 {
			return fmt.Sprintf("%d events", len(s))
		}
		switch entity := entityOf(s[0]); {
		case bytes.HasPrefix(entity, []byte("{")):
			return "object"
		case bytes.HasPrefix(entity, []byte(`"`)):
			return "string"
		default:
			return fmt.Sprintf("entity %s", entity)
		}
	}},
	readEventLastFavoriteNoUpdated: {"deleted updated", "deleted", func(e *env) string {
		h := hooksFor(e)
		l, _ := h.pCreate(sampleFav(1))
		h.flush()
		if len(l.Favorites) != 1 {
			return "no list"
		}
		h.do(user, http.MethodDelete, delFavPath(l.Favorites[0].ID), nil)
		return slugs(h.flush())
	}},
	readEventSequenceConstant: {"increasing", "constant", func(e *env) string {
		h := hooksFor(e)
		l, _ := h.pCreate(sampleFav(1))
		first := h.flush()
		h.pUpdate(l.ID, updateBody(rev(l), favs(sampleFav(2))))
		second := h.flush()
		if len(first) != 1 || len(second) != 1 {
			return fmt.Sprintf("%d and %d events", len(first), len(second))
		}
		a, _ := first[0].ev.Sequence()
		b, _ := second[0].ev.Sequence()
		switch {
		case b > a:
			return "increasing"
		case b == a:
			return "constant"
		}
		return "decreasing"
	}},
	readExistenceBeforeBody: {"400 body FORMAT", "409 ALREADY_EXISTS", func(e *env) string {
		e.pCreate(sampleFav(1))
		return outcome(e.do(user, http.MethodPost, listPath, `{"favoriteList": {`))
	}},
	readGetMissingEmpty:     {"404 NOT_FOUND", "200 {}", observeGetWithoutList},
	readGetMissingEmptyList: {"404 NOT_FOUND", `200 {"favoriteList":{}}`, observeGetWithoutList},
	readListIDPerUser: {"a new id", "the same id", func(e *env) string {
		a, _ := e.pCreate(sampleFav(1))
		e.do(user, http.MethodDelete, listIDPath(a.ID), nil)
		b, _ := e.pCreate(sampleFav(2))
		if a.ID == b.ID {
			return "the same id"
		}
		return "a new id"
	}},
	readNoRequestID: {"header set", "header absent", func(e *env) string {
		if e.do(user, http.MethodGet, listPath, nil).header.Get(RequestIDHeader) == "" {
			return "header absent"
		}
		return "header set"
	}},
	readNoSDKPrefix: {"200", "404 NOT_FOUND", func(e *env) string {
		e.pCreate(sampleFav(1))
		return outcome(e.do(user, http.MethodGet, api.SDKPathPrefix+listPath, nil))
	}},
	readNoopUpdateUnchanged: {"revision +1, updatedDate moved: true", "revision +0, updatedDate moved: false", func(e *env) string {
		l, _ := e.pCreate(sampleFav(1), sampleFav(2))
		e.clock.Advance(time.Second)
		u, ok := anyList(e.pUpdate(l.ID, updateBody(rev(l), sentAs(l))))
		if !ok {
			return "refused"
		}
		return fmt.Sprintf("revision +%d, updatedDate moved: %t", u.Revision-l.Revision, u.UpdatedDate != l.UpdatedDate)
	}},
	readNotFoundBeforePermission: {"403 PERMISSION_DENIED", "404 NOT_FOUND", func(e *env) string {
		l, _ := e.pCreate(sampleFav(1))
		return outcome(e.do(noPerm, http.MethodPatch, listIDPath(l.ID), updateBody(rev(l), favs(sampleFav(2)))))
	}},
	readPatchBadIDsReplaced: {"400 favoriteList.favorites[0].id FORMAT", "200, a new GUID", func(e *env) string {
		l, _ := e.pCreate(sampleFav(1))
		r := e.pUpdate(l.ID, updateBody(rev(l), favs(fav{"id": "not-a-guid", "pageId": "p", "title": "t"})))
		if u, ok := anyList(r); ok && len(u.Favorites) == 1 && isGUID36(u.Favorites[0].ID) {
			return "200, a new GUID"
		}
		return outcome(r)
	}},
	readPatchBodyIDIgnored: {"400 favoriteList.id OTHER", "200", func(e *env) string {
		l, _ := e.pCreate(sampleFav(1))
		return outcome(e.pUpdate(l.ID, map[string]any{"favoriteList": map[string]any{
			"id": uuid.NewString(), "revision": rev(l), "favorites": favs(sampleFav(2)),
		}}))
	}},
	readPatchForeignIDsReplaced: {"kept", "replaced", func(e *env) string {
		l, _ := e.pCreate(sampleFav(1))
		sent := uuid.NewString()
		u, ok := anyList(e.pUpdate(l.ID, updateBody(rev(l), favs(fav{"id": sent, "pageId": "p", "title": "t"}))))
		switch {
		case !ok || len(u.Favorites) != 1:
			return "refused"
		case u.Favorites[0].ID == sent:
			return "kept"
		}
		return "replaced"
	}},
	readReadonlyFieldsRefused: {"200", "400 favoriteList.id FIELD_NOT_ALLOWED", func(e *env) string {
		return outcome(e.do(user, http.MethodPost, listPath, map[string]any{"favoriteList": map[string]any{
			"id": uuid.NewString(), "favorites": favs(sampleFav(1)),
		}}))
	}},
	readRelativeURLEmptyKept: {"relativeUrl left out", `relativeUrl "" kept`, func(e *env) string {
		r := e.pAdd(fav{"pageId": "p", "title": "t", "relativeUrl": ""})
		if bytes.Contains(r.body, []byte(`"relativeUrl":""`)) {
			return `relativeUrl "" kept`
		}
		return "relativeUrl left out"
	}},
	readRevisionOptional: {"400 favoriteList.revision REQUIRED_FIELD", "200", func(e *env) string {
		l, _ := e.pCreate(sampleFav(1))
		return outcome(e.pUpdate(l.ID, map[string]any{"favoriteList": map[string]any{"favorites": favs(sampleFav(2))}}))
	}},
	readRevisionStartsAt5: {"1", "5", func(e *env) string {
		l, _ := e.pCreate(sampleFav(1))
		return rev(l)
	}},
	readUnknownList403: {"404 NOT_FOUND", "403 PERMISSION_DENIED", func(e *env) string {
		other := e.do(user2, http.MethodPost, listPath, createBody(favs(sampleFav(1))))
		l, _ := anyList(other)
		return outcome(e.pUpdate(l.ID, updateBody(rev(l), favs(sampleFav(2)))))
	}},
	readUpdateEmptyRefused: {"200", "400 favoriteList.favorites MIN_SIZE", func(e *env) string {
		l, _ := e.pCreate(sampleFav(1))
		return outcome(e.pUpdate(l.ID, updateBody(rev(l), nil)))
	}},
	readUpdateMissingFavoritesKept: {"200, 0 favorites", "200, 1 favorites", func(e *env) string {
		l, _ := e.pCreate(sampleFav(1))
		r := e.pUpdate(l.ID, map[string]any{"favoriteList": map[string]any{"revision": rev(l)}})
		u, _ := anyList(r)
		return fmt.Sprintf("%s, %d favorites", outcome(r), len(u.Favorites))
	}},
	readWrongMethod404: {"405 METHOD_NOT_ALLOWED (Allow: GET, POST)", "404 NOT_FOUND (Allow: )", func(e *env) string {
		r := e.do(user, http.MethodPut, listPath, nil)
		return fmt.Sprintf("%s (Allow: %s)", outcome(r), r.header.Get("Allow"))
	}},
}

func observeGetWithoutList(e *env) string {
	r := e.do(user, http.MethodGet, listPath, nil)
	if r.status == http.StatusOK {
		return "200 " + string(bytes.TrimSpace(r.body))
	}
	return outcome(r)
}

// readingOverlaps are the pairs {on, observed} where one reading on moves what another's case
// observes, because they read neighbouring points; each says why. (Readings of one group read the
// same point and are left out of the isolation check too.)
var readingOverlaps = map[[2]string]string{
	{readUpdateEmptyRefused, readUpdateMissingFavoritesKept}: "a PATCH without favorites would empty the list, which update-empty-refused refuses",
	{readDatesWholeSeconds, readDatesSharedMillisecond}:      "whole-second dates show no milliseconds at all",
	{readValidationAs422, readPatchBadIDsReplaced}:           "the refusal of a bad favorite id is a field refusal: 422",
	{readValidationAs422, readPatchBodyIDIgnored}:            "the refusal of a body id is a field refusal: 422",
	{readValidationAs422, readRevisionOptional}:              "the refusal of a missing revision is a field refusal: 422",
	{readValidationAs422, readTitleOptional}:                 "the refusal of a missing title is a field refusal: 422",
	{readValidationAs422, readExistenceBeforeBody}:           "a malformed create is a refusal of what was sent: 422",
}

func TestReadingRegistry(t *testing.T) {
	rs := Readings()
	if !sort.SliceIsSorted(rs, func(i, j int) bool { return rs[i].Name < rs[j].Name }) {
		t.Error("Readings() is not sorted by name")
	}
	seen := map[string]bool{}
	for _, r := range rs {
		if r.Name == "" || r.Discrepancy == "" || r.Description == "" {
			t.Errorf("incomplete reading %+v", r)
		}
		if seen[r.Name] {
			t.Errorf("reading %s registered twice", r.Name)
		}
		seen[r.Name] = true
		if isDeviation(r.Name) {
			t.Errorf("%s is both a reading and a deviation", r.Name)
		}
		if _, ok := readingCases[r.Name]; !ok {
			t.Errorf("reading %s has no case in readingCases", r.Name)
		}
	}
	for name := range readingCases {
		if !seen[name] {
			t.Errorf("case for unregistered reading %s", name)
		}
	}
	// Every reading reads a point of the discrepancy register (the register's readings lists
	// name them back: cmd/favconform's TestTheRegisterListsTheMockReadings).
	ds, err := spec.Discrepancies()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if !slices.ContainsFunc(ds, func(d spec.Discrepancy) bool { return d.ID == r.Discrepancy }) {
			t.Errorf("reading %s reads %s, which spec/discrepancies.yaml lacks", r.Name, r.Discrepancy)
		}
	}
	// The switches that were deviations and are readings now: no longer deviations.
	for old, now := range map[string]string{
		"no-request-id": readNoRequestID, "sdk-prefix-not-routed": readNoSDKPrefix,
		"event-add-sends-updated-too": readEventAddSendsUpdatedToo, "event-last-favorite-no-updated": readEventLastFavoriteNoUpdated,
		"event-sequence-constant": readEventSequenceConstant, "revision-optional": readRevisionOptional,
		"unknown-favorite-ok": readDeleteUnknownFavoriteOK, "dates-without-millis": readDatesWholeSeconds,
	} {
		if isDeviation(old) {
			t.Errorf("%s is still a deviation; it is the reading %s", old, now)
		}
		if !isReading(now) {
			t.Errorf("%s is not a reading", now)
		}
	}
	// Readings returns a copy.
	rs[0].Name = "changed"
	if Readings()[0].Name == "changed" {
		t.Error("Readings() hands out the registry")
	}
}

// TestReadingGroups: readings of one group read one point and exclude each other, so a group has
// two readings or more, all of one discrepancy.
func TestReadingGroups(t *testing.T) {
	members := map[string][]Reading{}
	for _, r := range Readings() {
		if r.Group != "" {
			members[r.Group] = append(members[r.Group], r)
		}
	}
	if len(members) == 0 {
		t.Fatal("no reading has a group")
	}
	for g, rs := range members {
		if len(rs) < 2 {
			t.Errorf("group %s has only %s: a group of one excludes nothing", g, rs[0].Name)
		}
		for _, r := range rs[1:] {
			if r.Discrepancy != rs[0].Discrepancy {
				t.Errorf("group %s mixes discrepancies: %s reads %s, %s reads %s", g, rs[0].Name, rs[0].Discrepancy, r.Name, r.Discrepancy)
			}
		}
	}
}

func TestNewRefusesBadReadings(t *testing.T) {
	_, err := New(Options{Readings: []string{"no-such-reading"}})
	if err == nil || !strings.Contains(err.Error(), `"no-such-reading"`) {
		t.Fatalf("an unknown reading: err %v, want one naming it", err)
	}
	for _, r := range Readings() {
		if !strings.Contains(err.Error(), r.Name) {
			t.Errorf("the error does not list the known reading %s: %v", r.Name, err)
		}
	}
	_, err = New(Options{Readings: []string{readGetMissingEmpty, readNoRequestID, readGetMissingEmptyList}})
	if err == nil || !strings.Contains(err.Error(), readGetMissingEmpty) || !strings.Contains(err.Error(), readGetMissingEmptyList) ||
		!strings.Contains(err.Error(), groupGetMissing) {
		t.Errorf("two readings of one group: err %v, want one naming both and the group", err)
	}
	// A deviation passed as a reading, and a reading passed as a deviation, say where they go.
	if _, err := New(Options{Readings: []string{devSharedList}}); err == nil || !strings.Contains(err.Error(), "is a deviation") {
		t.Errorf("a deviation as a reading: err %v", err)
	}
	if _, err := New(Options{Deviations: []string{readNoRequestID}}); err == nil || !strings.Contains(err.Error(), "is a reading") {
		t.Errorf("a reading as a deviation: err %v", err)
	}
	// The same reading twice, readings of different groups and deviations beside readings are fine.
	if _, err := New(Options{Readings: []string{readGetMissingEmpty, readGetMissingEmpty, readAddPrepends}, Deviations: []string{devNoItemLimit}}); err != nil {
		t.Errorf("good readings: %v", err)
	}
}

// TestReadingsChangeTheirBehaviour: each case sees the default reading on the faithful mock and
// the reading's behaviour with it on.
func TestReadingsChangeTheirBehaviour(t *testing.T) {
	for _, r := range Readings() {
		t.Run(r.Name, func(t *testing.T) {
			c, ok := readingCases[r.Name]
			if !ok {
				t.Skip("no case (TestReadingRegistry fails)")
			}
			if got := c.observe(newEnv(t)); got != c.faithful {
				t.Errorf("faithful mock: %q, want %q", got, c.faithful)
			}
			if got := c.observe(withReadings(t, r.Name)); got != c.reading {
				t.Errorf("with %s on: %q, want %q (%s)", r.Name, got, c.reading, r.Description)
			}
		})
	}
}

// TestReadingsAreIsolated: with one reading on, every other reading's case still sees the
// default, except for the overlaps listed in readingOverlaps.
func TestReadingsAreIsolated(t *testing.T) {
	for _, on := range Readings() {
		for _, other := range Readings() {
			c, ok := readingCases[other.Name]
			if other.Name == on.Name || !ok || (on.Group != "" && on.Group == other.Group) {
				continue
			}
			if _, overlap := readingOverlaps[[2]string{on.Name, other.Name}]; overlap {
				continue
			}
			if got := c.observe(withReadings(t, on.Name)); got != c.faithful {
				t.Errorf("with %s on, %s's case sees %q, want the default %q", on.Name, other.Name, got, c.faithful)
			}
		}
	}
}

// TestReadingsBreakNoRule: with a reading on, no deviation's probe sees its deviant behaviour.
func TestReadingsBreakNoRule(t *testing.T) {
	for _, r := range Readings() {
		for _, d := range Deviations() {
			if probe := probes[d.Name]; probe != nil && probe(withReadings(t, r.Name)) {
				t.Errorf("with the reading %s on, the probe of the deviation %s fires (%s)", r.Name, d.Name, d.Description)
			}
		}
	}
}

func TestIdentityEndpointListsReadings(t *testing.T) {
	e := newEnvWith(t, Options{Readings: []string{readNoSDKPrefix, readAddPrepends}, Deviations: []string{devNoItemLimit}})
	r := e.do("", http.MethodGet, IdentityPath, nil)
	var id Identity
	if r.status != 200 || json.Unmarshal(r.body, &id) != nil {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if !id.FavconformMock || !slices.Equal(id.Readings, []string{readAddPrepends, readNoSDKPrefix}) || !slices.Equal(id.Deviations, []string{devNoItemLimit}) {
		t.Errorf("identity %+v", id)
	}
	if r := newEnv(t).do("", http.MethodGet, IdentityPath, nil); !bytes.Contains(r.body, []byte(`"readings":[]`)) {
		t.Errorf("no reading on: %s, want \"readings\":[]", r.body)
	}
}

// TestReadingSpecifics checks the details of the readings beyond their case.
func TestReadingSpecifics(t *testing.T) {
	t.Run("get-missing readings leave GET of a list alone", func(t *testing.T) {
		for _, name := range []string{readGetMissingEmpty, readGetMissingEmptyList} {
			e := withReadings(t, name)
			l := e.create(user, sampleFav(1))
			if got := e.do(user, http.MethodGet, listPath, nil).list(t); !equalLists(got, l) {
				t.Errorf("%s: GET %+v, want %+v", name, got, l)
			}
		}
	})
	t.Run("delete-last-answers-empty still deletes the list and sends its events", func(t *testing.T) {
		h := newHookEnvWith(t, Options{Readings: []string{readDeleteLastAnswersEmpty}}, WebhookOptions{})
		l := h.create(user, sampleFav(1), sampleFav(2))
		h.flush()
		h.takeChanges()
		// A favorite that is not the last: the list, as by default.
		mid := h.do(user, http.MethodDelete, delFavPath(l.Favorites[0].ID), nil).list(t)
		r := h.do(user, http.MethodDelete, delFavPath(l.Favorites[1].ID), nil)
		if r.status != 200 || string(bytes.TrimSpace(r.body)) != "{}" {
			t.Fatalf("deleting the last favorite: %d %s, want 200 {}", r.status, r.body)
		}
		if _, ok := h.m.List(h.ident(user).WixUserID); ok {
			t.Error("the list is still there")
		}
		ch := h.takeChanges()
		if len(ch) != 3 || ch[1].Kind != Updated || ch[2].Kind != Deleted || len(ch[1].List.Favorites) != 0 || ch[1].List.Revision != mid.Revision+1 {
			t.Errorf("changes %+v", ch)
		}
		if got := slugs(h.flush()); got != "deleted updated updated" {
			t.Errorf("events %s", got)
		}
	})
	t.Run("existence-before-body", func(t *testing.T) {
		e := newEnvWith(t, Options{Readings: []string{readExistenceBeforeBody}, MaxBodyBytes: 200})
		// No list: the body is checked as usual.
		wantViolation(t, e.do(user, http.MethodPost, listPath, `{`), 400, bodyField, ruleFormat)
		e.create(user, sampleFav(1))
		before := e.snapshot()
		for name, body := range map[string]any{
			"invalid":     createBody(favs(fav{"pageId": "p", "title": strings.Repeat("t", 41)})),
			"no envelope": `{}`,
			"too large":   strings.Repeat(" ", 300),
		} {
			if r := e.do(user, http.MethodPost, listPath, body); outcome(r) != "409 ALREADY_EXISTS" {
				t.Errorf("%s create while a list exists: %s", name, outcome(r))
			}
		}
		e.mustBeUnchanged(before)
	})
	t.Run("not-found-before-permission", func(t *testing.T) {
		e := withReadings(t, readNotFoundBeforePermission)
		l := e.create(user, sampleFav(1), sampleFav(2))
		e.takeChanges()
		before := e.snapshot()
		for _, c := range []struct {
			role         identity.Role
			method, path string
			body         any
			want         string
		}{
			{noPerm, http.MethodDelete, listIDPath(l.ID), nil, "404 NOT_FOUND"},
			{noPerm, http.MethodDelete, delFavPath(l.Favorites[0].ID), nil, "404 NOT_FOUND"},
			{noPerm, http.MethodPatch, listIDPath(l.ID), "{not json", "404 NOT_FOUND"},
			{identity.AppNotGranted, http.MethodDelete, listIDPath(uuid.NewString()), nil, "404 NOT_FOUND"},
			{noPerm, http.MethodGet, listPath, nil, "403 PERMISSION_DENIED"},
			{noPerm, http.MethodPost, listPath, createBody(favs(sampleFav(3))), "403 PERMISSION_DENIED"},
			{noPerm, http.MethodPost, addPath, addBody(sampleFav(3)), "403 PERMISSION_DENIED"},
			{"", http.MethodDelete, listIDPath(l.ID), nil, "401 UNAUTHENTICATED"},
		} {
			if got := outcome(e.do(c.role, c.method, c.path, c.body)); got != c.want {
				t.Errorf("%s %s %s: %s, want %s", c.role, c.method, c.path, got, c.want)
			}
		}
		e.mustBeUnchanged(before)
		if ch := e.takeChanges(); len(ch) != 0 {
			t.Errorf("refused calls reported %+v", ch)
		}

		// A caller lacking the permission whose own list holds the id: still 403. (An app not
		// granted Manage Dashboard, acting for a user who holds it and has a list.)
		u := identity.Identity{Role: user, Token: "u", IdentityType: identity.TypeWixUser, WixUserID: "w1",
			UserPermissions: []string{api.ManageDashboardScope}}
		a := identity.Identity{Role: identity.AppNotGranted, Token: "a", IdentityType: identity.TypeApp, AppID: "app", WixUserID: "w1",
			UserPermissions: []string{api.ManageDashboardScope}}
		e2 := newEnvWith(t, Options{Identities: []identity.Identity{u, a}, Readings: []string{readNotFoundBeforePermission}})
		own := e2.doToken("u", http.MethodPost, listPath, createBody(favs(sampleFav(1), sampleFav(2)))).list(t)
		for path, want := range map[string]string{
			listIDPath(own.ID):              "403 PERMISSION_DENIED",
			delFavPath(own.Favorites[0].ID): "403 PERMISSION_DENIED",
			listIDPath(uuid.NewString()):    "404 NOT_FOUND",
			delFavPath(uuid.NewString()):    "404 NOT_FOUND",
		} {
			if got := outcome(e2.doToken("a", http.MethodDelete, path, nil)); got != want {
				t.Errorf("app not granted: DELETE %s: %s, want %s", path, got, want)
			}
		}
		if got := outcome(e2.doToken("a", http.MethodPatch, listIDPath(own.ID), updateBody("1", nil))); got != "403 PERMISSION_DENIED" {
			t.Errorf("app not granted: PATCH of its user's list: %s", got)
		}
		if got, _ := e2.m.List("w1"); !equalLists(got, own) {
			t.Errorf("the list changed: %+v", got)
		}

		// With unknown-list-403 on as well, another user's list id is 403 for them too.
		e3 := withReadings(t, readNotFoundBeforePermission, readUnknownList403)
		l3 := e3.create(user, sampleFav(1))
		if got := outcome(e3.do(noPerm, http.MethodDelete, listIDPath(l3.ID), nil)); got != "403 PERMISSION_DENIED" {
			t.Errorf("another user's list, both readings on: %s", got)
		}
		if got := outcome(e3.do(noPerm, http.MethodDelete, listIDPath(uuid.NewString()), nil)); got != "403 PERMISSION_DENIED" {
			t.Errorf("an id no list has, both readings on: %s", got)
		}
	})
	t.Run("unknown-list-403", func(t *testing.T) {
		e := withReadings(t, readUnknownList403)
		mine := e.create(user, sampleFav(1))
		theirs := e.create(user2, sampleFav(2))
		e.takeChanges()
		before := e.snapshot()
		for _, c := range []struct {
			method, path string
			body         any
			want         string
		}{
			{http.MethodDelete, listIDPath(theirs.ID), nil, "403 PERMISSION_DENIED"},
			{http.MethodPatch, listIDPath(theirs.ID), updateBody("7", nil), "403 PERMISSION_DENIED"}, // before the revision
			{http.MethodDelete, listIDPath(uuid.NewString()), nil, "403 PERMISSION_DENIED"},
			{http.MethodPatch, listIDPath(uuid.NewString()), updateBody("1", nil), "403 PERMISSION_DENIED"},
			{http.MethodDelete, delFavPath(theirs.Favorites[0].ID), nil, "404 NOT_FOUND"}, // favorites are not lists
		} {
			r := e.do(user, c.method, c.path, c.body)
			if got := outcome(r); got != c.want {
				t.Errorf("%s %s: %s, want %s", c.method, c.path, got, c.want)
			}
			errorShape(t, r)
		}
		e.mustBeUnchanged(before)
		if ch := e.takeChanges(); len(ch) != 0 {
			t.Errorf("refused calls reported %+v", ch)
		}
		if got := e.do(user, http.MethodPatch, listIDPath(mine.ID), updateBody("1", nil)); got.status != 200 {
			t.Errorf("the caller's own list: %s", outcome(got))
		}
	})
	t.Run("delete-unknown-favorite-ok changes nothing", func(t *testing.T) {
		h := newHookEnvWith(t, Options{Readings: []string{readDeleteUnknownFavoriteOK}}, WebhookOptions{})
		wantAppError(t, h.do(user, http.MethodDelete, delFavPath(uuid.NewString()), nil), 404, api.CodeNotFound) // no list
		l := h.create(user, sampleFav(1))
		theirs := h.create(user2, sampleFav(2))
		h.flush()
		h.takeChanges()
		before := h.snapshot()
		h.clock.Advance(time.Second)
		for _, id := range []string{uuid.NewString(), theirs.Favorites[0].ID, l.ID} {
			if got := h.do(user, http.MethodDelete, delFavPath(id), nil).list(t); !equalLists(got, l) {
				t.Errorf("delete-favorite %s: %+v, want the list unchanged %+v", id, got, l)
			}
		}
		h.mustBeUnchanged(before)
		if ch := h.takeChanges(); len(ch) != 0 {
			t.Errorf("changes %+v", ch)
		}
		if s := h.flush(); len(s) != 0 {
			t.Errorf("events %s", slugs(s))
		}
	})
	t.Run("patch-foreign-ids-replaced keeps the ids the list ever held", func(t *testing.T) {
		e := withReadings(t, readPatchForeignIDsReplaced)
		l := e.create(user, sampleFav(1), sampleFav(2))
		a, b := l.Favorites[0].ID, l.Favorites[1].ID
		foreign := uuid.NewString()
		u := e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("1", favs(
			fav{"id": a, "pageId": "p1", "title": "t1"}, fav{"id": foreign, "pageId": "p2", "title": "t2"},
		))).list(t)
		if u.Favorites[0].ID != a || u.Favorites[1].ID == foreign || !isGUID36(u.Favorites[1].ID) || u.Favorites[1].ID == b {
			t.Fatalf("ids %v, want %s kept and %s replaced", favIDs(u), a, foreign)
		}
		// b left the list but the list held it: sent again, it is kept, in any case.
		u = e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("2", favs(fav{"id": strings.ToUpper(b), "pageId": "p", "title": "t"}))).list(t)
		if u.Favorites[0].ID != strings.ToUpper(b) {
			t.Errorf("a once-held id sent again: %v, want %s kept as sent", favIDs(u), strings.ToUpper(b))
		}
		// A foreign id is still refused when it is not a GUID.
		wantViolation(t, e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("3", favs(fav{"id": "x", "pageId": "p", "title": "t"}))),
			400, "favoriteList.favorites[0].id", ruleFormat)
	})
	t.Run("patch-bad-ids-replaced", func(t *testing.T) {
		e := withReadings(t, readPatchBadIDsReplaced)
		l := e.create(user, sampleFav(1))
		g := l.Favorites[0].ID
		u := e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("1", favs(
			fav{"id": g, "pageId": "p1", "title": "t1"},
			fav{"id": g, "pageId": "p2", "title": "t2"},
			fav{"id": strings.ToUpper(g), "pageId": "p3", "title": "t3"},
			fav{"id": "not-a-guid", "pageId": "p4", "title": "t4"},
		))).list(t)
		ids := favIDs(u)
		if ids[0] != g || !slices.Equal(pageIDs(u), []string{"p1", "p2", "p3", "p4"}) {
			t.Fatalf("favorites %+v", u.Favorites)
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if !isGUID36(id) || seen[strings.ToLower(id)] {
				t.Errorf("ids %v: want distinct GUIDs", ids)
			}
			seen[strings.ToLower(id)] = true
		}
	})
	t.Run("patch-body-id-ignored updates the path's list", func(t *testing.T) {
		e := withReadings(t, readPatchBodyIDIgnored)
		mine := e.create(user, sampleFav(1))
		theirs := e.create(user2, sampleFav(2))
		u := e.do(user, http.MethodPatch, listIDPath(mine.ID), map[string]any{"favoriteList": map[string]any{
			"id": theirs.ID, "revision": "1", "favorites": favs(sampleFav(3)),
		}}).list(t)
		if u.ID != mine.ID || !slices.Equal(pageIDs(u), []string{"page-3"}) {
			t.Errorf("updated %+v", u)
		}
		if got := e.mustList(user2); !equalLists(got, theirs) {
			t.Errorf("the body's list changed: %+v", got)
		}
	})
	t.Run("noop-update-unchanged", func(t *testing.T) {
		h := newHookEnvWith(t, Options{Readings: []string{readNoopUpdateUnchanged}}, WebhookOptions{})
		l := h.create(user, sampleFav(1), fav{"pageId": "p", "title": "t", "relativeUrl": "/r"})
		h.flush()
		h.takeChanges()
		h.clock.Advance(time.Second)
		// The same favorites, with the SDK's body id and a revision as a number: unchanged.
		r := h.do(user, http.MethodPatch, listIDPath(l.ID), map[string]any{"favoriteList": map[string]any{
			"id": l.ID, "revision": 1, "favorites": sentAs(l),
		}})
		if got := r.list(t); !equalLists(got, l) {
			t.Errorf("no-op update: %+v, want %+v", got, l)
		}
		if ch := h.takeChanges(); len(ch) != 0 {
			t.Errorf("a no-op update reported %+v", ch)
		}
		if s := h.flush(); len(s) != 0 {
			t.Errorf("a no-op update sent %s", slugs(s))
		}
		// A stale revision is still refused.
		wantAppError(t, h.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("9", sentAs(l))), 409, api.CodeAborted)
		// Anything different is a write.
		swapped := sentAs(l)
		swapped[0], swapped[1] = swapped[1], swapped[0]
		renamed := sentAs(l)
		renamed[0]["title"] = "Renamed"
		noIDs := sentAs(l)
		delete(noIDs[0], "id")
		at := l.Revision
		for name, fs := range map[string][]fav{"order": swapped, "title": renamed, "no id": noIDs, "fewer": sentAs(l)[:1]} {
			u := h.do(user, http.MethodPatch, listIDPath(l.ID), updateBody(fmt.Sprint(int64(at)), fs)).list(t)
			if u.Revision != at+1 {
				t.Errorf("%s: revision %d, want %d", name, u.Revision, at+1)
			}
			// Back to l's favorites (a write too) for the next one.
			at = h.do(user, http.MethodPatch, listIDPath(l.ID), updateBody(fmt.Sprint(int64(u.Revision)), sentAs(l))).list(t).Revision
		}
	})
	t.Run("dates-shared-millisecond never goes back", func(t *testing.T) {
		e := withReadings(t, readDatesSharedMillisecond)
		l := e.create(user, sampleFav(1))
		e.clock.Set(t0.Add(-time.Hour))
		if a := e.add(user, sampleFav(2)); a.UpdatedDate != l.UpdatedDate {
			t.Errorf("clock went back: updatedDate %s, want %s", a.UpdatedDate, l.UpdatedDate)
		}
		e.clock.Set(t0.Add(time.Second + 1500*time.Microsecond))
		if a := e.add(user, sampleFav(3)); a.UpdatedDate != fmtDate(t0.Add(time.Second+time.Millisecond)) || a.CreatedDate != l.CreatedDate {
			t.Errorf("clock moved on: %+v", a)
		}
	})
	t.Run("readonly-fields-refused names each field", func(t *testing.T) {
		e := withReadings(t, readReadonlyFieldsRefused)
		all := map[string]any{"id": uuid.NewString(), "revision": "3", "createdDate": "2001-01-01T00:00:00.000Z", "updatedDate": "2001-01-01T00:00:00.000Z"}
		for field, value := range all {
			body := map[string]any{"favoriteList": map[string]any{field: value, "favorites": favs(sampleFav(1))}}
			wantViolation(t, e.do(user, http.MethodPost, listPath, body), 400, "favoriteList."+field, ruleNotAllow)
		}
		all["favorites"] = favs(sampleFav(1))
		r := e.do(user, http.MethodPost, listPath, map[string]any{"favoriteList": all})
		if eb := wantViolation(t, r, 400, "favoriteList.id", ruleNotAllow); len(eb.Details.ValidationError.FieldViolations) != 4 {
			t.Errorf("want 4 violations: %s", r.body)
		}
		if _, ok := e.m.List(e.ident(user).WixUserID); ok {
			t.Fatal("a refused create made a list")
		}
		// Values proto3 JSON cannot tell from none count as not sent; update still takes the id and
		// revision, as the docs' sample and the SDK send them.
		l := e.do(user, http.MethodPost, listPath, `{"favoriteList": {"id": "", "revision": null, "createdDate": "", "favorites": [{"pageId": "p", "title": "t"}]}}`).list(t)
		e.do(user, http.MethodPatch, listIDPath(l.ID), map[string]any{"favoriteList": map[string]any{"id": l.ID, "revision": "1", "favorites": favs(sampleFav(2))}}).list(t)
	})
	t.Run("add-prepends", func(t *testing.T) {
		e := withReadings(t, readAddPrepends)
		e.add(user, sampleFav(1)) // no list: a new one
		e.add(user, sampleFav(2))
		if l := e.add(user, sampleFav(3)); !slices.Equal(pageIDs(l), []string{"page-3", "page-2", "page-1"}) || l.Revision != 3 {
			t.Errorf("after three adds: %+v", l)
		}
	})
	t.Run("create-empty-refused", func(t *testing.T) {
		e := withReadings(t, readCreateEmptyRefused)
		for body, rule := range map[string]string{
			`{"favoriteList": {"favorites": []}}`:   ruleMinSize,
			`{"favoriteList": {}}`:                  ruleRequired,
			`{"favoriteList": {"favorites": null}}`: ruleRequired,
		} {
			eb := wantViolation(t, e.do(user, http.MethodPost, listPath, body), 400, "favoriteList.favorites", rule)
			if !strings.Contains(eb.Message, "one or more favorite dashboard pages") {
				t.Errorf("%s: message %q", body, eb.Message)
			}
		}
		if _, ok := e.m.List(e.ident(user).WixUserID); ok {
			t.Fatal("a refused create made a list")
		}
		e.create(user, sampleFav(1))
	})
	t.Run("update-empty-refused", func(t *testing.T) {
		e := withReadings(t, readUpdateEmptyRefused)
		l := e.create(user, sampleFav(1))
		before := e.snapshot()
		wantViolation(t, e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("1", nil)), 400, "favoriteList.favorites", ruleMinSize)
		wantViolation(t, e.do(user, http.MethodPatch, listIDPath(l.ID), `{"favoriteList": {"revision": "1"}}`), 400, "favoriteList.favorites", ruleRequired)
		e.mustBeUnchanged(before)
		// With update-missing-favorites-kept, leaving favorites out keeps them; [] is still refused.
		e2 := withReadings(t, readUpdateEmptyRefused, readUpdateMissingFavoritesKept)
		l2 := e2.create(user, sampleFav(1))
		if u := e2.do(user, http.MethodPatch, listIDPath(l2.ID), `{"favoriteList": {"revision": "1"}}`).list(t); len(u.Favorites) != 1 {
			t.Errorf("favorites left out: %+v", u)
		}
		wantViolation(t, e2.do(user, http.MethodPatch, listIDPath(l2.ID), updateBody("2", nil)), 400, "favoriteList.favorites", ruleMinSize)
	})
	t.Run("update-missing-favorites-kept is a write", func(t *testing.T) {
		e := withReadings(t, readUpdateMissingFavoritesKept)
		l := e.create(user, sampleFav(1), sampleFav(2))
		e.takeChanges()
		e.clock.Advance(time.Second)
		for i, body := range []string{`{"favoriteList": {"revision": "1"}}`, `{"favoriteList": {"revision": "2", "favorites": null}}`} {
			u := e.do(user, http.MethodPatch, listIDPath(l.ID), body).list(t)
			if !slices.Equal(u.Favorites, l.Favorites) || u.Revision != l.Revision+api.Revision(i+1) || u.UpdatedDate == l.UpdatedDate {
				t.Errorf("%s: %+v", body, u)
			}
			if ch := e.takeChanges(); len(ch) != 1 || ch[0].Kind != Updated || !equalLists(ch[0].List, u) {
				t.Errorf("%s: changes %+v", body, ch)
			}
		}
		// [] still empties the list.
		if u := e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("3", nil)).list(t); len(u.Favorites) != 0 {
			t.Errorf("favorites []: %+v", u)
		}
		// With noop-update-unchanged on as well, keeping the favorites changes nothing.
		e2 := withReadings(t, readUpdateMissingFavoritesKept, readNoopUpdateUnchanged)
		l2 := e2.create(user, sampleFav(1))
		e2.clock.Advance(time.Second)
		if u := e2.do(user, http.MethodPatch, listIDPath(l2.ID), `{"favoriteList": {"revision": "1"}}`).list(t); !equalLists(u, l2) {
			t.Errorf("both readings on: %+v, want the list unchanged %+v", u, l2)
		}
	})
	t.Run("relativeurl-empty-kept everywhere the list is written", func(t *testing.T) {
		h := newHookEnvWith(t, Options{Readings: []string{readRelativeURLEmptyKept}}, WebhookOptions{})
		empty := fav{"pageId": "e", "title": "empty", "relativeUrl": ""}
		check := func(where string, body []byte, n int) {
			t.Helper()
			if got := bytes.Count(body, []byte(`"relativeUrl":""`)); got != n {
				t.Errorf("%s: %d favorites with relativeUrl \"\", want %d: %s", where, got, n, body)
			}
		}
		r := h.do(user, http.MethodPost, listPath, createBody(favs(empty, sampleFav(1), fav{"pageId": "r", "title": "r", "relativeUrl": "/r"})))
		check("create", r.body, 1)
		l := r.list(t)
		if !bytes.Contains(r.body, []byte(`"relativeUrl":"/r"`)) {
			t.Errorf("create: %s", r.body)
		}
		check("GET", h.do(user, http.MethodGet, listPath, nil).body, 1)
		check("add", h.do(user, http.MethodPost, addPath, addBody(empty)).body, 2)
		r = h.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("2", favs(empty, empty, sampleFav(2))))
		check("update", r.body, 2)
		u := r.list(t)
		check("delete-favorite", h.do(user, http.MethodDelete, delFavPath(u.Favorites[0].ID), nil).body, 1)
		check("GET after delete-favorite", h.do(user, http.MethodGet, listPath, nil).body, 1)
		// The events carry the list as the API wrote it.
		for _, x := range h.flush() {
			if entity := entityOf(x); entity != nil && !bytes.Contains(entity, []byte(`"relativeUrl":""`)) {
				t.Errorf("%s event: entity %s", x.ev.Slug, entity)
			}
		}
	})
	t.Run("wrong-method-404", func(t *testing.T) {
		e := withReadings(t, readWrongMethod404)
		l := e.create(user, sampleFav(1))
		before := e.snapshot()
		for _, c := range []struct{ method, path string }{
			{http.MethodDelete, listPath}, {http.MethodGet, addPath}, {http.MethodPost, delFavPath("x")},
			{http.MethodGet, listIDPath(l.ID)}, {http.MethodPost, api.SDKPathPrefix + listIDPath(l.ID)}, {http.MethodGet, "/nowhere"},
		} {
			r := e.do(user, c.method, c.path, nil)
			wantAppError(t, r, 404, api.CodeNotFound)
			if a := r.header.Get("Allow"); a != "" {
				t.Errorf("%s %s: Allow %q", c.method, c.path, a)
			}
		}
		e.mustBeUnchanged(before)
		wantAppError(t, e.do("", http.MethodDelete, listPath, nil), 404, api.CodeNotFound) // before authentication, as routing is
	})
	t.Run("content-type-enforced", func(t *testing.T) {
		e := withReadings(t, readContentTypeEnforced)
		body := string(encode(t, createBody(favs(sampleFav(1)))))
		for _, ct := range []string{"text/plain", "", "application/x-www-form-urlencoded", "application/json-patch+json", "application/json;;="} {
			r := e.doCT(user, http.MethodPost, listPath, ct, body)
			wantAppError(t, r, http.StatusUnsupportedMediaType, codeUnsupportedMediaType)
		}
		if _, ok := e.m.List(e.ident(user).WixUserID); ok {
			t.Fatal("a refused create made a list")
		}
		// An empty body needs no Content-Type (it is taken as {}).
		wantViolation(t, e.doCT(user, http.MethodPost, listPath, "", ""), 400, "favoriteList", ruleRequired)
		l := e.doCT(user, http.MethodPost, listPath, "application/json; charset=utf-8", body).list(t)
		e.doCT(user, http.MethodPost, addPath, "Application/JSON", string(encode(t, addBody(sampleFav(2))))).list(t)
		wantAppError(t, e.doCT(user, http.MethodPost, addPath, "text/json", string(encode(t, addBody(sampleFav(3))))), 415, codeUnsupportedMediaType)
		wantAppError(t, e.doCT(user, http.MethodPatch, listIDPath(l.ID), "text/plain", string(encode(t, updateBody("2", nil)))), 415, codeUnsupportedMediaType)
		// Bodies of GET and DELETE are ignored, whatever their type.
		if r := e.doCT(user, http.MethodGet, listPath, "text/plain", "hello"); r.status != 200 {
			t.Errorf("GET with a text body: %s", outcome(r))
		}
		if r := e.doCT(user, http.MethodDelete, listIDPath(l.ID), "text/plain", "hello"); r.status != 200 {
			t.Errorf("DELETE with a text body: %s", outcome(r))
		}
	})
	t.Run("event-entity-as-string holds the list the API returned", func(t *testing.T) {
		h := newHookEnvWith(t, Options{Readings: []string{readEventEntityAsString}}, WebhookOptions{})
		l := h.create(user, sampleFav(1), sampleFav(2))
		created := h.flush()
		u := h.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("1", favs(sampleFav(3)))).list(t)
		updated := h.flush()
		h.do(user, http.MethodDelete, listIDPath(l.ID), nil)
		deleted := h.flush()
		for _, c := range []struct {
			name   string
			events []sentEvent
			want   *api.FavoriteList
		}{{"created", created, &l}, {"updated", updated, &u}, {"deleted", deleted, nil}} {
			if len(c.events) != 1 || c.events[0].ev.Slug != c.name {
				t.Fatalf("%s: events %s", c.name, slugs(c.events))
			}
			entity := entityOf(c.events[0])
			if c.want == nil {
				if entity != nil || c.events[0].raw["deletedEvent"] == nil {
					t.Errorf("deleted: %v", c.events[0].raw)
				}
				continue
			}
			var s string
			var got api.FavoriteList
			if err := json.Unmarshal(entity, &s); err != nil {
				t.Fatalf("%s: entity %s is not a string", c.name, entity)
			}
			if err := json.Unmarshal([]byte(s), &got); err != nil || !equalLists(got, *c.want) {
				t.Errorf("%s: the string holds %s (%v), want the list %+v", c.name, s, err, *c.want)
			}
			if n, _ := c.events[0].ev.Sequence(); n != int64(c.want.Revision) || c.events[0].ev.EntityID != l.ID {
				t.Errorf("%s: the rest of the event changed: %+v", c.name, c.events[0].ev)
			}
		}
	})
	t.Run("entity-fqdn-sample on every event", func(t *testing.T) {
		h := newHookEnvWith(t, Options{Readings: []string{readEntityFqdnSample}}, WebhookOptions{})
		l := h.create(user, sampleFav(1))
		h.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("1", favs(sampleFav(2))))
		h.do(user, http.MethodDelete, listIDPath(l.ID), nil)
		evs := h.accepted(t) // the receiver takes both values
		if len(evs) != 3 {
			t.Fatalf("events %v", evs)
		}
		for _, ev := range evs {
			if ev.EntityFqdn != webhook.SampleEntityFqdn {
				t.Errorf("%s event: entityFqdn %s", ev.Slug, ev.EntityFqdn)
			}
		}
	})
	t.Run("list-id-per-user", func(t *testing.T) {
		e := withReadings(t, readListIDPerUser)
		a := e.create(user, sampleFav(1))
		b := e.add(user2, sampleFav(1)) // add with no list makes one too
		want := uuid.NewSHA1(listIDNamespace, []byte(e.ident(user).WixUserID)).String()
		if a.ID != want || b.ID == a.ID || !isGUID36(b.ID) {
			t.Fatalf("ids %s and %s, want %s for %s", a.ID, b.ID, want, user)
		}
		// The id does not change across writes, and comes back after the list is deleted.
		l := e.add(user, sampleFav(2))
		e.do(user, http.MethodDelete, delFavPath(l.Favorites[0].ID), nil)
		last := e.do(user, http.MethodDelete, delFavPath(l.Favorites[1].ID), nil).list(t)
		if l.ID != a.ID || last.ID != a.ID {
			t.Errorf("ids across writes: %s, %s", l.ID, last.ID)
		}
		if again := e.add(user, sampleFav(3)); again.ID != a.ID || again.Revision != 1 {
			t.Errorf("made again: %+v", again)
		}
	})
	t.Run("revision-starts-at-5", func(t *testing.T) {
		h := newHookEnvWith(t, Options{Readings: []string{readRevisionStartsAt5}}, WebhookOptions{})
		l := h.add(user, sampleFav(1))
		u := h.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("5", favs(sampleFav(2)))).list(t)
		if l.Revision != 5 || u.Revision != 6 {
			t.Fatalf("revisions %d, %d; want 5, 6", l.Revision, u.Revision)
		}
		wantAppError(t, h.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("1", nil)), 409, api.CodeAborted)
		evs := h.accepted(t)
		if len(evs) != 2 {
			t.Fatalf("events %v", evs)
		}
		if a, _ := evs[0].Sequence(); a != 5 {
			t.Errorf("created sequence %d, want 5", a)
		}
	})
	t.Run("no-request-id on every answer", func(t *testing.T) {
		e := withReadings(t, readNoRequestID)
		for _, r := range []resp{
			e.do(user, http.MethodPost, listPath, createBody(favs(sampleFav(1)))),
			e.do("", http.MethodGet, listPath, nil),
			e.do(user, http.MethodGet, "/nowhere", nil),
			e.do(user, http.MethodPost, addPath, "{"),
		} {
			if id := r.header.Get(RequestIDHeader); id != "" {
				t.Errorf("%d answer carries %s %s", r.status, RequestIDHeader, id)
			}
		}
	})
	t.Run("no-sdk-prefix on every path", func(t *testing.T) {
		e := withReadings(t, readNoSDKPrefix)
		l := e.create(user, sampleFav(1))
		before := e.snapshot()
		p := api.SDKPathPrefix
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, p + listPath, nil}, {http.MethodPost, p + listPath, createBody(favs(sampleFav(2)))},
			{http.MethodPatch, p + listIDPath(l.ID), updateBody("1", nil)}, {http.MethodDelete, p + listIDPath(l.ID), nil},
			{http.MethodPost, p + addPath, addBody(sampleFav(2))}, {http.MethodDelete, p + delFavPath(l.Favorites[0].ID), nil},
		} {
			wantAppError(t, e.do(user, c.method, c.path, c.body), 404, api.CodeNotFound)
		}
		e.mustBeUnchanged(before)
	})
	t.Run("event-add-sends-updated-too carries the new list twice", func(t *testing.T) {
		h := newHookEnvWith(t, Options{Readings: []string{readEventAddSendsUpdatedToo}}, WebhookOptions{})
		l := h.add(user, sampleFav(1))
		h.add(user, sampleFav(2)) // an add to a list: Updated alone, as by default
		evs := h.accepted(t)
		if len(evs) != 3 || evs[0].Slug != webhook.SlugCreated || evs[1].Slug != webhook.SlugUpdated || evs[2].Slug != webhook.SlugUpdated {
			t.Fatalf("events %v", evs)
		}
		for _, ev := range evs[:2] {
			if got := ev.Entity(); got == nil || !equalLists(*got, l) {
				t.Errorf("%s event: %+v, want the new list %+v", ev.Slug, got, l)
			}
		}
	})
	t.Run("event-last-favorite-no-updated still answers the emptied list", func(t *testing.T) {
		h := newHookEnvWith(t, Options{Readings: []string{readEventLastFavoriteNoUpdated}}, WebhookOptions{})
		l := h.create(user, sampleFav(1), sampleFav(2))
		h.do(user, http.MethodDelete, delFavPath(l.Favorites[0].ID), nil).list(t) // not the last: Updated
		last := h.do(user, http.MethodDelete, delFavPath(l.Favorites[1].ID), nil).list(t)
		if last.Revision != 3 || len(last.Favorites) != 0 {
			t.Errorf("the answer: %+v", last)
		}
		evs := h.accepted(t)
		if len(evs) != 3 || evs[1].Slug != webhook.SlugUpdated || evs[2].Slug != webhook.SlugDeleted {
			t.Fatalf("events %v", evs)
		}
		if n, _ := evs[2].Sequence(); n != 4 {
			t.Errorf("deleted sequence %d, want 4 (the last revision + 1)", n)
		}
	})
	t.Run("revision-optional takes the current revision", func(t *testing.T) {
		e := withReadings(t, readRevisionOptional)
		l := e.create(user, sampleFav(1))
		for i, body := range []string{`{"favoriteList": {"favorites": []}}`, `{"favoriteList": {"revision": null, "favorites": []}}`} {
			if u := e.do(user, http.MethodPatch, listIDPath(l.ID), body).list(t); u.Revision != l.Revision+api.Revision(i+1) {
				t.Errorf("%s: revision %d", body, u.Revision)
			}
		}
		wantAppError(t, e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("1", nil)), 409, api.CodeAborted)
		wantViolation(t, e.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("x", nil)), 400, "favoriteList.revision", ruleFormat)
	})
}
