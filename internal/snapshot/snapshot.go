// Package snapshot keeps a user's favorite lists safe across a run that writes to a real target:
// before the first write it reads every identity's list (Take) and saves what it read to a
// recovery file (Save: mode 0600, no token in it); after the run it puts every list back and
// checks that it did (Restore). A run killed before its restore leaves the file, and `favconform
// restore FILE` (Load, then Restore) finishes the job.
//
// The rule it owns: an identity's list is written only after a snapshot that is certain — a 200
// holding a list that can be re-created, or a definite "no list" (a 404 in Wix's error shape, or
// a 200 without a list that conforms to the spec). A transient answer (429, 503) is retried a
// few times within the per-request timeout; anything else makes the identity unwritable, and
// every spec that would write its list is skipped with the reason.
package snapshot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

// State is what the snapshot found of one identity's list.
type State string

const (
	// HasList: the identity has a list, kept in the snapshot.
	HasList State = "list"
	// NoList: the identity has no list, for certain.
	NoList State = "no-list"
	// Unreadable: the harness could not tell; it will not write the identity's list.
	Unreadable State = "unreadable"
)

// Entry is one identity's part of a snapshot.
type Entry struct {
	Role  identity.Role     `json:"role"`
	State State             `json:"state"`
	List  *api.FavoriteList `json:"list,omitempty"`
	// Reason says why the list is unreadable (Unreadable only).
	Reason string `json:"reason,omitempty"`
}

// Snapshot is every configured identity's list as it was before the run.
type Snapshot struct {
	// Format identifies a recovery file.
	Format string `json:"format"`
	// Target is the base URL the lists belong to (without userinfo).
	Target string `json:"target"`
	// Slot is the target configuration's account set the lists belong to (0: the first).
	Slot    int       `json:"slot,omitempty"`
	Taken   time.Time `json:"taken"`
	Entries []Entry   `json:"identities"`
}

// Format is the recovery file's format name.
const Format = "favconform-recovery/1"

// Attempts is how many times a transient answer (429, 503) to a snapshot or restore read is
// tried in all, within one per-request timeout.
const Attempts = 3

// Take reads the list of each role through c (whose breaker and timeout bound it). target is
// recorded in the snapshot (give it without secrets).
func Take(ctx context.Context, c *client.Client, target string, roles []identity.Role) *Snapshot {
	s := &Snapshot{Format: Format, Target: target, Taken: time.Now().UTC()}
	for _, role := range roles {
		s.Entries = append(s.Entries, read(ctx, c.As(role).WithContext(ctx), c.Config().RequestTimeout()))
	}
	return s
}

// read takes one identity's entry.
func read(ctx context.Context, k *client.Caller, timeout time.Duration) Entry {
	e := Entry{Role: k.Role()}
	r, err := getWithRetry(ctx, k, timeout)
	switch {
	case err != nil:
		e.State, e.Reason = Unreadable, err.Error()
	case r.Status == http.StatusOK && r.List != nil && r.List.ID != "":
		if bad := slices.IndexFunc(r.List.Favorites, func(f api.Favorite) bool { return f.PageID == "" }); bad >= 0 {
			e.State, e.Reason = Unreadable, fmt.Sprintf("GET answered a list whose favorite %d has no pageId: it could not be re-created as it was", bad)
			break
		}
		l := *r.List
		e.State, e.List = HasList, &l
	case r.Status == http.StatusOK && len(r.Violations) == 0 && r.DecodeErr == nil:
		// The reading get-without-list: a 200 without a list that conforms to the spec.
		e.State = NoList
	case r.Status == http.StatusOK:
		e.State, e.Reason = Unreadable, "GET answered 200 with a body that is neither a list nor a conforming answer without one: "+describe(r)
	case r.Status == http.StatusNotFound && r.Error != nil && len(r.Violations) == 0:
		e.State = NoList
	case r.Status == http.StatusNotFound:
		e.State, e.Reason = Unreadable, "GET answered 404, but not in Wix's error shape: a wrong URL cannot be told from \"no list\": "+describe(r)
	default:
		e.State, e.Reason = Unreadable, fmt.Sprintf("GET answered %d", r.Status)
	}
	return e
}

