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

// ResetPath answers POST by forgetting every list (Reset), as if the mock had just started: how a
// test suite isolates its tests from one another without restarting the mock. It answers {} and
// sends no webhook event.
const ResetPath = AdminPathPrefix + "reset"

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

// serveReset answers ResetPath.
func (m *Mock) serveReset(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != ResetPath {
		return false
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return true
	}
	m.Reset()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("{}\n"))
	return true
}
