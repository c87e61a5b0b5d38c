package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/proxy"
)

// proxyChild is `favconform proxy` running as a child process.
type proxyChild struct {
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   chan struct{}
	code   int
}

func (p *proxyChild) output() (string, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stdout.String(), p.stderr.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(b)
}

// startProxy starts `favconform proxy --addr 127.0.0.1:0 args...` and waits for its address.
func startProxy(t *testing.T, env []string, args ...string) *proxyChild {
	t.Helper()
	p := &proxyChild{done: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], append([]string{"proxy", "--addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Env = append(append(os.Environ(), "FAVCONFORM_TEST_MAIN=1"), env...)
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = lockedWriter{&p.mu, &p.stderr}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	lines := bufio.NewReader(out)
	first, err := lines.ReadString('\n')
	p.mu.Lock()
	p.stdout.WriteString(first)
	p.mu.Unlock()
	go func() {
		_, _ = io.Copy(lockedWriter{&p.mu, &p.stdout}, lines)
		err := p.cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok {
			p.code = ee.ExitCode()
		}
		close(p.done)
	}()
	m := regexp.MustCompile(`listening on (http://\S+?),`).FindStringSubmatch(first)
	if m == nil {
		<-p.done
		o, e := p.output()
		t.Fatalf("proxy printed no address (%v):\n%s\n%s", err, o, e)
	}
	p.url = m[1]
	return p
}

// stop sends SIGTERM and waits for the exit code.
func (p *proxyChild) stop(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Fatal("the proxy did not stop within 20s of SIGTERM")
	}
	return p.code
}

func send(t *testing.T, method, url, token, body string) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

func userToken(t *testing.T) string {
	t.Helper()
	u, ok := identity.ByRole(identity.Default(), identity.User)
	if !ok {
		t.Fatal("no user identity")
	}
	return u.Token
}

func TestProxyCommandAgainstAConformingTarget(t *testing.T) {
	srv, err := mock.NewServer(mock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	p := startProxy(t, nil, "--target", srv.URL, "-v")
	tok := userToken(t)
	resp := send(t, "POST", p.url+api.ListPath, tok, `{"favoriteList":{"favorites":[{"pageId":"p","title":"My Page"}]}}`)
	if resp.StatusCode != 200 || resp.Header.Get(proxy.ViolationsHeader) != "0" {
		t.Fatalf("want the target's 200 with %s: 0, got %d %q", proxy.ViolationsHeader, resp.StatusCode, resp.Header.Get(proxy.ViolationsHeader))
	}
	if code := p.stop(t); code != 0 {
		o, e := p.output()
		t.Fatalf("exit %d, want 0 after a clean session\n%s\n%s", code, o, e)
	}
	stdout, stderr := p.output()
	if !strings.Contains(stdout, "1 exchange(s), 0 with violations") || !strings.Contains(stderr, "createUserFavoriteList: conforms") {
		t.Fatalf("want the summary and the -v line:\nstdout: %s\nstderr: %s", stdout, stderr)
	}
	if strings.Contains(stdout+stderr, tok) {
		t.Fatal("the output leaks the token")
	}
}

func TestProxyCommandReportsViolations(t *testing.T) {
	srv, err := mock.NewServer(mock.Options{Deviations: []string{"revision-as-number"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	const envSecret = "env-token-for-second-user-789"
	reportPath := filepath.Join(t.TempDir(), "session.json")
	p := startProxy(t, []string{"FAVCONFORM_TOKEN_SECOND_USER=" + envSecret}, "--target", srv.URL, "--report", reportPath, "--fail-on-violation")
	tok := userToken(t)
	resp := send(t, "POST", p.url+api.AddFavoritePath, tok, `{"favorite":{"pageId":"p","title":"`+envSecret+`"}}`)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadGateway || !bytes.Contains(body, []byte(proxy.ViolationCode)) || !bytes.Contains(body, []byte("/favoriteList/revision")) {
		t.Fatalf("--fail-on-violation: want a 502 naming the violation, got %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(resp.Header.Get(proxy.ViolationHeader), "addUserFavorite response /favoriteList/revision") {
		t.Fatalf("the header must name the violation: %q", resp.Header.Values(proxy.ViolationHeader))
	}
	if code := p.stop(t); code != 1 {
		o, e := p.output()
		t.Fatalf("exit %d, want 1 after a session with violations\n%s\n%s", code, o, e)
	}
	stdout, stderr := p.output()
	if !strings.Contains(stderr, "#1 POST /dashboard/v1/user-favorite-list/add-favorite → 200: violation: addUserFavorite response /favoriteList/revision: expected type string") {
		t.Fatalf("want one log line naming the operation and pointer:\n%s", stderr)
	}
	if !strings.Contains(stdout, "session report written to "+reportPath) {
		t.Fatalf("want the report announced:\n%s", stdout)
	}
	b, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatalf("the report must be written on SIGTERM: %v", err)
	}
	var rep proxy.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Exchanges != 1 || rep.Summary.WithViolations != 1 || len(rep.Exchanges) != 1 || rep.Exchanges[0].Operation != "addUserFavorite" {
		t.Fatalf("unexpected report: %s", b)
	}
	for name, out := range map[string]string{"stdout": stdout, "stderr": stderr, "report": string(b)} {
		for _, secret := range []string{tok, envSecret} {
			if strings.Contains(out, secret) {
				t.Errorf("%s leaks %q", name, secret)
			}
		}
	}
}

func TestProxyCommandUsage(t *testing.T) {
	cases := []struct {
		args []string
		says string
	}{
		{[]string{"proxy"}, "--target is required"},
		{[]string{"proxy", "--target", "ftp://x"}, "not an http(s) URL"},
		{[]string{"proxy", "--target", "http://127.0.0.1:9", "--addr", "256.0.0.1:99999"}, "listening on 256.0.0.1:99999"},
		{[]string{"proxy", "--nope"}, "nope"},
	}
	for _, c := range cases {
		r := favconform(t, nil, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.says) {
			t.Errorf("%v: exit %d, want 2 with %q:\n%s", c.args, r.code, c.says, r.stderr)
		}
	}
	if r := favconform(t, nil, "proxy", "--help"); r.code != 0 || !strings.Contains(r.stderr, "X-Favconform-Violation") || !strings.Contains(r.stderr, "--fail-on-violation") {
		t.Errorf("--help must explain the headers and the flags: %d\n%s", r.code, r.stderr)
	}
}
