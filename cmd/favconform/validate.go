package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/favconform/favconform/har"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/runner"
)

const validateHelp = `Usage: favconform validate [flags] FILE.har ...

Validates recorded traffic offline: every entry of each HAR 1.2 file (browser devtools "Save all as
HAR", mitmproxy, Charles, ...) that calls the Dashboard Favorite List API is checked against the
embedded OpenAPI document, request and response; bodies recorded base64-encoded are decoded.
Entries for other paths or hosts, CORS preflights and requests without a response are skipped,
never failed. The summary lists each violation with its entry (log.entries[i]), method, URL,
status, operation and JSON pointer. Credentials found in the files (Authorization, Cookie,
Set-Cookie, API-key and token headers) are never printed, in any encoding. Files are read as a
stream, an entry at a time; an API entry with a body over 16 MiB fails, unread.
Exit codes: 0 no violation, 1 violations, 2 bad usage or a file that cannot be read as HAR (the
message names the file, the entry and the field).

Flags (before or after the files):
`

func validateCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), validateHelp)
		fs.PrintDefaults()
	}
	reportDir := fs.String("report-dir", envDefault("FAVCONFORM_REPORT_DIR", ""), "write report.json, junit.xml and report.html there, in the run's shapes: each API entry is a spec named \"FILE log.entries[i] METHOD URL\" (env FAVCONFORM_REPORT_DIR)")
	host := fs.String("host", "", "check only entries sent to this host (e.g. www.wixapis.com, or 127.0.0.1:8080); others are skipped")
	sanitized := fs.Bool("sanitized", false, "the HAR was exported without Authorization headers (Chrome's default \"Export HAR (sanitized)\"): do not report their absence")
	verbose := fs.Bool("v", false, "list every entry, conforming and skipped ones too")
	// Flags may come after the files: parse, take the files, parse the rest again.
	var files []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if err == flag.ErrHelp {
				return 0
			}
			return runner.ExitUsage
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		files = append(files, rest[0])
		rest = rest[1:]
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "favconform validate: no HAR file given: favconform validate [flags] FILE.har ...")
		return runner.ExitUsage
	}
	start := time.Now()
	// Without a report, only the summary's fields are kept of each entry: a long recording is
	// checked in little more memory than its largest entry takes.
	opts := har.Options{Host: *host, Sanitized: *sanitized, OmitExchanges: *reportDir == ""}
	var results []har.Result
	var unreadable []string
	for _, f := range files {
		res, err := har.CheckFile(f, opts)
		if err != nil {
			unreadable = append(unreadable, err.Error())
			continue
		}
		results = append(results, res)
	}
	if len(results) > 0 {
		har.Print(stdout, results, *verbose)
	}
	if *reportDir != "" && len(results) > 0 {
		r := har.Report(results, har.ReportMeta{Version: versionString(), StartedAt: start, Duration: time.Since(start), Sanitized: *sanitized})
		if err := r.WriteAll(*reportDir); err != nil {
			fmt.Fprintf(stderr, "favconform validate: writing the report: %v\n", err)
			return runner.ExitUsage
		}
		fmt.Fprintf(stdout, "report written to %s (report.json, junit.xml, report.html, summary.md)\n", *reportDir)
	}
	if len(unreadable) > 0 {
		for _, msg := range unreadable {
			fmt.Fprintf(stderr, "favconform validate: cannot read %s\n", redact.Terminal(msg, false))
		}
		fmt.Fprintf(stderr, "favconform validate: %d of %d file(s) could not be read as HAR 1.2 (%s)\n", len(unreadable), len(files), strings.Join(files, ", "))
		return runner.ExitUsage
	}
	for _, r := range results {
		if _, violating, _ := r.Counts(); violating > 0 {
			return runner.ExitNonconforming
		}
	}
	return runner.ExitConforming
}
