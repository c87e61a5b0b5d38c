// Package browser finds and drives a headless Chromium for the tests that check how report.html
// renders. It is test support shared by packages; nothing in the command uses it.
package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Required reports whether the environment demands the browser checks run (CI sets
// FAVCONFORM_REQUIRE_CHROMIUM=1 after `make setup`): a test then fails instead of skipping.
func Required() bool { return os.Getenv("FAVCONFORM_REQUIRE_CHROMIUM") == "1" }

// ErrMissing says no Chromium was found.
var ErrMissing = errors.New("chromium is not installed: `make setup` installs it (Debian's chromium package), or set FAVCONFORM_CHROMIUM to a Chromium binary")

// Find returns $FAVCONFORM_CHROMIUM, or the first of chromium (Debian's package),
// chromium-browser, google-chrome and google-chrome-stable on PATH.
func Find() (string, error) {
	if p := os.Getenv("FAVCONFORM_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrMissing
}

// Headless runs bin on url with a fresh profile and no network of its own (no sync, no
// component updates, no background requests), within 90 s, and returns what it printed.
func Headless(bin, url string, args ...string) (string, error) {
	profile, err := os.MkdirTemp("", "favconform-chromium-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--disable-dev-shm-usage", "--user-data-dir=" + profile}, args...)
	cmd := exec.CommandContext(ctx, bin, append(all, url)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, lastLines(errb.String(), 15))
	}
	return out.String(), nil
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}
