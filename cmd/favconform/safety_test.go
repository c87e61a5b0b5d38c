package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
)

// seededTarget starts a mock in this process, gives the user and the second user a list, and
// writes a target file for it. It returns the file, a client, and the favorites each role had.
func seededTarget(t *testing.T, opts mock.Options, delay time.Duration) (string, *client.Client, map[identity.Role][]api.Favorite) {
	t.Helper()
	return seededTargetWith(t, opts, func(m http.Handler) http.Handler {
		if delay == 0 {
			return m
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(delay); m.ServeHTTP(w, r) })
	})
}

// seededTargetWith is seededTarget with the mock's handler wrapped by wrap (the client the test
// gets talks to the mock itself, unwrapped).
func seededTargetWith(t *testing.T, opts mock.Options, wrap func(http.Handler) http.Handler) (string, *client.Client, map[identity.Role][]api.Favorite) {
	t.Helper()
	m, err := mock.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h := wrap(m)
	direct := httptest.NewServer(m)
	t.Cleanup(direct.Close)
	srv := &http.Server{Handler: h}
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	url := "http://" + ln.Addr().String()

	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(target.ForMock(direct.URL, identity.Default()), v, nil)
	seeded := map[identity.Role][]api.Favorite{
		identity.User:       {{PageID: "keep-me", Title: "My real favorite", RelativeURL: "/a?b=c#d"}, {PageID: "keep-me-too", Title: "Another ★"}},
		identity.SecondUser: {{PageID: "second", Title: "Second user's"}},
	}
	for role, favs := range seeded {
		if r := c.As(role).CreateList(favs...); !r.OK() {
			t.Fatalf("seeding %s: %s", role, r.Describe())
		}
	}
	var file bytes.Buffer
	fmt.Fprintf(&file, "baseURL: %s\nidentities:\n", url)
	for _, id := range identity.Default() {
		fmt.Fprintf(&file, "  %s:\n    headers:\n      Authorization: %q\n", id.Role, id.Token)
	}
	path := filepath.Join(t.TempDir(), "target.yaml")
	if err := os.WriteFile(path, file.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, c, seeded
}

func expectRestored(t *testing.T, c *client.Client, seeded map[identity.Role][]api.Favorite) {
	t.Helper()
	for role, want := range seeded {
		r := c.As(role).GetList()
		if !r.OK() || r.List == nil {
			t.Fatalf("role %s: after the run the list is gone: %s", role, r.Describe())
		}
		if len(r.List.Favorites) != len(want) {
			t.Fatalf("role %s: want %d favorites restored, got %+v", role, len(want), r.List.Favorites)
		}
		for i, f := range r.List.Favorites {
			if f.PageID != want[i].PageID || f.Title != want[i].Title || f.RelativeURL != want[i].RelativeURL {
				t.Fatalf("role %s: favorite %d restored as %+v, want %+v", role, i, f, want[i])
			}
		}
	}
	if r := c.As(identity.App).GetList(); r.Status != http.StatusNotFound {
		t.Fatalf("role app had no list before the run and must have none after: %s", r.Describe())
	}
}

func TestListsAreRestoredAfterAConformingRun(t *testing.T) {
	file, c, seeded := seededTarget(t, mock.Options{}, 0)
	r := favconform(t, nil, "run", "--target-file", file)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "restore: role user's list recreated") {
		t.Fatalf("the run must say what it restored:\n%s", r.stdout)
	}
	expectRestored(t, c, seeded)
}

func TestListsAreRestoredAfterAFailingRun(t *testing.T) {
	file, c, seeded := seededTarget(t, mock.Options{Deviations: []string{"update-merges-favorites"}}, 0)
	r := favconform(t, nil, "run", "--target-file", file)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	expectRestored(t, c, seeded)
}

