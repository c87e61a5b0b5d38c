package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/runner"
)

// listsOf reads the current list of each seeded role, through the unwrapped mock.
func listsOf(t *testing.T, c *client.Client, seeded map[identity.Role][]api.Favorite) map[identity.Role]api.FavoriteList {
	t.Helper()
	out := map[identity.Role]api.FavoriteList{}
	for role := range seeded {
		r := c.As(role).GetList()
		if !r.OK() || r.List == nil {
			t.Fatalf("role %s has no list: %s", role, r.Describe())
		}
		out[role] = *r.List
	}
	return out
}

// userGETs answers the n GETs of the user's list that follow the probe's (the first) with
// answer, and passes the others on.
func userGETs(n int, answer http.HandlerFunc) func(http.Handler) http.Handler {
	return func(m http.Handler) http.Handler {
		var seen atomic.Int64
		user := identity.Default()[0].Token
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && r.URL.Path == api.ListPath && r.Header.Get("Authorization") == user && seen.Add(1)-1 <= int64(n) && seen.Load() > 1 {
				answer(w, r)
				return
			}
			m.ServeHTTP(w, r)
		})
	}
}

// A role is written only after a snapshot that is certain. A transient answer is retried; an
// answer that stays transient, or a 200 that is not a list, leaves the role's list untouched
// (never written) and says why.
func TestUncertainSnapshotMeansTheListIsNeverWritten(t *testing.T) {
	unavailable := func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }
	html := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>Sign in</body></html>")
	}
	tooMany := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
	}
	for _, c := range []struct {
		name     string
		wrap     func(http.Handler) http.Handler
		written  bool
		mentions string
	}{
		{"503 on every attempt", userGETs(runnerAttempts, unavailable), false, "GET answered 503 3 time(s)"},
		{"a 200 that is an HTML page", userGETs(1, html), false, "neither a list nor a conforming answer"},
		{"429 with Retry-After once, then the list", userGETs(1, tooMany), true, "snapshot: role user has a list of 2 favorite(s)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			file, cl, seeded := seededTargetWith(t, mock.Options{}, c.wrap)
			before := listsOf(t, cl, seeded)
			r := favconform(t, nil, "run", "--target-file", file, "--allow-writes", "--label-filter", "!model && !concurrency")
			if !strings.Contains(r.stdout, c.mentions) {
				t.Fatalf("the output must say %q:\n%s\n%s", c.mentions, r.stdout, r.stderr)
			}
			after := listsOf(t, cl, seeded)
			if got := after[identity.User]; !c.written && (got.ID != before[identity.User].ID || got.Revision != before[identity.User].Revision) {
				t.Fatalf("the user's list was written although its snapshot was not certain: before %+v, after %+v\n%s", before[identity.User], got, r.stdout)
			}
			if c.written {
				if !strings.Contains(r.stdout, "restore: role user's list recreated") {
					t.Fatalf("the user's list must have been written and restored:\n%s", r.stdout)
				}
				expectRestored(t, cl, seeded)
			} else if !strings.Contains(r.stdout, "could not be snapshotted before the run") {
				t.Fatalf("the skipped specs must say why:\n%s", r.stdout)
			}
		})
	}
}

const runnerAttempts = 3 // snapshot.Attempts

// startRun starts the command as a child, and returns it once the snapshot is taken.
func startRun(t *testing.T, args ...string) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "FAVCONFORM_TEST_MAIN=1")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "snapshot saved to") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "snapshot saved to") {
		cmd.Process.Kill()
		t.Fatalf("the run never saved its snapshot:\n%s", out.String())
	}
	return cmd, out
}

