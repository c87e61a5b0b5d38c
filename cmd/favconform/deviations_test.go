package main

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/favconform/favconform/internal/suites"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/spec"
)

// TestEveryRequirementIsCovered fails when a register entry has no spec citing it, or a spec
// cites an id the register lacks. A dry run lists every spec of both profiles with its labels.
func TestEveryRequirementIsCovered(t *testing.T) {
	dir := t.TempDir()
	if r := favconform(t, nil, "run", "--dry-run", "--strict", "--report-dir", dir); r.code != 0 {
		t.Fatalf("dry run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	rep := readReport(t, dir)
	if len(rep.Requirements) == 0 {
		t.Fatal("the report lists no requirements")
	}
	for _, q := range rep.Requirements {
		switch q.Verdict {
		case "uncovered":
			t.Errorf("requirement %s has no spec covering it (cite it with suites.Covers)", q.ID)
		case "unknown":
			t.Errorf("requirement id %s is cited by %v but is not in spec/requirements.yaml", q.ID, q.Specs)
		}
	}
	for _, s := range rep.Specs {
		if len(s.Requirements) == 0 {
			t.Errorf("spec %q names no requirement", s.Name)
		}
	}
}

// TestEveryDeviationIsCaughtByItsRequirement is the harness testing itself: the suites run against
// the mock with each deviation switched on, and each must fail a spec that cites the requirement
// the deviation breaks. A deviation the default profile misses is tried with --strict and counted
// as caught only by the strict profile. The score is printed (make mutation).
func TestEveryDeviationIsCaughtByItsRequirement(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: one run of the suites per deviation")
	}
	devs := mock.Deviations()
	if len(devs) == 0 {
		t.Fatal("the mock has no deviations")
	}
	var mu sync.Mutex
	verdicts := map[string]string{}
	t.Run("deviation", func(t *testing.T) {
		for _, d := range devs {
			t.Run(d.Name, func(t *testing.T) {
				t.Parallel()
				verdict := "MISSED"
				for _, strict := range []bool{false, true} {
					caught, others, code := runDeviation(t, d.Name, d.Requirement, strict)
					if caught {
						verdict = "caught"
						if strict {
							verdict = "caught (strict profile only)"
						}
						break
					}
					if strict {
						t.Errorf("deviation %s (breaks %s) was not caught by a spec citing %s; exit %d; failed requirements: %v",
							d.Name, d.Requirement, d.Requirement, code, others)
					}
				}
				mu.Lock()
				verdicts[d.Name] = verdict
				mu.Unlock()
			})
		}
	})
	printScore(t, devs, verdicts)
}

// runDeviation runs the suites against the mock with one deviation on. It reports whether a
// failed spec cites requirement, and which requirements failed.
func runDeviation(t *testing.T, name, requirement string, strict bool) (bool, []string, int) {
	t.Helper()
	dir := t.TempDir()
	// Only the specs citing the requirement run: the check is that they catch the deviation, and
	// the run stays short enough for every deviation under -race.
	args := []string{"run", "--deviate", name, "--report-dir", dir, "--label-filter", suites.RequirementLabelPrefix + requirement}
	if strict {
		args = append(args, "--strict")
	}
	r := favconform(t, nil, args...)
	if r.code != 1 && r.code != 0 {
		t.Fatalf("deviation %s: exit %d\n%s\n%s", name, r.code, r.stdout, r.stderr)
	}
	rep := readReport(t, dir)
	var failed []string
	for _, q := range rep.Requirements {
		if q.Verdict == "failed" {
			failed = append(failed, q.ID)
		}
	}
	return r.code == 1 && slices.Contains(failed, requirement), failed, r.code
}

func printScore(t *testing.T, devs []mock.Deviation, verdicts map[string]string) {
	caught, strictOnly := 0, 0
	var b strings.Builder
	for _, d := range devs {
		v := verdicts[d.Name]
		if strings.HasPrefix(v, "caught") {
			caught++
		}
		if strings.Contains(v, "strict") {
			strictOnly++
		}
		fmt.Fprintf(&b, "  %-34s %-38s %s\n", d.Name, d.Requirement, v)
	}
	reqs := map[string]bool{}
	for _, d := range devs {
		reqs[d.Requirement] = true
	}
	ids := make([]string, 0, len(reqs))
	for id := range reqs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	summary := fmt.Sprintf("mutation score: %d/%d deviations caught (%d only by the strict profile), covering %d requirements", caught, len(devs), strictOnly, len(ids))
	t.Logf("\n%s%s", b.String(), summary)
	if path := os.Getenv("FAVCONFORM_MUTATION_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(b.String()+summary+"\n"), 0o644); err != nil {
			t.Errorf("writing %s: %v", path, err)
		}
	}
}

// TestEveryStrictReadingIsTraced ties the discrepancy register to the checks: each entry whose
// stricter reading is checked only in the strict profile is cited by a spec (suites.Reading),
// every spec citing a reading carries the strict label, and no spec cites an unknown entry.
func TestEveryStrictReadingIsTraced(t *testing.T) {
	ds, err := spec.Discrepancies()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if r := favconform(t, nil, "run", "--dry-run", "--strict", "--report-dir", dir); r.code != 0 {
		t.Fatalf("dry run: exit %d\n%s", r.code, r.stderr)
	}
	cited := map[string][]string{}
	for _, s := range readReport(t, dir).Specs {
		for _, l := range s.Labels {
			if id, ok := strings.CutPrefix(l, suites.ReadingLabelPrefix); ok {
				cited[id] = append(cited[id], s.Name)
				if !slices.Contains(s.Labels, suites.Strict) {
					t.Errorf("spec %q checks reading %s but is not in the strict profile", s.Name, id)
				}
			}
		}
	}
	known := map[string]bool{}
	for _, d := range ds {
		known[d.ID] = true
		if d.StrictOnly && len(cited[d.ID]) == 0 {
			t.Errorf("discrepancy %s is strictOnly but no spec cites it (suites.Reading(%q))", d.ID, d.ID)
		}
		if !d.StrictOnly && len(cited[d.ID]) > 0 {
			t.Errorf("discrepancy %s is not strictOnly, yet strict specs check a reading of it: %v", d.ID, cited[d.ID])
		}
	}
	for id, specs := range cited {
		if !known[id] {
			t.Errorf("specs %v cite reading %s, which spec/discrepancies.yaml lacks", specs, id)
		}
	}
}