func describe(r *client.Response) string {
	s := r.Describe()
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// getWithRetry reads the caller's list, trying a transient answer (429, 503) again after its
// Retry-After (or a short pause) while the timeout allows. It returns an error for no answer, or
// for a transient answer that lasted.
func getWithRetry(ctx context.Context, k *client.Caller, timeout time.Duration) (*client.Response, error) {
	deadline := time.Now().Add(timeout)
	var r *client.Response
	for attempt := 1; ; attempt++ {
		r = k.GetList()
		if r.Err != nil {
			return nil, fmt.Errorf("GET got no answer: %v", r.Err)
		}
		if r.Status != http.StatusTooManyRequests && r.Status != http.StatusServiceUnavailable {
			return r, nil
		}
		wait := retryAfter(r.Header.Get("Retry-After"), time.Now())
		if wait < 0 {
			wait = time.Duration(attempt) * 200 * time.Millisecond
		}
		if attempt >= Attempts || time.Now().Add(wait).After(deadline) {
			return nil, fmt.Errorf("GET answered %d %d time(s) (Retry-After %q); the harness gave up within the per-request timeout of %s",
				r.Status, attempt, r.Header.Get("Retry-After"), timeout)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("GET answered %d and the run was stopped before a retry", r.Status)
		case <-time.After(wait):
		}
	}
}

// retryAfter reads a Retry-After value (seconds, or an HTTP date); -1 when there is none.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return -1
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return -1
}

// Entry returns role's entry.
func (s *Snapshot) Entry(role identity.Role) (Entry, bool) {
	for _, e := range s.Entries {
		if e.Role == role {
			return e, true
		}
	}
	return Entry{}, false
}

// Unwritable returns, for each role the snapshot could not read, why the harness must not write
// its list.
func (s *Snapshot) Unwritable() map[identity.Role]string {
	out := map[identity.Role]string{}
	for _, e := range s.Entries {
		if e.State == Unreadable {
			out[e.Role] = fmt.Sprintf("the list of role %s could not be snapshotted before the run (%s), so it could not be restored: the harness does not write it", e.Role, e.Reason)
		}
	}
	return out
}

// Kept is how many lists the snapshot holds.
func (s *Snapshot) Kept() int {
	n := 0
	for _, e := range s.Entries {
		if e.State == HasList {
			n++
		}
	}
	return n
}

// Save writes the snapshot to path, readable by its owner only, atomically (a crash leaves the
// old file or the new one, never a torn one).
func (s *Snapshot) Save(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".favconform-recovery-*")
	if err != nil {
		return fmt.Errorf("writing the recovery file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the recovery file: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the recovery file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the recovery file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the recovery file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the recovery file: %w", err)
	}
	return nil
}

// Load reads a recovery file written by Save.
func Load(path string) (*Snapshot, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("recovery file: %w", err)
	}
	var s Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("recovery file %s: not a favconform recovery file: %v", path, err)
	}
	if s.Format != Format {
		return nil, fmt.Errorf("recovery file %s: format %q, expected %q", path, s.Format, Format)
	}
	for i, e := range s.Entries {
		if e.Role == "" || (e.State != HasList && e.State != NoList && e.State != Unreadable) || (e.State == HasList && e.List == nil) {
			return nil, fmt.Errorf("recovery file %s: identities[%d] is not a valid entry (role %q, state %q)", path, i, e.Role, e.State)
		}
	}
	return &s, nil
}

// Action is what Restore did for one identity.
type Action string

const (
	// Untouched: the list is the one the snapshot saw (same id and revision); nothing was sent.
	Untouched Action = "untouched"
	// Recreated: the list the run left (if any) was deleted and the snapshot's list created anew.
	Recreated Action = "recreated"
	// Cleared: the identity had no list; the list the run left was deleted.
	Cleared Action = "cleared"
	// NothingToDo: the identity had no list and has none.
	NothingToDo Action = "nothing to do"
	// Skipped: the snapshot could not read the list, and the run never wrote it.
	Skipped Action = "skipped"
	// Failed: the list could not be put back (Outcome.Err says why).
	Failed Action = "failed"
)

// Outcome is Restore's result for one identity.
type Outcome struct {
	Role   identity.Role
	Action Action
	// ListID is the re-created list's id (Recreated).
	ListID string
	Err    error
}

// String says what happened, for the console.
func (o Outcome) String() string {
	switch o.Action {
	case Untouched:
		return fmt.Sprintf("restore: role %s's list is untouched", o.Role)
	case Recreated:
		return fmt.Sprintf("restore: role %s's list recreated as list %s and checked (the same favorites in the same order; ids, revision and dates are new)", o.Role, o.ListID)
	case Cleared:
		return fmt.Sprintf("restore: role %s had no list before the run; the one the run left was deleted", o.Role)
	case NothingToDo:
		return fmt.Sprintf("restore: role %s has no list, as before the run", o.Role)
	case Skipped:
		return fmt.Sprintf("restore: role %s was not snapshotted and not written", o.Role)
	}
	return fmt.Sprintf("restore: role %s: FAILED: %v", o.Role, o.Err)
}

