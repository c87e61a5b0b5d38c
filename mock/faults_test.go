package mock

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

func (e *env) addFault(f Fault) string {
	e.t.Helper()
	id, err := e.m.AddFault(f)
	if err != nil {
		e.t.Fatalf("AddFault(%v): %v", f, err)
	}
	return id
}

func TestFaultsOffUnlessConfigured(t *testing.T) {
	e := newEnv(t)
	if fs := e.m.Faults(); len(fs) != 0 {
		t.Fatalf("a new mock has faults: %v", fs)
	}
	e.create(identity.User, sampleFav(1))
	if r := e.do(identity.User, http.MethodGet, listPath, nil); r.status != http.StatusOK {
		t.Fatalf("GET: %d", r.status)
	}
}

func TestFaultStatus429(t *testing.T) {
	e := newEnv(t)
	e.create(identity.User, sampleFav(1))
	e.takeChanges()
	id := e.addFault(Fault{Operation: "addUserFavorite", Kind: FaultStatus, Status: 429, RetryAfter: 2, Count: 1})
	before := e.snapshot()
	r := e.do(identity.User, http.MethodPost, addPath, addBody(sampleFav(2)))
	body := wantAppError(t, r, http.StatusTooManyRequests, api.CodeResourceExhausted)
	if got := r.header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2", got)
	}
	if r.header.Get(RequestIDHeader) == "" {
		t.Errorf("no %s on a fault's answer", RequestIDHeader)
	}
	if !strings.Contains(body.Message, id) {
		t.Errorf("message %q does not name the rule %s", body.Message, id)
	}
	e.mustBeUnchanged(before)
	if c := e.takeChanges(); len(c) != 0 {
		t.Errorf("a faulted call reported %d changes", len(c))
	}
	// count=1: the next call goes through.
	if r := e.do(identity.User, http.MethodPost, addPath, addBody(sampleFav(2))); r.status != http.StatusOK {
		t.Fatalf("the call after the one fault: %d %s", r.status, r.body)
	}
	if fs := e.m.Faults(); len(fs) != 1 || fs[0].Hits != 1 || fs[0].ID != id {
		t.Fatalf("Faults() = %+v, want one rule with 1 hit", fs)
	}
	// The journal shows the faulted call.
	reqs := e.m.Requests()
	if len(reqs) < 2 || reqs[len(reqs)-2].Status != http.StatusTooManyRequests || reqs[len(reqs)-2].OperationID != "addUserFavorite" {
		t.Errorf("journal: %+v", reqs)
	}
}

func TestFaultStatus5xxEmptyBody(t *testing.T) {
	for _, status := range []int{500, 503} {
		e := newEnv(t)
		e.create(identity.User, sampleFav(1))
		e.takeChanges()
		e.addFault(Fault{Operation: AnyOperation, Kind: FaultStatus, Status: status, RetryAfter: 5})
		before := e.snapshot()
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, listPath, nil},
			{http.MethodPost, addPath, addBody(sampleFav(3))},
			{http.MethodDelete, listIDPath(before[e.ident(identity.User).WixUserID].ID), nil},
		} {
			r := e.do(identity.User, c.method, c.path, c.body)
			if r.status != status || len(r.body) != 0 || r.header.Get("Content-Type") != "" {
				t.Fatalf("%s %s: %d %q (Content-Type %q), want %d with an empty body", c.method, c.path, r.status, r.body, r.header.Get("Content-Type"), status)
			}
			if r.header.Get("Retry-After") != "5" {
				t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
			}
		}
		e.mustBeUnchanged(before)
		if c := e.takeChanges(); len(c) != 0 {
			t.Errorf("%d: a faulted call reported %d changes", status, len(c))
		}
		// Never on admin paths.
		if r := e.do("", http.MethodGet, StatePath, nil); r.status != http.StatusOK {
			t.Fatalf("GET state under a * fault: %d", r.status)
		}
		// An unrouted path is not an operation: no fault.
		if r := e.do(identity.User, http.MethodGet, "/nope", nil); r.status != http.StatusNotFound {
			t.Fatalf("GET /nope: %d", r.status)
		}
	}
}

