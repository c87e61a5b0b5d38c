package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              -1,
		"2":                             2 * time.Second,
		"0":                             0,
		"soon":                          -1,
		"Tue, 01 Dec 2026 12:00:05 GMT": 5 * time.Second,
		"Tue, 01 Dec 2026 11:00:00 GMT": 0,
	} {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestSaveAndLoad(t *testing.T) {
	s := &Snapshot{Format: Format, Target: "https://api.example.com", Taken: time.Now().UTC().Truncate(time.Second), Entries: []Entry{
		{Role: identity.User, State: HasList, List: &api.FavoriteList{ID: "l1", Favorites: []api.Favorite{{ID: "f1", PageID: "p", Title: "T"}}}},
		{Role: identity.SecondUser, State: NoList},
		{Role: identity.UserWithoutPermission, State: Unreadable, Reason: "GET answered 403"},
	}}
	path := filepath.Join(t.TempDir(), "recovery.json")
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", st.Mode(), err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kept() != 1 || len(got.Unwritable()) != 1 || got.Entries[0].List.Favorites[0].PageID != "p" {
		t.Fatalf("loaded %+v", got)
	}
	if e, ok := got.Entry(identity.SecondUser); !ok || e.State != NoList {
		t.Fatalf("entry of second-user: %+v", e)
	}
}

func TestLoadRefusesWhatIsNotARecoveryFile(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"not json":       "hello",
		"another format": `{"format":"something/2","identities":[]}`,
		"list missing":   `{"format":"` + Format + `","identities":[{"role":"user","state":"list"}]}`,
		"unknown state":  `{"format":"` + Format + `","identities":[{"role":"user","state":"maybe"}]}`,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		os.WriteFile(path, []byte(body), 0o600)
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: want an error naming the file, got %v", name, err)
		}
	}
}
