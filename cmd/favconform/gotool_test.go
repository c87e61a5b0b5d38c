package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The `go tool` way in, as README gives it (`go get -tool github.com/favconform/favconform/cmd/
// favconform@vX`, then `go tool favconform run`): a scratch module requires favconform (replaced
// by this checkout, which stands for the published version) and declares the tool; `go tool
// favconform` then runs the command and, unlike `go run`, keeps its exit codes.
func TestGoToolFavconformKeepsTheExitCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command as a tool of a scratch module")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := fmt.Sprintf(`module example.com/uses-favconform

go 1.26

require github.com/favconform/favconform v0.0.0

replace github.com/favconform/favconform => %s

tool github.com/favconform/favconform/cmd/favconform
`, root)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	// GOWORK=off keeps any go.work above the temporary directory out of it.
	goEnv := append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	// What `go get -tool` leaves: the tool line and the requirements favconform brings (here go
	// get itself would ask the module proxy about an unpublished github.com/favconform/favconform/
	// cmd/favconform module first, and fail, so go mod tidy writes them).
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir, tidy.Env = dir, goEnv
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy in the scratch module: %v\n%s", err, out)
	}
	goTool := func(env []string, args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command("go", append([]string{"tool", "favconform"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(goEnv, env...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("go tool favconform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out), code
	}

	// The first call builds the tool; a version replaced by a directory is a development build.
	if out, code := goTool(nil, "version"); code != 0 || !strings.HasPrefix(out, "favconform (devel)") {
		t.Fatalf("go tool favconform version: exit %d, want 0 and \"favconform (devel)\":\n%s", code, out)
	}
	cases := []struct {
		name string
		env  []string
		args []string
		code int
		says string
	}{
		{"conforming", nil, []string{"run", "--label-filter", "req:schema.responses-match-spec"}, 0, "CONFORMING"},
		{"not conforming", nil, []string{"run", "--deviate", "revision-as-number", "--label-filter", "req:schema.responses-match-spec"}, 1, "NOT CONFORMING"},
		{"bad usage", nil, []string{"run", "--no-such-flag"}, 2, "no-such-flag"},
		{"unreachable", []string{"FAVCONFORM_TOKEN_USER=tok-12345678"}, []string{"run", "--target", "http://127.0.0.1:9", "--timeout", "1s"}, 3, "does not answer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, code := goTool(c.env, c.args...)
			if code != c.code {
				t.Fatalf("go tool favconform %s: exit %d, want %d\n%s", strings.Join(c.args, " "), code, c.code, out)
			}
			if !strings.Contains(out, c.says) {
				t.Fatalf("go tool favconform %s must say %q:\n%s", strings.Join(c.args, " "), c.says, out)
			}
			if strings.Contains(out, "tok-12345678") {
				t.Fatal("the output leaks the token")
			}
		})
	}
}