func exitCode(err error) int {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// Further signals never skip the restore: the second only says the lists are being restored.
func TestASecondSignalDoesNotSkipTheRestore(t *testing.T) {
	for _, c := range []struct {
		name   string
		second syscall.Signal
	}{{"SIGINT twice within 50 ms", syscall.SIGINT}, {"SIGINT then SIGTERM", syscall.SIGTERM}} {
		t.Run(c.name, func(t *testing.T) {
			file, cl, seeded := seededTarget(t, mock.Options{}, 30*time.Millisecond)
			cmd, out := startRun(t, "run", "--target-file", file)
			time.Sleep(400 * time.Millisecond)
			cmd.Process.Signal(syscall.SIGINT)
			time.Sleep(40 * time.Millisecond)
			cmd.Process.Signal(c.second)
			err := cmd.Wait()
			if code := exitCode(err); code != runner.ExitInterrupted {
				t.Fatalf("exit %d, want %d\n%s", code, runner.ExitInterrupted, out.String())
			}
			if !strings.Contains(out.String(), "restoring lists, please wait") {
				t.Errorf("the second signal must say the lists are being restored:\n%s", out.String())
			}
			expectRestored(t, cl, seeded)
		})
	}
}

var recoveryFileRE = regexp.MustCompile(`snapshot saved to (\S+) `)

// A killed run leaves its recovery file (mode 0600, no token in it), and `favconform restore`
// puts the lists back from it, checks them, and removes it.
func TestAKilledRunIsRestoredFromItsRecoveryFile(t *testing.T) {
	file, cl, seeded := seededTarget(t, mock.Options{}, 30*time.Millisecond)
	dir := t.TempDir()
	cmd, out := startRun(t, "run", "--target-file", file, "--report-dir", dir)
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	m := recoveryFileRE.FindStringSubmatch(out.String())
	if m == nil || m[1] != filepath.Join(dir, runner.RecoveryFileName) {
		t.Fatalf("the run must name its recovery file in --report-dir:\n%s", out.String())
	}
	st, err := os.Stat(m[1])
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the recovery file must survive the kill with mode 0600: %v %v", st, err)
	}
	b, _ := os.ReadFile(m[1])
	for _, id := range identity.Default() {
		for _, form := range redact.Forms(id.Token) {
			if strings.Contains(string(b), form) {
				t.Fatalf("the recovery file holds the token of role %s", id.Role)
			}
		}
	}
	if !strings.Contains(string(b), "keep-me") {
		t.Fatalf("the recovery file must hold the user's favorites:\n%s", b)
	}
	r := favconform(t, nil, "restore", m[1], "--target-file", file)
	if r.code != 0 {
		t.Fatalf("restore: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	expectRestored(t, cl, seeded)
	if _, err := os.Stat(m[1]); !os.IsNotExist(err) {
		t.Fatalf("the recovery file must be removed once every list is back: %v", err)
	}
	if r := favconform(t, nil, "restore", m[1], "--target-file", file); r.code != runner.ExitUsage || !strings.Contains(r.stderr, "recovery file") {
		t.Fatalf("a missing recovery file is a usage error: exit %d\n%s", r.code, r.stderr)
	}
}

// A restore that cannot re-create a list keeps the recovery file, prints it and the command, and
// exits 4; the command then finishes the job.
func TestAFailedRestoreNamesTheFileAndTheCommand(t *testing.T) {
	var refuse atomic.Bool
	refuse.Store(true)
	// Creating the seeded favorites (only the restore does) fails while refuse is set.
	wrap := func(m http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == api.ListPath && refuse.Load() {
				body, _ := io.ReadAll(r.Body)
				if strings.Contains(string(body), "keep-me") {
					w.WriteHeader(http.StatusInternalServerError)
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			m.ServeHTTP(w, r)
		})
	}
	file, cl, seeded := seededTargetWith(t, mock.Options{}, wrap)
	r := favconform(t, nil, "run", "--target-file", file, "--label-filter", "req:create.creates-list")
	if r.code != runner.ExitRestoreFailed {
		t.Fatalf("exit %d, want %d\n%s\n%s", r.code, runner.ExitRestoreFailed, r.stdout, r.stderr)
	}
	m := recoveryFileRE.FindStringSubmatch(r.stdout)
	if m == nil || !strings.Contains(r.stderr, m[1]) || !strings.Contains(r.stderr, "favconform restore "+m[1]+" --target-file "+file) {
		t.Fatalf("the failure must name the recovery file and the command:\n%s\n%s", r.stdout, r.stderr)
	}
	refuse.Store(false)
	if r := favconform(t, nil, "restore", m[1], "--target-file", file); r.code != 0 {
		t.Fatalf("restore: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	expectRestored(t, cl, seeded)
}

// A target that stops answering mid-run costs at most SilentLimit timeouts in the specs and
// RestoreBreakerLimit in the restore (plus the snapshot's, before): the bound README states.
func TestATargetThatStopsAnsweringIsBounded(t *testing.T) {
	var served atomic.Int64
	var hang atomic.Bool
	wrap := func(m http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if served.Add(1) > 40 {
				hang.Store(true)
			}
			if hang.Load() {
				<-r.Context().Done()
				return
			}
			m.ServeHTTP(w, r)
		})
	}
	file, _, _ := seededTargetWith(t, mock.Options{}, wrap)
	const timeout = 300 * time.Millisecond
	start := time.Now()
	r := favconform(t, nil, "run", "--target-file", file, "--timeout", timeout.String(), "--clients", "2")
	took := time.Since(start)
	// (SilentLimit + RestoreBreakerLimit) timeouts, and generous room for the rest of the run.
	bound := time.Duration(10+runner.RestoreBreakerLimit)*timeout + 15*time.Second
	if took > bound {
		t.Errorf("the run took %s against a target that stopped answering; the bound is %s", took.Round(time.Millisecond), bound)
	}
	if r.code != runner.ExitRestoreFailed || !strings.Contains(r.stderr, "favconform restore ") {
		t.Fatalf("exit %d, want %d naming the restore command\n%s\n%s", r.code, runner.ExitRestoreFailed, r.stdout, r.stderr)
	}
}

// The probe never follows a redirect: the credentials go to no other address, and the redirect
// is reported as what it is.
func TestTheProbeNeverFollowsARedirect(t *testing.T) {
	var mu sync.Mutex
	var elsewhere []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		elsewhere = append(elsewhere, r.Header.Get("Authorization")+"|"+r.Header.Get("X-Api-Key"))
		mu.Unlock()
	}))
	defer other.Close()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirecting.Close()
	r := favconform(t, []string{"FAVCONFORM_TOKEN_USER=tok-redirect-secret"}, "run", "--target", redirecting.URL)
	if r.code != runner.ExitUsage || !strings.Contains(r.stderr, "redirect (307 to "+other.URL) {
		t.Fatalf("exit %d, want 2 naming the redirect\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(elsewhere) > 0 {
		t.Fatalf("the redirect was followed: the other server got %q", elsewhere)
	}
}

