package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/target"
)

// served is a `favconform serve --ready-json` child process.
type served struct {
	cmd  *exec.Cmd
	line readyLine
	out  lockedBuffer // stdout after the ready line (serve_webhooks_test.go)
	err  lockedBuffer // stderr
	done chan struct{}
}

func (s *served) stdout() string { return s.out.String() }
func (s *served) stderr() string { return s.err.String() }

// startServe starts serve with args (plus --ready-json and a loopback port unless args name one)
// and waits for its ready line.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	all := append([]string{"serve", "--ready-json"}, args...)
	if !strings.Contains(strings.Join(args, " "), "--addr") {
		all = append(all, "--addr", "127.0.0.1:0")
	}
	cmd := exec.Command(os.Args[0], all...)
	cmd.Env = append(os.Environ(), "FAVCONFORM_TEST_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &served{cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = &s.err
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.done
		if t.Failed() {
			t.Logf("serve's stderr:\n%s", s.stderr())
		}
	})
	r := bufio.NewReader(stdout)
	first, err := r.ReadString('\n')
	if err != nil {
		go func() { _ = cmd.Wait(); close(s.done) }()
		t.Fatalf("reading the ready line: %v (stderr: %s)", err, s.stderr())
	}
	if err := json.Unmarshal([]byte(first), &s.line); err != nil {
		t.Fatalf("ready line %q: %v", first, err)
	}
	go func() { _, _ = io.Copy(&s.out, r); _ = cmd.Wait(); close(s.done) }()
	return s
}

// stop sends SIGTERM and returns the exit code.
func (s *served) stop(t *testing.T) int {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
	return s.cmd.ProcessState.ExitCode()
}

