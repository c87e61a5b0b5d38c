package runner

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/report"
)

func TestConsoleRedactsEveryWrite(t *testing.T) {
	var b bytes.Buffer
	c := newConsole(&b, redact.New([]string{"tok-1234", "Bearer tok-1234-long"}))
	c.Write([]byte("header: Bearer tok-1234-long and tok-1234\n"))
	if got := b.String(); got != "header: [REDACTED] and [REDACTED]\n" {
		t.Fatalf("got %q", got)
	}
}

// A target's escape sequences reach the console as visible text, never as control sequences.
func TestConsoleEscapesControlSequences(t *testing.T) {
	var b bytes.Buffer
	c := newConsole(&b, nil)
	c.Write([]byte("body: \x1b]0;pwned\x07\x1b[2Jgone\n"))
	if got := b.String(); strings.ContainsRune(got, 0x1b) || !strings.Contains(got, `\x1b]0;pwned\x07\x1b[2Jgone`) {
		t.Fatalf("got %q", got)
	}
}

// A log line arriving in the middle of a line of progress marks starts on its own line.
func TestConsoleEndsALineOfMarksBeforeOtherText(t *testing.T) {
	var b bytes.Buffer
	c := newConsole(&b, nil)
	c.dots(".")
	c.dots("F")
	c.Write([]byte("favconform: restore: done\n"))
	c.dots(".")
	c.endLine()
	c.endLine()
	if got, want := b.String(), ".F\nfavconform: restore: done\n.\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func specReport(text string, state types.SpecState, msg string) types.SpecReport {
	return types.SpecReport{
		ContainerHierarchyTexts: []string{"Create User Favorite List"}, LeafNodeType: types.NodeTypeIt, LeafNodeText: text,
		State: state, RunTime: 1200 * time.Microsecond,
		Failure: types.Failure{Message: msg, Location: types.CodeLocation{FileName: "suites/create_list.go", LineNumber: 21}},
	}
}

func feed(p *progress) {
	p.begin(types.Report{PreRunStats: types.PreRunStats{TotalSpecs: 5, SpecsThatWillRun: 3}})
	p.spec(specReport("POST creates the list", types.SpecStatePassed, ""))
	p.spec(specReport("POST answers 409 (reading)", types.SpecStateSkipped, "")) // filtered out: not shown
	p.spec(specReport("POST fails when a list exists", types.SpecStateFailed, "create: the exchange breaks the spec:\n1 spec violation(s):\n  op response /favoriteList/revision: expected string\nPOST ..."))
	p.spec(specReport("POST as another user", types.SpecStateSkipped, `needs role "second-user"`))
	p.con.endLine()
}

func TestProgressVerboseIsOneLinePerSpecWithItsTime(t *testing.T) {
	var b bytes.Buffer
	feed(&progress{con: newConsole(&b, nil), verbose: true})
	want := `3 of 5 specs will run
[1/3] PASS   1.2ms  Create User Favorite List POST creates the list
[2/3] FAIL   1.2ms  Create User Favorite List POST fails when a list exists
                   create: the exchange breaks the spec: op response /favoriteList/revision: expected string (suites/create_list.go:21)
[3/3] SKIP   1.2ms  Create User Favorite List POST as another user
                   needs role "second-user"
`
	if got := b.String(); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestProgressCompactIsOneMarkPerSpec(t *testing.T) {
	var b bytes.Buffer
	feed(&progress{con: newConsole(&b, nil)})
	if got, want := b.String(), ".FS 3/3\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// Colour only when asked for (the command asks only when stdout is a terminal).
func TestProgressColour(t *testing.T) {
	var plain, coloured bytes.Buffer
	feed(&progress{con: newConsole(&plain, nil), verbose: true})
	colouredConsole := newConsole(&coloured, nil)
	colouredConsole.colour = true
	feed(&progress{con: colouredConsole, verbose: true, color: true})
	if strings.Contains(plain.String(), "\x1b[") {
		t.Fatalf("escape sequences without colour: %q", plain.String())
	}
	if !strings.Contains(coloured.String(), red+"FAIL"+reset) {
		t.Fatalf("no colour when asked: %q", coloured.String())
	}
}

// The curl reproductions name the same variables that `run --target` reads tokens from.
func TestTokenEnvIsTheCurlPlaceholder(t *testing.T) {
	for _, r := range identity.Roles {
		if TokenEnv(r) != report.TokenVar(r) {
			t.Errorf("role %s: run reads %s, reproductions use %s", r, TokenEnv(r), report.TokenVar(r))
		}
	}
}
