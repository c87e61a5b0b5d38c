package spec_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/favconform/favconform/spec"
)

// requireSourcesEnv makes a missing ../shared/api-docs/ fail the quote test instead of skipping
// it (for CI, where the sources are checked out beside the repository).
const requireSourcesEnv = "FAVCONFORM_REQUIRE_SOURCES"

// sourcesDir finds the docs the registers quote (findSources), skipping the test, saying why,
// when they are absent, unless FAVCONFORM_REQUIRE_SOURCES=1 makes that a failure.
func sourcesDir(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir, missing := findSources(wd)
	if missing != "" {
		if os.Getenv(requireSourcesEnv) == "1" {
			t.Fatalf("%s (%s=1 requires this check to run)", missing, requireSourcesEnv)
		}
		t.Skip(missing)
	}
	return dir
}

// findSources returns ../shared/api-docs/ of the repository holding dir: the repository's root
// is the first directory holding go.mod on the way up from dir. When there is no such folder it
// returns why instead.
func findSources(dir string) (sources, missing string) {
	root := dir
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return "", fmt.Sprintf("no go.mod in %s or above it: no repository root, so no ../shared/api-docs/ to check the registers' quotes against", dir)
		}
		root = parent
	}
	sources = filepath.Join(root, "..", "shared", "api-docs")
	if info, err := os.Stat(sources); err != nil || !info.IsDir() {
		return "", fmt.Sprintf("the sources the registers quote are absent: no folder %s (the repository's ../shared/api-docs/), so their quotes are not checked", sources)
	}
	return sources, ""
}

// foldSpace turns every run of white space into one space and trims the ends: facts.md is
// hard-wrapped, and a quote joins its lines with one space.
func foldSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// quoted is one quote of a register and the file it claims to come from.
type quoted struct {
	where, file, quote string
}

// registerQuotes reads both registers through the package's loaders (spec.Requirements and
// spec.Discrepancies), so the test sees the entries exactly as the harness does.
func registerQuotes(t *testing.T) []quoted {
	t.Helper()
	reqs, err := spec.Requirements()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := spec.Discrepancies()
	if err != nil {
		t.Fatal(err)
	}
	var out []quoted
	for _, r := range reqs {
		out = append(out, quoted{where: "requirements.yaml " + r.ID, file: r.Source, quote: r.Quote})
	}
	for _, d := range ds {
		for i, s := range d.Sources {
			out = append(out, quoted{where: fmt.Sprintf("discrepancies.yaml %s sources[%d]", d.ID, i), file: s.File, quote: s.Quote})
		}
	}
	if len(reqs) == 0 || len(ds) == 0 || len(out) < len(reqs)+len(ds) {
		t.Fatalf("read %d requirements, %d discrepancies, %d quotes: are the registers empty?", len(reqs), len(ds), len(out))
	}
	return out
}

// Every quote of spec/requirements.yaml and every sources[].quote of spec/discrepancies.yaml
// occurs verbatim, white space aside, in the source document it names.
func TestRegisterQuotesAreVerbatim(t *testing.T) {
	dir := sourcesDir(t)
	quotes := registerQuotes(t)
	faults := misquoted(dir, quotes)
	for _, f := range faults {
		t.Error(f)
	}
	t.Logf("%d of %d quotes found verbatim in %s", len(quotes)-len(faults), len(quotes), dir)
}

// misquoted returns a line for every quote that does not occur, white space folded, in its file
// under dir (or whose file is not there).
func misquoted(dir string, quotes []quoted) []string {
	docs := map[string]string{}
	var faults []string
	for _, q := range quotes {
		text, ok := docs[q.file]
		if !ok {
			if q.file == "" || q.file != filepath.Base(q.file) {
				faults = append(faults, fmt.Sprintf("%s: source %q is not a file name under %s", q.where, q.file, dir))
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, q.file))
			if errors.Is(err, fs.ErrNotExist) {
				faults = append(faults, fmt.Sprintf("%s: no source document %s in %s", q.where, q.file, dir))
				continue
			} else if err != nil {
				faults = append(faults, fmt.Sprintf("%s: %v", q.where, err))
				continue
			}
			text = foldSpace(string(b))
			docs[q.file] = text
		}
		if want := foldSpace(q.quote); want == "" || !strings.Contains(text, want) {
			faults = append(faults, fmt.Sprintf("%s: the quote does not occur verbatim in %s:\n  %s", q.where, q.file, q.quote))
		}
	}
	return faults
}

// The checker itself: a hard-wrapped quote is found, an altered one, an empty one and one of a
// file that is not there are not; and the sources are reported missing outside a repository.
func TestMisquotedFindsWhatIsNotThere(t *testing.T) {
	dir := t.TempDir()
	doc := "Increments automatically by 1 whenever\nthe list is  successfully updated.\n"
	if err := os.WriteFile(filepath.Join(dir, "facts.md"), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	quotes := []quoted{
		{"ok", "facts.md", "Increments automatically by 1 whenever the list is successfully updated."},
		{"wrapped", "facts.md", "whenever the\n   list is successfully"},
		{"altered", "facts.md", "Increments automatically by one whenever the list is successfully updated."},
		{"case", "facts.md", "increments automatically"},
		{"empty", "facts.md", " \n"},
		{"no file", "dashboard-api.txt", "Increments"},
		{"a path", "../facts.md", "Increments"},
	}
	var got []string
	for _, f := range misquoted(dir, quotes) {
		where, _, _ := strings.Cut(f, ":")
		got = append(got, where)
	}
	if want := []string{"altered", "case", "empty", "no file", "a path"}; !slices.Equal(got, want) {
		t.Errorf("misquoted reports %v, want %v", got, want)
	}

	outside := t.TempDir()
	if _, missing := findSources(outside); missing == "" {
		t.Errorf("findSources(%s) found sources outside any repository", outside)
	}
	repo := filepath.Join(t.TempDir(), "main")
	if err := os.MkdirAll(filepath.Join(repo, "spec"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, missing := findSources(filepath.Join(repo, "spec")); !strings.Contains(missing, "absent") {
		t.Errorf("a repository without ../shared/api-docs/: missing = %q", missing)
	}
	shared := filepath.Join(filepath.Dir(repo), "shared", "api-docs")
	if err := os.MkdirAll(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	if got, missing := findSources(filepath.Join(repo, "spec")); missing != "" || got != shared {
		t.Errorf("findSources = %q, %q; want %q", got, missing, shared)
	}
}

func TestFoldSpace(t *testing.T) {
	for in, want := range map[string]string{
		"a  b\n  c\t\td":      "a b c d",
		"  leading\n":         "leading",
		"one\r\nline,\u00a0x": "one line, x",
		"":                    "",
	} {
		if got := foldSpace(in); got != want {
			t.Errorf("foldSpace(%q) = %q, want %q", in, got, want)
		}
	}
}
