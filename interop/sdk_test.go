package interop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/proxy"
	"github.com/favconform/favconform/validate"
)

// sdkDir holds package.json, package-lock.json and the Node test; npm installs node_modules there
// and keeps it between runs (git ignores it).
const sdkDir = "sdk"

// requireEnv makes a missing Node.js or an unreachable npm registry fail the test instead of
// skipping it (for CI, where both must be there).
const requireEnv = "FAVCONFORM_REQUIRE_NODE"

// skipOrFail skips with the reason, or fails when requireEnv is set.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(requireEnv) == "1" {
		t.Fatalf("%s (%s=1 requires this check to run)", msg, requireEnv)
	}
	t.Skip(msg)
}

// TestOfficialSDKAgainstTheMock installs @wix/dashboard-management and @wix/sdk with npm ci and
// runs sample-flow.test.mjs — the docs' sample flow through the SDK's favoriteList methods, with
// both ways of pointing the SDK at the mock — against the reference mock behind a validating
// proxy. It checks that the SDK's calls succeed, that every exchange conforms to the OpenAPI
// document, and that the SDK sent what facts.md says it sends.
func TestOfficialSDKAgainstTheMock(t *testing.T) {
	node, npm := tools(t)
	installSDK(t, npm)

	srv, err := mock.NewServer(mock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rec := &recorder{}
	front := rec.start(t, srv.URL)
	user, _ := identity.ByRole(identity.Default(), identity.User)

	out, err := runScript(node, front, user.Token)
	if err != nil {
		t.Fatalf("the SDK's sample flow failed against the mock: %v\n%s", err, out)
	}
	t.Logf("node --test sample-flow.test.mjs:\n%s", summaryLines(out))

	xs, raws := rec.snapshot()
	ops := map[string]int{}
	for _, x := range xs {
		ops[x.Operation]++
		for _, v := range x.Violations {
			t.Errorf("%s %s → %d breaks the spec: %v", x.Method, x.URL, x.Status, v)
		}
	}
	for _, op := range []string{"getUserFavoriteList", "createUserFavoriteList", "updateUserFavoriteList", "addUserFavorite", "deleteUserFavorite", "deleteUserFavoriteList"} {
		if ops[op] == 0 {
			t.Errorf("the SDK never called %s through the proxy (saw %v)", op, ops)
		}
	}

	// What facts.md says the SDK sends.
	var withPrefix, withoutPrefix int
	for _, r := range raws {
		if strings.HasPrefix(r.path, api.SDKPathPrefix+"/") {
			withPrefix++
		} else {
			withoutPrefix++
		}
		if r.auth != user.Token {
			t.Errorf("%s %s: Authorization is not the raw token (facts.md: no Bearer prefix)", r.method, r.path)
		}
		if r.method == http.MethodDelete {
			id := path.Base(r.path)
			if r.query.Get("favoriteListId") != id && r.query.Get("favoriteId") != id {
				t.Errorf("DELETE %s?%s: the SDK repeats the id in the query (facts.md)", r.path, r.query.Encode())
			}
		}
		if r.method == http.MethodPatch && !regexp.MustCompile(`"revision":"[0-9]+"`).Match(r.body) {
			t.Errorf("PATCH %s: the SDK sends revision as a string (facts.md), body %s", r.path, r.body)
		}
	}
	if withPrefix == 0 || withoutPrefix == 0 {
		t.Errorf("both ways of pointing the SDK must be exercised: %d requests under %s, %d without", withPrefix, api.SDKPathPrefix, withoutPrefix)
	}

	// The same script must fail against a mock that breaks what the SDK relies on: here, one that
	// does not route the SDK's /_api prefix.
	t.Run("fails against a mock that does not route /_api", func(t *testing.T) {
		bad, err := mock.NewServer(mock.Options{Readings: []string{"no-sdk-prefix"}})
		if err != nil {
			t.Fatal(err)
		}
		defer bad.Close()
		out, err := runScript(node, bad.URL, user.Token)
		if err == nil {
			t.Fatalf("the script passed against a mock that answers 404 to every /_api path:\n%s", out)
		}
		if !strings.Contains(out, "# fail ") || !strings.Contains(out, "NOT_FOUND") && !strings.Contains(out, "no such path") {
			t.Fatalf("want failing SDK calls, got:\n%s", out)
		}
	})
}

// tools finds node (18 or later: the SDK uses the global fetch) and npm.
func tools(t *testing.T) (node, npm string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		skipOrFail(t, "node is not on PATH: the official JavaScript SDK's interop check needs Node.js 18+ and npm (Debian: apt-get install nodejs npm)")
	}
	npm, err = exec.LookPath("npm")
	if err != nil {
		skipOrFail(t, "npm is not on PATH: the official JavaScript SDK's interop check installs the SDK with npm (Debian: apt-get install npm)")
	}
	v, err := exec.Command(node, "--version").Output()
	if err != nil {
		skipOrFail(t, "node --version failed: %v", err)
	}
	major, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(strings.TrimSpace(string(v)), "v"), ".", 2)[0])
	if major < 18 {
		skipOrFail(t, "node %s is too old: the SDK needs Node.js 18+ (global fetch)", strings.TrimSpace(string(v)))
	}
	return node, npm
}

// registryUnreachable recognises npm's network failures.
var registryUnreachable = regexp.MustCompile(`(?i)ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|ENETUNREACH|EHOSTUNREACH|network connectivity|request to https?://\S+ failed|FetchError`)