// A loopback port that does not identify itself as a favconform mock may be a tunnel to a real
// API: it gets the read-only specs only, unless --allow-writes.
func TestALoopbackTargetThatIsNotAMockIsReadOnly(t *testing.T) {
	hide := func(m http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, mock.AdminPathPrefix) {
				http.NotFound(w, r)
				return
			}
			m.ServeHTTP(w, r)
		})
	}
	file, cl, seeded := seededTargetWith(t, mock.Options{}, hide)
	before := listsOf(t, cl, seeded)
	r := favconform(t, nil, "run", "--target-file", file)
	if !strings.Contains(r.stdout, "does not identify itself as a favconform mock") || !strings.Contains(r.stdout, "--allow-writes") {
		t.Fatalf("the run must say why it only reads:\n%s\n%s", r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "snapshot saved") {
		t.Fatalf("a read-only run takes no snapshot:\n%s", r.stdout)
	}
	after := listsOf(t, cl, seeded)
	for role, l := range before {
		if after[role].ID != l.ID || after[role].Revision != l.Revision {
			t.Fatalf("role %s's list was written without --allow-writes", role)
		}
	}
	w := favconform(t, nil, "run", "--target-file", file, "--allow-writes", "--label-filter", "req:delete-favorite.removes")
	if w.code != 0 || !strings.Contains(w.stdout, "snapshot saved") {
		t.Fatalf("with --allow-writes the writing specs run: exit %d\n%s\n%s", w.code, w.stdout, w.stderr)
	}
	expectRestored(t, cl, seeded)
}
