package mock

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/favconform/favconform/identity"
)

// AdminPathPrefix starts every path of the mock's own API (beside the documented one): nothing
// under it is part of the Dashboard Favorite List API, and the conformance suites never call it.
// spec/admin.yaml documents it.
const AdminPathPrefix = "/_favconform/"

// IdentityPath answers GET with Identity, without credentials: it is how the harness tells a
// favconform mock on loopback (which it may write to without --allow-writes) from a tunnel or a
// port-forward to a real API (which it may not).
const IdentityPath = AdminPathPrefix + "mock"

// ResetPath answers POST by forgetting every list (Reset), as if the mock had just started: how a
// test suite isolates its tests from one another without restarting the mock. It answers {} and
// sends no webhook event. ?role=R forgets only the lists of that role's accounts (ResetRole),
// ?token=T only the list of that identity (ResetToken).
const ResetPath = AdminPathPrefix + "reset"

// StatePath answers GET with every list (State) and PUT by replacing every list (SetState).
const StatePath = AdminPathPrefix + "state"

// RequestsPath answers GET with the journal of the last API calls (Requests) and DELETE by
// clearing it.
const RequestsPath = AdminPathPrefix + "requests"

// AdminTokenHeader carries Options.AdminToken, as an alternative to "Authorization: Bearer T".
const AdminTokenHeader = "X-Favconform-Admin-Token"

// Identity is the body IdentityPath answers.
type Identity struct {
	// FavconformMock is always true.
	FavconformMock bool `json:"favconformMock"`
	// Deviations are the deviation switches that are on.
	Deviations []string `json:"deviations"`
	// Readings are the readings that are on.
	Readings []string `json:"readings"`
}

// AdminError is the body of an admin call's refusal: {"message": "..."}.
type AdminError struct {
	Message string `json:"message"`
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

// serveAdmin answers the admin paths that change or reveal state (reset, state, requests, faults): they
// need Options.AdminToken when one is set. Other paths are left to the API (false).
func (m *Mock) serveAdmin(w http.ResponseWriter, r *http.Request) bool {
	var allow []string
	switch r.URL.Path {
	case ResetPath:
		allow = []string{http.MethodPost}
	case StatePath:
		allow = []string{http.MethodGet, http.MethodPut}
	case RequestsPath:
		allow = []string{http.MethodGet, http.MethodDelete}
	case FaultsPath:
		allow = []string{http.MethodGet, http.MethodPost, http.MethodDelete}
	default:
		if !strings.HasPrefix(r.URL.Path, FaultsPath+"/") || !isSegment(r.URL.Path[len(FaultsPath)+1:]) {
			return false
		}
		allow = []string{http.MethodDelete} // FaultsPath/{id}
	}
	if !m.adminAuthorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="favconform admin"`)
		adminReply(w, http.StatusUnauthorized, AdminError{Message: "admin calls need the admin token (serve --admin-token): send it as \"Authorization: Bearer TOKEN\" or as the header " + AdminTokenHeader})
		return true
	}
	if !slices.Contains(allow, r.Method) {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		adminReply(w, http.StatusMethodNotAllowed, AdminError{Message: fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, strings.Join(allow, ", "))})
		return true
	}
	switch r.URL.Path {
	case ResetPath:
		m.serveReset(w, r)
	case StatePath:
		m.serveState(w, r)
	case RequestsPath:
		m.serveRequests(w, r)
	default:
		m.serveFaults(w, r) // FaultsPath and FaultsPath/{id}
	}
	return true
}

// adminAuthorized reports whether r may make an admin call: always when Options.AdminToken is
// empty, else when it carries the token.
func (m *Mock) adminAuthorized(r *http.Request) bool {
	if m.adminToken == "" {
		return true
	}
	sent := strings.TrimSpace(r.Header.Get(AdminTokenHeader))
	if sent == "" {
		sent = bearerToken(r) // "Bearer T", or T alone as the API takes its tokens
	}
	return sent != "" && subtle.ConstantTimeCompare([]byte(sent), []byte(m.adminToken)) == 1
}

// adminReply writes body as JSON with status.
func adminReply(w http.ResponseWriter, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"encoding the answer failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// FaultList is the body GET FaultsPath answers, and POST FaultsPath takes and answers.
type FaultList struct {
	Faults []Fault `json:"faults"`
}

// serveFaults answers FaultsPath — GET the rules, POST to add one (the body a rule) or several
// ({"faults": [...]}, all or none), DELETE to remove them all — and DELETE FaultsPath/{id}.
func (m *Mock) serveFaults(w http.ResponseWriter, r *http.Request) {
	if id, one := strings.CutPrefix(r.URL.Path, FaultsPath+"/"); one {
		if !m.RemoveFault(id) {
			adminReply(w, http.StatusNotFound, AdminError{Message: fmt.Sprintf("no fault rule %q (GET %s lists them)", id, FaultsPath)})
			return
		}
		adminReply(w, http.StatusOK, struct{}{})
		return
	}
	switch r.Method {
	case http.MethodGet:
		adminReply(w, http.StatusOK, FaultList{Faults: m.Faults()})
	case http.MethodDelete:
		m.ClearFaults()
		adminReply(w, http.StatusOK, struct{}{})
	case http.MethodPost:
		rules, many, err := m.decodeFaults(r)
		if err == nil {
			rules, err = m.addFaults(rules, func(i int) string {
				if !many {
					return ""
				}
				return fmt.Sprintf("faults[%d].", i)
			})
		}
		if err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, errBodyTooLarge) {
				status = http.StatusRequestEntityTooLarge
			}
			adminReply(w, status, AdminError{Message: err.Error()})
			return
		}
		adminReply(w, http.StatusOK, FaultList{Faults: rules})
	}
}

var errBodyTooLarge = errors.New("the body is too large")

// decodeFaults reads POST FaultsPath's body: one rule, or {"faults": [...]} (many). Unknown
// fields are refused, naming them.
func (m *Mock) decodeFaults(r *http.Request) (rules []Fault, many bool, err error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, m.maxBody+1))
	if err != nil {
		return nil, false, fmt.Errorf("reading the body: %v", err)
	}
	if int64(len(b)) > m.maxBody {
		return nil, false, fmt.Errorf("%w: over %d bytes", errBodyTooLarge, m.maxBody)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, false, fmt.Errorf("body: want a fault rule or {\"faults\": [...]} as a JSON object: %v", err)
	}
	if _, many := probe["faults"]; !many {
		f, err := decodeFault(b, probe, "")
		if err != nil {
			return nil, false, err
		}
		return []Fault{f}, false, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(probe["faults"], &raws); err != nil {
		return nil, true, fmt.Errorf("faults: want an array of rules: %v", err)
	}
	for k := range probe {
		if k != "faults" {
			return nil, true, fmt.Errorf("%s: unknown field beside \"faults\"", k)
		}
	}
	if len(raws) == 0 {
		return nil, true, fmt.Errorf("faults: is empty: send at least one rule")
	}
	for i, raw := range raws {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, true, fmt.Errorf("faults[%d]: want a JSON object: %v", i, err)
		}
		f, err := decodeFault(raw, obj, fmt.Sprintf("faults[%d].", i))
		if err != nil {
			return nil, true, err
		}
		rules = append(rules, f)
	}
	return rules, true, nil
}

// decodeFault decodes one rule (b, whose fields are obj); errors name the field, after prefix.
func decodeFault(b []byte, obj map[string]json.RawMessage, prefix string) (Fault, error) {
	for _, k := range []string{"delay", "jitter"} {
		if v, ok := obj[k]; ok {
			var d Duration
			if err := d.UnmarshalJSON(v); err != nil {
				return Fault{}, fmt.Errorf("%s%s: %v", prefix, k, err)
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f Fault
	if err := dec.Decode(&f); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Fault{}, fmt.Errorf("%s%s: want a JSON %s, got %s", prefix, te.Field, te.Type, te.Value)
		}
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return Fault{}, fmt.Errorf("%s%s: unknown field", prefix, strings.Trim(field, `"`))
		}
		return Fault{}, fmt.Errorf("%sbody: %v", prefix, err)
	}
	return f, nil
}

