package har_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/har"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
)

// The HAR fixtures under fixtures/har are recordings of real exchanges with the reference mock,
// made by generateFixtures. Regenerate them with
//
//	go test ./har -run TestFixturesAreRecordingsOfTheMock -update
//
// Without -update the test records afresh and checks that the committed files hold the same
// exchanges (ids, ports and times aside) with the same verdicts.
var update = flag.Bool("update", false, "rewrite fixtures/har from fresh recordings of the mock")

const fixturesDir = "../fixtures/har"

// recording collects the exchanges of a session as HAR entries.
type recording struct {
	mu      sync.Mutex
	entries []har.Entry
}

func (r *recording) observe(c client.Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries = append(r.entries, har.EntryOf(c.Exchange, time.Now().Add(-c.Duration), c.Duration))
}

func (r *recording) log(comment string) *har.Log {
	return &har.Log{Creator: har.NameInfo{Name: "favconform fixture recorder", Version: "1"}, Comment: comment, Entries: r.entries}
}

func validator(t *testing.T) *validate.Validator {
	t.Helper()
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// session records, against a mock with deviations, the docs' sample flow (with one call the way
// the SDK sends it) plus a page asset from another host, which a validation must skip.
func session(t *testing.T, deviations []string, extra func(c *client.Client)) *recording {
	t.Helper()
	srv, err := mock.NewServer(mock.Options{Deviations: deviations})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	assets := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintln(w, "console.log('dashboard page');")
	}))
	defer assets.Close()

	rec := &recording{}
	v := validator(t)
	c := client.New(target.ForMock(srv.URL, identity.Default()), v, rec.observe)
	me := c.As(identity.User)
	page := client.New(target.Config{BaseURL: assets.URL, Identities: map[identity.Role]target.Headers{identity.User: {}}}, v, rec.observe)
	page.As(identity.User).Do(client.Request{Method: "GET", Path: "/static/page.js"})

	created := me.CreateList(api.Favorite{PageID: "3893d33b-24a1-474b-80b0-dd7c32e20bfb", Title: "Existing favorite page"})
	if created.List == nil {
		t.Fatalf("create: %s", created.Describe())
	}
	l := created.List
	me.GetList()
	updated := me.UpdateList(l.ID, l.Revision, []api.Favorite{{ID: l.Favorites[0].ID, PageID: l.Favorites[0].PageID, Title: "Existing favorite page"}})
	added := me.AddFavorite(api.Favorite{PageID: "3893d33b-9fm4-474b-80b0-dd7c32e20bfc", RelativeURL: "/limited-edition/analytics", Title: "Limited Edition Products Analytics"})
	if updated.List == nil || added.List == nil || len(added.List.Favorites) != 2 {
		t.Fatalf("update/add: %s / %s", updated.Describe(), added.Describe())
	}
	me.DeleteFavorite(added.List.Favorites[1].ID)
	if extra != nil {
		extra(c)
	}
	// The SDK's form: /_api before the path, the id repeated in the query.
	me.Do(client.Request{Method: "DELETE", Path: api.SDKPathPrefix + api.ListPath + "/" + l.ID, Query: url.Values{"favoriteListId": {l.ID}}})
	// Browsers record some bodies base64-encoded: do so for the GET's response.
	for i := range rec.entries {
		if rec.entries[i].Request.Method == "GET" && strings.HasSuffix(rec.entries[i].Request.URL, api.ListPath) {
			rec.entries[i].Base64()
		}
	}
	return rec
}

func generateFixtures(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	write := func(name string, l *har.Log) {
		var b bytes.Buffer
		if err := l.Write(&b); err != nil {
			t.Fatal(err)
		}
		out[name] = b.Bytes()
	}
	clean := session(t, nil, nil)
	write("clean.har", clean.log("The docs' sample flow against the reference mock, recorded by har/fixtures_test.go: every API entry conforms; the page asset is skipped."))

	bad := session(t, []string{"revision-as-number"}, func(c *client.Client) {
		// A client fault: a 41-character title (the mock refuses it, as it should).
		c.As(identity.User).Invalid().AddFavorite(api.Favorite{PageID: "p", Title: strings.Repeat("x", 41)})
		// A call without an Authorization header.
		c.Anonymous().GetList()
	})
	write("violations.har", bad.log("The same flow against the mock with the revision-as-number deviation (revision sent as a JSON number), plus a too-long title and a call without Authorization: recorded by har/fixtures_test.go."))

	// malformed.har: the clean recording with entry 2's status written as a string.
	var doc map[string]any
	if err := json.Unmarshal(out["clean.har"], &doc); err != nil {
		t.Fatal(err)
	}
	entries := doc["log"].(map[string]any)["entries"].([]any)
	entries[2].(map[string]any)["response"].(map[string]any)["status"] = "200"
	doc["log"].(map[string]any)["comment"] = "clean.har with log.entries[2].response.status written as a string: unreadable as HAR 1.2."
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out["malformed.har"] = append(b, '\n')
	return out
}

var (
	guidRe = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	hostRe = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)
)

// shape is what must not change between recordings: each entry's method, URL (ids and ports
// aside), status and verdict.
func shape(t *testing.T, name string, b []byte) []string {
	t.Helper()
	l, err := har.Parse(b, name)
	if err != nil {
		if name == "malformed.har" {
			return []string{err.Error()[strings.Index(err.Error(), ":"):]}
		}
		t.Fatal(err)
	}
	res, err := har.Check(l, name, har.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range res.Entries {
		var ptrs []string
		for _, v := range e.Violations {
			ptrs = append(ptrs, string(v.In)+" "+v.Pointer)
		}
		u := guidRe.ReplaceAllString(hostRe.ReplaceAllString(e.URL, "HOST"), "ID")
		out = append(out, fmt.Sprintf("%s %s %d %s skipped=%q %v", e.Method, u, e.Status, e.Operation, e.Skipped, ptrs))
	}
	return out
}

func TestFixturesAreRecordingsOfTheMock(t *testing.T) {
	fresh := generateFixtures(t)
	if *update {
		if err := os.MkdirAll(fixturesDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range fresh {
			if err := os.WriteFile(filepath.Join(fixturesDir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("wrote %d fixtures to %s", len(fresh), fixturesDir)
	}
	names := make([]string, 0, len(fresh))
	for n := range fresh {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		committed, err := os.ReadFile(filepath.Join(fixturesDir, name))
		if err != nil {
			t.Fatalf("%v (generate the fixtures with: go test ./har -run TestFixturesAreRecordingsOfTheMock -update)", err)
		}
		want, got := shape(t, name, fresh[name]), shape(t, name, committed)
		if !slices.Equal(want, got) {
			t.Errorf("%s differs from a fresh recording (regenerate with -update):\nfresh:\n  %s\ncommitted:\n  %s", name, strings.Join(want, "\n  "), strings.Join(got, "\n  "))
		}
	}
}
