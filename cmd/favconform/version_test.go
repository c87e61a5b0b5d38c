package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// What versionString makes of each kind of build.
func TestVersionStringOfEachKindOfBuild(t *testing.T) {
	vcs := func(rev, when, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: when}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "3f2a1c9e4b7d8a6f5e4d3c2b1a0f9e8d7c6b5a49"
	cases := []struct {
		name    string
		ldflags string
		bi      *debug.BuildInfo
		want    string
	}{
		{"-ldflags -X main.version wins", "v0.1.0", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261203101500-3f2a1c9e4b7d+dirty"}, Settings: vcs(rev, "2026-12-03T10:15:00Z", "true")}, "v0.1.0"},
		{"go install ...@v0.1.0 (no VCS info)", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.1.0"}}, "v0.1.0"},
		{"go install ...@<commit> (a pseudo-version, no VCS info)", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.1.1-0.20261203101500-3f2a1c9e4b7d"}}, "v0.1.1-0.20261203101500-3f2a1c9e4b7d"},
		{"go build in a clean checkout at tag v0.1.0", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.1.0"}, Settings: vcs(rev, "2026-12-02T09:00:00Z", "false")}, "v0.1.0"},
		{"go build at a tag with changes", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.1.0+dirty"}, Settings: vcs(rev, "2026-12-02T09:00:00Z", "true")}, "(devel) 3f2a1c9 2026-12-02 dirty"},
		{"go build in a dirty checkout past a tag", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.1.1-0.20261203101500-3f2a1c9e4b7d+dirty"}, Settings: vcs(rev, "2026-12-03T23:15:00-05:00", "true")}, "(devel) 3f2a1c9 2026-12-04 dirty"},
		{"go build in a clean checkout, no tag yet", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261203101500-3f2a1c9e4b7d"}, Settings: vcs(rev, "2026-12-03T10:15:00Z", "false")}, "(devel) 3f2a1c9 2026-12-03"},
		{"go build without VCS info (-buildvcs=false)", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{"go tool with the module replaced by a directory", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0", Replace: &debug.Module{Path: "/src/favconform"}}}, "(devel)"},
		{"go tool with the module replaced by a version", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v0.1.2"}}}, "v0.1.2"},
		{"no build info", "", nil, "(devel)"},
	}
	defer func(v string, r func() (*debug.BuildInfo, bool)) { version, readBuildInfo = v, r }(version, readBuildInfo)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			version = c.ldflags
			readBuildInfo = func() (*debug.BuildInfo, bool) { return c.bi, c.bi != nil }
			if got := versionString(); got != c.want {
				t.Fatalf("versionString() = %q, want %q", got, c.want)
			}
		})
	}
}

// buildCommand builds ./cmd/favconform with extra go build flags into a temporary directory.
func buildCommand(t *testing.T, flags ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "favconform")
	cmd := exec.Command("go", append(append([]string{"build"}, flags...), "-o", bin, ".")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", strings.Join(flags, " "), err, out)
	}
	return bin
}

func gitOutput(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("git %s: %v (the VCS build check needs git and the repository's .git)", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// A go build in the checkout (VCS info on, whatever GOFLAGS says) prints the revision, the
// commit's date and whether the tree had changes.
func TestVersionOfABuildWithVCSInfo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	if _, err := os.Stat("../../.git"); err != nil {
		t.Skip("no .git beside the module: a build without VCS info")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: go build records no VCS info without it")
	}
	rev := gitOutput(t, "rev-parse", "--short=7", "HEAD")
	when, err := time.Parse(time.RFC3339, gitOutput(t, "log", "-1", "--format=%cI"))
	if err != nil {
		t.Fatal(err)
	}
	dirtyBefore := gitOutput(t, "status", "--porcelain") != ""
	bin := buildCommand(t, "-buildvcs=true")
	dirtyAfter := gitOutput(t, "status", "--porcelain") != ""

	// go build records no VCS info in some checkouts (a git worktree, whose .git is a file):
	// then there is nothing for the command to print.
	if info, err := exec.Command("go", "version", "-m", bin).Output(); err != nil || !strings.Contains(string(info), "vcs.revision=") {
		t.Skipf("go build recorded no vcs.revision in this checkout (a git worktree?): nothing to check (%v)", err)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("favconform version: %v", err)
	}
	got := strings.TrimSpace(string(out))
	want := "favconform (devel) " + rev + " " + when.UTC().Format(time.DateOnly)
	switch {
	case dirtyBefore && dirtyAfter && got != want+" dirty",
		!dirtyBefore && !dirtyAfter && got != want,
		dirtyBefore != dirtyAfter && got != want && got != want+" dirty": // the tree changed during the build
		t.Fatalf("favconform version = %q, want %q (dirty: %v)", got, want, dirtyBefore)
	}
	if !regexp.MustCompile(`^favconform \(devel\) [0-9a-f]{7} \d{4}-\d\d-\d\d( dirty)?$`).MatchString(got) {
		t.Fatalf("favconform version = %q: not the documented shape", got)
	}
}

// A release build (-X main.version, as make npm builds) prints the version, and every report of a
// run carries it.
func TestVersionOfAReleaseBuildAndInTheReports(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := buildCommand(t, "-ldflags=-X main.version=v0.1.0")
	out, err := exec.Command(bin, "version").Output()
	if err != nil || string(out) != "favconform v0.1.0\n" {
		t.Fatalf("favconform version: %q, %v; want \"favconform v0.1.0\\n\"", out, err)
	}
	dir := t.TempDir()
	run := exec.Command(bin, "run", "--label-filter", "req:schema.responses-match-spec", "--report-dir", dir)
	if b, err := run.CombinedOutput(); err != nil {
		t.Fatalf("favconform run: %v\n%s", err, b)
	}
	rep := readReport(t, dir)
	if rep.Version != "v0.1.0" {
		t.Errorf("report.json: version %q, want v0.1.0", rep.Version)
	}
	for file, want := range map[string]string{
		"junit.xml":   `<property name="version" value="v0.1.0">`,
		"report.html": "favconform v0.1.0",
	} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), want) {
			t.Errorf("%s does not show the version (%q)", file, want)
		}
	}
}
