package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/report"
)

// Ginkgo builds one tree of specs per process and runs it once. So that Run can be called from
// any number of tests (and from a package that has a Ginkgo suite of its own), a call from a test
// runs the suites in a child process: the test binary itself, started again with childEnv naming
// a file that holds the options. The child's init (below) runs the suites and exits before the
// binary's own tests and TestMain start; the parent streams its output and reads its report.

// childEnv names the file of a child's options and result. It is set by Run for the child alone:
// no user sets it.
const childEnv = "FAVCONFORM_RUNNER_CHILD"

func init() {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(serveChild(path))
	}
}

// Run runs the conformance suites against opts' target and prints the summary to opts.Out. It
// returns the report, and an error typed by what ended the run (UsageError, UnreachableError,
// RestoreError, InterruptedError, NothingCheckedError; ExitCode maps them to the command's exit
// codes).
//
// Called from a test (t has a Name, as *testing.T does), the suites run in a child process of
// the test binary, so that Run may be called from several tests, in parallel too, and from a
// package with its own Ginkgo suite; t is failed when the run is not conforming. With
// Options.InProcess, or any other t (the command's), they run in this process, which can run them
// once.
func Run(t ginkgo.GinkgoTestingT, opts Options) (*report.Report, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	n, err := workers(opts)
	if err != nil {
		return nil, err
	}
	_, named := t.(interface{ Name() string })
	switch {
	case n > 1:
		return runParallel(t, opts, n)
	case named && !opts.InProcess:
		return runInChild(t, opts)
	}
	return runHere(t, opts)
}

// childRun is what parent and child exchange through the file childEnv names.
type childRun struct {
	Options Options        `json:"options"`
	Report  *report.Report `json:"report,omitempty"`
	Error   *childError    `json:"error,omitempty"`
}

type childError struct {
	Kind    string   `json:"kind"` // usage, unreachable, restore, interrupted, nothing, other
	Message string   `json:"message"`
	Roles   []string `json:"roles,omitempty"`
	File    string   `json:"file,omitempty"`
	Command string   `json:"command,omitempty"`
}

var childDirOnce = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "favconform-runner-") })

func runInChild(t ginkgo.GinkgoTestingT, opts Options) (*report.Report, error) {
	out := opts.Out
	if out == nil {
		out = os.Stdout
	}
	rep, err := runChild(opts, out, nil)
	if rep != nil && !rep.Summary.Conforming && rep.Verdict() != report.VerdictNothingChecked {
		t.Fail()
	}
	return rep, err
}

// runChild runs the suites with opts in a child process whose output goes to out; started, if
// set, is told the child's process once it runs and nil once it has ended.
func runChild(opts Options, out io.Writer, started func(*os.Process)) (*report.Report, error) {
	dir, err := childDirOnce()
	if err != nil {
		return nil, UsageError{fmt.Errorf("runner: a directory for the child run: %w", err)}
	}
	f, err := os.CreateTemp(dir, "run-*.json")
	if err != nil {
		return nil, UsageError{fmt.Errorf("runner: %w", err)}
	}
	path := f.Name()
	defer os.Remove(path)
	send := opts
	send.Out = nil
	if err := json.NewEncoder(f).Encode(childRun{Options: send}); err != nil {
		f.Close()
		return nil, UsageError{fmt.Errorf("runner: writing the child's options: %w", err)}
	}
	f.Close()
	exe, err := os.Executable()
	if err != nil {
		return nil, UsageError{fmt.Errorf("runner: the test binary to run the suites in: %w", err)}
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	cmd.Stdout, cmd.Stderr = out, out
	runErr := cmd.Start()
	if runErr == nil {
		if started != nil {
			started(cmd.Process)
		}
		runErr = cmd.Wait()
		if started != nil {
			started(nil)
		}
	}
	var res childRun
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &res)
	}
	if err != nil || (res.Report == nil && res.Error == nil) {
		return nil, fmt.Errorf("runner: the child process that runs the suites (%s) ended (%v) without a result", filepath.Base(exe), runErr)
	}
	return res.Report, res.Error.err()
}

// serveChild runs the suites with the options in path, writes the result there, and returns the
// exit code.
func serveChild(path string) int {
	var in childRun
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &in)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "favconform runner child: reading %s: %v\n", path, err)
		return ExitUsage
	}
	opts := in.Options
	opts.Out, opts.InProcess = os.Stdout, true
	os.Args = os.Args[:1] // Ginkgo's flags are not the child's
	rep, runErr := runHere(&childT{}, opts)
	res := childRun{Report: rep, Error: childErrorOf(runErr)}
	b, err = json.Marshal(res)
	if err == nil {
		err = os.WriteFile(path, b, 0o600)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "favconform runner child: writing %s: %v\n", path, err)
		return ExitUsage
	}
	return ExitCode(rep, runErr)
}

type childT struct{}

func (childT) Fail() {}

func childErrorOf(err error) *childError {
	if err == nil {
		return nil
	}
	e := &childError{Kind: "other", Message: err.Error()}
	var ue UsageError
	var un UnreachableError
	var re RestoreError
	var ie InterruptedError
	var ne NothingCheckedError
	switch {
	case errors.As(err, &re):
		e.Kind, e.File, e.Command = "restore", re.File, re.Command
		for _, r := range re.Roles {
			e.Roles = append(e.Roles, string(r))
		}
	case errors.As(err, &ie):
		e.Kind = "interrupted"
	case errors.As(err, &ne):
		e.Kind, e.Message = "nothing", ne.Reason
	case errors.As(err, &un):
		e.Kind = "unreachable"
	case errors.As(err, &ue):
		e.Kind = "usage"
	}
	return e
}

func (e *childError) err() error {
	if e == nil {
		return nil
	}
	plain := errors.New(e.Message)
	switch e.Kind {
	case "restore":
		re := RestoreError{File: e.File, Command: e.Command}
		for _, r := range e.Roles {
			re.Roles = append(re.Roles, identity.Role(r))
		}
		return re
	case "interrupted":
		return InterruptedError{plain}
	case "nothing":
		return NothingCheckedError{Reason: e.Message}
	case "unreachable":
		return UnreachableError{plain}
	case "usage":
		return UsageError{plain}
	}
	return plain
}