func TestFaultLatency(t *testing.T) {
	e := newEnv(t)
	e.create(identity.User, sampleFav(1))
	const delay = 60 * time.Millisecond
	e.addFault(Fault{Operation: "getUserFavoriteList", Kind: FaultLatency, Delay: Duration(delay), Jitter: Duration(10 * time.Millisecond)})
	start := time.Now()
	r := e.do(identity.User, http.MethodGet, listPath, nil)
	if took := time.Since(start); took < delay {
		t.Errorf("the answer came after %s, want at least %s", took, delay)
	}
	if l := r.list(t); len(l.Favorites) != 1 {
		t.Fatalf("the delayed answer: %s", r.body)
	}
	// Another operation is not delayed (no upper-bound timing: only that it answers normally).
	if r := e.do(identity.User, http.MethodPost, addPath, addBody(sampleFav(2))); r.status != http.StatusOK {
		t.Fatalf("add: %d", r.status)
	}
	if fs := e.m.Faults(); fs[0].Hits != 1 {
		t.Errorf("hits %d, want 1", fs[0].Hits)
	}
}

func TestFaultDrop(t *testing.T) {
	e := newEnv(t)
	e.create(identity.User, sampleFav(1))
	e.addFault(Fault{Operation: "getUserFavoriteList", Kind: FaultDrop, Count: 1})
	srv := httptest.NewServer(e.m)
	defer srv.Close()
	get := func() (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+listPath, nil)
		req.Header.Set("Authorization", e.token(identity.User))
		return srv.Client().Do(req)
	}
	res, err := get()
	if err == nil {
		res.Body.Close()
		t.Fatalf("a dropped call answered %d", res.StatusCode)
	}
	if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
		t.Errorf("the client's error %v, want EOF", err)
	}
	res, err = get()
	if err != nil {
		t.Fatalf("the call after the one drop: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the call after the one drop: %d", res.StatusCode)
	}
	// The journal holds the dropped call, without an answer, its request validated.
	if j := e.m.Requests(); len(j) < 2 || j[len(j)-2].Status != 0 || j[len(j)-2].OperationID != "getUserFavoriteList" || len(j[len(j)-2].Violations) != 0 || j[len(j)-1].Status != http.StatusOK {
		t.Errorf("the journal after a drop and a call: %+v", j)
	}

	// A ResponseWriter that cannot hijack: the handler aborts with http.ErrAbortHandler (which
	// ServeHTTP's recover lets through instead of answering 500).
	e.addFault(Fault{Operation: "getUserFavoriteList", Kind: FaultDrop, Count: 1})
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", p)
			}
		}()
		e.do(identity.User, http.MethodGet, listPath, nil)
		t.Error("a drop returned")
	}()
}

func TestFaultConcurrentWriter(t *testing.T) {
	e := newEnvWith(t, Options{Webhooks: &WebhookOptions{}})
	// No list: nothing to write over, and the rule is not spent.
	e.addFault(Fault{Operation: "updateUserFavoriteList", Kind: FaultConcurrentWriter, Count: 1})
	if r := e.do(identity.User, http.MethodPatch, listIDPath("c0c0c0c0-0000-4000-8000-000000000000"), updateBody("1", nil)); r.status != http.StatusNotFound {
		t.Fatalf("PATCH with no list: %d", r.status)
	}
	if fs := e.m.Faults(); fs[0].Hits != 0 {
		t.Fatalf("a concurrent-writer with no list counted a hit")
	}
	read := e.create(identity.User, sampleFav(1))
	e.takeChanges()
	r := e.do(identity.User, http.MethodPatch, listIDPath(read.ID), updateBody(strconv.FormatInt(int64(read.Revision), 10), favs(sampleFav(1), sampleFav(2))))
	wantAppError(t, r, http.StatusConflict, api.CodeAborted)
	now, _ := e.m.List(e.ident(identity.User).WixUserID)
	if now.Revision != read.Revision+1 || now.UpdatedDate <= read.UpdatedDate {
		t.Errorf("after the other tab's write: revision %d (read %d), updatedDate %s (read %s)", now.Revision, read.Revision, now.UpdatedDate, read.UpdatedDate)
	}
	if got := pageIDs(now); !slices.Equal(got, []string{"page-1", OtherTabPageID}) {
		t.Errorf("the list shows %v, want the other tab's favorite added", got)
	}
	if now.Favorites[0].ID != read.Favorites[0].ID {
		t.Error("the other tab's write changed a favorite's id")
	}
	c := e.takeChanges()
	if len(c) != 1 || c[0].Kind != Updated || c[0].List.Revision != now.Revision {
		t.Fatalf("changes %+v, want one Updated of the other tab's write", c)
	}
	// The app re-reads and retries: it goes through (count=1).
	r = e.do(identity.User, http.MethodPatch, listIDPath(now.ID), updateBody(strconv.FormatInt(int64(now.Revision), 10), favs(sampleFav(1), sampleFav(2))))
	if l := r.list(t); l.Revision != now.Revision+1 {
		t.Fatalf("the retry: revision %d", l.Revision)
	}
}

