package model

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

// Defaults of a run. 200 steps and 40 replays take well under a second against the embedded
// mock; against a remote target a run sends about two requests a step (the call and a read),
// and a shrink replays prefixes of the failing sequence at most DefaultShrinkReplays times.
const (
	DefaultSteps         = 200
	DefaultShrinkReplays = 40
)

// Config is one model-based run.
type Config struct {
	// Client sends the calls. Its observer sees every call, shrink replays included.
	Client *client.Client
	// Roles are the users whose calls are interleaved (their lists are deleted first and
	// between replays). nil means identity.User alone.
	Roles []identity.Role
	Seed  int64
	// Steps is the length of the sequence (0: DefaultSteps).
	Steps int
	// ShrinkReplays bounds the replays spent shrinking a failing sequence (0: DefaultShrinkReplays;
	// < 0: do not shrink).
	ShrinkReplays int
}

// Result is the outcome of Run.
type Result struct {
	Seed  int64
	Roles []identity.Role
	// Steps is the generated sequence.
	Steps []Step
	// Failure is nil when every step matched the model.
	Failure *Failure
}

// Failure is a sequence that failed, shrunk.
type Failure struct {
	Seed  int64
	Roles []identity.Role
	// Steps is the shortest failing sequence found; its last step is the one that failed.
	Steps []Step
	// Message is how the last step of Steps failed.
	Message string
	// FirstAt is the step (1-based) at which the generated sequence first failed, and
	// FirstMessage how.
	FirstAt      int
	FirstMessage string
	// Replays is how many replays shrinking took; Exhausted is set when it stopped at its budget.
	Replays   int
	Exhausted bool
	// ShrinkErr is set when shrinking stopped because a replay could not start from a clean slate.
	ShrinkErr error
	// Transport is set when the step failed for want of an answer (EOF, a reset, a timeout): the
	// target did not answer wrongly, so the sequence is not shrunk (shrinking is for wrong answers,
	// and replaying hundreds of sequences against a flaky target proves nothing).
	Transport bool
}

// Error renders the failure for people: the seed, the shortest sequence as a numbered list, and
// how its last step failed.
func (f *Failure) Error() string {
	var b strings.Builder
	if f.Transport {
		fmt.Fprintf(&b, "the model-based run with seed %d (roles %s) got no answer at step %d of the generated sequence (a transport error, not a wrong answer: the sequence is not shrunk):\n%s\n\n",
			f.Seed, joinRoles(f.Roles), f.FirstAt, indent(f.FirstMessage))
		fmt.Fprintf(&b, "replay the same sequence with --seed %d (runner.Options.Seed)", f.Seed)
		return b.String()
	}
	fmt.Fprintf(&b, "the model-based run with seed %d (roles %s) failed at step %d of the generated sequence:\n%s\n\n",
		f.Seed, joinRoles(f.Roles), f.FirstAt, indent(f.FirstMessage))
	how := "shortest failing sequence found"
	switch {
	case f.ShrinkErr != nil:
		how += fmt.Sprintf(" (shrinking stopped: %v)", f.ShrinkErr)
	case f.Exhausted:
		how += fmt.Sprintf(" (shrinking stopped at its budget of %d replays)", f.Replays)
	default:
		how += fmt.Sprintf(" (%d replays)", f.Replays)
	}
	fmt.Fprintf(&b, "%s, %d step(s), each from a clean slate:\n%s\n", how, len(f.Steps), Describe(f.Steps))
	fmt.Fprintf(&b, "its step %d fails:\n%s\n\n", len(f.Steps), indent(f.Message))
	fmt.Fprintf(&b, "replay the same sequence with --seed %d (runner.Options.Seed)", f.Seed)
	return b.String()
}

