package suites

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
)

// conforms fails the spec when the call got no response or broke the spec (requirement
// schema.responses-match-spec holds for every exchange of every spec).
func conforms(r *client.Response, what string) {
	GinkgoHelper()
	if r.Err != nil {
		Fail(fmt.Sprintf("%s: no response: %v", what, r.Err))
	}
	if len(r.Violations) > 0 {
		Fail(fmt.Sprintf("%s: the exchange breaks the spec:\n%s\n%s", what, r.Violations.Error(), r.Describe()))
	}
}

// ok expects a conforming 200 (the SDK treats anything else as an error: status.success-is-200)
// and returns the response.
func ok(r *client.Response, what string) *client.Response {
	GinkgoHelper()
	conforms(r, what)
	if r.Status != http.StatusOK {
		Fail(fmt.Sprintf("%s: expected status 200, got %d\n%s", what, r.Status, r.Describe()))
	}
	if r.DecodeErr != nil {
		Fail(fmt.Sprintf("%s: %v\n%s", what, r.DecodeErr, r.Describe()))
	}
	return r
}

// okList expects a conforming 200 carrying a list, and returns the list.
func okList(r *client.Response, what string) api.FavoriteList {
	GinkgoHelper()
	ok(r, what)
	if r.List == nil {
		Fail(fmt.Sprintf("%s: expected a body with favoriteList, got %s", what, r.Describe()))
	}
	return *r.List
}

// refused expects a conforming 4xx in Wix's error shape (errors.wix-shape). status 0 accepts any
// 4xx: the default profile does not assume a status no page states.
func refused(r *client.Response, status int, what string) {
	GinkgoHelper()
	conforms(r, what)
	if status != 0 && r.Status != status {
		Fail(fmt.Sprintf("%s: expected status %d, got %d\n%s", what, status, r.Status, r.Describe()))
	}
	if r.Status < 400 || r.Status > 499 {
		Fail(fmt.Sprintf("%s: expected the call to be refused with a 4xx, got %d\n%s", what, r.Status, r.Describe()))
	}
	wixShaped(r, what)
}

// wixShaped expects Wix's error body: a message and details with an application or a
// validation error (facts.md, "About Errors").
func wixShaped(r *client.Response, what string) {
	GinkgoHelper()
	if r.Error == nil {
		Fail(fmt.Sprintf("%s: expected Wix's JSON error body {message, details}, got %v\n%s", what, r.DecodeErr, r.Describe()))
	}
	e := r.Error
	if strings.TrimSpace(e.Message) == "" || e.Details == nil || (e.Details.ApplicationError == nil && e.Details.ValidationError == nil) {
		Fail(fmt.Sprintf("%s: expected Wix's error body with a message and details.applicationError or details.validationError\n%s", what, r.Describe()))
	}
}

// unchanged expects the caller's list to read exactly as before: the refused or read-only call
// changed nothing (revision, dates, favorites and ids included).
func (w *world) unchanged(k *client.Caller, before state, after string) {
	GinkgoHelper()
	now := w.stateOf(k)
	if now.exists != before.exists || !reflect.DeepEqual(now.list, before.list) {
		Fail(fmt.Sprintf("after %s the list must be unchanged:\nbefore: %s\n  %+v\nafter:  %s\n  %+v", after, before, before.list, now, now.list))
	}
}

// gone expects the caller to have no list.
func (w *world) gone(k *client.Caller, after string) {
	GinkgoHelper()
	if st := w.stateOf(k); st.exists {
		Fail(fmt.Sprintf("after %s the user must have no list; a read shows %s", after, st))
	}
}

// revisionStep expects after's revision to be before's plus delta.
func revisionStep(before, after api.FavoriteList, delta int64, what string) {
	GinkgoHelper()
	if int64(after.Revision) != int64(before.Revision)+delta {
		Fail(fmt.Sprintf("%s: revision must go from %d to %d, got %d", what, before.Revision, int64(before.Revision)+delta, after.Revision))
	}
}

// sameFavorites compares the caller-visible content of favorites (pageId, title, relativeUrl),
// in order.
func sameFavorites(got, want []api.Favorite, what string) {
	GinkgoHelper()
	if len(got) != len(want) {
		Fail(fmt.Sprintf("%s: expected %d favorite(s), got %d: %+v", what, len(want), len(got), got))
	}
	for i := range want {
		g, x := got[i], want[i]
		if g.PageID != x.PageID || g.Title != x.Title || g.RelativeURL != x.RelativeURL {
			Fail(fmt.Sprintf("%s: favorite %d must be kept exactly: expected %+v, got %+v", what, i, x, g))
		}
	}
}

// notFound expects a 404 NOT_FOUND in Wix's error shape (the strict reading unknown-id-status).
func notFound(r *client.Response, what string) {
	GinkgoHelper()
	refused(r, http.StatusNotFound, what)
	if e := r.Error.Details.ApplicationError; e == nil || e.Code != api.CodeNotFound {
		Fail(what + ": expected applicationError.code NOT_FOUND\n" + r.Describe())
	}
}

// emptyObject expects the body {} ("Returns an empty object.": delete list).
func emptyObject(r *client.Response, what string) {
	GinkgoHelper()
	if string(compactJSON(r.Body)) != "{}" {
		Fail(fmt.Sprintf("%s: expected the empty object {}, got %s", what, r.Body))
	}
}

// compactJSON is b without insignificant white space (b itself when it is not JSON).
func compactJSON(b []byte) []byte {
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return b
	}
	return out.Bytes()
}