// hitPattern runs n GETs against a mock with rule and says which were faulted.
func hitPattern(t *testing.T, rule Fault, n int) []bool {
	e := newEnv(t)
	e.create(identity.User, sampleFav(1))
	e.addFault(rule)
	out := make([]bool, n)
	for i := range out {
		r := e.do(identity.User, http.MethodGet, listPath, nil)
		out[i] = r.status == rule.Status
	}
	return out
}

func TestFaultProbabilityReproducible(t *testing.T) {
	rule := Fault{Operation: "getUserFavoriteList", Kind: FaultStatus, Status: 503, Probability: 0.5, Seed: 7}
	a, b := hitPattern(t, rule, 64), hitPattern(t, rule, 64)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("the same seed gave two sequences:\n%v\n%v", a, b)
	}
	hits := 0
	for _, h := range a {
		if h {
			hits++
		}
	}
	if hits < 10 || hits > 54 {
		t.Fatalf("p=0.5 hit %d of 64 calls", hits)
	}
	rule.Seed = 8
	if c := hitPattern(t, rule, 64); reflect.DeepEqual(a, c) {
		t.Error("seeds 7 and 8 gave the same 64 draws")
	}
	// count bounds the hits of a probability.
	rule.Count = 3
	hits = 0
	for _, h := range hitPattern(t, rule, 64) {
		if h {
			hits++
		}
	}
	if hits != 3 {
		t.Fatalf("count=3 p=0.5: %d hits", hits)
	}
	// count alone: exactly the next N calls.
	if got := hitPattern(t, Fault{Operation: AnyOperation, Kind: FaultStatus, Status: 500, Count: 2}, 4); !slices.Equal(got, []bool{true, true, false, false}) {
		t.Fatalf("count=2: %v", got)
	}
}

func TestFaultRoleScopingAndOrder(t *testing.T) {
	e := newEnv(t)
	e.create(identity.User, sampleFav(1))
	e.create(identity.SecondUser, sampleFav(1))
	e.addFault(Fault{Operation: AnyOperation, Role: identity.SecondUser, Kind: FaultStatus, Status: 429})
	if r := e.do(identity.User, http.MethodGet, listPath, nil); r.status != http.StatusOK {
		t.Fatalf("user under a second-user fault: %d", r.status)
	}
	if r := e.do(identity.SecondUser, http.MethodGet, listPath, nil); r.status != http.StatusTooManyRequests {
		t.Fatalf("second-user: %d", r.status)
	}
	// An unknown token has no role: only role-less rules match it.
	if r := e.doToken("not-a-token", http.MethodGet, listPath, nil); r.status != http.StatusUnauthorized {
		t.Fatalf("unknown token: %d", r.status)
	}
	if _, err := e.m.AddFault(Fault{Operation: AnyOperation, Role: "nobody", Kind: FaultDrop}); err == nil || !strings.HasPrefix(err.Error(), "role: ") {
		t.Fatalf("role nobody: %v", err)
	}
	// The first status rule answers; the ones after it are not reached (no hit counted).
	e.m.ClearFaults()
	e.addFault(Fault{Operation: AnyOperation, Kind: FaultStatus, Status: 500})
	e.addFault(Fault{Operation: AnyOperation, Kind: FaultStatus, Status: 429})
	if r := e.do(identity.User, http.MethodGet, listPath, nil); r.status != 500 {
		t.Fatalf("two status rules: %d, want the first's", r.status)
	}
	if fs := e.m.Faults(); fs[0].Hits != 1 || fs[1].Hits != 0 {
		t.Fatalf("hits %d %d", fs[0].Hits, fs[1].Hits)
	}
	if !e.m.RemoveFault(e.m.Faults()[0].ID) || e.m.RemoveFault("f999") {
		t.Fatal("RemoveFault")
	}
	if r := e.do(identity.User, http.MethodGet, listPath, nil); r.status != 429 {
		t.Fatalf("after removing the first rule: %d", r.status)
	}
}