// installSDK installs the SDK into sdkDir, skipping the test (or failing it, with requireEnv)
// when the npm registry cannot be reached.
func installSDK(t *testing.T, npm string) {
	t.Helper()
	msg, skip, err := install(npm, sdkDir, nil)
	switch {
	case err != nil:
		t.Fatal(err)
	case skip:
		skipOrFail(t, "%s", msg)
	default:
		t.Log(msg)
	}
}

// install runs `npm ci` in dir unless node_modules already holds what package-lock.json names (a
// stamp of the lock file's hash, written after a successful install, says so). It reports skip
// when the registry is unreachable, with what npm said.
func install(npm, dir string, env []string) (msg string, skip bool, err error) {
	sum := sha256.New()
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return "", false, fmt.Errorf("interop/sdk/%s: %w", f, err)
		}
		sum.Write(b)
	}
	stamp := hex.EncodeToString(sum.Sum(nil))
	unlock, err := lockFile(filepath.Join(os.TempDir(), "favconform-interop-sdk.lock"))
	if err != nil {
		return "", false, fmt.Errorf("locking the SDK install: %w", err)
	}
	defer unlock()

	stampPath := filepath.Join(dir, "node_modules", ".favconform-installed")
	if b, err := os.ReadFile(stampPath); err == nil && strings.TrimSpace(string(b)) == stamp && installed(dir) {
		return "the SDK is installed in " + dir + "/node_modules (package-lock.json unchanged): no npm ci", false, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error",
		"--fetch-timeout=30000", "--fetch-retries=1")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "npm_config_update_notifier=false"), env...)
	out, err := cmd.CombinedOutput()
	switch {
	case ctx.Err() != nil:
		return "npm ci did not finish within 150s (is the npm registry reachable?): " + tail(out), true, nil
	case err != nil && registryUnreachable.Match(out):
		return "the npm registry is unreachable, so the official SDK cannot be installed; skipping the SDK interop check:\n" + tail(out), true, nil
	case err != nil:
		return "", false, fmt.Errorf("npm ci in %s failed: %w\n%s", dir, err, out)
	}
	if !installed(dir) {
		return "", false, fmt.Errorf("npm ci succeeded but %s/node_modules lacks the SDK:\n%s", dir, out)
	}
	if err := os.WriteFile(stampPath, []byte(stamp+"\n"), 0o644); err != nil {
		return "", false, err
	}
	return fmt.Sprintf("npm ci installed the SDK in %s", time.Since(start).Round(time.Millisecond)), false, nil
}

// An unreachable registry makes the check skip, saying why (offline machines can run make test).
func TestUnreachableRegistryIsASkip(t *testing.T) {
	_, npm := tools(t)
	dir := t.TempDir()
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(sdkDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A registry nobody listens on, and an empty cache so that nothing comes from it.
	msg, skip, err := install(npm, dir, []string{"npm_config_registry=http://127.0.0.1:9/", "npm_config_cache=" + filepath.Join(dir, "cache"),
		"npm_config_fetch_retry_mintimeout=100", "npm_config_fetch_retry_maxtimeout=200"})
	if err != nil || !skip || !strings.Contains(msg, "unreachable") {
		t.Fatalf("want a skip saying the registry is unreachable, got skip=%v err=%v msg=%s", skip, err, msg)
	}
}

func installed(dir string) bool {
	for _, p := range []string{"@wix/sdk", "@wix/dashboard-management", "@wix/auto_sdk_dashboard-management_favorite-list"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", p, "package.json")); err != nil {
			return false
		}
	}
	return true
}

func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 1500 {
		s = "…" + s[len(s)-1500:]
	}
	return s
}

// runScript runs the Node test against baseURL as the user with token.
func runScript(node, baseURL, token string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "sample-flow.test.mjs")
	cmd.Dir = sdkDir
	cmd.Env = append(os.Environ(), "FAVCONFORM_URL="+baseURL, "FAVCONFORM_TOKEN_USER="+token, "NODE_NO_WARNINGS=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		err = errors.Join(err, fmt.Errorf("the script did not finish within 60s"))
	}
	return out.String(), err
}

// summaryLines keeps the test names and counts of node's TAP output.
func summaryLines(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "ok ") || strings.HasPrefix(l, "not ok ") || strings.HasPrefix(l, "# pass") || strings.HasPrefix(l, "# fail") {
			keep = append(keep, "  "+l)
		}
	}
	return strings.Join(keep, "\n")
}

// recorder stands in front of the mock: it keeps what the SDK sent, raw, and validates every
// exchange through a proxy.
type recorder struct {
	mu        sync.Mutex
	exchanges []validate.Exchange
	raws      []raw
}

type raw struct {
	method, path, auth string
	query              url.Values
	body               []byte
}

func (r *recorder) start(t *testing.T, target string) string {
	t.Helper()
	u, _ := url.Parse(target)
	p, err := proxy.New(u, proxy.Options{Log: testLog{t}, OnExchange: func(x validate.Exchange) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.exchanges = append(r.exchanges, x)
	}})
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body bytes.Buffer
		if req.Body != nil {
			_, _ = body.ReadFrom(req.Body)
			req.Body.Close()
		}
		r.mu.Lock()
		r.raws = append(r.raws, raw{req.Method, req.URL.Path, req.Header.Get("Authorization"), req.URL.Query(), body.Bytes()})
		r.mu.Unlock()
		req.Body = readCloser{bytes.NewReader(body.Bytes())}
		p.ServeHTTP(w, req)
	}))
	t.Cleanup(front.Close)
	return front.URL
}

func (r *recorder) snapshot() ([]validate.Exchange, []raw) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]validate.Exchange{}, r.exchanges...), append([]raw{}, r.raws...)
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// testLog sends the proxy's log lines (one per violation) to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
