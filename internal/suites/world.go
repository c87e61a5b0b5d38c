package suites

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/validate"
)

// world is one spec's view of the target: a client whose calls go into the spec's transcript,
// and the identities the spec has claimed (cleaned before and after the spec).
type world struct {
	ctx    SpecContext // the spec's: done once the spec is interrupted or timed out
	client *client.Client
	mu     sync.Mutex
	calls  []client.Call
}

// SilentLimit is how many unanswered calls end a run's sending (Config.Breaker): the target is
// then taken to have stopped answering, and the remaining specs fail at once instead of each
// waiting out the timeout again.
const SilentLimit = 10

// specClient is the one way a spec gets a client: its calls carry the spec's context, it is
// read-only unless writes are allowed, and it is under the run's breaker, so that Halt stops
// every call before the lists are restored (a client that bypassed it once deleted a list just
// restored).
func specClient(ctx SpecContext, cfg *Config, onCall func(client.Call)) *client.Client {
	observe := cfg.absent.observe
	if onCall != nil {
		observe = func(c client.Call) {
			cfg.absent.observe(c)
			onCall(c)
		}
	}
	c := client.New(cfg.Target, cfg.Validator, observe)
	if !cfg.AllowWrites {
		c.ReadOnly()
	}
	c.UseBreaker(cfg.Breaker)
	return c.WithContext(ctx)
}

// newWorld starts a spec: call it first in every spec, with the spec's context. Spec bodies take
// a SpecContext so that Ginkgo, on an interrupt, cancels it and waits for the spec to return
// (its calls fail at once) instead of abandoning a spec that goes on calling the target and
// Ginkgo itself (a DeferCleanup from an abandoned spec ends the process before the restore).
func newWorld(ctx SpecContext) *world {
	GinkgoHelper()
	cfg := configured()
	w := &world{ctx: ctx}
	spec := CurrentSpecReport().FullText()
	w.client = specClient(ctx, cfg, func(c client.Call) {
		w.mu.Lock()
		w.calls = append(w.calls, c)
		w.mu.Unlock()
		if cfg.OnCall != nil {
			cfg.OnCall(spec, c)
		}
	})
	DeferCleanup(func() {
		w.mu.Lock()
		t := Transcript{Calls: redactCalls(w.calls)}
		w.mu.Unlock()
		if len(t.Calls) > 0 {
			AddReportEntry(TranscriptEntry, t, ReportEntryVisibilityFailureOrVerbose)
		}
	})
	return w
}

// as returns a caller for role, skipping the spec when the target configuration lacks the role.
// A spec must declare every role but the user's with Needs.
func (w *world) as(role identity.Role) *client.Caller {
	GinkgoHelper()
	if role != identity.User && !slices.Contains(CurrentSpecReport().Labels(), RoleLabelPrefix+string(role)) {
		Fail(fmt.Sprintf("harness defect: the spec calls on role %s without declaring it (suites.Needs(%q))", role, role))
	}
	if !configured().Target.Has(role) {
		Skip(fmt.Sprintf("needs role %q, which the target configuration does not supply (set identities.%s.headers in the target file)", role, role))
	}
	return w.client.As(role)
}

// fresh returns a caller for role whose list is gone now and again when the spec ends.
func (w *world) fresh(role identity.Role) *client.Caller {
	GinkgoHelper()
	cfg := configured()
	if !cfg.AllowWrites {
		Skip("writes to the target (deletes and recreates the favorite list of role " + string(role) + "), which this run does not allow: run with --allow-writes to allow it")
	}
	k := w.as(role)
	if why, ok := cfg.Unwritable[role]; ok {
		Skip(why)
	}
	w.clear(k)
	// The cleanup runs in a node of its own, with its own context: the spec's may be cancelled.
	DeferCleanup(func(ctx SpecContext) { w.clear(k.WithContext(ctx)) })
	return k
}