// serveReset answers POST ResetPath: everything, ?role=R or ?token=T.
func (m *Mock) serveReset(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	role, byRole := q["role"]
	token, byToken := q["token"]
	var err error
	switch {
	case byRole && byToken:
		err = fmt.Errorf("send role or token, not both")
	case byRole && len(role) != 1, byToken && len(token) != 1:
		err = fmt.Errorf("send one role or one token")
	case byRole:
		err = m.ResetRole(identity.Role(role[0]))
	case byToken:
		err = m.ResetToken(token[0])
	default:
		m.Reset()
	}
	if err != nil {
		adminReply(w, http.StatusBadRequest, AdminError{Message: err.Error()})
		return
	}
	adminReply(w, http.StatusOK, struct{}{})
}

// ResetRole deletes the lists of every account of role (an app's list is the one of the user it
// acts for, which the reset therefore deletes too). An unknown role, one no identity has, is an
// error naming the known ones. It reports no Change.
func (m *Mock) ResetRole(role identity.Role) error {
	accounts := identity.Accounts(m.ids, role)
	if len(accounts) == 0 {
		return fmt.Errorf("unknown role %q (known: %s)", role, strings.Join(m.roleNames(), ", "))
	}
	m.resetOwners(accounts)
	return nil
}

// ResetToken deletes the list of the identity whose token is token (for an app, the list of the
// user it acts for). An unknown token is an error naming the known roles (not the tokens). It
// reports no Change.
func (m *Mock) ResetToken(token string) error {
	id, ok := m.tokens[token]
	if !ok {
		return fmt.Errorf("unknown token (known: the tokens of the roles %s, as serve's output lists them)", strings.Join(m.roleNames(), ", "))
	}
	m.resetOwners([]identity.Identity{id})
	return nil
}

func (m *Mock) resetOwners(ids []identity.Identity) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range ids {
		delete(m.lists, m.ownerKey(id.WixUserID))
	}
}

// roleNames are the roles of the mock's identities, in their order, once each.
func (m *Mock) roleNames() []string {
	var out []string
	for _, id := range m.ids {
		if !slices.Contains(out, string(id.Role)) {
			out = append(out, string(id.Role))
		}
	}
	return out
}
