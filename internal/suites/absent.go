package suites

import (
	"net/http"
	"sync"

	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

// absentLists remembers which roles' lists this process has seen gone since the last call that
// could have made one exist, so that a spec's clean slate (world.fresh) need not read the list
// again when the previous spec's cleanup has just confirmed it gone. It only ever saves that
// read: any call other than GET, HEAD or DELETE, by any role and from any client the specs use
// (specClient observes them all), forgets every role, since a create, an add, an update — even
// one refused, or one with no answer — may have left a list. A delete never makes a list exist.
type absentLists struct {
	mu   sync.Mutex
	gone map[identity.Role]bool
}

func (a *absentLists) isGone(r identity.Role) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.gone[r]
}

func (a *absentLists) markGone(r identity.Role) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gone == nil {
		a.gone = map[identity.Role]bool{}
	}
	a.gone[r] = true
}

// observe forgets every role when c may have created or changed a list.
func (a *absentLists) observe(c client.Call) {
	switch c.Method {
	case http.MethodGet, http.MethodHead, http.MethodDelete:
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	clear(a.gone)
}
