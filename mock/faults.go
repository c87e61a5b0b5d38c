package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

// Faults: rules that make the mock misbehave on purpose, as a real API may (a rate limit, a slow
// or failing server, a dropped connection, another tab writing first), so that an app developer
// can see their code handle it. None is ever on unless configured (Options.Faults, AddFault,
// POST FaultsPath, serve --fault), and none applies to the admin paths (AdminPathPrefix).

// FaultsPath answers GET with the fault rules, POST by adding rules and DELETE by removing them
// all; DELETE FaultsPath/{id} removes one.
const FaultsPath = AdminPathPrefix + "faults"

// FaultKind is what a fault rule does to the calls it applies to.
type FaultKind string

// The kinds of fault.
const (
	// FaultLatency holds the answer back Delay (plus a uniform draw in [0, Jitter]), then answers
	// normally.
	FaultLatency FaultKind = "latency"
	// FaultStatus answers Status in Wix's error shape without running the call (nothing
	// changes): a 4xx with an applicationError body (429: RESOURCE_EXHAUSTED), a 5xx with an empty
	// body (facts.md: Wix sends 5xx bodies empty). RetryAfter > 0 adds "Retry-After: N".
	FaultStatus FaultKind = "status"
	// FaultDrop closes the connection without an answer (the client sees EOF / a reset).
	FaultDrop FaultKind = "drop"
	// FaultConcurrentWriter writes the caller's list first, as another browser tab would: an
	// update through the mock's own update path (revision, updatedDate and the Updated webhook
	// event as for any update) that adds the favorite OtherTabPageID ("Added in another tab"; when
	// the list already holds 100 favorites, it saves them as they are). The call then runs
	// normally: an updateUserFavoriteList that sent the revision it read fails with the mock's
	// stale-revision conflict (409 ABORTED). With no list, it does nothing and is not counted.
	FaultConcurrentWriter FaultKind = "concurrent-writer"
)

// FaultKinds are the kinds, in the order the docs list them.
var FaultKinds = []FaultKind{FaultLatency, FaultStatus, FaultDrop, FaultConcurrentWriter}

// OtherTabPageID and OtherTabTitle are the favorite FaultConcurrentWriter's write adds.
const (
	OtherTabPageID = "favconform-other-tab"
	OtherTabTitle  = "Added in another tab"
)

// AnyOperation is the Operation of a rule that applies to every operation of the API.
const AnyOperation = "*"

// Fault is one fault rule. It applies to the calls of Operation (spec/openapi.yaml's operationId,
// or AnyOperation) by Role (any caller when empty; a call with an unknown token has no role), in
// the order rules were added: a call runs every matching latency and concurrent-writer rule up to
// the first matching status or drop rule, which answers it.
type Fault struct {
	// ID is given by the mock ("f1", "f2", ...); read-only.
	ID        string        `json:"id,omitempty"`
	Operation string        `json:"operation"`
	Role      identity.Role `json:"role,omitempty"`
	Kind      FaultKind     `json:"kind"`
	// Count applies the rule to the next Count matching calls, then never again (0: no limit).
	Count int `json:"count,omitempty"`
	// Probability, when set (0 < p <= 1), applies the rule to each matching call with that
	// probability, drawn from a generator seeded with Seed: the same seed gives the same sequence
	// of hits and misses (and of jitters). 0 means every call. With Count, Count bounds the hits.
	Probability float64 `json:"probability,omitempty"`
	Seed        int64   `json:"seed,omitempty"`
	// Delay and Jitter are latency's (JSON: a Go duration string such as "200ms", or a number of
	// milliseconds).
	Delay  Duration `json:"delay,omitempty"`
	Jitter Duration `json:"jitter,omitempty"`
	// Status (400-599) and RetryAfter (seconds, for the Retry-After header; 0: none) are status's.
	Status     int `json:"status,omitempty"`
	RetryAfter int `json:"retryAfter,omitempty"`
	// Hits is how many calls the rule has applied to; read-only.
	Hits int `json:"hits"`
}

// Duration is a time.Duration that JSON carries as a Go duration string ("1.5s"); a JSON number
// is read as milliseconds.
type Duration time.Duration