// Result is what Restore did.
type Result []Outcome

// OK reports whether every list is back as the snapshot saw it.
func (r Result) OK() bool {
	return !slices.ContainsFunc(r, func(o Outcome) bool { return o.Action == Failed })
}

// Failed lists the roles whose lists are not back.
func (r Result) Failed() []identity.Role {
	var out []identity.Role
	for _, o := range r {
		if o.Action == Failed {
			out = append(out, o.Role)
		}
	}
	return out
}

// ErrAborted is the error of a role the restore did not reach because it was stopped.
var ErrAborted = errors.New("the restore was stopped before it reached this list")

// Restore puts every snapshotted list back through c, checking each afterwards; done receives
// each outcome as it is known. Once ctx is done the remaining roles fail with ErrAborted.
func Restore(ctx context.Context, c *client.Client, s *Snapshot, done func(Outcome)) Result {
	var res Result
	for _, e := range s.Entries {
		o := Outcome{Role: e.Role, Action: Skipped}
		switch {
		case ctx.Err() != nil:
			o.Action, o.Err = Failed, ErrAborted
		case e.State != Unreadable:
			o = restoreOne(ctx, c.As(e.Role).WithContext(ctx), e, c.Config().RequestTimeout())
		}
		res = append(res, o)
		if done != nil {
			done(o)
		}
	}
	return res
}

func restoreOne(ctx context.Context, k *client.Caller, e Entry, timeout time.Duration) Outcome {
	o := Outcome{Role: e.Role}
	fail := func(format string, args ...any) Outcome {
		o.Action, o.Err = Failed, fmt.Errorf(format, args...)
		if ctx.Err() != nil {
			o.Err = fmt.Errorf("%w (%v)", ErrAborted, o.Err)
		}
		return o
	}
	now, err := current(ctx, k, timeout)
	if err != nil {
		return fail("reading the list the run left: %v", err)
	}
	if now != nil && e.State == HasList && now.ID == e.List.ID && now.Revision == e.List.Revision {
		o.Action = Untouched
		return o
	}
	if now != nil {
		if r := k.DeleteList(now.ID); !r.OK() {
			// Removing the favorites one by one deletes the list with its last one.
			for _, f := range now.Favorites {
				k.DeleteFavorite(f.ID)
			}
			if still, err := current(ctx, k, timeout); err != nil || still != nil {
				return fail("could not delete the list %s the run left: %s", now.ID, r.Describe())
			}
		}
	}
	if e.State == NoList {
		o.Action = NothingToDo
		if now != nil {
			o.Action = Cleared
		}
		return o
	}
	favs := make([]api.Favorite, len(e.List.Favorites))
	for i, f := range e.List.Favorites {
		favs[i] = api.Favorite{PageID: f.PageID, Title: f.Title, RelativeURL: f.RelativeURL}
	}
	r := k.CreateList(favs...)
	if !r.OK() || r.List == nil || r.List.ID == "" {
		return fail("could not re-create the list of %d favorite(s): %s", len(favs), r.Describe())
	}
	back, err := current(ctx, k, timeout)
	if err != nil {
		return fail("re-created the list %s but could not read it back: %v", r.List.ID, err)
	}
	if back == nil || !sameFavorites(back.Favorites, favs) {
		return fail("re-created the list %s, but a read shows %v instead of the %d favorite(s) of the snapshot", r.List.ID, back, len(favs))
	}
	o.Action, o.ListID = Recreated, back.ID
	return o
}

// current reads the caller's list: nil when there is none for certain.
func current(ctx context.Context, k *client.Caller, timeout time.Duration) (*api.FavoriteList, error) {
	r, err := getWithRetry(ctx, k, timeout)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Status == http.StatusOK && r.List != nil && r.List.ID != "":
		return r.List, nil
	case r.Status == http.StatusOK || r.Status == http.StatusNotFound:
		return nil, nil
	}
	return nil, fmt.Errorf("GET answered %d: %s", r.Status, describe(r))
}

func sameFavorites(got, want []api.Favorite) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range want {
		if got[i].PageID != want[i].PageID || got[i].Title != want[i].Title || got[i].RelativeURL != want[i].RelativeURL {
			return false
		}
	}
	return true
}
