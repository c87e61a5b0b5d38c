package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/favconform/favconform/runner"
)

const restoreHelp = `Usage: favconform restore FILE (--target-file FILE | --target URL) [--timeout 10s]

Puts back the favorite lists saved in a recovery file: the snapshot a writing run takes of every
identity's list before its first write (in --report-dir, or in a temporary directory the run
names), which the run removes once it has restored and checked every list. A run that was killed,
or whose target stopped answering, leaves the file and prints this command. For each identity the
list the run left is deleted and the saved one is created anew (same favorites, same order; ids,
revision and dates are new), then read back and compared. The file is removed once every list is
back. Name the same target the run had (with --target alone, tokens come from
FAVCONFORM_TOKEN_<ROLE>).
Exit codes: 0 every list is back, 2 bad usage or a file that is not a recovery file or not this
target's, 3 target unreachable, 4 some lists could not be restored (the file is kept).

Flags:
`

func restoreCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), restoreHelp)
		fs.PrintDefaults()
	}
	var opts runner.Options
	fs.StringVar(&opts.TargetURL, "target", envDefault("FAVCONFORM_TARGET", ""), "base URL of the target the recovery file belongs to (env FAVCONFORM_TARGET); tokens from FAVCONFORM_TOKEN_<ROLE>")
	fs.StringVar(&opts.TargetFile, "target-file", envDefault("FAVCONFORM_TARGET_FILE", ""), "target configuration file (env FAVCONFORM_TARGET_FILE)")
	timeout := fs.Duration("timeout", 0, "per-request timeout (default: the target's, else 10s)")
	// The file comes first; flags may follow it.
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if file == "" {
		fmt.Fprintln(stderr, "favconform restore: name the recovery file: favconform restore FILE --target-file target.yaml")
		return runner.ExitUsage
	}
	if *timeout < 0 {
		fmt.Fprintln(stderr, "favconform restore: --timeout must be positive")
		return runner.ExitUsage
	}
	opts.Timeout, opts.Out = *timeout, stdout
	err := runner.RestoreFromFile(file, opts)
	if err != nil {
		fmt.Fprintf(stderr, "favconform restore: %s\n", strings.TrimSpace(err.Error()))
		return runner.ExitCode(nil, err)
	}
	return 0
}
