// Package suites holds the Ginkgo v2 conformance suites of the Dashboard Favorite List API. The
// specs live in ordinary files and are added to Ginkgo's tree only by Register, which package
// runner calls once before RunSpecs: importing a package of favconform registers no node.
//
// One file per workflow; each spec names the requirements (spec/requirements.yaml) it covers
// with Covers, starts from a clean slate for the identities it uses, and cleans up after itself,
// so any spec can run alone with --focus.
package suites

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
	"github.com/favconform/favconform/webhook"
)

// Config is what one run checks and how.
type Config struct {
	Target    target.Config
	Validator *validate.Validator
	// OnCall, if set, receives every call with the text of the spec that made it.
	OnCall func(spec string, c client.Call)
	// OnReport, if set, receives Ginkgo's report of the whole run.
	OnReport func(types.Report)
	// AllowWrites lets specs change the target's data. Without it only specs labelled ReadOnly
	// can pass, and every write is refused before it is sent.
	AllowWrites bool
	// Unwritable names the roles whose lists the specs must not write, with the reason (the
	// runner could not snapshot them, so it could not restore them): a spec that would write one
	// is skipped, saying why.
	Unwritable map[identity.Role]string
	// KnownAbsent names the roles whose lists the runner has just read and found gone, for
	// certain (its snapshot): their first clean slate needs no read of its own.
	KnownAbsent []identity.Role
	// Breaker is the run's breaker: once SilentLimit calls have had no answer within the
	// per-request timeout, the remaining specs fail at once; the runner halts it before it
	// restores the lists (nil: Register makes one).
	Breaker *client.Breaker
	// Receiver, if set, receives the target's webhook events (the event suite, events.go); without
	// it the event suite is skipped, saying which setting supplies one.
	Receiver *webhook.Receiver
	// Clients is how many clients the concurrency specs race (0: DefaultClients; see
	// concurrency.go).
	Clients int
	// Seed is the seed of the model-based sequences: every model-based spec of the run uses it,
	// so one seed replays the run.
	Seed int64
	// ModelSteps is the length of each model-based sequence (0: model.DefaultSteps against a
	// loopback target, RemoteModelSteps against another).
	ModelSteps int

	redactor *redact.Redactor // the target's, made once by Register
	absent   *absentLists     // lists seen gone since the last possible write, made by Register
}

// run is the configuration of this process's run, set once by Register before RunSpecs (Ginkgo
// builds one tree and runs it once per process). Specs only read it.
var (
	run      *Config
	register sync.Once
)

// Register validates cfg and adds every conformance spec, and the node that hands the report to
// cfg.OnReport, to Ginkgo's tree: call it once, then RunSpecs. Nothing is registered before it is
// called (importing the package adds no node), and a second call is an error: a process runs the
// suites once.
func Register(cfg Config) error {
	if err := cfg.Target.Validate(); err != nil {
		return err
	}
	cfg.redactor = cfg.Target.Redactor()
	cfg.absent = &absentLists{}
	for _, r := range cfg.KnownAbsent {
		cfg.absent.markGone(r)
	}
	if cfg.Breaker == nil {
		cfg.Breaker = &client.Breaker{Limit: SilentLimit}
	}
	if cfg.Validator == nil {
		v, err := validate.Default()
		if err != nil {
			return err
		}
		cfg.Validator = v
	}
	if cfg.Clients == 0 {
		cfg.Clients = DefaultClients
	}
	if err := CheckClients(cfg.Clients); err != nil {
		return err
	}
	done := false
	register.Do(func() {
		run, done = &cfg, true
		for _, describe := range []func(){
			describeAddFavorite, describeBadRequests, describeConcurrency, describeCreateList, describeDates,
			describeDeleteFavorite, describeDeleteList, describeEvents, describeFields, describeFormats,
			describeGetList, describeIsolation, describeModelBased, describeNegative, describePermissions,
			describeSampleFlow, describeUnknownIDs, describeUpdateList,
		} {
			describe()
		}
		ReportAfterSuite("favconform report", func(r Report) {
			if run.OnReport != nil {
				run.OnReport(r)
			}
		})
	})
	if !done {
		return errors.New("suites: Register called twice; a process runs the suites once")
	}
	return nil
}

func configured() *Config {
	if run == nil {
		Fail("suites: the run is not configured (call suites.Register before RunSpecs)")
	}
	return run
}

// Labels of the profiles. The default run excludes Strict; see the discrepancy register.
const (
	// Strict marks checks of a reading the docs do not force (an exact status where no page
	// states one, ...). Include them with --strict (label filter "strict || !strict").
	Strict = "strict"
	// DefaultLabelFilter is the filter of the default profile.
	DefaultLabelFilter = "!" + Strict
	// ReadOnly marks specs that never change the target's data: the only ones that run against
	// a target that is not on loopback without --allow-writes.
	ReadOnly = "read-only"
)

// RoleLabelPrefix starts the labels naming a role a spec needs besides identity.User (Needs).
const RoleLabelPrefix = "role:"

// Webhooks labels the specs that need the target's webhook events (a receiver).
const Webhooks = "webhooks"

// Needs labels a spec with the roles it needs besides identity.User ("role:<role>"), so that a
// dry run can say what a target configuration without them would skip. A spec that calls on a
// role it does not declare fails (a defect of the harness).
func Needs(roles ...identity.Role) Labels {
	l := make(Labels, len(roles))
	for i, r := range roles {
		l[i] = RoleLabelPrefix + string(r)
	}
	return l
}

// Covers labels a spec with the requirements it checks ("req:<id>"); the coverage test and the
// reports read these labels.
func Covers(requirementIDs ...string) Labels {
	l := make(Labels, len(requirementIDs))
	for i, id := range requirementIDs {
		l[i] = RequirementLabelPrefix + id
	}
	return l
}

// RequirementLabelPrefix starts every requirement label.
const RequirementLabelPrefix = "req:"

// Reading labels a spec that checks the reading of a discrepancy (spec/discrepancies.yaml) the
// docs do not force ("reading:<id>"); such a spec also carries the Strict label.
func Reading(discrepancyIDs ...string) Labels {
	l := Labels{Strict}
	for _, id := range discrepancyIDs {
		l = append(l, ReadingLabelPrefix+id)
	}
	return l
}

// ReadingLabelPrefix starts every discrepancy label.
const ReadingLabelPrefix = "reading:"

func describeCall(c client.Call) string {
	s := fmt.Sprintf("%s %s %s", c.Role, c.Method, c.URL)
	if c.Err != "" {
		return s + " → no response: " + c.Err
	}
	return fmt.Sprintf("%s → %d (%s)", s, c.Status, c.Duration.Round(1e5))
}

// SkipCause says why a spec was skipped, from its labels and the message it skipped with (""
// when a filter left it out): "roles", "writes", "snapshot", "webhooks", "strict", "filter" or
// "other" (report.Summary.SkippedBecause). strict and writes say whether the run had the strict
// profile and allowed writes.
func SkipCause(labels []string, message string, strict, writes bool) string {
	has := func(l string) bool { return slices.Contains(labels, l) }
	switch {
	case message == "" && has(Strict) && !strict:
		return "strict"
	case message == "" && !has(ReadOnly) && !writes:
		return "writes"
	case message == "":
		return "filter"
	case strings.HasPrefix(message, "needs role"):
		return "roles"
	case strings.Contains(message, "which this run does not allow"):
		return "writes"
	case strings.Contains(message, "could not be snapshotted"):
		return "snapshot"
	case strings.HasPrefix(message, "needs the target's webhook events"):
		return "webhooks"
	}
	return "other"
}
