// Command favconform checks a Dashboard Favorite List API server against the documented
// behaviour: it runs the conformance suites (against the embedded reference mock by default),
// serves the mock, and prints the embedded OpenAPI document.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/target"
)

// version is set at build time with -ldflags "-X main.version=..."; otherwise the module's.
var version = ""

const usage = `favconform — conformance harness for the Wix Dashboard Favorite List REST API

Usage:
  favconform run [flags]      run the conformance suites (against the embedded mock by default)
  favconform serve [flags]    serve the reference mock
  favconform restore FILE     put back the lists saved in a run's recovery file
  favconform proxy [flags]    validating reverse proxy between a client and a target
  favconform validate FILE.har ...  validate recorded traffic (HAR 1.2) offline
  favconform check-receiver [flags]  check that an app's webhook receiver verifies deliveries
  favconform spec             print the embedded OpenAPI document
  favconform version          print the version

Run 'favconform COMMAND --help' for a command's flags.
Exit codes: 0 conforming, 1 not conforming, 2 bad usage or configuration, 3 target unreachable,
4 the lists could not all be restored (the message names the recovery file and the command),
130 interrupted (Ctrl-C or SIGTERM) before anything failed.
`

func main() { os.Exit(mainExit(os.Args[1:], os.Stdout, os.Stderr)) }

func mainExit(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err := emptyEnvironment(os.Environ()); err != nil {
		fmt.Fprintf(stderr, "favconform: %v\n", err)
		return 2
	}
	switch args[0] {
	case "run":
		return runCommand(args[1:], stdout, stderr)
	case "restore":
		return restoreCommand(args[1:], stdout, stderr)
	case "serve":
		return serveCommand(args[1:], stdout, stderr)
	case "proxy":
		return proxyCommand(args[1:], stdout, stderr)
	case "validate":
		return validateCommand(args[1:], stdout, stderr)
	case "check-receiver":
		return checkReceiverCommand(args[1:], stdout, stderr)
	case "spec":
		if len(args) > 1 {
			return helpOrUsage("spec", "Usage: favconform spec\n\nPrints the embedded OpenAPI document (spec/openapi.yaml) every exchange is validated against.\n", args[1:], stdout, stderr)
		}
		return specCommand(stdout)
	case "version":
		if len(args) > 1 {
			return helpOrUsage("version", "Usage: favconform version\n\nPrints favconform's version.\n", args[1:], stdout, stderr)
		}
		fmt.Fprintln(stdout, "favconform", versionString())
		return 0
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "favconform: unknown command %q\n\n%s", args[0], usage)
	return 2
}

// readBuildInfo is debug.ReadBuildInfo (a variable for the tests of versionString).
var readBuildInfo = debug.ReadBuildInfo

// versionString is what `favconform version` prints and every report records: the -X
// main.version of a release build; else the module version of a binary built from a module
// version (`go install ...@v0.1.0`, `go tool` after `go get -tool ...@v0.1.0`); else, built in a
// checkout (or at a tag with changes), "(devel)" with the VCS revision (7 hex digits), the
// commit's date and "dirty" when the tree had changes: "(devel) 3f2a1c9 2026-12-03 dirty".
func versionString() string {
	if version != "" {
		return version
	}
	bi, ok := readBuildInfo()
	if !ok {
		return "(devel)"
	}
	vcs := map[string]string{}
	for _, s := range bi.Settings {
		vcs[s.Key] = s.Value
	}
	v := bi.Main.Version
	if r := bi.Main.Replace; r != nil {
		v = r.Version // "" when replaced by a directory: a development build
	}
	// Go stamps a checkout's build with a pseudo-version, or with the tag and "+dirty": there
	// only a clean tag is a release.
	inCheckout := vcs["vcs.revision"] != ""
	if v != "" && v != "(devel)" && (!inCheckout || !strings.Contains(v, "+") && !pseudoVersion.MatchString(v)) {
		return v
	}
	out := "(devel)"
	if rev := vcs["vcs.revision"]; rev != "" {
		out += " " + rev[:min(7, len(rev))]
	}
	if t, err := time.Parse(time.RFC3339, vcs["vcs.time"]); err == nil {
		out += " " + t.UTC().Format(time.DateOnly)
	}
	if vcs["vcs.modified"] == "true" {
		out += " dirty"
	}
	return out
}

// pseudoVersion matches the versions Go gives untagged commits (v0.0.0-20261203101500-3f2a1c9e4b7d).
var pseudoVersion = regexp.MustCompile(`[-.](0\.)?[0-9]{14}-[0-9a-f]{12}(\+.*)?$`)

// helpOrUsage answers the arguments of a command that takes none: its usage for -h/--help (exit
// 0), else the usage and exit 2.
func helpOrUsage(name, text string, args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprint(stdout, text)
		return 0
	}
	fmt.Fprintf(stderr, "favconform %s: unexpected argument %q\n\n%s", name, args[0], text)
	return 2
}

// listFlag collects a repeatable, comma-separable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// parseFlags parses args into fs and reports the exit code to use when parsing ends the command.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (int, bool) {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "favconform %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return 2, false
	}
	return 0, true
}

// emptyEnvironment reports the FAVCONFORM_ variables that are set but empty: a CI secret that is
// missing (as on a pull request from a fork) must not turn a run against a target into a run
// against the embedded mock, nor leave out a role, unnoticed.
func emptyEnvironment(env []string) error {
	var empty []string
	for _, kv := range env {
		if name, value, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "FAVCONFORM_") && value == "" {
			empty = append(empty, name)
		}
	}
	if len(empty) == 0 {
		return nil
	}
	sort.Strings(empty)
	return fmt.Errorf("%s set but empty (a CI secret that is not available, e.g. on a pull request from a fork?): give it a value, or unset it", strings.Join(empty, ", ")+map[bool]string{true: " is", false: " are"}[len(empty) == 1])
}

// tokensFromEnv reads each role's Authorization token from its variable (target.TokenEnv:
// FAVCONFORM_TOKEN_USER, ...); roles whose variable is unset are left out.
func tokensFromEnv() map[identity.Role]string {
	out := map[identity.Role]string{}
	for _, r := range identity.Roles {
		if v := os.Getenv(target.TokenEnv(r)); v != "" {
			out[r] = v
		}
	}
	return out
}

// envDefault returns the environment variable's value, or def.
func envDefault(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}