// An interrupt may land anywhere in a spec: in a setup step (where a spec abandoned by Ginkgo
// once called DeferCleanup after the interrupt, which ends the process before the restore), in
// a call, in the model-based run's hundreds of calls. Each must leave the lists restored.
func TestListsAreRestoredAfterAnInterrupt(t *testing.T) {
	for _, after := range []time.Duration{150 * time.Millisecond, 400 * time.Millisecond, 700 * time.Millisecond} {
		t.Run(fmt.Sprintf("whole suite, interrupted after %s", after), func(t *testing.T) { interruptAndExpectRestored(t, after) })
	}
	t.Run("model-based run", func(t *testing.T) { interruptAndExpectRestored(t, 400*time.Millisecond, "--label-filter", "model") })
}

func interruptAndExpectRestored(t *testing.T, after time.Duration, flags ...string) {
	file, c, seeded := seededTarget(t, mock.Options{}, 30*time.Millisecond)
	cmd := exec.Command(os.Args[0], append([]string{"run", "--target-file", file}, flags...)...)
	cmd.Env = append(os.Environ(), "FAVCONFORM_TEST_MAIN=1")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the suites are well under way (each request takes 30 ms).
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "snapshot: role user") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(after)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 || !strings.Contains(out.String(), "INTERRUPTED: the run was stopped") {
		t.Fatalf("a conforming target's run stopped by SIGINT must end INTERRUPTED with exit 130 (got %v)\n%s", err, out.String())
	}
	t.Logf("interrupted run:\n%s", out.String())
	if !strings.Contains(out.String(), "restore: role user") {
		t.Fatalf("the interrupted run must restore the lists and say so:\n%s", out.String())
	}
	expectRestored(t, c, seeded)
}

func TestReadOnlyClientSendsNoWrite(t *testing.T) {
	var writes int
	srv := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			writes++
		}
		w.WriteHeader(http.StatusNotFound)
	})}
	ln, _ := netListen()
	go srv.Serve(ln)
	defer srv.Close()
	v, _ := validate.Default()
	c := client.New(target.ForMock("http://"+ln.Addr().String(), identity.Default()), v, nil)
	c.ReadOnly()
	k := c.As(identity.User)
	for _, r := range []*client.Response{k.CreateList(), k.AddFavorite(api.Favorite{PageID: "p", Title: "t"}), k.DeleteList("x"), k.DeleteFavorite("y"), k.UpdateList("x", 1, nil)} {
		if r.Err == nil || !strings.Contains(r.Err.Error(), "--allow-writes") {
			t.Fatalf("a write through a read-only client must fail naming --allow-writes, got %v", r.Err)
		}
	}
	if k.GetList().Err != nil {
		t.Fatal("reads must still work")
	}
	if writes != 0 {
		t.Fatalf("%d writes reached the server", writes)
	}
}

// Against a target that is not on loopback, without --allow-writes, only read-only specs run; a
// dry run shows it without sending anything.
func TestRemoteTargetWithoutAllowWritesRunsOnlyReadOnlySpecs(t *testing.T) {
	r := favconform(t, []string{"FAVCONFORM_TOKEN_USER=tok-abc-secret"}, "run", "--target", "https://favconform-test.invalid", "--dry-run")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"only read-only specs run", "--allow-writes", "[read-only]"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output must contain %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "[writes") {
		t.Errorf("no writing spec may be scheduled without --allow-writes:\n%s", r.stdout)
	}
	w := favconform(t, []string{"FAVCONFORM_TOKEN_USER=tok-abc-secret"}, "run", "--target", "https://favconform-test.invalid", "--dry-run", "--allow-writes")
	if !strings.Contains(w.stdout, "[writes") || !strings.Contains(w.stdout, "snapshot") {
		t.Errorf("with --allow-writes the dry run must list writing specs and the snapshot:\n%s", w.stdout)
	}
	if strings.Contains(r.stdout+r.stderr+w.stdout+w.stderr, "tok-abc-secret") {
		t.Error("the output leaks the token")
	}
}
