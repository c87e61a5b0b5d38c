package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/favconform/favconform/mock"
)

// A CI gate never goes green by accident: a run that checked nothing, a set-but-empty variable, a
// label filter that does not parse, each ends with exit 2 and a message that names the cause.
func TestAGateNeverPassesWithoutChecking(t *testing.T) {
	for _, c := range []struct {
		name string
		env  []string
		args []string
		code int
		says []string
	}{
		{"a label filter matching nothing", nil, []string{"run", "--label-filter", "nosuchlabel"}, 2,
			[]string{`nothing was checked: no spec of`, `--label-filter "nosuchlabel"`, "NOTHING CHECKED"}},
		{"a focus matching nothing", nil, []string{"run", "--focus", "no spec is called this"}, 2,
			[]string{`--focus "no spec is called this"`, "NOTHING CHECKED"}},
		{"every matching spec skipped", []string{"FAVCONFORM_TOKEN_USER=tok-12345678"}, []string{"run", "--target", "http://127.0.0.1:9", "--dry-run", "--allow-writes", "--label-filter", "req:isolation.per-user && !read-only"}, 0,
			[]string{"a run would run 0", "needs role second-user", "no verdict"}},
		{"--allow-empty", nil, []string{"run", "--label-filter", "nosuchlabel", "--allow-empty"}, 0, []string{"NOTHING CHECKED"}},
		{"FAVCONFORM_TARGET set but empty", []string{"FAVCONFORM_TARGET="}, []string{"run"}, 2,
			[]string{"FAVCONFORM_TARGET is set but empty"}},
		{"a token variable set but empty", []string{"FAVCONFORM_TOKEN_SECOND_USER="}, []string{"run", "--target", "http://127.0.0.1:9"}, 2,
			[]string{"FAVCONFORM_TOKEN_SECOND_USER is set but empty"}},
		{"a label filter that does not parse", nil, []string{"run", "--label-filter", "req:a &&"}, 2,
			[]string{`--label-filter "req:a &&" is not a label filter`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := favconform(t, c.env, c.args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.code, c.code, r.stdout, r.stderr)
			}
			for _, want := range c.says {
				if !strings.Contains(r.stdout+r.stderr, want) {
					t.Errorf("the output must say %q:\n%s\n%s", want, r.stdout, r.stderr)
				}
			}
			if strings.Contains(r.stdout+r.stderr, "\x1b") {
				t.Errorf("the output carries escape sequences although it is not a terminal:\n%q", r.stdout+r.stderr)
			}
			if c.code != 0 && strings.Contains(r.stdout, "\nCONFORMING") {
				t.Errorf("a run that checked nothing says CONFORMING:\n%s", r.stdout)
			}
		})
	}
}

// A run in which every spec that matched was skipped (a role the target lacks) checked nothing.
func TestARunWhoseSpecsAllSkipCheckedNothing(t *testing.T) {
	m, err := mock.NewServer(mock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	file := filepath.Join(t.TempDir(), "target.yaml")
	if err := os.WriteFile(file, []byte("baseURL: "+m.URL+"\nidentities: {user: {headers: {Authorization: fc-mock-user-a}}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := favconform(t, nil, "run", "--target-file", file, "--label-filter", "req:isolation.per-user && !read-only")
	if r.code != 2 || !strings.Contains(r.stderr, "nothing was checked: every one of the") || !strings.Contains(r.stdout, "need roles you did not configure") {
		t.Fatalf("exit %d, want 2 saying nothing was checked and why\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// A dry run has no verdict: it lists what a run would run and what it would skip, and why —
// against a remote target without --allow-writes, every writing spec is listed as skipped.
func TestADryRunListsWhatWouldRunAndWhatNot(t *testing.T) {
	r := favconform(t, []string{"FAVCONFORM_TOKEN_USER=tok-12345678"}, "run", "--target", "https://favconform-test.invalid", "--dry-run")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"a dry run has no verdict", "  run   ", "  skip  ", "it writes, which this run does not allow: --allow-writes", "need --strict"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the dry run must say %q:\n%s", want, r.stdout)
		}
	}
	for _, bad := range []string{"CONFORMING", "passed,"} {
		if strings.Contains(r.stdout, bad) {
			t.Errorf("a dry run gives no verdict, but says %q:\n%s", bad, r.stdout)
		}
	}
}

// The verdict line says how much of the suites ran, and why the rest did not.
func TestTheVerdictSaysWhatRan(t *testing.T) {
	r := favconform(t, nil, "run", "--label-filter", "req:isolation.per-user")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "CONFORMING (") || !strings.Contains(r.stdout, "specs ran;") || !strings.Contains(r.stdout, "left out by --label-filter or --focus") {
		t.Errorf("the verdict must say how many specs ran and why the others did not:\n%s", r.stdout)
	}
}

// Every command answers --help with its usage.
func TestEveryCommandAnswersHelp(t *testing.T) {
	for _, cmd := range []string{"run", "serve", "proxy", "validate", "restore", "spec", "version"} {
		r := favconform(t, nil, cmd, "--help")
		if r.code != 0 || !strings.Contains(r.stdout+r.stderr, "Usage") && !strings.Contains(r.stdout+r.stderr, "-h") {
			t.Errorf("%s --help: exit %d\n%s\n%s", cmd, r.code, r.stdout, r.stderr)
		}
		if cmd == "spec" && strings.Contains(r.stdout, "openapi:") {
			t.Errorf("spec --help prints the document")
		}
	}
	if r := favconform(t, nil, "--help"); !strings.Contains(r.stdout, "130 interrupted") {
		t.Errorf("the top-level help must name exit code 130:\n%s", r.stdout)
	}
}
