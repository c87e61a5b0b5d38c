package suites

import (
	"net/http"
	"testing"

	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/validate"
)

// A role's list is taken as gone only until a call that may have made one: any method but GET,
// HEAD and DELETE, by any role, answered or not, forgets every role.
func TestAbsentListsForgetOnAnyPossibleWrite(t *testing.T) {
	call := func(method string, role identity.Role) client.Call {
		return client.Call{Role: role, Exchange: validate.Exchange{Method: method}}
	}
	var a absentLists
	if a.isGone(identity.User) {
		t.Fatal("nothing is known gone before a read said so")
	}
	a.markGone(identity.User)
	a.markGone(identity.SecondUser)
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodDelete} {
		a.observe(call(m, identity.App))
	}
	if !a.isGone(identity.User) || !a.isGone(identity.SecondUser) {
		t.Fatal("reads and deletes cannot make a list exist: nothing is forgotten")
	}
	for _, m := range []string{http.MethodPost, http.MethodPatch, http.MethodPut, "BREW"} {
		a.markGone(identity.User)
		a.markGone(identity.SecondUser)
		a.observe(call(m, identity.App)) // another role: it may act for the user
		if a.isGone(identity.User) || a.isGone(identity.SecondUser) {
			t.Fatalf("a %s may have made a list: every role is forgotten", m)
		}
	}
}
