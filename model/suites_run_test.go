package model_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/favconform/favconform/internal/suites"
	"github.com/favconform/favconform/report"
	"github.com/favconform/favconform/runner"
)

// TestMain lets the tests run the conformance suites in a child process (Ginkgo runs a suite
// once per process): a child started with FAVCONFORM_MODEL_TEST_CHILD=1 runs the runner with the
// options in its environment and exits with its exit code.
func TestMain(m *testing.M) {
	if os.Getenv("FAVCONFORM_MODEL_TEST_CHILD") == "1" {
		os.Args = os.Args[:1]
		opts := runner.Options{
			LabelFilter: os.Getenv("CHILD_LABEL_FILTER"),
			ReportDir:   os.Getenv("CHILD_REPORT_DIR"),
			Strict:      os.Getenv("CHILD_STRICT") == "1",
			Out:         os.Stdout,
			NoColor:     true,
		}
		if f := os.Getenv("CHILD_FOCUS"); f != "" {
			opts.Focus = []string{f}
		}
		if seed, err := strconv.ParseInt(os.Getenv("CHILD_SEED"), 10, 64); err == nil {
			opts.Seed = seed
		}
		if d := os.Getenv("CHILD_DEVIATE"); d != "" {
			opts.Deviations = strings.Split(d, ",")
		}
		rep, err := runner.Run(&failFlag{}, opts)
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
		}
		os.Exit(runner.ExitCode(rep, err))
	}
	os.Exit(m.Run())
}

type failFlag struct{ failed bool }

func (f *failFlag) Fail() { f.failed = true }

type childRun struct {
	code   int
	stdout string
	report *report.Report
}

// runSuites runs the suites against the embedded mock in a child process.
func runSuites(t *testing.T, labelFilter, deviation string, env ...string) childRun {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "FAVCONFORM_MODEL_TEST_CHILD=1", "CHILD_LABEL_FILTER="+labelFilter,
		"CHILD_REPORT_DIR="+dir, "CHILD_DEVIATE="+deviation)
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running the suites: %v", err)
	}
	if code != 0 && code != 1 {
		t.Fatalf("the suites exited %d\n%s", code, out.String())
	}
	rep, err := report.ReadJSON(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatalf("reading the report: %v\n%s", err, out.String())
	}
	return childRun{code, out.String(), rep}
}

func failedRequirements(r *report.Report) []string {
	var ids []string
	for _, q := range r.Requirements {
		if q.Verdict == "failed" {
			ids = append(ids, q.ID)
		}
	}
	return ids
}

// The model-based specs pass against the conforming mock, fail against a deviation with the
// seed and the shortest sequence in the output, and the same seed replays the same sequence.
func TestModelSpecsInTheSuites(t *testing.T) {
	if r := runSuites(t, "model", "", "CHILD_SEED=99"); r.code != 0 {
		t.Fatalf("the model specs fail against the conforming mock:\n%s", r.stdout)
	}
	shortest := regexp.MustCompile(`(?s)shortest failing sequence found.*?\n[ \t]*\n`)
	var seqs []string
	for range 2 {
		r := runSuites(t, "model", "add-drops-favorite", "CHILD_SEED=1234", "CHILD_FOCUS=by one user")
		if r.code != 1 || !slices.Contains(failedRequirements(r.report), "state.model-conformance") {
			t.Fatalf("exit %d, failed %v; want the model specs to fail against add-drops-favorite\n%s", r.code, failedRequirements(r.report), r.stdout)
		}
		for _, want := range []string{"seed 1234", "--seed 1234", "  1. user: "} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("the failure must mention %q:\n%s", want, r.stdout)
			}
		}
		seqs = append(seqs, shortest.FindString(r.stdout))
	}
	if seqs[0] == "" || seqs[0] != seqs[1] {
		t.Fatalf("the same seed must give the same shortest sequence:\n%s\n---\n%s", seqs[0], seqs[1])
	}
	t.Logf("shortest failing sequence of seed 1234 against add-drops-favorite:\n%s", seqs[0])
}

// Each deviation that breaks a documented request constraint is caught by a negative case
// citing the deviation's requirement; the conforming mock passes every case, strict ones too.
func TestNegativeSpecsInTheSuites(t *testing.T) {
	if r := runSuites(t, suites.NegativeLabel, "", "CHILD_STRICT=1"); r.code != 0 {
		t.Fatalf("the negative specs fail against the conforming mock:\n%s", r.stdout)
	}
	for dev, req := range map[string]string{
		"title-limit-unchecked":       "field.title-length",
		"pageid-limit-unchecked":      "field.pageid-length",
		"relativeurl-limit-unchecked": "field.relativeurl-length",
		"no-item-limit":               "favorites.max-100",
		"missing-field-accepted":      "errors.bad-request",
		"readonly-fields-applied":     "readonly.not-overridden",
		"error-body-plain-text":       "errors.wix-shape",
	} {
		t.Run(dev, func(t *testing.T) {
			t.Parallel()
			r := runSuites(t, suites.NegativeLabel, dev)
			caught := false
			for _, s := range r.report.Specs {
				if strings.Contains(s.Container+" "+s.Name, "Negative requests derived from the spec") && s.State == "failed" && slices.Contains(s.Requirements, req) {
					caught = true
				}
			}
			if !caught {
				t.Errorf("no negative case citing %s failed against %s; failed requirements %v", req, dev, failedRequirements(r.report))
			}
		})
	}
}
