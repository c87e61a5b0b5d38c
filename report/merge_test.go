package report

import (
	"testing"
	"time"

	"github.com/favconform/favconform/spec"
)

// TestMergeTakesEachSpecFromTheWorkerThatRanIt: every worker of a parallel run reports every
// spec, skipping those another worker ran; the merged report keeps each spec once, in the state
// of the worker that ran it, adds the requests, and derives counts and verdicts afresh.
func TestMergeTakesEachSpecFromTheWorkerThatRanIt(t *testing.T) {
	reqs := []spec.Requirement{{ID: "r.a"}, {ID: "r.b"}, {ID: "r.c"}}
	skippedElsewhere := func(name string, req string) Spec {
		return Spec{Name: name, State: "skipped", SkipCause: "other", Requirements: []string{req}}
	}
	w1 := &Report{Summary: Summary{Requests: 10}, Specs: []Spec{
		{Name: "A", State: "passed", Requirements: []string{"r.a"}},
		skippedElsewhere("B", "r.b"),
		{Name: "C", State: "skipped", SkipCause: "no-target-role", Requirements: []string{"r.c"}},
	}, ObservedReadings: []ObservedReading{{ID: "d.1", Reading: "x"}}}
	w2 := &Report{Summary: Summary{Requests: 7}, Specs: []Spec{
		skippedElsewhere("A", "r.a"),
		{Name: "B", State: "failed", Requirements: []string{"r.b"}, Failure: &Failure{Message: "boom"}},
		{Name: "C", State: "skipped", SkipCause: "no-target-role", Requirements: []string{"r.c"}},
	}, ObservedReadings: []ObservedReading{{ID: "d.1", Reading: "x"}, {ID: "d.2", Reading: "y"}}}

	m := Merge([]*Report{w1, w2}, reqs, 3*time.Second)
	if len(m.Specs) != 3 {
		t.Fatalf("%d specs, want 3 (each once)", len(m.Specs))
	}
	got := map[string]string{}
	for _, s := range m.Specs {
		got[s.Name] = s.State
	}
	if got["A"] != "passed" || got["B"] != "failed" || got["C"] != "skipped" {
		t.Fatalf("states %v", got)
	}
	s := m.Summary
	if s.Passed != 1 || s.Failed != 1 || s.Skipped != 1 || s.Total != 3 || s.Ran != 2 || s.Conforming || s.Requests != 17 {
		t.Fatalf("summary %+v", s)
	}
	if s.SkippedBecause["no-target-role"] != 1 || s.SkippedBecause["other"] != 0 {
		t.Fatalf("skippedBecause %v: only C was skipped by every worker", s.SkippedBecause)
	}
	verdicts := map[string]string{}
	for _, r := range m.Requirements {
		verdicts[r.ID] = r.Verdict
	}
	if verdicts["r.a"] != "passed" || verdicts["r.b"] != "failed" || verdicts["r.c"] != "skipped" {
		t.Fatalf("verdicts %v", verdicts)
	}
	if len(m.ObservedReadings) != 2 || m.DurationMS != 3000 {
		t.Fatalf("observed readings %v (want d.1 once and d.2), duration %d ms", m.ObservedReadings, m.DurationMS)
	}

	// A suite-level failure in any worker makes the merged run non-conforming.
	w3 := &Report{Specs: []Spec{{Name: "[BeforeSuite]", State: "failed", SuiteNode: true}}}
	w1.Specs[1] = Spec{Name: "B", State: "passed"}
	if m := Merge([]*Report{w1, w3}, reqs, time.Second); m.Summary.Conforming {
		t.Fatal("a failed BeforeSuite in one worker must not merge into a conforming run")
	}
	if Merge(nil, reqs, 0) != nil {
		t.Fatal("merging nothing must give nil, not an empty, conforming-looking report")
	}
}
