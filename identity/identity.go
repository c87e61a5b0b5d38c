// Package identity describes who calls the API: the roles of the permission model in
// dashboard-api.txt and the identities the reference mock knows.
package identity

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/fixtures"
)

// Role names a caller of the permission model. The suites ask for identities by role.
type Role string

// The roles of dashboard-api.txt's permission model.
const (
	// User is a Wix user holding Manage Dashboard.
	User Role = "user"
	// SecondUser is another Wix user holding Manage Dashboard (for isolation checks).
	SecondUser Role = "second-user"
	// UserWithoutPermission is a Wix user without Manage Dashboard.
	UserWithoutPermission Role = "user-without-permission"
	// App is an app granted Manage Dashboard, acting for a user who holds it.
	App Role = "app"
	// AppNotGranted is an app not granted Manage Dashboard, acting for a user who holds it.
	AppNotGranted Role = "app-not-granted"
	// AppForUserWithoutPermission is an app granted Manage Dashboard, acting for a user who lacks it.
	AppForUserWithoutPermission Role = "app-for-user-without-permission"
)

// Roles lists every role in a stable order.
var Roles = []Role{User, SecondUser, UserWithoutPermission, App, AppNotGranted, AppForUserWithoutPermission}

// Identity types of Wix's webhook identity (facts.md).
const (
	TypeWixUser = "WIX_USER"
	TypeApp     = "APP"
)

// Identity is one caller known to the reference mock.
type Identity struct {
	Role            Role     `json:"role"`
	Token           string   `json:"token"`
	IdentityType    string   `json:"identityType"`
	WixUserID       string   `json:"wixUserId"`
	AppID           string   `json:"appId,omitempty"`
	UserPermissions []string `json:"userPermissions"`
	AppPermissions  []string `json:"appPermissions,omitempty"`
}

// Permitted reports whether the identity may call a method that requires scope. A user needs the
// permission; an app needs it for itself and for the user it acts for (dashboard-api.txt: "The
// only way your app can add products to a store is if both your app and the current user have
// permissions to do so.").
func (i Identity) Permitted(scope string) bool {
	userHas := slices.Contains(i.UserPermissions, scope)
	if i.IdentityType == TypeApp {
		return userHas && slices.Contains(i.AppPermissions, scope)
	}
	return userHas
}

// CanManageDashboard reports whether the identity may call this API.
func (i Identity) CanManageDashboard() bool { return i.Permitted(api.ManageDashboardScope) }

// Parse reads an identities file: {"identities": [...]}.
func Parse(b []byte) ([]Identity, error) {
	var f struct {
		Identities []Identity `json:"identities"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("identities file: %w", err)
	}
	seen := map[string]bool{}
	for n, id := range f.Identities {
		switch {
		case id.Token == "":
			return nil, fmt.Errorf("identities file: identities[%d] (role %q) has no token", n, id.Role)
		case id.WixUserID == "":
			return nil, fmt.Errorf("identities file: identities[%d] (role %q) has no wixUserId", n, id.Role)
		case id.IdentityType != TypeWixUser && id.IdentityType != TypeApp:
			return nil, fmt.Errorf("identities file: identities[%d] (role %q): identityType %q is neither %s nor %s", n, id.Role, id.IdentityType, TypeWixUser, TypeApp)
		case id.IdentityType == TypeApp && id.AppID == "":
			return nil, fmt.Errorf("identities file: identities[%d] (role %q) is an APP without appId", n, id.Role)
		case seen[id.Token]:
			return nil, fmt.Errorf("identities file: identities[%d] (role %q) repeats a token", n, id.Role)
		}
		seen[id.Token] = true
	}
	return f.Identities, nil
}

// Default returns the reference mock's default identities (fixtures/identities.json), one per role.
func Default() []Identity {
	ids, err := Parse(fixtures.IdentitiesJSON)
	if err != nil {
		panic("fixtures/identities.json is broken: " + err.Error()) // caught by the package's tests
	}
	return ids
}

// ByRole returns the first identity of role r.
func ByRole(ids []Identity, r Role) (Identity, bool) {
	for _, id := range ids {
		if id.Role == r {
			return id, true
		}
	}
	return Identity{}, false
}

// Pool returns n accounts of every role: the Default identities, then n-1 copies of them, the
// k-th with its own tokens ("-k" appended) and its own Wix users (an app still acts for the copy
// of its user). Specs that run at once each claim accounts of their own from a pool.
func Pool(n int) []Identity {
	base := Default()
	out := slices.Clone(base)
	for k := 2; k <= n; k++ {
		for _, id := range base {
			c := id
			c.Token = fmt.Sprintf("%s-%d", id.Token, k)
			c.WixUserID = copyOf(id.WixUserID, k)
			c.UserPermissions = slices.Clone(id.UserPermissions)
			c.AppPermissions = slices.Clone(id.AppPermissions)
			out = append(out, c)
		}
	}
	return out
}

// copyOf is the id of the k-th copy of a Wix user: its first eight characters replaced by k's.
func copyOf(wixUserID string, k int) string {
	if len(wixUserID) < 8 {
		return fmt.Sprintf("%s-%d", wixUserID, k)
	}
	return fmt.Sprintf("%08x", k) + wixUserID[8:]
}

// Accounts returns ids's identities of role, in order.
func Accounts(ids []Identity, role Role) []Identity {
	var out []Identity
	for _, id := range ids {
		if id.Role == role {
			out = append(out, id)
		}
	}
	return out
}
