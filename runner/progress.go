package runner

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/report"
)

// console is the run's output: every write is redacted (the configured secrets never reach the
// terminal or a CI log) and made safe for a terminal (a target's escape sequences are shown, not
// obeyed), and a line of progress dots is ended before any other text.
type console struct {
	mu       sync.Mutex
	w        io.Writer
	redactor *redact.Redactor
	midLine  bool
	// tty: w is a terminal; colour is for people, never for logs.
	tty bool
	// colour keeps colour sequences in what is written (only the harness's own are, when the
	// run's output is coloured); every other control sequence is escaped.
	colour bool
}

func newConsole(w io.Writer, r *redact.Redactor) *console {
	tty := isTerminal(w)
	return &console{w: w, redactor: r, tty: tty, colour: tty}
}

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(p) == 0 {
		return 0, nil
	}
	// Colour sequences are kept only on a terminal, where the harness's own are used.
	b := []byte(redact.Terminal(c.redactor.String(string(p)), c.colour))
	if c.midLine && b[0] != '\n' {
		b = append([]byte{'\n'}, b...)
	}
	c.midLine = false
	if _, err := c.w.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

// dots writes progress marks on the open line.
func (c *console) dots(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.w.Write([]byte(s))
	c.midLine = !strings.HasSuffix(s, "\n")
}

// endLine ends an open line of dots.
func (c *console) endLine() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.midLine {
		c.w.Write([]byte{'\n'})
		c.midLine = false
	}
}

// progress reports each spec as it ends: with Verbose one line per spec with its state and time
// (and a failure's first line), otherwise one mark per spec ("." passed, "F" failed, "S"
// skipped) with a count at the end of each line.
type progress struct {
	con     *console
	verbose bool
	color   bool
	total   int
	n       int
	start   time.Time
}

// dotsPerLine is how many marks a line of compact progress holds.
const dotsPerLine = 50

// active is the progress of the run in this process (Ginkgo runs once per process); the
// reporting nodes below feed it.
var active atomic.Pointer[progress]

// registerProgress adds the reporting nodes that feed the progress to Ginkgo's tree (with the
// suites, once per process: nothing is registered when the package is imported).
func registerProgress() {
	ginkgo.ReportBeforeSuite(func(r ginkgo.Report) {
		if p := active.Load(); p != nil {
			p.begin(r)
		}
	})
	ginkgo.ReportAfterEach(func(s ginkgo.SpecReport) {
		if p := active.Load(); p != nil {
			p.spec(s)
		}
	})
}

func (p *progress) begin(r types.Report) {
	p.total = r.PreRunStats.SpecsThatWillRun
	p.start = time.Now()
	if p.verbose {
		fmt.Fprintf(p.con, "%d of %d specs will run\n", r.PreRunStats.SpecsThatWillRun, r.PreRunStats.TotalSpecs)
	}
}

const (
	green  = "\x1b[32m"
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	reset  = "\x1b[0m"
)

func (p *progress) paint(colour, s string) string {
	if !p.color {
		return s
	}
	return colour + s + reset
}

func (p *progress) spec(s types.SpecReport) {
	if s.LeafNodeType != types.NodeTypeIt {
		return
	}
	// A spec the filters left out was never run: it is counted in the summary, not shown here.
	if s.State == types.SpecStateSkipped && s.Failure.Message == "" {
		return
	}
	p.n++
	var mark, word, colour string
	switch {
	case s.State == types.SpecStatePassed:
		mark, word, colour = ".", "PASS", green
	case s.State.Is(types.SpecStateFailureStates):
		mark, word, colour = "F", "FAIL", red
	case s.State == types.SpecStatePending:
		mark, word, colour = "P", "PEND", yellow
	default:
		mark, word, colour = "S", "SKIP", yellow
	}
	if !p.verbose {
		m := p.paint(colour, mark)
		if p.n%dotsPerLine == 0 || p.n == p.total {
			m += fmt.Sprintf(" %d/%d\n", p.n, p.total)
		}
		p.con.dots(m)
		return
	}
	width := len(fmt.Sprint(p.total))
	line := fmt.Sprintf("[%*d/%d] %s %7s  %s", width, p.n, p.total, p.paint(colour, word), roundDuration(s.RunTime), s.FullText())
	var detail string
	switch word {
	case "FAIL":
		detail = "\n" + strings.Repeat(" ", 2*width+17) + report.Headline(s.Failure.Message) + " (" + s.Failure.Location.String() + ")"
	case "SKIP":
		detail = "\n" + strings.Repeat(" ", 2*width+17) + strings.TrimSpace(s.Failure.Message)
	}
	fmt.Fprintln(p.con, line+detail)
}

func roundDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// withProgress runs fn (RunSpecs) with the run's console output in place of Ginkgo's reporter:
// unless the user asked for Ginkgo's own output with its flags (-ginkgo.v, -ginkgo.succinct,
// ...) or the suites run in parallel, Ginkgo prints nothing and the progress above is shown;
// otherwise Ginkgo's output goes through the redacting console. verbose and noColor are the
// run's options (colour is also off when the output is not a terminal); rc is the reporter
// configuration as Ginkgo's flags set it, adjusted in place.
func withProgress(con *console, rc *types.ReporterConfig, sc types.SuiteConfig, verbose, noColor, quiet bool, fn func()) {
	ginkgoOwn := rc.Verbose || rc.VeryVerbose || rc.Succinct || sc.ParallelTotal > 1
	noColor = noColor || !con.tty
	rc.NoColor = rc.NoColor || noColor
	con.colour = !rc.NoColor
	saved := formatter.ColorableStdOut
	defer func() { formatter.ColorableStdOut = saved }()
	if ginkgoOwn {
		if verbose && !rc.Succinct && !rc.VeryVerbose {
			rc.Verbose = true
		}
		formatter.ColorableStdOut = con
		fn()
		return
	}
	// Ginkgo's default reporter (silenced) need not format what nobody reads.
	rc.Succinct = true
	formatter.ColorableStdOut = io.Discard
	if !sc.DryRun && !quiet {
		p := &progress{con: con, verbose: verbose, color: !noColor}
		active.Store(p)
		defer active.Store(nil)
		defer con.endLine()
	}
	fn()
}

// callClock records when each call of each spec ended, so that the report can tell which
// request a failure is about (the last one before it).
type callClock struct {
	mu    sync.Mutex
	times map[string][]time.Time
}

func (c *callClock) record(spec string, _ client.Call) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.times == nil {
		c.times = map[string][]time.Time{}
	}
	c.times[spec] = append(c.times[spec], time.Now())
}

func (c *callClock) snapshot() map[string][]time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string][]time.Time, len(c.times))
	for k, v := range c.times {
		out[k] = append([]time.Time(nil), v...)
	}
	return out
}
