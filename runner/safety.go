package runner

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/snapshot"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
)

// writePolicy says whether the suites may write to the target, and why not. Writes are allowed
// against the embedded mock, a favconform mock on loopback (it answers mock.IdentityPath), or
// with --allow-writes; any other target — a loopback port included, which may be a tunnel or a
// port-forward to a real API — gets only the read-only specs.
func writePolicy(cfg target.Config, embedded, allowWrites bool) (bool, string) {
	switch {
	case embedded || allowWrites:
		return true, ""
	case cfg.IsLoopback() && identifiesAsMock(cfg):
		return true, ""
	case cfg.IsLoopback():
		return false, fmt.Sprintf("the target %s is on loopback but does not identify itself as a favconform mock (GET %s): it may be a tunnel or a port-forward to a real API, so only read-only specs run; every spec that writes is skipped. Run with --allow-writes to include them: they delete and recreate the favorite lists of the configured identities, which are snapshotted first and restored after the run.",
			cfg.DisplayURL(), mock.IdentityPath)
	}
	return false, "the target is not on loopback: only read-only specs run; every spec that writes is skipped. Run with --allow-writes to include them: they delete and recreate the favorite lists of the configured identities, which are snapshotted first and restored after the run."
}

// identifiesAsMock asks the target, without credentials, whether it is a favconform mock.
func identifiesAsMock(cfg target.Config) bool {
	ctx, cancel := context.WithTimeout(context.Background(), min(cfg.RequestTimeout(), 2*time.Second))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(cfg.BaseURL, "/")+mock.IdentityPath, nil)
	if err != nil {
		return false
	}
	resp, err := noRedirectClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var id mock.Identity
	return resp.StatusCode == http.StatusOK && json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&id) == nil && id.FavconformMock
}

// noRedirectClient never follows a redirect: following one would send the credentials elsewhere.
var noRedirectClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// signals counts the run's SIGINTs and SIGTERMs from before the first write to the end of the
// restore, so that no signal kills the process in between: the first interrupts the specs
// (Ginkgo's handling, or before the specs the run stops before writing anything); the second
// only says the lists are being restored; a third stops the restore, after saying what it
// leaves undone.
type signals struct {
	ch   chan os.Signal
	out  io.Writer
	done chan struct{}

	mu        sync.Mutex
	n         int
	first     context.CancelFunc // cancels what runs before the specs
	restoring context.CancelFunc // set while the restore runs; cancelled by a third signal
	pending   func() string      // what a stopped restore leaves undone
}

func catchSignals(out io.Writer, beforeSpecs context.CancelFunc) *signals {
	s := &signals{ch: make(chan os.Signal, 4), out: out, done: make(chan struct{}), first: beforeSpecs}
	signal.Notify(s.ch, os.Interrupt, syscall.SIGTERM)
	go s.loop()
	return s
}

func (s *signals) loop() {
	for {
		select {
		case <-s.done:
			return
		case sig := <-s.ch:
			s.mu.Lock()
			s.n++
			n, first, restoring, pending := s.n, s.first, s.restoring, s.pending
			s.mu.Unlock()
			switch {
			case n == 1 && first != nil:
				first()
			case n >= 3 && restoring != nil:
				fmt.Fprintf(s.out, "\nfavconform: %s again: stopping the restore. %s\n", sig, pending())
				restoring()
			case n >= 2:
				fmt.Fprintf(s.out, "\nfavconform: %s: restoring lists, please wait (a third interrupt stops the restore and leaves the lists not yet restored as the run left them).\n", sig)
			}
		}
	}
}

// specsStarted hands signals over to Ginkgo's handling: nothing before the specs runs any more.
func (s *signals) specsStarted() {
	s.mu.Lock()
	s.first = nil
	s.mu.Unlock()
}

