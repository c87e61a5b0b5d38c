package suites

import (
	"fmt"
	"net/http"
	"reflect"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/client"
)

// ObservedReadingEntry names the report entries that record which reading of a silent point
// (spec/discrepancies.yaml) the target took, as a spec saw it.
const ObservedReadingEntry = "observed reading"

// ObservedReading is one silent point as the target answered it.
type ObservedReading struct {
	// ID is the discrepancy's id in spec/discrepancies.yaml.
	ID string `json:"id"`
	// Reading says which legitimate reading the target took, in words.
	Reading string `json:"reading"`
	// Evidence is the exchange that showed it.
	Evidence string `json:"evidence"`
}

// Observed returns the reading (the report package reads entries through this method).
func (o ObservedReading) Observed() (id, reading, evidence string) {
	return o.ID, o.Reading, o.Evidence
}

// observe records which reading of discrepancy id the target took.
func observe(id, reading string, r *client.Response) {
	evidence := ""
	if r != nil {
		evidence = clip(r.Describe())
		if r.Err == nil {
			evidence = clip(fmt.Sprintf("%s %s → %d %s", r.Call.Method, r.Call.URL, r.Status, r.Body))
		}
	}
	AddReportEntry(ObservedReadingEntry, ObservedReading{ID: id, Reading: reading, Evidence: configured().redactor.String(evidence)}, ReportEntryVisibilityNever)
}

// unknownID judges the answer to a call naming an id the caller's list does not hold: a list id
// (update, delete list) or a favorite id (delete-favorite). No status is documented for it
// (facts.md): what must hold is that nothing changes and no other user's data shows. So the
// answer is a refusal in Wix's error shape, or — for delete-favorite (idempotent) — a 200 whose
// body carries the caller's list as it was, or no list. Every list named in watch (the callers'
// lists before the call) must read as before. The strict profile checks 404 (unknownIDStrict).
func (w *world) unknownID(r *client.Response, favorite bool, what string, watch ...watched) {
	GinkgoHelper()
	conforms(r, what)
	switch {
	case r.Status >= 400 && r.Status <= 499:
		refused(r, 0, what)
		observe("unknown-id-status", fmt.Sprintf("refused with %d", r.Status), r)
	case favorite && r.Status == http.StatusOK:
		mine := watch[0]
		if r.List != nil && r.List.ID != "" {
			if !mine.before.exists || !reflect.DeepEqual(*r.List, mine.before.list) {
				Fail(fmt.Sprintf("%s answered 200 with a list that is not the caller's list as it was (%s): a delete-favorite of an id the list does not hold may answer with the list unchanged, nothing else\n%s", what, mine.before, r.Describe()))
			}
		}
		observe("unknown-id-status", "delete-favorite answered 200 with the caller's list unchanged (idempotent)", r)
	default:
		Fail(fmt.Sprintf("%s: expected a refusal (a 4xx in Wix's error shape) that changes nothing%s, got %d\n%s", what,
			map[bool]string{true: ", or a 200 with the caller's list unchanged", false: ""}[favorite], r.Status, r.Describe()))
	}
	for _, x := range watch {
		w.unchanged(x.k, x.before, what)
	}
}

// watched is a caller's list before a call that must not change it.
type watched struct {
	k      *client.Caller
	before state
}

// watch reads the caller's list now, for unknownID to compare with.
func (w *world) watch(k *client.Caller) watched {
	GinkgoHelper()
	return watched{k: k, before: w.stateOf(k)}
}