func TestFaultOptions(t *testing.T) {
	if _, err := New(Options{Faults: []Fault{{Operation: "getUserFavoriteList", Kind: FaultStatus, Status: 200}}}); err == nil ||
		!strings.Contains(err.Error(), "Faults[0].status") {
		t.Fatalf("New with a bad fault: %v", err)
	}
	e := newEnvWith(t, Options{Faults: []Fault{{Operation: "getUserFavoriteList", Kind: FaultStatus, Status: 503}}})
	if r := e.do(identity.User, http.MethodGet, listPath, nil); r.status != 503 {
		t.Fatalf("Options.Faults: %d", r.status)
	}
}

func TestFaultAdminAPI(t *testing.T) {
	e := newEnv(t)
	e.create(identity.User, sampleFav(1))
	decode := func(r resp) FaultList {
		t.Helper()
		var l FaultList
		if r.status != http.StatusOK {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if err := json.Unmarshal(r.body, &l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	one := decode(e.do("", http.MethodPost, FaultsPath, `{"operation":"addUserFavorite","kind":"status","status":429,"retryAfter":2,"count":1}`))
	if len(one.Faults) != 1 || one.Faults[0].ID != "f1" || one.Faults[0].Status != 429 {
		t.Fatalf("POST one: %+v", one)
	}
	many := decode(e.do("", http.MethodPost, FaultsPath, `{"faults":[{"operation":"*","kind":"latency","delay":"1ms","jitter":2},{"operation":"getUserFavoriteList","kind":"drop","probability":0.5,"seed":7,"role":"user"}]}`))
	if len(many.Faults) != 2 || many.Faults[0].ID != "f2" || many.Faults[1].ID != "f3" || many.Faults[0].Jitter != Duration(2*time.Millisecond) {
		t.Fatalf("POST many: %+v", many)
	}
	all := decode(e.do("", http.MethodGet, FaultsPath, nil))
	if len(all.Faults) != 3 {
		t.Fatalf("GET: %+v", all)
	}
	if !strings.Contains(string(e.do("", http.MethodGet, FaultsPath, nil).body), `"delay":"1ms"`) {
		t.Error("delay is not written as a duration string")
	}
	if r := e.do(identity.User, http.MethodPost, addPath, addBody(sampleFav(2))); r.status != 429 {
		t.Fatalf("the POSTed rule: %d", r.status)
	}
	if r := e.do("", http.MethodDelete, FaultsPath+"/f3", nil); r.status != http.StatusOK {
		t.Fatalf("DELETE f3: %d", r.status)
	}
	if r := e.do("", http.MethodDelete, FaultsPath+"/f3", nil); r.status != http.StatusNotFound || !strings.Contains(adminMessage(t, r), "f3") {
		t.Fatalf("DELETE f3 again: %d", r.status)
	}
	if r := e.do("", http.MethodGet, FaultsPath+"/f1", nil); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "DELETE" {
		t.Fatalf("GET faults/f1: %d", r.status)
	}
	if r := e.do("", http.MethodPut, FaultsPath, nil); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("PUT faults: %d", r.status)
	}
	if r := e.do("", http.MethodDelete, FaultsPath, nil); r.status != http.StatusOK || len(e.m.Faults()) != 0 {
		t.Fatalf("DELETE all: %d, left %v", r.status, e.m.Faults())
	}
	for _, c := range []struct{ body, want string }{
		{`{"operation":"addUserFavorite","kind":"status","status":200}`, "status: 200 is not an error status"},
		{`{"operation":"nope","kind":"drop"}`, `operation: unknown operationId "nope"`},
		{`{"kind":"drop"}`, "operation: is required"},
		{`{"operation":"*","kind":"explode"}`, `kind: "explode" is not a kind`},
		{`{"operation":"*","kind":"drop","stauts":1}`, "stauts: unknown field"},
		{`{"operation":"*","kind":"latency","delay":"soon"}`, "delay: "},
		{`{"operation":"*","kind":"latency"}`, "delay: is required"},
		{`{"operation":"*","kind":"drop","count":"1"}`, "count: want a JSON int"},
		{`{"operation":"*","kind":"drop","probability":1.5}`, "probability: "},
		{`{"operation":"*","kind":"drop","seed":3}`, "seed: only goes with a probability"},
		{`{"operation":"*","kind":"drop","status":500}`, "status: only goes with kind status"},
		{`{"operation":"*","kind":"drop","role":"nobody"}`, `role: unknown role "nobody"`},
		{`{"faults":[{"operation":"*","kind":"drop"},{"operation":"*","kind":"status"}]}`, "faults[1].status: "},
		{`{"faults":[{"operation":"*","kind":"drop"},{"operation":"*","kind":"drop","x":1}]}`, "faults[1].x: unknown field"},
		{`{"faults":[]}`, "faults: is empty"},
		{`[]`, "body: "},
	} {
		r := e.do("", http.MethodPost, FaultsPath, c.body)
		if r.status != http.StatusBadRequest {
			t.Fatalf("POST %s: %d %s, want 400", c.body, r.status, r.body)
		}
		if msg := adminMessage(t, r); !strings.Contains(msg, c.want) {
			t.Errorf("POST %s: message %q, want it to contain %q", c.body, msg, c.want)
		}
	}
	if fs := e.m.Faults(); len(fs) != 0 {
		t.Fatalf("refused POSTs added rules: %+v", fs)
	}
	// A * drop never touches the admin API.
	e.addFault(Fault{Operation: AnyOperation, Kind: FaultDrop})
	if r := e.do("", http.MethodGet, FaultsPath, nil); r.status != http.StatusOK {
		t.Fatalf("GET faults under a * drop: %d", r.status)
	}
}

func TestParseFault(t *testing.T) {
	for _, c := range []struct {
		spec string
		want Fault
	}{
		{"addUserFavorite:status=429,retryAfter=2,count=1", Fault{Operation: "addUserFavorite", Kind: FaultStatus, Status: 429, RetryAfter: 2, Count: 1}},
		{"*:latency=200ms,jitter=50ms", Fault{Operation: "*", Kind: FaultLatency, Delay: Duration(200 * time.Millisecond), Jitter: Duration(50 * time.Millisecond)}},
		{"updateUserFavoriteList:concurrent-writer,count=1", Fault{Operation: "updateUserFavoriteList", Kind: FaultConcurrentWriter, Count: 1}},
		{"getUserFavoriteList:drop,p=0.5,seed=7", Fault{Operation: "getUserFavoriteList", Kind: FaultDrop, Probability: 0.5, Seed: 7}},
		{" deleteUserFavorite : status=503 , role=app ", Fault{Operation: "deleteUserFavorite", Kind: FaultStatus, Status: 503, Role: identity.App}},
		{"*:drop,probability=1", Fault{Operation: "*", Kind: FaultDrop, Probability: 1}},
	} {
		got, err := ParseFault(c.spec)
		if err != nil {
			t.Fatalf("ParseFault(%q): %v", c.spec, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseFault(%q) = %+v, want %+v", c.spec, got, c.want)
		}
		again, err := ParseFault(got.String())
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("ParseFault(%q.String() = %q) = %+v, %v", c.spec, got.String(), again, err)
		}
	}
	for _, c := range []struct{ spec, want string }{
		{"addUserFavorite", "want OPERATION:KIND"},
		{"addUserFavorite:count=1", "kind: missing"},
		{"addUserFavorite:", "kind: an empty item"},
		{"addUserFavorite:drop,status=500", "status: a second kind"},
		{"addUserFavorite:drop,colour=red", "colour: unknown key"},
		{"addUserFavorite:status=abc", `status: "abc" is not a valid value`},
		{"addUserFavorite:status", "status: wants a value"},
		{"addUserFavorite:drop=1", "drop: takes no value"},
		{"addUserFavorite:latency=1s,latency=2s", "latency: given twice"},
		{"addUserFavorite:drop,p=2", "p: 2 is not in (0, 1]"},
		{"addUserFavorite:drop,p=0", "p: 0 is not in (0, 1]"},
		{"addUserFavorite:drop,seed=3", "seed: only goes with a probability"},
		{"addUserFavorite:status=302", "status: 302 is not an error status"},
		{"addUserFavorite:drop,jitter=1s", "jitter: only goes with kind latency"},
		{"nope:drop", `operation: unknown operationId "nope"`},
		{"getUserFavoriteList:latency=-1s", "latency: -1s is negative"},
	} {
		_, err := ParseFault(c.spec)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseFault(%q): %v, want an error containing %q", c.spec, err, c.want)
		}
	}
}