// httpCall sends one request; header pairs are name, value.
func httpCall(t *testing.T, method, url, body string, header ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

const stateFixture = `{"lists":[{"role":"user","favoriteList":{"id":"0b6f5a0e-8a3c-4f5e-9d2b-1c2d3e4f5a6b","revision":"7","createdDate":"2024-05-19T13:05:45.684Z","updatedDate":"2024-05-20T13:05:45.684Z","favorites":[{"id":"1b6f5a0e-8a3c-4f5e-9d2b-1c2d3e4f5a6b","pageId":"p1","title":"One"}]}}]}`

func TestServeStateFileLoadedAndSaved(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(file, []byte(stateFixture), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, "--state", file)
	endpoint := s.line.URL + api.ListPath
	code, body := httpCall(t, "GET", endpoint, "", "Authorization", s.line.Tokens["user"])
	var env api.ListEnvelope
	if code != 200 || json.Unmarshal(body, &env) != nil || env.FavoriteList == nil ||
		env.FavoriteList.Revision != 7 || env.FavoriteList.ID != "0b6f5a0e-8a3c-4f5e-9d2b-1c2d3e4f5a6b" || len(env.FavoriteList.Favorites) != 1 {
		t.Fatalf("GET after loading the state file: %d %s", code, body)
	}
	if code, body := httpCall(t, "POST", s.line.URL+api.AddFavoritePath, `{"favorite":{"pageId":"p2","title":"Two"}}`,
		"Authorization", s.line.Tokens["second-user"]); code != 200 {
		t.Fatalf("add-favorite: %d %s", code, body)
	}
	if code := s.stop(t); code != 0 {
		t.Fatalf("serve exited %d after SIGTERM", code)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var st mock.State
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("saved state %s: %v", b, err)
	}
	if len(st.Lists) != 2 || st.Lists[0].Role != "user" || st.Lists[0].FavoriteList.Revision != 7 ||
		st.Lists[1].Role != "second-user" || st.Lists[1].FavoriteList.Favorites[0].PageID != "p2" {
		t.Fatalf("saved state: %s", b)
	}
	if _, err := os.Stat(file + ".tmp"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the temporary file is left: %v", err)
	}
	if !strings.Contains(s.stdout(), "lists saved to "+file) {
		t.Errorf("stdout does not say the lists were saved: %q", s.stdout())
	}
	// The saved file is loaded again.
	s2 := startServe(t, "--state", file)
	code, body = httpCall(t, "GET", s2.line.URL+mock.StatePath, "")
	var again mock.State
	if code != 200 || json.Unmarshal(body, &again) != nil || len(again.Lists) != 2 || again.Lists[1].FavoriteList.ID != st.Lists[1].FavoriteList.ID {
		t.Fatalf("state after a restart: %d %s", code, body)
	}
}

func TestServeStateFileRefused(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(file, []byte(`{"lists":[{"role":"user","favoriteList":{"revision":"-1","favorites":[]}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := mainExit([]string{"serve", "--addr", "127.0.0.1:0", "--state", file}, &out, &errb); code != 2 {
		t.Fatalf("exit %d, want 2; stderr %s", code, errb.String())
	}
	if msg := errb.String(); !strings.Contains(msg, "--state "+file) || !strings.Contains(msg, "lists[0].favoriteList.revision") {
		t.Fatalf("stderr %q", msg)
	}
	if out.Len() != 0 {
		t.Fatalf("serve started anyway: %q", out.String())
	}
}

func TestWriteFileAtomicNeverTearsTheFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "state.json")
	old := []byte(`{"lists":[]}` + "\n")
	if err := os.WriteFile(file, old, 0o600); err != nil {
		t.Fatal(err)
	}
	// Killed before the rename: the rename never happens.
	failing := func(string, string) error { return errors.New("killed before the rename") }
	if err := writeFileAtomic(file, bytes.Repeat([]byte("x"), 1<<20), 0o600, failing); err == nil {
		t.Fatal("no error from a failed rename")
	}
	if b, _ := os.ReadFile(file); !bytes.Equal(b, old) {
		t.Fatalf("the file changed although the rename failed: %d bytes", len(b))
	}
	// The rename sees a complete, synced temporary file in the same directory.
	var seen []byte
	var from string
	spy := func(oldpath, newpath string) error {
		from = oldpath
		seen, _ = os.ReadFile(oldpath)
		return os.Rename(oldpath, newpath)
	}
	data := []byte(`{"lists":[{"role":"user"}]}` + "\n")
	if err := writeFileAtomic(file, data, 0o600, spy); err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(from) != dir || !bytes.Equal(seen, data) {
		t.Fatalf("renamed %s holding %q", from, seen)
	}
	if b, _ := os.ReadFile(file); !bytes.Equal(b, data) {
		t.Fatalf("file %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("files left in the directory: %v", entries)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
}

func TestIsLoopbackAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:0": true, "[::1]:8080": true, "127.1.2.3:80": true,
		":8080": false, "0.0.0.0:8080": false, "[::]:8080": false, "192.168.1.5:8080": false, "example.com:80": false,
	} {
		if got := isLoopbackAddr(addr); got != want {
			t.Errorf("isLoopbackAddr(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestServeOnANetworkNeedsAnAdminToken(t *testing.T) {
	var out, errb bytes.Buffer
	if code := mainExit([]string{"serve", "--addr", "0.0.0.0:0"}, &out, &errb); code != 2 {
		t.Fatalf("exit %d, want 2; stderr %s", code, errb.String())
	}
	if msg := errb.String(); !strings.Contains(msg, "--addr 0.0.0.0:0 is not a loopback address") || !strings.Contains(msg, "--admin-token") {
		t.Fatalf("stderr %q", msg)
	}
	if out.Len() != 0 {
		t.Fatalf("serve started anyway: %q", out.String())
	}

	const secret = "network-admin-token-42"
	s := startServe(t, "--addr", "0.0.0.0:0", "--admin-token", secret)
	u, err := url.Parse(s.line.URL)
	if err != nil || u.Port() == "" {
		t.Fatalf("url %q: %v", s.line.URL, err)
	}
	base := "http://127.0.0.1:" + u.Port()
	if code, _ := httpCall(t, "GET", base+mock.StatePath, ""); code != http.StatusUnauthorized {
		t.Fatalf("GET state without the admin token: %d, want 401", code)
	}
	if code, _ := httpCall(t, "POST", base+mock.ResetPath, "", "Authorization", "Bearer wrong"); code != http.StatusUnauthorized {
		t.Fatalf("reset with a wrong admin token: %d, want 401", code)
	}
	if code, body := httpCall(t, "GET", base+mock.StatePath, "", "Authorization", "Bearer "+secret); code != 200 || string(bytes.TrimSpace(body)) != `{"lists":[]}` {
		t.Fatalf("GET state with the admin token: %d %s", code, body)
	}
	if code, _ := httpCall(t, "POST", base+mock.ResetPath, "", mock.AdminTokenHeader, secret); code != 200 {
		t.Fatalf("reset with %s: %d", mock.AdminTokenHeader, code)
	}
	if code, _ := httpCall(t, "GET", base+mock.IdentityPath, ""); code != 200 {
		t.Fatalf("GET %s must stay open: %d", mock.IdentityPath, code)
	}
	if strings.Contains(s.stdout(), secret) {
		t.Fatal("serve printed the admin token")
	}
}

func TestServeJournalFlag(t *testing.T) {
	s := startServe(t, "--journal", "2")
	for i := range 3 {
		httpCall(t, "GET", s.line.URL+api.ListPath+"?n="+string(rune('0'+i)), "", "Authorization", s.line.Tokens["user"])
	}
	code, body := httpCall(t, "GET", s.line.AdminURL+"requests", "")
	var j mock.Journal
	if code != 200 || json.Unmarshal(body, &j) != nil || len(j.Requests) != 2 || j.Requests[0].Query != "n=1" || j.Requests[1].Role != "user" || j.Requests[1].OperationID != "getUserFavoriteList" {
		t.Fatalf("journal: %d %s", code, body)
	}
	if bytes.Contains(body, []byte(s.line.Tokens["user"])) {
		t.Fatal("a token is in the journal")
	}
	off := startServe(t, "--journal", "-1")
	if code, _ := httpCall(t, "GET", off.line.AdminURL+"requests", ""); code != http.StatusNotFound {
		t.Fatalf("--journal -1: GET requests %d, want 404", code)
	}
}

func TestServeWriteTargetFileRunsEverySpec(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "target.yaml")
	s := startServe(t, "--write-target-file", file)
	cfg, err := target.Load(file)
	if err != nil {
		t.Fatalf("the target file does not load: %v", err)
	}
	if cfg.BaseURL != s.line.URL {
		t.Fatalf("baseURL %q, want %q", cfg.BaseURL, s.line.URL)
	}
	for _, role := range identity.Roles {
		if got := cfg.Identities[role]["Authorization"]; got != s.line.Tokens[string(role)] {
			t.Fatalf("role %s: Authorization %q, want %q", role, got, s.line.Tokens[string(role)])
		}
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("target file mode: %v %v", fi, err)
	}
	reports := t.TempDir()
	r := favconform(t, nil, "run", "--target-file", file, "--report-dir", reports)
	if r.code != 0 {
		t.Fatalf("run --target-file: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	rep := readReport(t, reports)
	if !rep.Summary.Conforming || rep.Summary.Passed == 0 || rep.Summary.Failed != 0 {
		t.Fatalf("want a conforming run with passes, got %+v", rep.Summary)
	}
	if n := rep.Summary.SkippedBecause["roles"] + rep.Summary.SkippedBecause["writes"]; n != 0 {
		t.Fatalf("%d specs skipped for a missing role or for writes: %+v", n, rep.Summary.SkippedBecause)
	}
	if strings.Contains(r.stdout+r.stderr, "needs role") {
		t.Fatalf("a spec was skipped for a missing role:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout+r.stderr, s.line.Tokens["user"]) {
		t.Fatal("run printed a token")
	}
}

func TestServeWriteTargetFilePoolAndWebhooks(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "target.yaml")
	s := startServe(t, "--write-target-file", file, "--pool", "2", "--webhook-url", "http://127.0.0.1:1/events", "--journal", "-1")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "  user:\n    - headers: {Authorization: \""+s.line.Accounts["user"][0]+"\"}\n    - headers: {Authorization: \""+s.line.Accounts["user"][1]+"\"}\n") {
		t.Fatalf("the pool's accounts are not a YAML list:\n%s", b)
	}
	text := string(b)
	for _, want := range []string{`listen: "127.0.0.1:1"`, `publicURL: "http://127.0.0.1:1/events"`, `publicKeyFile: "target.yaml.webhook-public-key.pem"`} {
		if !strings.Contains(text, want) {
			t.Fatalf("the webhooks section lacks %s:\n%s", want, text)
		}
	}
	cfg, err := target.Load(file)
	if err != nil {
		t.Fatalf("the target file does not load: %v", err)
	}
	for _, role := range identity.Roles {
		if len(cfg.Pool[role]) != 2 || cfg.Pool[role][1]["Authorization"] != s.line.Accounts[string(role)][1] {
			t.Fatalf("role %s: accounts %v", role, cfg.Pool[role])
		}
	}
	if cfg.Webhooks == nil || cfg.Webhooks.Listen != "127.0.0.1:1" || cfg.Webhooks.PublicKeyFile != file+".webhook-public-key.pem" {
		t.Fatalf("webhooks %+v", cfg.Webhooks)
	}
	pem, err := os.ReadFile(cfg.Webhooks.PublicKeyFile)
	if err != nil || string(pem) != s.line.PublicKeyPEM {
		t.Fatalf("the public key file does not hold the mock's key (%v)", err)
	}
}

func TestServeSaysWhereTheAdminAPIIs(t *testing.T) {
	file := filepath.Join(t.TempDir(), "t.yaml")
	s := startServe(t, "--write-target-file", file)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.stdout(), "webhook public key") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	out := s.stdout()
	if !strings.Contains(out, "admin API (reset, state, requests; spec/admin.yaml): "+s.line.AdminURL+", open on loopback") ||
		!strings.Contains(out, "target file written to "+file) {
		t.Fatalf("stdout:\n%s", out)
	}
}