func joinRoles(roles []identity.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// Run generates the sequence of cfg.Seed, runs it against the target from a clean slate, and
// shrinks it if it fails. It leaves the roles' lists as the last replay left them.
func Run(cfg Config) (Result, error) {
	if cfg.Client == nil {
		return Result{}, errors.New("model: Config.Client is nil")
	}
	roles := cfg.Roles
	if len(roles) == 0 {
		roles = []identity.Role{identity.User}
	}
	n := cfg.Steps
	if n <= 0 {
		n = DefaultSteps
	}
	budget := cfg.ShrinkReplays
	if budget == 0 {
		budget = DefaultShrinkReplays
	}
	res := Result{Seed: cfg.Seed, Roles: roles, Steps: Generate(cfg.Seed, n, roles)}
	if err := Reset(cfg.Client, roles); err != nil {
		return res, err
	}
	at, msg, transport := execute(cfg.Client, roles, res.Steps)
	if at < 0 {
		return res, nil
	}
	f := &Failure{Seed: cfg.Seed, Roles: roles, Steps: res.Steps[:at+1], Message: msg, FirstAt: at + 1, FirstMessage: msg, Transport: transport}
	if budget > 0 && !transport {
		var err error
		f.Steps, f.Message, f.Replays, err = Shrink(f.Steps, msg, budget, func(steps []Step) (int, string, error) {
			if err := Reset(cfg.Client, roles); err != nil {
				return -1, "", err
			}
			at, msg := Execute(cfg.Client, roles, steps)
			return at, msg, nil
		})
		f.ShrinkErr = err
		f.Exhausted = err == nil && f.Replays >= budget
	}
	f.Steps = Normalize(roles, f.Steps)
	res.Failure = f
	return res, nil
}

// Execute runs steps against the target in order, from whatever state the roles' lists are in
// (call Reset first). After each step it reads the list of the role that acted (and of the other
// roles when the step named their ids, and of every role after the last step): the response and
// the reads must be what the model allows. (Another role's list is checked again by its own next
// step, whose response the model also knows exactly.) It returns the index of the first step
// that failed and how, or -1.
func Execute(c *client.Client, roles []identity.Role, steps []Step) (int, string) {
	at, msg, _ := execute(c, roles, steps)
	return at, msg
}

// execute is Execute, also saying whether the failing step got no answer at all.
func execute(c *client.Client, roles []identity.Role, steps []Step) (int, string, bool) {
	m := New(roles...)
	for i, s := range steps {
		what := m.normalize(s).String() // as the step resolves against this state
		e := m.Plan(s)
		r := e.Call.Send(c)
		if err := e.Check(r); err != nil {
			return i, fmt.Sprintf("step %d, %s:\n%v", i+1, what, err), r.Err != nil
		}
		m.Commit(e, r)
		for _, role := range readsAfter(roles, s, i == len(steps)-1) {
			read := m.Plan(Step{Role: role, Op: Get})
			rr := read.Call.Send(c)
			if err := read.Check(rr); err != nil {
				return i, fmt.Sprintf("step %d, %s; the read of %s's list afterwards (the model has %s):\n%v", i+1, what, role, m.State(role), err), rr.Err != nil
			}
		}
	}
	return -1, "", false
}

// readsAfter are the roles whose lists are read after step s.
func readsAfter(roles []identity.Role, s Step, last bool) []identity.Role {
	switch {
	case last || s.Fault == OthersID:
		return roles
	case s.Op == Get && s.Fault == None: // the step was the read
		return nil
	}
	return []identity.Role{s.Role}
}

// Shrink looks for a shorter sequence than steps (which fails with msg at its last step) that
// still fails, by delta debugging: it removes chunks of steps, halving their size, and keeps any
// candidate that still fails, cut after its failing step. test replays a candidate from a clean
// slate and returns the failing step's index (or -1) and how it failed. Shrink spends at most
// budget replays, and stops at the first error test returns.
func Shrink(steps []Step, msg string, budget int, test func([]Step) (int, string, error)) ([]Step, string, int, error) {
	cur := steps
	replays := 0
	chunks := 2
	for len(cur) >= 2 && replays < budget {
		size := (len(cur) + chunks - 1) / chunks
		reduced := false
		for start := 0; start < len(cur) && replays < budget; start += size {
			cand := append(append([]Step(nil), cur[:start]...), cur[min(start+size, len(cur)):]...)
			if len(cand) == 0 {
				continue
			}
			replays++
			at, m, err := test(cand)
			if err != nil {
				return cur, msg, replays, err
			}
			if at >= 0 {
				cur, msg = cand[:at+1], m
				chunks = max(chunks-1, 2)
				reduced = true
				break
			}
		}
		if !reduced {
			if size == 1 {
				break
			}
			chunks = min(chunks*2, len(cur))
		}
	}
	return cur, msg, replays, nil
}

// Reset deletes every role's list (the list, or failing that its favorites one by one) and
// checks that none is left. A server that wrongly keeps several lists for one user gets a few
// rounds.
func Reset(c *client.Client, roles []identity.Role) error {
	for _, role := range roles {
		k := c.As(role)
		for round := 0; ; round++ {
			r := k.GetList()
			if r.Err != nil {
				return fmt.Errorf("model: reading %s's list to start from a clean slate: %w", role, r.Err)
			}
			if r.Status != http.StatusOK || r.List == nil || r.List.ID == "" {
				break
			}
			if round == 5 {
				return fmt.Errorf("model: could not delete %s's list %s to start from a clean slate", role, r.List.ID)
			}
			if d := k.DeleteList(r.List.ID); !d.OK() {
				for _, f := range r.List.Favorites {
					k.DeleteFavorite(f.ID)
				}
			}
		}
	}
	return nil
}
