package report

import (
	"net/http"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/spec"
	"github.com/favconform/favconform/validate"
)

// The fixture's secrets: a token that must never appear in a document, though the fixture puts
// it in a request header, a response header, a response body and a failure message (as a hostile
// server echoing it would).
const (
	secretToken  = "tok-secret-123-do-not-print"
	secretHeader = "site-secret-456"
)

// hostile is markup a server may put in a body: rendered as markup it would mark the page.
const hostile = `<script>document.body.setAttribute('data-pwned','script')</script><img src=x onerror="document.body.setAttribute('data-pwned','img')"></textarea></pre><b>bold</b>`

type transcript []client.Call

func (t transcript) CallsOf() []client.Call { return t }

func call(role identity.Role, method, url string, status int, reqBody, respBody string) client.Call {
	c := client.Call{Role: role, Duration: 1500 * time.Microsecond}
	c.Method, c.URL, c.Status = method, url, status
	c.RequestHeader = http.Header{"Authorization": {secretToken}, "X-Site": {secretHeader}}
	if reqBody != "" {
		c.RequestHeader.Set("Content-Type", "application/json")
		c.RequestBody = []byte(reqBody)
	}
	c.ResponseHeader = http.Header{"Content-Type": {"application/json"}, "X-Echo": {secretToken}}
	c.ResponseBody = []byte(respBody)
	return c
}

// fixture is a Ginkgo report of four specs: one passed, one failed (three calls, the second of
// which broke the spec and is the failing request), one skipped with a reason, one filtered out;
// and the call times the runner would have recorded.
func fixture(t *testing.T) (types.Report, []spec.Requirement, Meta) {
	t.Helper()
	base := time.Date(2026, 5, 19, 13, 5, 45, 0, time.UTC)
	const url = "http://127.0.0.1:8080/dashboard/v1/user-favorite-list"
	entry := func(calls ...client.Call) types.ReportEntries {
		return types.ReportEntries{{Name: "transcript", Value: types.WrapEntryValue(transcript(calls))}}
	}
	passed := types.SpecReport{
		ContainerHierarchyTexts: []string{"Get User Favorite List"}, LeafNodeType: types.NodeTypeIt,
		LeafNodeText: "GET answers 200", LeafNodeLabels: []string{"req:get.returns-list", "read-only"},
		State: types.SpecStatePassed, RunTime: 3 * time.Millisecond,
		ReportEntries: entry(call(identity.User, "GET", url, 200, "", `{"favoriteList":{}}`)),
	}
	bad := call(identity.User, "POST", url, 200, `{"favoriteList":{"favorites":[{"pageId":"it's","title":"T"}]}}`,
		`{"favoriteList":{"id":"x","revision":1,"title":"`+hostile+`","echo":"`+secretToken+`"}}`)
	bad.Operation = "createUserFavoriteList"
	bad.Violations = validate.Violations{{Operation: "createUserFavoriteList", In: validate.InResponse, Pointer: "/favoriteList/revision",
		Expected: "type string matching ^[0-9]+$", Got: "1"}}
	failed := types.SpecReport{
		ContainerHierarchyTexts: []string{"Create User Favorite List"}, LeafNodeType: types.NodeTypeIt,
		LeafNodeText: "POST creates the list " + hostile, LeafNodeLabels: []string{"req:create.creates-list", "req:schema.responses-match-spec"},
		State: types.SpecStateFailed, RunTime: 5 * time.Millisecond,
		Failure: types.Failure{
			Message:          "create a list: the exchange breaks the spec:\n1 spec violation(s):\n  createUserFavoriteList response /favoriteList/revision: expected type string matching ^[0-9]+$, got 1\nPOST " + url + " → 200 " + string(bad.ResponseBody),
			Location:         types.CodeLocation{FileName: "/src/suites/create_list.go", LineNumber: 21},
			TimelineLocation: types.TimelineLocation{Time: base.Add(25 * time.Millisecond)},
		},
		ReportEntries: entry(
			call(identity.User, "GET", url, 404, "", `{"message":"no list"}`),
			bad,
			call(identity.User, "DELETE", url+"/x", 200, "", `{}`),
		),
	}
	skipped := types.SpecReport{
		ContainerHierarchyTexts: []string{"Isolation between users"}, LeafNodeType: types.NodeTypeIt,
		LeafNodeText: "a second user does not see the list", LeafNodeLabels: []string{"req:isolation.per-user"},
		State:   types.SpecStateSkipped,
		Failure: types.Failure{Message: `needs role "second-user", which the target configuration does not supply`},
	}
	filtered := types.SpecReport{
		ContainerHierarchyTexts: []string{"Create User Favorite List"}, LeafNodeType: types.NodeTypeIt,
		LeafNodeText: "POST answers 409 (reading)", LeafNodeLabels: []string{"req:create.fails-when-list-exists", "strict"},
		State: types.SpecStateSkipped,
	}
	r := types.Report{
		SuiteDescription: "favconform conformance", SuiteSucceeded: false, StartTime: base, RunTime: 40 * time.Millisecond,
		SpecReports: types.SpecReports{passed, failed, skipped, filtered},
	}
	reqs := []spec.Requirement{
		{ID: "get.returns-list", Level: "stated", Source: "favorite-list-api.txt", Quote: "Retrieves the Wix user's dashboard favorite list.", Summary: "GET answers 200."},
		{ID: "create.creates-list", Level: "stated", Source: "favorite-list-api.txt", Quote: "Creates a list <of> favorite dashboard pages.", Summary: "POST creates a list."},
		{ID: "schema.responses-match-spec", Level: "stated", Source: "favorite-list-api.txt", Quote: "Response Object", Summary: "Every response matches the spec."},
		{ID: "isolation.per-user", Level: "reading", Source: "dashboard-api.txt", Quote: "scoped to the currently logged-in user", Summary: "Users do not see each other's lists."},
		{ID: "create.fails-when-list-exists", Level: "stated", Source: "favorite-list-api.txt", Quote: "generates an error", Summary: "A second create is refused."},
	}
	meta := Meta{
		Version: "v0.0.0-test", Target: "http://127.0.0.1:8080", LabelFilter: "!strict",
		TranscriptEntry: "transcript", RequirementLabelPrefix: "req:",
		Redactor: redact.New([]string{secretToken, secretHeader}, "X-Site"),
		CallTimes: map[string][]time.Time{
			failed.FullText(): {base.Add(10 * time.Millisecond), base.Add(20 * time.Millisecond), base.Add(30 * time.Millisecond)},
		},
	}
	return r, reqs, meta
}

func fixtureReport(t *testing.T) *Report {
	t.Helper()
	r, reqs, meta := fixture(t)
	return FromGinkgo(r, reqs, meta)
}
