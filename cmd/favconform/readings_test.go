package main

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/altserver"
	"github.com/favconform/favconform/internal/suites"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/report"
	"github.com/favconform/favconform/spec"
)

// altTarget serves the other-readings server and writes a target file with the two roles it knows.
func altTarget(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(altserver.New(0))
	t.Cleanup(srv.Close)
	var file bytes.Buffer
	fmt.Fprintf(&file, "baseURL: %s\nidentities:\n", srv.URL)
	for _, id := range identity.Default() {
		if id.Role == identity.User || id.Role == identity.SecondUser {
			fmt.Fprintf(&file, "  %s:\n    headers:\n      Authorization: %q\n", id.Role, id.Token)
		}
	}
	path := filepath.Join(t.TempDir(), "target.yaml")
	if err := os.WriteFile(path, file.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A server written apart from the mock, taking the other reading of every silent point, follows
// the docs: the default profile passes it.
func TestTheDefaultProfilePassesAServerOfOtherReadings(t *testing.T) {
	r := favconform(t, nil, "run", "--target-file", altTarget(t), "--allow-writes")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0: the default profile fails a server that follows the docs\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// readingRun runs the suites against the embedded mock with readings on, and returns the exit
// code, the report, and the output.
func readingRun(t *testing.T, readings []string, extra ...string) (int, *report.Report, string) {
	t.Helper()
	dir := t.TempDir()
	args := append([]string{"run", "--reading", strings.Join(readings, ","), "--report-dir", dir}, extra...)
	r := favconform(t, nil, args...)
	if r.code != 0 && r.code != 1 {
		t.Fatalf("readings %v: exit %d\n%s\n%s", readings, r.code, r.stdout, r.stderr)
	}
	return r.code, readReport(t, dir), r.stdout + r.stderr
}

// combinedReadings are the readings that can be on together: one per group, and without the
// pairs listed in incompatible.
func combinedReadings() [][]string {
	// With whole-second dates and a list id that comes back after a delete, a list's events
	// cannot be told from those of the list of the same id deleted in the same second (their
	// eventTime is no earlier than its createdDate): the events specs would wait for a rival's.
	incompatible := map[string]string{"list-id-per-user": "dates-whole-seconds"}
	var sets [][]string
	groups := map[string]int{}
	for _, r := range mock.Readings() {
		at := 0
		if r.Group != "" {
			at = groups[r.Group]
			groups[r.Group]++
		}
		for at >= len(sets) {
			sets = append(sets, nil)
		}
		if other, ok := incompatible[r.Name]; ok && slices.Contains(sets[at], other) {
			at++
			for at >= len(sets) {
				sets = append(sets, nil)
			}
		}
		sets[at] = append(sets[at], r.Name)
	}
	return sets
}

// TestEveryReadingPassesTheDefaultProfile is the twin of the deviation check: the mock under
// each reading alone, and under all compatible readings together, still follows every sentence
// of the docs, so the default profile must pass it. The score is printed (make readings).
func TestEveryReadingPassesTheDefaultProfile(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: one run of the suites per reading")
	}
	rs := mock.Readings()
	var mu sync.Mutex
	verdicts := map[string]string{}
	t.Run("reading", func(t *testing.T) {
		for _, r := range rs {
			t.Run(r.Name, func(t *testing.T) {
				t.Parallel()
				code, rep, out := readingRun(t, []string{r.Name})
				verdict := "passes"
				if code != 0 {
					verdict = "FAILS"
					t.Errorf("the default profile fails the mock under the reading %s (%s): %d failed; causes: %v\n%s", r.Name, r.Description, rep.Summary.Failed, rep.Causes, out)
				}
				mu.Lock()
				verdicts[r.Name] = verdict
				mu.Unlock()
			})
		}
		for i, set := range combinedReadings() {
			t.Run(fmt.Sprintf("combined %d", i+1), func(t *testing.T) {
				t.Parallel()
				if code, rep, out := readingRun(t, set); code != 0 {
					t.Errorf("the default profile fails the mock under the readings %v together: %d failed; causes: %v\n%s", set, rep.Summary.Failed, rep.Causes, out)
				}
			})
		}
	})
	passing := 0
	var b strings.Builder
	for _, r := range rs {
		if verdicts[r.Name] == "passes" {
			passing++
		}
		fmt.Fprintf(&b, "  %-32s %-24s %s\n", r.Name, r.Discrepancy, verdicts[r.Name])
	}
	summary := fmt.Sprintf("readings score: %d/%d readings pass the default profile", passing, len(rs))
	t.Logf("\n%s%s", b.String(), summary)
	if path := os.Getenv("FAVCONFORM_READINGS_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(b.String()+summary+"\n"), 0o644); err != nil {
			t.Errorf("writing %s: %v", path, err)
		}
	}
}

// TestEveryStrictCheckFailsAgainstAReading shows the strict profile selective: each strict spec
// checks one reading of a silent point, so each must fail against the mock under at least one
// other (legitimate) reading.
func TestEveryStrictCheckFailsAgainstAReading(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: one run of the strict specs per reading")
	}
	dir := t.TempDir()
	if r := favconform(t, nil, "run", "--dry-run", "--strict", "--label-filter", suites.Strict, "--report-dir", dir); r.code != 0 {
		t.Fatalf("dry run: exit %d\n%s", r.code, r.stderr)
	}
	strict := map[string]bool{}
	for _, s := range readReport(t, dir).Specs {
		if s.State == "passed" {
			strict[s.Name] = true
		}
	}
	if len(strict) < 10 {
		t.Fatalf("the dry run lists only %d strict specs", len(strict))
	}
	var mu sync.Mutex
	failedBy := map[string][]string{}
	t.Run("reading", func(t *testing.T) {
		for _, r := range mock.Readings() {
			t.Run(r.Name, func(t *testing.T) {
				t.Parallel()
				_, rep, _ := readingRun(t, []string{r.Name}, "--strict", "--label-filter", suites.Strict)
				mu.Lock()
				defer mu.Unlock()
				for _, s := range rep.Specs {
					if s.State == "failed" {
						failedBy[s.Name] = append(failedBy[s.Name], r.Name)
					}
				}
			})
		}
	})
	for name := range strict {
		if len(failedBy[name]) == 0 {
			t.Errorf("the strict spec %q fails against no reading: it is not shown to tell one legitimate reading from another", name)
		}
	}
}

// The register and the mock agree: every reading the register names is a mock reading of that
// point, every mock reading is listed under its point, and every point with readings has one.
func TestTheRegisterListsTheMockReadings(t *testing.T) {
	ds, err := spec.Discrepancies()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]mock.Reading{}
	for _, r := range mock.Readings() {
		byName[r.Name] = r
	}
	listed := map[string]bool{}
	for _, d := range ds {
		for _, a := range d.Readings {
			if a.Mock == spec.MockDefault {
				continue
			}
			r, ok := byName[a.Mock]
			switch {
			case !ok:
				t.Errorf("discrepancy %s lists the mock reading %q, which the mock does not have", d.ID, a.Mock)
			case r.Discrepancy != d.ID:
				t.Errorf("discrepancy %s lists the mock reading %s, which reads %s", d.ID, a.Mock, r.Discrepancy)
			}
			listed[a.Mock] = true
		}
	}
	for name, r := range byName {
		if !listed[name] {
			t.Errorf("the mock reading %s (of %s) is not listed under its discrepancy's readings", name, r.Discrepancy)
		}
	}
}
