package runner_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
)

// TestTheSuitesUnderGinkgoP runs the suites' test binary with the Ginkgo CLI, as README shows:
// `ginkgo -p` against the embedded mock passes (each process has a mock of its own, and only
// process 1 judges the merged run); against a target it refuses at once, saying why, and sends
// that target no write: a list it held is left exactly as it was.
func TestTheSuitesUnderGinkgoP(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the Ginkgo CLI and the suites' test binary")
	}
	dir := t.TempDir()
	ginkgoCLI, suitesTest := filepath.Join(dir, "ginkgo"), filepath.Join(dir, "suites.test")
	for _, args := range [][]string{
		{"build", "-o", ginkgoCLI, "github.com/onsi/ginkgo/v2/ginkgo"},
		{"test", "-c", "-o", suitesTest, "github.com/favconform/favconform/internal/suites"},
	} {
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	ginkgoP := func(env ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, ginkgoCLI, "-p", "--no-color", suitesTest)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	t.Run("against the embedded mock it passes", func(t *testing.T) {
		out, err := ginkgoP("FAVCONFORM_TARGET_FILE=", "FAVCONFORM_TARGET=")
		if err != nil || !strings.Contains(out, "Test Suite Passed") || !strings.Contains(out, "Running in parallel across") {
			t.Fatalf("ginkgo -p against the embedded mock: %v\n%s", err, out)
		}
	})

	t.Run("against a target it refuses and writes nothing", func(t *testing.T) {
		m, err := mock.New(mock.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var writes atomic.Int64
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet {
				writes.Add(1)
			}
			m.ServeHTTP(w, r)
		})}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		base := "http://" + ln.Addr().String()
		user, _ := identity.ByRole(identity.Default(), identity.User)
		send := func(method, body string) string {
			req, _ := http.NewRequest(method, base+api.ListPath, strings.NewReader(body))
			req.Header.Set("Authorization", user.Token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", method, resp.StatusCode, b)
			}
			return string(b)
		}
		send(http.MethodPost, `{"favoriteList":{"favorites":[{"pageId":"p","title":"Kept"}]}}`)
		before := send(http.MethodGet, "")
		writes.Store(0)
		file := filepath.Join(dir, "target.yaml")
		yaml := "baseURL: " + base + "\nidentities:\n  user:\n    headers: {Authorization: " + user.Token + "}\n"
		if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := ginkgoP("FAVCONFORM_TARGET_FILE=" + file)
		if err == nil || !strings.Contains(out, "the suites do not run under ginkgo -p against a target") || !strings.Contains(out, "--parallel N") {
			t.Fatalf("ginkgo -p against a target: want a refusal naming favconform run --parallel; got %v\n%s", err, out)
		}
		if n := writes.Load(); n != 0 {
			t.Fatalf("the refused run sent %d write(s) to the target", n)
		}
		if after := send(http.MethodGet, ""); after != before {
			t.Fatalf("the list changed:\nbefore %s\nafter  %s", before, after)
		}
	})
}
