package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The exit codes survive `make conformance`: make itself exits 2 on any failure, so the recipe
// prints favconform's own code, and exits with it.
func TestMakeConformanceReportsTheExitCode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command with make")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	cases := []struct {
		name, args string
		env        []string
		wantZero   bool
		says       string
	}{
		{"conforming", "", nil, true, "CONFORMING"},
		{"not conforming", "--deviate revision-as-number", nil, false, "exited with code 1"},
		{"bad usage", "--no-such-flag", nil, false, "exited with code 2"},
		{"unreachable", "--target http://127.0.0.1:9 --timeout 2s", []string{"FAVCONFORM_TOKEN_USER=make-test-token"}, false, "exited with code 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command("make", "-s", "-C", "../..", "conformance", "ARGS="+c.args)
			cmd.Env = append(os.Environ(), c.env...)
			out, err := cmd.CombinedOutput()
			if (err == nil) != c.wantZero {
				t.Fatalf("make conformance ARGS=%q: err %v, want success=%v\n%s", c.args, err, c.wantZero, out)
			}
			if !strings.Contains(string(out), c.says) {
				t.Fatalf("make conformance ARGS=%q must say %q:\n%s", c.args, c.says, out)
			}
			if strings.Contains(string(out), "make-test-token") {
				t.Fatal("the output leaks the token")
			}
		})
	}
}
