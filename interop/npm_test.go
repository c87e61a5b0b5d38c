package interop

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// npmVersion is the version the test builds the packages as (make npm VERSION=...).
const npmVersion = "0.1.0"

// TestNpmPackage builds the npm packages as `make npm` does, for this machine's platform only,
// installs them into a scratch project offline from their tarballs (an empty npm cache: nothing
// can come from the registry), and uses them as a JavaScript user would: `npx favconform` with
// its exit codes, the error when the platform package is missing, and startMock from a node:test
// file that also runs the docs' sample flow through the official SDK (interop/sdk) against the
// mock it started.
func TestNpmPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the npm packages and installs them")
	}
	node, npm := tools(t)
	if _, err := exec.LookPath("make"); err != nil {
		skipOrFail(t, "make is not on PATH: the npm packages are built by make npm")
	}
	platform := nodeOutput(t, node, "-p", "process.platform + '-' + process.arch")
	tarballs := t.TempDir()
	start := time.Now()
	build := exec.Command("make", "-s", "-C", "..", "npm", "PLATFORMS="+platform, "VERSION=v"+npmVersion)
	build.Env = append(os.Environ(), "OUT="+tarballs)
	if out, err := build.CombinedOutput(); err != nil {
		if strings.Contains(string(out), "no npm package for platform") {
			skipOrFail(t, "this machine's platform %s has no npm package:\n%s", platform, out)
		}
		t.Fatalf("make npm PLATFORMS=%s: %v\n%s", platform, err, out)
	}
	t.Logf("make npm PLATFORMS=%s took %s", platform, time.Since(start).Round(time.Millisecond))
	main := filepath.Join(tarballs, "favconform-"+npmVersion+".tgz")
	native := filepath.Join(tarballs, "favconform-"+platform+"-"+npmVersion+".tgz")
	for _, f := range []string{main, native} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("make npm did not pack %s: %v", filepath.Base(f), err)
		}
	}
	cache := t.TempDir() // empty: an install that needed the registry would fail

	project := scratchProject(t)
	if out, err := npmIn(project, cache, npm, "install", "--offline", "--no-audit", "--no-fund", main, native); err != nil {
		t.Fatalf("npm install --offline of the two tarballs: %v\n%s", err, out)
	}
	var installed struct{ Version string }
	readJSON(t, filepath.Join(project, "node_modules", "@favconform", platform, "package.json"), &installed)
	if installed.Version != npmVersion {
		t.Fatalf("@favconform/%s %q installed, want %s from the tarball", platform, installed.Version, npmVersion)
	}

	t.Run("npx favconform", func(t *testing.T) {
		if out, code := npx(t, project, cache, npm, nil, "version"); code != 0 || out != "favconform v"+npmVersion+"\n" {
			t.Fatalf("npx favconform version: exit %d, %q; want \"favconform v%s\"", code, out, npmVersion)
		}
		for _, c := range []struct {
			args []string
			env  []string
			code int
			says string
		}{
			{[]string{"run", "--label-filter", "req:schema.responses-match-spec"}, nil, 0, "CONFORMING"},
			{[]string{"run", "--deviate", "revision-as-number", "--label-filter", "req:schema.responses-match-spec"}, nil, 1, "NOT CONFORMING"},
			{[]string{"run", "--no-such-flag"}, nil, 2, "no-such-flag"},
			{[]string{"run", "--target", "http://127.0.0.1:9", "--timeout", "1s"}, []string{"FAVCONFORM_TOKEN_USER=tok-12345678"}, 3, "does not answer"},
		} {
			out, code := npx(t, project, cache, npm, c.env, c.args...)
			if code != c.code || !strings.Contains(out, c.says) {
				t.Errorf("npx favconform %s: exit %d, want %d and %q:\n%s", strings.Join(c.args, " "), code, c.code, c.says, out)
			}
		}
	})

	t.Run("the error when no binary fits", func(t *testing.T) {
		// The platform package left out (as npm --omit=optional does): only the main tarball.
		bare := scratchProject(t)
		if out, err := npmIn(bare, t.TempDir(), npm, "install", "--offline", "--no-audit", "--no-fund", main); err != nil {
			t.Fatalf("npm install --offline favconform alone: %v\n%s", err, out)
		}
		out, code := npx(t, bare, cache, npm, nil, "version")
		if code != 2 || !strings.Contains(out, "@favconform/"+platform) || !strings.Contains(out, "("+platform+")") || !strings.Contains(out, "--include=optional") {
			t.Fatalf("npx favconform without its platform package: exit %d, want 2 and a message naming @favconform/%s:\n%s", code, platform, out)
		}
		// A platform no package is built for.
		lib := filepath.Join(project, "node_modules", "favconform", "lib", "platform.js")
		msg := nodeOutput(t, node, "-e", fmt.Sprintf("try { require(%q).binaryPath('freebsd', 'riscv64') } catch (e) { console.log(e.message) }", lib))
		if !strings.Contains(msg, "no binary for this platform (freebsd-riscv64)") || !strings.Contains(msg, "linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64") {
			t.Fatalf("binaryPath on freebsd-riscv64: %s", msg)
		}
	})

	t.Run("startMock and the official SDK from node:test", func(t *testing.T) {
		installSDK(t, npm) // interop/sdk/node_modules, for sample-flow.test.mjs
		for _, name := range []string{"startmock.test.mjs", "dashboard-flow.test.mjs", "favorites-page.mjs"} {
			b, err := os.ReadFile(filepath.Join("..", "npm", "test", name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(project, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// The app's own dependencies, as its package.json would have them: the official SDK,
		// from interop/sdk (Node resolves a linked package's imports from where it really is).
		sdkModules, err := filepath.Abs(filepath.Join(sdkDir, "node_modules", "@wix"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(sdkModules, filepath.Join(project, "node_modules", "@wix")); err != nil {
			t.Fatal(err)
		}
		sampleFlow, err := filepath.Abs(filepath.Join(sdkDir, "sample-flow.test.mjs"))
		if err != nil {
			t.Fatal(err)
		}
		env := append(os.Environ(), "SAMPLE_FLOW="+sampleFlow, "NODE_NO_WARNINGS=1")
		cmd := exec.Command(node, "--test", "--test-reporter=spec", "startmock.test.mjs", "dashboard-flow.test.mjs")
		cmd.Dir, cmd.Env = project, env
		start := time.Now()
		out, err := runBounded(cmd, 2*time.Minute)
		if err != nil {
			t.Fatalf("node --test startmock.test.mjs dashboard-flow.test.mjs: %v\n%s", err, out)
		}
		t.Logf("node --test startmock.test.mjs dashboard-flow.test.mjs (%s):\n%s", time.Since(start).Round(time.Millisecond), out)
		for _, want := range []string{"the sample flow through the SDK", "reset() forgets every list", "close() stops the mock",
			"the sample flow from the page", "the admin API from JavaScript", "leaving while a save is under way", "the double refuses what @wix/dashboard declares wrong"} {
			if !strings.Contains(out, want) {
				t.Errorf("the run lacks the test %q", want)
			}
		}
		if regexp.MustCompile(`(?m)^ℹ (fail|cancelled) [1-9]`).MatchString(out) {
			t.Error("a test failed or was cancelled")
		}
	})
}

// scratchProject is an empty npm project in a temporary directory.
func scratchProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name": "scratch", "private": true, "type": "module"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// npmIn runs npm in dir with its own cache.
func npmIn(dir, cache, npm string, args ...string) (string, error) {
	cmd := exec.Command(npm, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_cache="+cache, "npm_config_update_notifier=false", "npm_config_loglevel=error")
	return runBounded(cmd, 2*time.Minute)
}

// npx runs `npx --offline favconform args...` in the project and returns its output and exit code.
func npx(t *testing.T, dir, cache, npm string, env []string, args ...string) (string, int) {
	t.Helper()
	npxPath := filepath.Join(filepath.Dir(npm), "npx")
	if _, err := os.Stat(npxPath); err != nil {
		if npxPath, err = exec.LookPath("npx"); err != nil {
			skipOrFail(t, "npx is not on PATH (it comes with npm)")
		}
	}
	cmd := exec.Command(npxPath, append([]string{"--offline", "favconform"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "npm_config_cache="+cache, "npm_config_update_notifier=false"), env...)
	out, err := runBounded(cmd, 2*time.Minute)
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return out, ee.ExitCode()
	case err != nil:
		t.Fatalf("npx favconform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out, 0
}

// runBounded runs cmd, its output combined, killing it after limit.
func runBounded(cmd *exec.Cmd, limit time.Duration) (string, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	timer := time.AfterFunc(limit, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	if !timer.Stop() {
		err = errors.Join(err, fmt.Errorf("%s did not finish within %s", filepath.Base(cmd.Path), limit))
	}
	return out.String(), err
}

func nodeOutput(t *testing.T, node string, args ...string) string {
	t.Helper()
	out, err := exec.Command(node, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
