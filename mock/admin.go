package mock

import (
	"encoding/json"
	"net/http"
)

// AdminPathPrefix starts every path of the mock's own API (beside the documented one): nothing
// under it is part of the Dashboard Favorite List API, and the conformance suites never call it.
const AdminPathPrefix = "/_favconform/"

// IdentityPath answers GET with Identity, without credentials: it is how the harness tells a
// favconform mock on loopback (which it may write to without --allow-writes) from a tunnel or a
// port-forward to a real API (which it may not).
const IdentityPath = AdminPathPrefix + "mock"

// Identity is the body IdentityPath answers.
type Identity struct {
	// FavconformMock is always true.
	FavconformMock bool `json:"favconformMock"`
	// Deviations are the deviation switches that are on.
	Deviations []string `json:"deviations"`
	// Readings are the readings that are on.
	Readings []string `json:"readings"`
}

// serveIdentity answers IdentityPath.
func (m *Mock) serveIdentity(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != IdentityPath {
		return false
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return true
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(Identity{FavconformMock: true, Deviations: m.dev.names(), Readings: m.read.names()})
	return true
}