// MarshalJSON writes d as a duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a duration string or a number of milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as \"200ms\" or \"1.5s\"", s)
		}
		*d = Duration(v)
		return nil
	}
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return fmt.Errorf("%s is not a duration: send a string such as \"200ms\" or a number of milliseconds", b)
	}
	*d = Duration(ms * float64(time.Millisecond))
	return nil
}

// FaultError is a bad fault rule: Field names the field (for a list, "faults[1].status").
type FaultError struct {
	Field   string
	Message string
}

func (e *FaultError) Error() string { return e.Field + ": " + e.Message }

// operationIDs maps the mock's operations to spec/openapi.yaml's operationIds.
var operationIDs = map[operation]string{
	opGet:            "getUserFavoriteList",
	opCreate:         "createUserFavoriteList",
	opUpdate:         "updateUserFavoriteList",
	opDeleteList:     "deleteUserFavoriteList",
	opAdd:            "addUserFavorite",
	opDeleteFavorite: "deleteUserFavorite",
}

// FaultOperations are the operationIds a rule may name (beside AnyOperation).
func FaultOperations() []string {
	out := make([]string, 0, len(operationIDs))
	for op := opGet; op <= opDeleteFavorite; op++ {
		out = append(out, operationIDs[op])
	}
	return out
}

// Validate checks the rule's fields, without the mock (the role is checked by AddFault).
func (f Fault) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &FaultError{Field: field, Message: fmt.Sprintf(format, args...)}
	}
	ops := FaultOperations()
	switch {
	case f.Operation == "":
		return bad("operation", "is required: an operationId (%s) or %q", strings.Join(ops, ", "), AnyOperation)
	case f.Operation != AnyOperation && !slices.Contains(ops, f.Operation):
		return bad("operation", "unknown operationId %q (known: %s, or %q for all)", f.Operation, strings.Join(ops, ", "), AnyOperation)
	case !slices.Contains(FaultKinds, f.Kind):
		return bad("kind", "%q is not a kind (known: %s)", f.Kind, kindNames())
	case f.Count < 0:
		return bad("count", "%d is negative (0: no limit)", f.Count)
	case f.Probability < 0 || f.Probability > 1 || math.IsNaN(f.Probability):
		return bad("probability", "%v is not in (0, 1]", f.Probability)
	case f.Seed != 0 && f.Probability == 0:
		return bad("seed", "only goes with a probability")
	case f.Delay < 0:
		return bad("delay", "%s is negative", time.Duration(f.Delay))
	case f.Jitter < 0:
		return bad("jitter", "%s is negative", time.Duration(f.Jitter))
	case f.RetryAfter < 0:
		return bad("retryAfter", "%d is negative", f.RetryAfter)
	}
	if f.Kind != FaultLatency {
		if f.Delay != 0 {
			return bad("delay", "only goes with kind latency")
		}
		if f.Jitter != 0 {
			return bad("jitter", "only goes with kind latency")
		}
	}
	if f.Kind != FaultStatus {
		if f.Status != 0 {
			return bad("status", "only goes with kind status")
		}
		if f.RetryAfter != 0 {
			return bad("retryAfter", "only goes with kind status")
		}
	}
	switch f.Kind {
	case FaultLatency:
		if f.Delay == 0 && f.Jitter == 0 {
			return bad("delay", "is required for kind latency (e.g. \"200ms\")")
		}
	case FaultStatus:
		if f.Status < 400 || f.Status > 599 {
			return bad("status", "%d is not an error status (400-599)", f.Status)
		}
	}
	return nil
}

