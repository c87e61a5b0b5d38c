package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/internal/suites"
	"github.com/favconform/favconform/runner"
)

// ginkgoT receives Ginkgo's suite-level failure; the outcome carries the details.
type ginkgoT struct{ failed bool }

func (t *ginkgoT) Fail() { t.failed = true }

func runCommand(args []string, stdout, stderr io.Writer) int {
	// A run is a batch of seconds to minutes whose live heap stays small: collecting a quarter as
	// often cut a default run against the embedded mock from about 0.78 s to 0.68 s, for about
	// 20 MB more at its peak (40 → 60 MB). A GOGC the user sets is theirs.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var opts runner.Options
	var deviations, readings, focus listFlag
	fs.StringVar(&opts.TargetURL, "target", envDefault("FAVCONFORM_TARGET", ""), "base URL of the target, e.g. https://www.wixapis.com (env FAVCONFORM_TARGET). Without it and --target-file, the embedded mock is started. With --target alone, tokens come from FAVCONFORM_TOKEN_<ROLE> (FAVCONFORM_TOKEN_USER, FAVCONFORM_TOKEN_SECOND_USER, ...)")
	fs.StringVar(&opts.TargetFile, "target-file", envDefault("FAVCONFORM_TARGET_FILE", ""), "target configuration file: base URL and headers per role (env FAVCONFORM_TARGET_FILE)")
	fs.Var(&deviations, "deviate", "switch on an embedded-mock deviation (repeatable, comma-separated; see 'favconform serve --list-deviations')")
	fs.Var(&readings, "reading", "move the embedded mock to another legitimate reading of a point the docs leave open (repeatable, comma-separated; see 'favconform serve --list-readings')")
	fs.BoolVar(&opts.Strict, "strict", envDefault("FAVCONFORM_STRICT", "") == "1", "include checks of readings the docs do not force (env FAVCONFORM_STRICT=1)")
	fs.StringVar(&opts.LabelFilter, "label-filter", envDefault("FAVCONFORM_LABEL_FILTER", ""), "run only specs matching this Ginkgo label filter, e.g. 'req:revision.stale-refused' (env FAVCONFORM_LABEL_FILTER)")
	fs.Var(&focus, "focus", "run only specs whose text matches this regular expression (repeatable)")
	fs.StringVar(&opts.ReportDir, "report-dir", envDefault("FAVCONFORM_REPORT_DIR", ""), "write junit.xml, report.json (shape: report/SCHEMA.md) report.html (one self-contained page) and summary.md (Markdown for a CI job summary or a pull-request comment) to this directory; every failure in them and on the console carries a curl command reproducing its request, with secrets as $FAVCONFORM_TOKEN_<ROLE> placeholders (env FAVCONFORM_REPORT_DIR)")
	fs.BoolVar(&opts.AllowWrites, "allow-writes", envDefault("FAVCONFORM_ALLOW_WRITES", "") == "1", "let the suites write to a target that is not on loopback (env FAVCONFORM_ALLOW_WRITES=1); lists are snapshotted first and restored after the run")
	seed := fs.String("seed", envDefault("FAVCONFORM_SEED", ""), "seed of the model-based random sequences, a non-zero integer (env FAVCONFORM_SEED); the run prints the seed it used, and the same seed replays the same sequences")
	fs.IntVar(&opts.Parallel, "parallel", 0, "how many processes run the specs at once, each on accounts of its own (default: 1 against the embedded mock; against a target, as many as its configuration has accounts of the user role: identities.user: [{headers: ...}, ...])")
	modelSteps := fs.Int("model-steps", 0, "length of each model-based sequence (default 200 against a loopback target, 50 against another)")
	fs.BoolVar(&opts.DryRun, "dry-run", false, "list the specs a run would run and skip (and why), without sending any request; a dry run has no verdict")
	fs.BoolVar(&opts.AllowEmpty, "allow-empty", envDefault("FAVCONFORM_ALLOW_EMPTY", "") == "1", "let a run in which no spec ran to a result exit 0 (default: it has no verdict and exits 2) (env FAVCONFORM_ALLOW_EMPTY=1)")
	fs.BoolVar(&opts.Verbose, "v", false, "verbose: one line per spec with its state and time, and a failure's gist (without it: one mark per spec, . passed F failed S skipped)")
	timeout := fs.String("timeout", envDefault("FAVCONFORM_TIMEOUT", ""), "per-request timeout, e.g. 5s (env FAVCONFORM_TIMEOUT; default 10s)")
	clients := fs.String("clients", envDefault("FAVCONFORM_CLIENTS", ""), fmt.Sprintf("how many clients the concurrency specs (label %q) race, %d to %d (env FAVCONFORM_CLIENTS; default %d)",
		suites.Concurrency, runner.MinClients, runner.MaxClients, runner.DefaultClients))
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if *seed != "" {
		n, err := strconv.ParseInt(*seed, 10, 64)
		if err != nil || n == 0 {
			fmt.Fprintf(stderr, "favconform run: --seed %q is not a non-zero integer\n", *seed)
			return runner.ExitUsage
		}
		opts.Seed = n
	}
	opts.ModelSteps = *modelSteps
	if *timeout != "" {
		d, err := time.ParseDuration(*timeout)
		if err != nil || d <= 0 {
			fmt.Fprintf(stderr, "favconform run: --timeout %q is not a positive duration such as 5s\n", *timeout)
			return runner.ExitUsage
		}
		opts.Timeout = d
	}
	if *clients != "" {
		n, err := strconv.Atoi(*clients)
		if err != nil || n == 0 {
			fmt.Fprintf(stderr, "favconform run: --clients %q is not a number from %d to %d\n", *clients, runner.MinClients, runner.MaxClients)
			return runner.ExitUsage
		}
		opts.Clients = n
	}
	opts.Deviations, opts.Readings, opts.Focus, opts.Out = deviations, readings, focus, stdout
	opts.Version = versionString()
	if opts.TargetURL != "" && opts.TargetFile == "" {
		opts.Tokens = tokensFromEnv()
	}
	// Ginkgo reads its own flags from os.Args; the command's flags are not Ginkgo's.
	os.Args = os.Args[:1]
	t := &ginkgoT{} // the command runs the suites in its own process
	outcome, err := runner.Run(t, opts)
	if err != nil {
		// Runner's errors come redacted; userinfo and secret query values are removed once more.
		fmt.Fprintf(stderr, "favconform run: %s\n", redact.Terminal((*redact.Redactor)(nil).String(strings.TrimSpace(err.Error())), false))
	}
	return runner.ExitCode(outcome, err)
}
