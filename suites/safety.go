package suites

import (
	"fmt"
	"net/http"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

// Before the first spec the harness snapshots the list of every configured identity, and after
// the last one (also after a failure, a timeout or an interrupt: Ginkgo runs AfterSuite then too)
// it puts each back: a user's favorites survive a run. A restored list is a new list holding the
// same favorites in the same order; its id, revision, dates and favorite ids are the server's new
// ones, since the API lets no client set them.
var snapshots = map[identity.Role]*api.FavoriteList{}

var _ = BeforeSuite(func() {
	cfg := configured()
	if !cfg.AllowWrites {
		return
	}
	c := client.New(cfg.Target, cfg.Validator, nil)
	for _, role := range identity.Roles {
		if !cfg.Target.Has(role) {
			continue
		}
		r := c.As(role).GetList()
		switch {
		case r.Err != nil:
			Fail(fmt.Sprintf("snapshot of role %s's list before any write: %v", role, r.Err))
		case r.Status == http.StatusOK && r.List != nil && r.List.ID != "":
			l := *r.List
			snapshots[role] = &l
			logf("snapshot: role %s has a list of %d favorite(s) (id %s); it will be restored after the run", role, len(l.Favorites), l.ID)
		case r.Status == http.StatusOK || r.Status == http.StatusNotFound:
			snapshots[role] = nil
		default:
			// Roles without the permission cannot read their list; the harness cannot write it either.
			logf("snapshot: role %s cannot read its list (status %d); the harness will not write it", role, r.Status)
		}
	}
})

var _ = AfterSuite(func() {
	cfg := configured()
	if !cfg.AllowWrites {
		return
	}
	// A spec abandoned by an interrupt may still be calling: stop it before restoring.
	silence.Halt()
	c := client.New(cfg.Target, cfg.Validator, nil)
	for _, role := range identity.Roles {
		before, taken := snapshots[role]
		if !taken {
			continue
		}
		k := c.As(role)
		now := k.GetList()
		if now.Err == nil && now.Status == http.StatusOK && now.List != nil && now.List.ID != "" {
			if before != nil && now.List.ID == before.ID && now.List.Revision == before.Revision {
				logf("restore: role %s's list is untouched", role)
				continue
			}
			if r := k.DeleteList(now.List.ID); !r.OK() {
				Fail(fmt.Sprintf("restore: could not delete the list the run left for role %s: %s", role, r.Describe()))
			}
		}
		if before == nil {
			logf("restore: role %s has no list, as before the run", role)
			continue
		}
		favs := make([]api.Favorite, len(before.Favorites))
		for i, f := range before.Favorites {
			favs[i] = api.Favorite{PageID: f.PageID, Title: f.Title, RelativeURL: f.RelativeURL}
		}
		r := k.CreateList(favs...)
		if !r.OK() || r.List == nil {
			Fail(fmt.Sprintf("restore: could not recreate role %s's list of %d favorite(s): %s", role, len(favs), r.Describe()))
		}
		logf("restore: role %s's list of %d favorite(s) recreated as list %s (ids, revision and dates are new)", role, len(favs), r.List.ID)
	}
})

func logf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	GinkgoWriter.Println(msg)
	if l := configured().Log; l != nil {
		l(msg)
	}
}