func kindNames() string {
	s := make([]string, len(FaultKinds))
	for i, k := range FaultKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// String is the rule in ParseFault's syntax (without its id and hits).
func (f Fault) String() string {
	var b strings.Builder
	b.WriteString(f.Operation + ":")
	switch f.Kind {
	case FaultLatency:
		fmt.Fprintf(&b, "latency=%s", time.Duration(f.Delay))
		if f.Jitter != 0 {
			fmt.Fprintf(&b, ",jitter=%s", time.Duration(f.Jitter))
		}
	case FaultStatus:
		fmt.Fprintf(&b, "status=%d", f.Status)
		if f.RetryAfter != 0 {
			fmt.Fprintf(&b, ",retryAfter=%d", f.RetryAfter)
		}
	default:
		b.WriteString(string(f.Kind))
	}
	if f.Role != "" {
		fmt.Fprintf(&b, ",role=%s", f.Role)
	}
	if f.Count != 0 {
		fmt.Fprintf(&b, ",count=%d", f.Count)
	}
	if f.Probability != 0 {
		fmt.Fprintf(&b, ",p=%s,seed=%d", strconv.FormatFloat(f.Probability, 'g', -1, 64), f.Seed)
	}
	return b.String()
}

// ParseFault reads a rule in serve --fault's compact syntax: OPERATION:ITEM,ITEM,... where
// OPERATION is an operationId or "*", one item names the kind — latency=DURATION, status=CODE,
// drop, concurrent-writer — and the others are KEY=VALUE: jitter=DURATION, retryAfter=SECONDS,
// count=N, p=PROBABILITY (or probability=), seed=N, role=ROLE. For example
// "addUserFavorite:status=429,retryAfter=2,count=1", "*:latency=200ms,jitter=50ms",
// "updateUserFavoriteList:concurrent-writer,count=1", "getUserFavoriteList:drop,p=0.5,seed=7".
func ParseFault(spec string) (Fault, error) {
	var f Fault
	op, items, found := strings.Cut(strings.TrimSpace(spec), ":")
	if !found {
		return f, fmt.Errorf("fault %q: want OPERATION:KIND[,KEY=VALUE...], e.g. addUserFavorite:status=429,retryAfter=2,count=1", spec)
	}
	f.Operation = strings.TrimSpace(op)
	bad := func(key, format string, args ...any) (Fault, error) {
		return Fault{}, fmt.Errorf("fault %q: %s: %s", spec, key, fmt.Sprintf(format, args...))
	}
	seen := map[string]bool{}
	for _, item := range strings.Split(items, ",") {
		key, val, hasVal := strings.Cut(strings.TrimSpace(item), "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if key == "" {
			return bad("kind", "an empty item: want one of latency=DURATION, status=CODE, drop, concurrent-writer")
		}
		canon := key
		if key == "probability" {
			canon = "p"
		}
		if seen[canon] {
			return bad(key, "given twice")
		}
		seen[canon] = true
		isKind := key == string(FaultLatency) || key == string(FaultStatus) || key == string(FaultDrop) || key == string(FaultConcurrentWriter)
		if isKind {
			if f.Kind != "" {
				return bad(key, "a second kind (the rule is already %s): give one kind per rule", f.Kind)
			}
			f.Kind = FaultKind(key)
		}
		needVal := key != string(FaultDrop) && key != string(FaultConcurrentWriter)
		switch {
		case needVal && !hasVal:
			return bad(key, "wants a value (%s=...)", key)
		case !needVal && hasVal:
			return bad(key, "takes no value")
		}
		var err error
		switch key {
		case string(FaultLatency):
			f.Delay, err = parseDuration(val)
		case "jitter":
			f.Jitter, err = parseDuration(val)
		case string(FaultStatus):
			f.Status, err = strconv.Atoi(val)
		case "retryAfter":
			f.RetryAfter, err = strconv.Atoi(val)
		case "count":
			f.Count, err = strconv.Atoi(val)
		case "p", "probability":
			if f.Probability, err = strconv.ParseFloat(val, 64); err == nil && f.Probability == 0 {
				return bad(key, "0 is not in (0, 1] (leave p out for every call)")
			}
		case "seed":
			f.Seed, err = strconv.ParseInt(val, 10, 64)
		case "role":
			f.Role = identity.Role(val)
		case string(FaultDrop), string(FaultConcurrentWriter):
		default:
			return bad(key, "unknown key (known: latency, status, drop, concurrent-writer, jitter, retryAfter, count, p, seed, role)")
		}
		if err != nil {
			return bad(key, "%q is not a valid value", val)
		}
	}
	if f.Kind == "" {
		return bad("kind", "missing: give one of latency=DURATION, status=CODE, drop, concurrent-writer")
	}
	if err := f.Validate(); err != nil {
		var fe *FaultError
		if errors.As(err, &fe) {
			key := map[string]string{"delay": "latency", "probability": "p"}[fe.Field]
			if key == "" {
				key = fe.Field
			}
			return bad(key, "%s", fe.Message)
		}
		return Fault{}, fmt.Errorf("fault %q: %w", spec, err)
	}
	return f, nil
}

func parseDuration(s string) (Duration, error) {
	d, err := time.ParseDuration(s)
	return Duration(d), err
}

// faultRule is a rule with its generator.
type faultRule struct {
	f   Fault
	rng *rand.Rand
}

// faultSet is a Mock's rules. n is len(rules), read without the lock on every call.
type faultSet struct {
	mu    sync.Mutex
	rules []*faultRule
	next  int
	n     atomic.Int32
}

// AddFault adds a rule and returns its id. A bad rule is a *FaultError naming the field.
func (m *Mock) AddFault(f Fault) (string, error) {
	ids, err := m.addFaults([]Fault{f}, func(int) string { return "" })
	if err != nil {
		return "", err
	}
	return ids[0].ID, nil
}

// addFaults adds every rule or, when one is bad, none; prefix(i) heads the field of a bad rule i.
func (m *Mock) addFaults(fs []Fault, prefix func(i int) string) ([]Fault, error) {
	for i, f := range fs {
		err := f.Validate()
		if err == nil && f.Role != "" && !slices.Contains(m.roleNames(), string(f.Role)) {
			err = &FaultError{Field: "role", Message: fmt.Sprintf("unknown role %q (known: %s)", f.Role, strings.Join(m.roleNames(), ", "))}
		}
		if err != nil {
			var fe *FaultError
			if errors.As(err, &fe) {
				return nil, &FaultError{Field: prefix(i) + fe.Field, Message: fe.Message}
			}
			return nil, err
		}
	}
	s := &m.faults
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, len(fs))
	for i, f := range fs {
		s.next++
		f.ID, f.Hits = "f"+strconv.Itoa(s.next), 0
		s.rules = append(s.rules, &faultRule{f: f, rng: rand.New(rand.NewPCG(uint64(f.Seed), 0x66617663))})
		out[i] = f
	}
	s.n.Store(int32(len(s.rules)))
	return out, nil
}

