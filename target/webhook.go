package target

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Webhooks says how the harness receives the target's webhook events: the receiver listens on
// Listen, the app's webhook URL (PublicURL, registered with the app) must reach that address, and
// deliveries are verified with the app's public key. Without it the event suite is skipped.
type Webhooks struct {
	// Listen is the receiver's listen address, e.g. ":8099" or "127.0.0.1:8099".
	Listen string
	// PublicURL is where the target sends the events (the app's webhook URL), which must reach
	// Listen, e.g. through a tunnel. Informational: the harness prints it.
	PublicURL string
	// PublicKeyFile is the PEM file of the app's public key, which verifies every delivery.
	PublicKeyFile string
	// PublicKeyPEM is the key itself, when it is not read from a file (the embedded mock).
	PublicKeyPEM []byte
	// Wait bounds the wait for an expected event (zero: DefaultEventWait).
	Wait time.Duration
	// Quiet is how long no new delivery must come before an absent event is taken not to be
	// coming (zero: DefaultEventQuiet).
	Quiet time.Duration
}

// Defaults of Webhooks for a target that is not the embedded mock: Wix says events "may be
// delayed".
const (
	DefaultEventWait  = 30 * time.Second
	DefaultEventQuiet = 10 * time.Second
)

// EventWait is the wait for an expected event in force.
func (w Webhooks) EventWait() time.Duration {
	if w.Wait > 0 {
		return w.Wait
	}
	return DefaultEventWait
}

// EventQuiet is the quiet period in force.
func (w Webhooks) EventQuiet() time.Duration {
	if w.Quiet > 0 {
		return w.Quiet
	}
	return DefaultEventQuiet
}

// fileWebhooks is the on-disk shape of the `webhooks` section of a target file.
type fileWebhooks struct {
	Listen        string               `yaml:"listen"`
	PublicURL     string               `yaml:"publicURL"`
	PublicKeyFile string               `yaml:"publicKeyFile"`
	Wait          string               `yaml:"wait"`
	Quiet         string               `yaml:"quiet"`
	Extra         map[string]yaml.Node `yaml:",inline"`
}

// parse checks the section; a relative publicKeyFile is taken relative to the target file's
// directory (name is the target file's path).
func (f fileWebhooks) parse(name string) (*Webhooks, error) {
	fail := func(format string, args ...any) (*Webhooks, error) {
		return nil, fmt.Errorf("target configuration %s: webhooks.%s", name, fmt.Sprintf(format, args...))
	}
	if len(f.Extra) > 0 {
		var unknown []string
		for k := range f.Extra {
			unknown = append(unknown, k)
		}
		sort.Strings(unknown)
		return fail("%s: unknown setting(s) (known: listen, publicURL, publicKeyFile, wait, quiet)", strings.Join(unknown, ", "))
	}
	w := &Webhooks{Listen: f.Listen, PublicURL: f.PublicURL, PublicKeyFile: f.PublicKeyFile}
	if w.Listen == "" {
		return fail("listen is required: the address the receiver listens on, e.g. \":8099\"")
	}
	if _, _, err := net.SplitHostPort(w.Listen); err != nil {
		return fail("listen %q is not a host:port address such as \":8099\"", w.Listen)
	}
	if w.PublicKeyFile == "" {
		return fail("publicKeyFile is required: the PEM file of the app's public key, which verifies the deliveries")
	}
	if !filepath.IsAbs(w.PublicKeyFile) {
		w.PublicKeyFile = filepath.Join(filepath.Dir(name), w.PublicKeyFile)
	}
	if w.PublicURL != "" {
		if u, err := url.Parse(w.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fail("publicURL %q is not an http(s) URL", w.PublicURL)
		}
	}
	for _, d := range []struct {
		field string
		in    string
		out   *time.Duration
	}{{"wait", f.Wait, &w.Wait}, {"quiet", f.Quiet, &w.Quiet}} {
		if d.in == "" {
			continue
		}
		v, err := time.ParseDuration(d.in)
		if err != nil || v <= 0 {
			return fail("%s %q is not a positive duration such as 30s", d.field, d.in)
		}
		*d.out = v
	}
	return w, nil
}

// NoWebhooksMessage says why the event suite is skipped, and which settings enable it.
const NoWebhooksMessage = "no webhook receiver is configured: set webhooks.listen and webhooks.publicKeyFile in the target file (README: \"Receiving events from a real target\")"
