package main

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
)

// Against a target with a pool of accounts (three per role), the specs run in three processes,
// each on accounts of its own: every spec runs once, the run conforms, and each account's list is
// restored as it was.
func TestAParallelRunOnAnAccountPoolLeavesEveryListAsItWas(t *testing.T) {
	const slots = 3
	ids := identity.Pool(slots)
	m, err := mock.New(mock.Options{Identities: ids})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m)
	defer srv.Close()
	v, _ := validate.Default()
	c := client.New(target.ForMock(srv.URL, ids), v, nil)
	// A list in every account of the user role, to be restored.
	for k, id := range identity.Accounts(ids, identity.User) {
		caller := c.WithHeaders(string(id.Role), target.Headers{"Authorization": id.Token})
		if r := caller.CreateList(api.Favorite{PageID: fmt.Sprintf("keep-%d", k), Title: "Keep me"}); !r.OK() {
			t.Fatal(r.Describe())
		}
	}
	var file bytes.Buffer
	fmt.Fprintf(&file, "baseURL: %s\nidentities:\n", srv.URL)
	for _, r := range identity.Roles {
		fmt.Fprintf(&file, "  %s:\n", r)
		for _, id := range identity.Accounts(ids, r) {
			fmt.Fprintf(&file, "    - headers: {Authorization: %q}\n", id.Token)
		}
	}
	path := filepath.Join(t.TempDir(), "target.yaml")
	if err := os.WriteFile(path, file.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := favconform(t, nil, "run", "--target-file", path, "--report-dir", dir, "--label-filter", "!model")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "in 3 processes, each on accounts of its own") {
		t.Fatalf("the run must use the three account sets:\n%s", r.stdout)
	}
	rep := readReport(t, dir)
	seen := map[string]bool{}
	for _, s := range rep.Specs {
		if seen[s.Name] {
			t.Errorf("spec %q is in the report twice", s.Name)
		}
		seen[s.Name] = true
	}
	if rep.Summary.Ran < 50 || rep.Summary.Failed != 0 {
		t.Fatalf("want the specs run once each and passing, got %+v", rep.Summary)
	}
	for k, id := range identity.Accounts(ids, identity.User) {
		got := c.WithHeaders("user", target.Headers{"Authorization": id.Token}).GetList()
		if !got.OK() || got.List == nil || len(got.List.Favorites) != 1 || got.List.Favorites[0].PageID != fmt.Sprintf("keep-%d", k) {
			t.Errorf("account %d of the user role: its list is not back: %s", k, got.Describe())
		}
	}
}
