package runner_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is the favconform module's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("no go.mod in %s: %v", dir, err)
	}
	return dir
}

// A user's module that has its own Ginkgo suite (with a BeforeSuite) and imports runner, mock and
// validate runs only its own specs; two of its tests call runner.Run, in parallel, and each runs
// the conformance suites (in a child process of the test binary).
func TestImportingTheLibraryRegistersNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds a module of its own")
	}
	root := repoRoot(t)
	dir := t.TempDir()
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"go.mod": "module example.com/user\n\ngo 1.26\n\nrequire github.com/favconform/favconform v0.0.0\n\nreplace github.com/favconform/favconform => " + root + "\n",
		"go.sum": string(sum),
		"user_test.go": `package user

import (
	"bytes"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/runner"
	"github.com/favconform/favconform/validate"
)

var _ = BeforeSuite(func() {})

var _ = Describe("the user's own suite", func() {
	It("has one spec", func() {})
})

func TestUserSuite(t *testing.T) {
	_, _ = mock.Options{}, validate.Default
	RunSpecs(t, "user suite")
}

func conformance(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	rep, err := runner.Run(t, runner.Options{LabelFilter: "req:get.returns-list", Out: &out})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !rep.Summary.Conforming || rep.Summary.Ran == 0 || !strings.Contains(out.String(), "CONFORMING") {
		t.Fatalf("the conformance suites did not run: %+v\n%s", rep.Summary, out.String())
	}
	t.Logf("ran %d conformance specs", rep.Summary.Ran)
}

func TestConformanceOnce(t *testing.T)  { conformance(t) }
func TestConformanceTwice(t *testing.T) { conformance(t) }
`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "test", "-count=1", "-v", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test in the user's module: %v\n%s", err, out)
	}
	for _, want := range []string{"Ran 1 of 1 Specs", "--- PASS: TestUserSuite", "--- PASS: TestConformanceOnce", "--- PASS: TestConformanceTwice", "ran "} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the user's module's tests must show %q:\n%s", want, out)
		}
	}
}
