package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/favconform/favconform/report"
)

// TestMain lets the tests run this test binary as the favconform command: a child started with
// FAVCONFORM_TEST_MAIN=1 runs main instead of the tests, so each run gets its own process (Ginkgo
// runs the suites once per process).
func TestMain(m *testing.M) {
	if os.Getenv("FAVCONFORM_TEST_MAIN") == "1" {
		os.Exit(mainExit(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

type result struct {
	stdout, stderr string
	code           int
}

// favconform runs the command with args (and extra environment variables) in a child process.
func favconform(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "FAVCONFORM_TEST_MAIN=1"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running favconform %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

func readReport(t *testing.T, dir string) *report.Report {
	t.Helper()
	r, err := report.ReadJSON(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatalf("reading the report: %v", err)
	}
	return r
}

func TestRunAgainstTheEmbeddedMockConforms(t *testing.T) {
	dir := t.TempDir()
	r := favconform(t, nil, "run", "--report-dir", dir)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	rep := readReport(t, dir)
	if !rep.Summary.Conforming || rep.Summary.Passed == 0 || rep.Summary.Failed != 0 {
		t.Fatalf("want a conforming run with passes, got %+v", rep.Summary)
	}
	if !strings.Contains(r.stdout, "CONFORMING") {
		t.Fatalf("the summary must say CONFORMING:\n%s", r.stdout)
	}
}

// The foundation's acceptance check: a server that returns revision as a JSON number fails, and
// the summary names the operation and the JSON pointer.
func TestRunFailsAgainstARevisionSentAsANumber(t *testing.T) {
	r := favconform(t, nil, "run", "--deviate", "revision-as-number")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"NOT CONFORMING", "createUserFavoriteList response /favoriteList/revision", "expected type string"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the summary must contain %q", want)
		}
	}
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		args []string
		code int
		says string
	}{
		{"unknown command", nil, []string{"frobnicate"}, 2, "unknown command"},
		{"unknown flag", nil, []string{"run", "--no-such-flag"}, 2, "no-such-flag"},
		{"unknown deviation", nil, []string{"run", "--deviate", "no-such-deviation"}, 2, "no-such-deviation"},
		{"bad timeout", nil, []string{"run", "--timeout", "soon"}, 2, "--timeout"},
		{"target file missing", nil, []string{"run", "--target-file", "/nonexistent/target.yaml"}, 2, "target.yaml"},
		{"target without a user token", nil, []string{"run", "--target", "http://127.0.0.1:9"}, 2, "FAVCONFORM_TOKEN_USER"},
		{"unreachable target", []string{"FAVCONFORM_TOKEN_USER=secret-token-xyz"}, []string{"run", "--target", "http://127.0.0.1:9", "--timeout", "2s"}, 3, "does not answer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := favconform(t, c.env, c.args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, c.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout+r.stderr, c.says) {
				t.Fatalf("the message must mention %q:\nstdout: %s\nstderr: %s", c.says, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, "secret-token-xyz") {
				t.Fatal("the output leaks the token")
			}
		})
	}
}

func TestSpecAndVersionCommands(t *testing.T) {
	if r := favconform(t, nil, "spec"); r.code != 0 || !strings.HasPrefix(r.stdout, "openapi: 3.0.3") && !strings.Contains(r.stdout, "openapi: \"3.0.3\"") && !strings.Contains(r.stdout, "openapi: 3.0.3") {
		t.Fatalf("spec: exit %d, output starts %.80q", r.code, r.stdout)
	}
	if r := favconform(t, nil, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "favconform ") {
		t.Fatalf("version: exit %d, output %q", r.code, r.stdout)
	}
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