// Faults returns the rules, in the order they apply, with their hits.
func (m *Mock) Faults() []Fault {
	s := &m.faults
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, len(s.rules))
	for i, r := range s.rules {
		out[i] = r.f
	}
	return out
}

// ClearFaults removes every rule.
func (m *Mock) ClearFaults() {
	s := &m.faults
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = nil
	s.n.Store(0)
}

// RemoveFault removes the rule with id, and reports whether there was one.
func (m *Mock) RemoveFault(id string) bool {
	s := &m.faults
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.rules, func(r *faultRule) bool { return r.f.ID == id })
	if i < 0 {
		return false
	}
	s.rules = slices.Delete(s.rules, i, i+1)
	s.n.Store(int32(len(s.rules)))
	return true
}

// faultHit is one rule applying to a call.
type faultHit struct {
	f     Fault
	delay time.Duration
}

// match picks the rules that apply to a call of op by role, counting their hits. hasList says
// whether the caller has a list (concurrent-writer needs one).
func (s *faultSet) match(op string, role identity.Role, hasList func() bool) []faultHit {
	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []faultHit
	for _, r := range s.rules {
		f := &r.f
		if f.Operation != AnyOperation && f.Operation != op || f.Role != "" && f.Role != role || f.Count > 0 && f.Hits >= f.Count {
			continue
		}
		if f.Kind == FaultConcurrentWriter && !hasList() {
			continue
		}
		if f.Probability > 0 && r.rng.Float64() >= f.Probability {
			continue
		}
		h := faultHit{f: *f, delay: time.Duration(f.Delay)}
		if f.Jitter > 0 {
			h.delay += time.Duration(r.rng.Int64N(int64(f.Jitter) + 1))
		}
		f.Hits++
		h.f.Hits = f.Hits
		hits = append(hits, h)
		if f.Kind == FaultStatus || f.Kind == FaultDrop {
			break
		}
	}
	return hits
}

// faultWriterKey carries the ResponseWriter ServeHTTP got in the request's context, for drop.
type faultWriterKey struct{}

// withFaultWriter puts w in r's context when rules are set (drop hijacks its connection).
func (m *Mock) withFaultWriter(w http.ResponseWriter, r *http.Request) *http.Request {
	if m.faults.n.Load() == 0 || strings.HasPrefix(r.URL.Path, AdminPathPrefix) {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), faultWriterKey{}, w))
}