// clear deletes the caller's list if it has one. It judges nothing but whether the list is gone:
// a spec that failed must still leave the target clean for the next one.
func (w *world) clear(k *client.Caller) {
	GinkgoHelper()
	absent := configured().absent
	if absent.isGone(k.Role()) {
		return // the last cleanup saw it gone, and nothing since could have made one
	}
	list, exists, certain := certainRead(k)
	if !exists {
		if certain {
			absent.markGone(k.Role())
		}
		return
	}
	if r := k.DeleteList(list.ID); r.Err == nil && r.Status == http.StatusOK {
		if _, still, certain := certainRead(k); !still {
			if certain {
				absent.markGone(k.Role())
			}
			return
		}
	}
	// Fall back to removing the favorites one by one (the last removal deletes the list).
	for _, f := range list.Favorites {
		k.DeleteFavorite(f.ID)
	}
	if _, still := lenientRead(k); still {
		Fail(fmt.Sprintf("cleanup: could not delete the list %s of role %s; the target keeps it", list.ID, k.Role()))
	}
}

// certainRead is lenientRead, and says whether "no list" was certain: a 404 in Wix's error
// shape, or a 200 without a list that conforms to the spec — not an error, a timeout, another
// status or a body that says nothing clear, after which the list may or may not exist.
func certainRead(k *client.Caller) (api.FavoriteList, bool, bool) {
	r := k.GetList()
	certain := r.Err == nil && ((r.Status == http.StatusNotFound && r.Error != nil) ||
		(r.Status == http.StatusOK && r.DecodeErr == nil && len(r.Violations) == 0))
	if r.Err == nil && r.Status == http.StatusOK && r.List != nil && r.List.ID != "" {
		return *r.List, true, true
	}
	return api.FavoriteList{}, false, certain
}

// lenientRead reads the caller's list, tolerating spec violations (a revision sent as a number
// still decodes).
func lenientRead(k *client.Caller) (api.FavoriteList, bool) {
	list, exists, _ := certainRead(k)
	return list, exists
}

// state is what a read shows of an identity's list.
type state struct {
	exists bool
	list   api.FavoriteList
}

func (s state) String() string {
	if !s.exists {
		return "no list"
	}
	return fmt.Sprintf("list %s at revision %d with %d favorite(s)", s.list.ID, s.list.Revision, len(s.list.Favorites))
}

// stateOf reads the caller's list. The docs do not say what GET answers when there is no list;
// a 404, or a 200 without a list (or with a list that has no id), are all read as "no list"
// (discrepancy register: get-without-list).
func (w *world) stateOf(k *client.Caller) state {
	GinkgoHelper()
	r := k.GetList()
	conforms(r, "GET of the list")
	switch {
	case r.Status == http.StatusOK && r.List != nil && r.List.ID != "":
		return state{exists: true, list: *r.List}
	case r.Status == http.StatusOK || r.Status == http.StatusNotFound:
		return state{}
	}
	Fail(fmt.Sprintf("GET of the list answered %d; expected 200 with the list, or (when there is none) 404 or a 200 without a list\n%s", r.Status, r.Describe()))
	return state{}
}

// TranscriptEntry is the name of the report entry holding a spec's exchanges.
const TranscriptEntry = "transcript"

// Transcript is the redacted record of a spec's exchanges, attached to its report.
type Transcript struct {
	Calls []client.Call `json:"calls"`
}

// CallsOf returns the calls (the report package reads transcripts through this method).
func (t Transcript) CallsOf() []client.Call { return t.Calls }

// String renders the transcript for the console and the JUnit report.
func (t Transcript) String() string {
	var b strings.Builder
	for i, c := range t.Calls {
		fmt.Fprintf(&b, "#%d %s\n", i+1, describeCall(c))
		if len(c.RequestBody) > 0 {
			fmt.Fprintf(&b, "   > %s\n", clip(string(c.RequestBody)))
		}
		if len(c.ResponseBody) > 0 {
			fmt.Fprintf(&b, "   < %s\n", clip(string(c.ResponseBody)))
		}
		for _, v := range c.Violations {
			fmt.Fprintf(&b, "   ! %s\n", v)
		}
	}
	return b.String()
}

func clip(s string) string { return validate.Clip(s, 400) }

// redactCalls removes every configured secret and every credential header from calls.
func redactCalls(calls []client.Call) []client.Call {
	r := configured().redactor
	out := make([]client.Call, len(calls))
	for i, c := range calls {
		c.RequestHeader = r.Header(c.RequestHeader)
		c.ResponseHeader = r.Header(c.ResponseHeader)
		c.URL = r.String(c.URL)
		c.RequestBody = r.Bytes(c.RequestBody)
		c.ResponseBody = r.Bytes(c.ResponseBody)
		c.Err = r.String(c.Err)
		out[i] = c
	}
	return out
}