// restore runs fn as the restore: a third signal cancels its context, after pending() says what
// is left undone.
func (s *signals) restore(pending func() string, fn func(context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.mu.Lock()
	s.restoring, s.pending = cancel, pending
	stopNow := s.n >= 3
	s.mu.Unlock()
	if stopNow {
		fmt.Fprintf(s.out, "favconform: three interrupts: the restore is not attempted. %s\n", pending())
		cancel()
	}
	fn(ctx)
	s.mu.Lock()
	s.restoring = nil
	s.mu.Unlock()
}

func (s *signals) stop() {
	signal.Stop(s.ch)
	close(s.done)
}

// guard is what keeps a writing run against a real target from losing a user's data: the
// snapshot of every identity's list, its recovery file, and the restore.
type guard struct {
	cfg      target.Config
	snap     *snapshot.Snapshot
	file     string // the recovery file
	tempDir  string // the temporary directory holding it, if the run made one
	command  string // the command that restores from the file
	validate *validate.Validator
}

// RecoveryFileName is the recovery file's name in --report-dir.
const RecoveryFileName = "favconform-recovery.json"

// protect snapshots the lists of every configured role and writes the recovery file, before the
// first write. A role whose list cannot be snapshotted for certain is unwritable (Unwritable).
func protect(ctx context.Context, cfg target.Config, v *validate.Validator, opts Options, log func(string)) (*guard, error) {
	g := &guard{cfg: cfg, validate: v}
	c := client.New(cfg, v, nil)
	// One read with no answer in time means the target is not answering: the other roles are
	// not waited for (and are unwritable).
	c.UseBreaker(&client.Breaker{Limit: 1})
	var roles []identity.Role
	for _, r := range identity.Roles {
		if cfg.Has(r) {
			roles = append(roles, r)
		}
	}
	g.snap = snapshot.Take(ctx, c, cfg.DisplayURL(), roles)
	g.snap.Slot = opts.Slot
	if ctx.Err() != nil {
		return nil, InterruptedError{errors.New("interrupted while the lists were being snapshotted: nothing was written")}
	}
	unreadable := map[string][]string{} // roles by reason
	var reasons []string
	for _, e := range g.snap.Entries {
		switch e.State {
		case snapshot.HasList:
			log(fmt.Sprintf("snapshot: role %s has a list of %d favorite(s) (id %s); it will be restored after the run", e.Role, len(e.List.Favorites), e.List.ID))
		case snapshot.NoList:
			log(fmt.Sprintf("snapshot: role %s has no list", e.Role))
		default:
			if _, seen := unreadable[e.Reason]; !seen {
				reasons = append(reasons, e.Reason)
			}
			unreadable[e.Reason] = append(unreadable[e.Reason], string(e.Role))
		}
	}
	for _, why := range reasons {
		log(fmt.Sprintf("snapshot: role(s) %s: %s; the harness never writes their lists (a denied role's calls are still sent, expecting a refusal)", strings.Join(unreadable[why], ", "), why))
	}
	if err := g.saveRecoveryFile(opts); err != nil {
		return nil, UsageError{fmt.Errorf("%w: the run writes nothing without it", err)}
	}
	log(fmt.Sprintf("snapshot saved to %s (mode 0600, no token in it); if this run is killed before it restores the lists, put them back with: %s", g.file, g.command))
	return g, nil
}

func (g *guard) saveRecoveryFile(opts Options) error {
	dir := cmp.Or(opts.RecoveryDir, opts.ReportDir)
	if dir == "" {
		d, err := os.MkdirTemp("", "favconform-recovery-")
		if err != nil {
			return fmt.Errorf("creating a directory for the recovery file: %w", err)
		}
		dir, g.tempDir = d, d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the report directory %s for the recovery file: %w", dir, err)
	}
	g.file = filepath.Join(dir, RecoveryFileName)
	if opts.Worker > 0 {
		g.file = filepath.Join(dir, fmt.Sprintf("favconform-recovery-%d.json", opts.Worker))
	}
	g.command = RestoreCommand(g.file, opts)
	return g.snap.Save(g.file)
}

// RestoreCommand is the command that restores the lists from file for a run with opts.
func RestoreCommand(file string, opts Options) string {
	cmd := "favconform restore " + shellQuote(file)
	switch {
	case opts.TargetFile != "":
		cmd += " --target-file " + shellQuote(opts.TargetFile)
		if opts.TargetURL != "" {
			cmd += " --target " + shellQuote(opts.TargetURL)
		}
	case opts.TargetURL != "":
		cmd += " --target " + shellQuote(opts.TargetURL) + " (with the same FAVCONFORM_TOKEN_<ROLE> variables)"
	}
	return cmd
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// RestoreBreakerLimit is how many restore calls without an answer in time stop the restore: a
// target that has stopped answering costs the restore that many timeouts, not one per call.
const RestoreBreakerLimit = 1

// restore puts every list back, checks it, and removes the recovery file when every list is
// back; otherwise it keeps the file and returns a RestoreError naming it and the command.
func (g *guard) restore(ctx context.Context, log func(string)) error {
	c := client.New(g.cfg, g.validate, nil)
	c.UseBreaker(&client.Breaker{Limit: RestoreBreakerLimit})
	res := snapshot.Restore(ctx, c, g.snap, func(o snapshot.Outcome) {
		if o.Action != snapshot.Skipped {
			log(o.String())
		}
	})
	if !res.OK() {
		return RestoreError{Roles: res.Failed(), File: g.file, Command: g.command}
	}
	if err := os.Remove(g.file); err != nil {
		log(fmt.Sprintf("restore: every list is back, but the recovery file %s could not be removed: %v", g.file, err))
		return nil
	}
	if g.tempDir != "" {
		os.Remove(g.tempDir)
	}
	log(fmt.Sprintf("restore: every list is back as it was; the recovery file %s is removed", g.file))
	return nil
}

// pending says what a stopped restore leaves undone.
func (g *guard) pending() string {
	return fmt.Sprintf("The lists not restored yet stay as the run left them; their snapshot is in %s. Put them back with: %s", g.file, g.command)
}

// RestoreError is a restore that left some lists as the run left them (exit code 4).
type RestoreError struct {
	Roles   []identity.Role
	File    string
	Command string
}

func (e RestoreError) Error() string {
	roles := make([]string, len(e.Roles))
	for i, r := range e.Roles {
		roles[i] = string(r)
	}
	return fmt.Sprintf("the lists of role(s) %s were NOT restored; their snapshot is in %s. Put them back with: %s", strings.Join(roles, ", "), e.File, e.Command)
}

// InterruptedError is a run stopped before its specs began (exit 130): nothing was written.
type InterruptedError struct{ Err error }

func (e InterruptedError) Error() string { return e.Err.Error() }
func (e InterruptedError) Unwrap() error { return e.Err }

// RestoreFromFile puts back the lists saved in a recovery file by a run that could not restore
// them (it was killed, or the target stopped answering), checks each, and removes the file once
// every list is back. opts names the target as for Run; it must be the file's target.
func RestoreFromFile(file string, opts Options) error {
	out := opts.Out
	if out == nil {
		out = os.Stdout
	}
	if opts.TargetFile == "" && opts.TargetURL == "" {
		return UsageError{errors.New("restore needs the target the recovery file belongs to: --target-file FILE or --target URL")}
	}
	snap, err := snapshot.Load(file)
	if err != nil {
		return UsageError{err}
	}
	opts.Slot = snap.Slot
	cfg, stop, err := Target(opts)
	defer stop()
	if err != nil {
		return err
	}
	if strings.TrimRight(snap.Target, "/") != strings.TrimRight(cfg.DisplayURL(), "/") {
		return UsageError{fmt.Errorf("the recovery file %s holds the lists of %s, but the target is %s: name the target the file belongs to", file, snap.Target, cfg.DisplayURL())}
	}
	for _, e := range snap.Entries {
		if e.State != snapshot.Unreadable && !cfg.Has(e.Role) {
			return UsageError{fmt.Errorf("the recovery file holds role %s, which the target configuration does not supply (identities.%s.headers)", e.Role, e.Role)}
		}
	}
	if err := Probe(cfg); err != nil {
		return err
	}
	v, err := validate.Default()
	if err != nil {
		return UsageError{err}
	}
	con := newConsole(out, cfg.Redactor())
	log := func(s string) { fmt.Fprintln(con, "favconform: "+s) }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sig := catchSignals(con, cancel)
	defer sig.stop()
	log(fmt.Sprintf("restoring the lists saved in %s (taken %s) to %s", file, snap.Taken.Format(time.RFC3339), snap.Target))
	g := &guard{cfg: cfg, snap: snap, file: file, command: RestoreCommand(file, opts), validate: v}
	return g.restore(ctx, log)
}