// fault applies the rules to an API call: it sleeps (latency), writes first (concurrent-writer),
// and answers for the call (status: the reply, true) or drops it (drop: it does not return).
func (m *Mock) fault(r *http.Request) (reply, bool) {
	if m.faults.n.Load() == 0 || strings.HasPrefix(r.URL.Path, AdminPathPrefix) {
		return reply{}, false
	}
	rt, refused := m.route(r.Method, r.URL.Path)
	if refused != nil {
		return reply{}, false // not a call of the API: no operation to match
	}
	caller, known := m.tokens[bearerToken(r)]
	hasList := func() bool {
		if !known {
			return false
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.current(m.ownerKey(caller.WixUserID)) != nil
	}
	for _, h := range m.faults.match(operationIDs[rt.op], caller.Role, hasList) {
		switch h.f.Kind {
		case FaultLatency:
			t := time.NewTimer(h.delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
			}
		case FaultConcurrentWriter:
			m.otherTabWrite(caller)
		case FaultStatus:
			return faultReply(h.f), true
		case FaultDrop:
			dropConnection(r)
		}
	}
	return reply{}, false
}

// faultReply is a status rule's answer.
func faultReply(f Fault) reply {
	var res reply
	if f.Status >= 500 {
		res = reply{status: f.Status} // facts.md: 5xx bodies are empty by design
	} else {
		code := map[int]string{
			http.StatusBadRequest: "INVALID_ARGUMENT", http.StatusUnauthorized: api.CodeUnauthenticated,
			http.StatusForbidden: api.CodePermissionDenied, http.StatusNotFound: api.CodeNotFound,
			http.StatusConflict: api.CodeAborted, http.StatusPreconditionRequired: "FAILED_PRECONDITION",
			http.StatusTooManyRequests: api.CodeResourceExhausted,
		}[f.Status]
		if code == "" {
			code = "UNKNOWN"
		}
		desc := fmt.Sprintf("%s (a fault injected by favconform, rule %s)", http.StatusText(f.Status), f.ID)
		if f.RetryAfter > 0 {
			desc = fmt.Sprintf("%s: retry after %d seconds (a fault injected by favconform, rule %s)", http.StatusText(f.Status), f.RetryAfter, f.ID)
		}
		res = appError(f.Status, code, desc, map[string]any{"favconformFault": f.ID})
	}
	if f.RetryAfter > 0 {
		res.header = http.Header{"Retry-After": {strconv.Itoa(f.RetryAfter)}}
	}
	return res
}

// dropConnection closes the call's connection without an answer: it hijacks it when it can, and
// aborts the handler either way (http.ErrAbortHandler, which ServeHTTP lets through: net/http
// then closes a connection it still holds, writing nothing).
func dropConnection(r *http.Request) {
	if w, ok := r.Context().Value(faultWriterKey{}).(http.ResponseWriter); ok {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
	}
	panic(http.ErrAbortHandler)
}

// otherTabWrite updates the caller's list as another tab would (FaultConcurrentWriter), through
// the update path, with its webhook event and Change.
func (m *Mock) otherTabWrite(caller identity.Identity) {
	m.mu.Lock()
	rec := m.current(m.ownerKey(caller.WixUserID))
	if rec == nil {
		m.mu.Unlock()
		return
	}
	l, emptyURL := copyList(rec.list), rec.emptyURL
	favs := make([]map[string]any, 0, len(l.Favorites)+1)
	for _, f := range l.Favorites {
		out := map[string]any{"id": f.ID, "pageId": f.PageID, "title": f.Title}
		if f.RelativeURL != "" || emptyURL[f.ID] {
			out["relativeUrl"] = f.RelativeURL
		}
		favs = append(favs, out)
	}
	m.mu.Unlock()
	if len(favs) < maxFavorites {
		favs = append(favs, map[string]any{"pageId": OtherTabPageID, "title": OtherTabTitle})
	}
	body, err := json.Marshal(map[string]any{"favoriteList": map[string]any{
		"id": l.ID, "revision": strconv.FormatInt(int64(l.Revision), 10), "favorites": favs}})
	if err != nil {
		return
	}
	req, err := http.NewRequest(http.MethodPatch, api.ListPath+"/"+l.ID, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	res := m.update(caller, req, l.ID) // a write between the copy and here makes it a conflict: nothing then
	m.webhookEvents(opUpdate, caller, res)
	if m.onChange != nil {
		for _, c := range res.changes {
			m.onChange(c)
		}
	}
}
