// Package target describes what the conformance suites run against: a base URL and, per role,
// the headers that authenticate a call. It reads the target configuration file and knows which
// values are secrets, so that every output can redact them.
package target

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/redact"
)

// Config is one target.
type Config struct {
	// BaseURL is where the API's paths are appended: "https://www.wixapis.com" for the real API.
	BaseURL string
	// Identities maps each role to the headers that make a call as that role.
	Identities map[identity.Role]Headers
	// Pool holds, for a role with several accounts, all of them (the first is Identities'):
	// specs running at once each take accounts of their own (Slot).
	Pool map[identity.Role][]Headers
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// Webhooks, if set, configures the receiver of the target's webhook events (webhook.go).
	Webhooks *Webhooks
	// PublicTokens says the identities' header values are no secrets (the reference mock's
	// published tokens, fixtures/identities.json): outputs may show them, so that a reproduction
	// against the mock can be pasted as is. Credential headers are still shown redacted.
	PublicTokens bool
}

// Headers are the HTTP headers of one identity (Authorization and whatever else a call needs).
type Headers map[string]string

// DefaultTimeout bounds a request when the configuration sets none.
const DefaultTimeout = 10 * time.Second

// TokenEnv is the environment variable holding role's Authorization token when a target is given
// by URL alone, and the placeholder reproductions use for it: FAVCONFORM_TOKEN_USER,
// FAVCONFORM_TOKEN_SECOND_USER, ... (the role upper-cased, every other character an underscore).
func TokenEnv(role identity.Role) string { return "FAVCONFORM_TOKEN_" + EnvName(string(role)) }

// EnvName is s as a part of an environment variable's name: upper case, every character other
// than a letter or a digit an underscore ("ANONYMOUS" for an empty s).
func EnvName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "ANONYMOUS"
	}
	return b.String()
}

// ForMock is the configuration of a reference mock at baseURL knowing ids, whose tokens are
// public (PublicTokens).
func ForMock(baseURL string, ids []identity.Identity) Config {
	c := Config{BaseURL: baseURL, Identities: map[identity.Role]Headers{}, PublicTokens: true}
	for _, id := range ids {
		if _, taken := c.Identities[id.Role]; !taken {
			c.Identities[id.Role] = Headers{"Authorization": id.Token}
		}
	}
	return c
}

// file is the on-disk shape of a target configuration (YAML or JSON).
type file struct {
	BaseURL    string                  `yaml:"baseURL"`
	Timeout    string                  `yaml:"timeout"`
	Identities map[string]fileAccounts `yaml:"identities"`
	Webhooks   *fileWebhooks           `yaml:"webhooks"`
	Extra      map[string]yaml.Node    `yaml:",inline"`
}

type fileIdentity struct {
	Headers map[string]string `yaml:"headers"`
}

// fileAccounts are a role's accounts: one ({headers: ...}) or a list of them ([{headers: ...},
// ...]), for specs that run at once on accounts of their own.
type fileAccounts []fileIdentity

func (a *fileAccounts) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		var list []fileIdentity
		if err := n.Decode(&list); err != nil {
			return err
		}
		*a = list
		return nil
	}
	var one fileIdentity
	if err := n.Decode(&one); err != nil {
		return err
	}
	*a = fileAccounts{one}
	return nil
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// Load reads a target configuration file. Header values may name environment variables as
// ${NAME}, so that tokens stay out of the file; a variable that is not set is an error.
func Load(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("target configuration: %w", err)
	}
	return Parse(b, path)
}

// Parse reads a target configuration from b; name is used in messages.
func Parse(b []byte, name string) (Config, error) {
	var f file
	if err := yaml.Unmarshal(b, &f); err != nil {
		return Config{}, fmt.Errorf("target configuration %s: %w", name, err)
	}
	var unknown []string
	for k := range f.Extra {
		unknown = append(unknown, k)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return Config{}, fmt.Errorf("target configuration %s: unknown setting(s) %s (known: baseURL, timeout, identities, webhooks)", name, strings.Join(unknown, ", "))
	}
	c := Config{BaseURL: f.BaseURL, Identities: map[identity.Role]Headers{}}
	if f.Timeout != "" {
		d, err := time.ParseDuration(f.Timeout)
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("target configuration %s: timeout %q is not a positive duration such as 10s", name, f.Timeout)
		}
		c.Timeout = d
	}
	if f.Webhooks != nil {
		w, err := f.Webhooks.parse(name)
		if err != nil {
			return Config{}, err
		}
		c.Webhooks = w
	}
	for role, accounts := range f.Identities {
		r := identity.Role(role)
		if !slices.Contains(identity.Roles, r) {
			return Config{}, fmt.Errorf("target configuration %s: identities.%s is not a role (roles: %s)", name, role, rolesList())
		}
		if len(accounts) == 0 {
			return Config{}, fmt.Errorf("target configuration %s: identities.%s lists no account", name, role)
		}
		for i, fi := range accounts {
			where := "identities." + role
			if len(accounts) > 1 {
				where = fmt.Sprintf("identities.%s[%d]", role, i)
			}
			h := Headers{}
			for k, v := range fi.Headers {
				var missing []string
				v = envRef.ReplaceAllStringFunc(v, func(ref string) string {
					name := envRef.FindStringSubmatch(ref)[1]
					val, ok := os.LookupEnv(name)
					if !ok {
						missing = append(missing, name)
					}
					return val
				})
				if len(missing) > 0 {
					return Config{}, fmt.Errorf("target configuration %s: %s.headers.%s needs environment variable %s, which is not set", name, where, k, strings.Join(missing, ", "))
				}
				h[k] = v
			}
			if i == 0 {
				c.Identities[r] = h
			}
			if len(accounts) > 1 {
				if c.Pool == nil {
					c.Pool = map[identity.Role][]Headers{}
				}
				c.Pool[r] = append(c.Pool[r], h)
			}
		}
	}
	return c, c.Validate()
}

func rolesList() string {
	s := make([]string, len(identity.Roles))
	for i, r := range identity.Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// Validate reports what makes the configuration unusable.
func (c Config) Validate() error {
	if c.BaseURL == "" {
		return errors.New("target: no base URL (set baseURL in the target file, or --target)")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("target: base URL %q is not an http(s) URL such as https://www.wixapis.com", (*redact.Redactor)(nil).String(c.BaseURL))
	}
	if _, ok := c.Identities[identity.User]; !ok {
		return fmt.Errorf("target: no identity for role %q: every suite needs it (identities.%s.headers.Authorization in the target file)", identity.User, identity.User)
	}
	for _, role := range identity.Roles {
		if c.PublicTokens {
			break // nothing to redact, so no minimum
		}
		accounts := c.Pool[role]
		if len(accounts) == 0 {
			accounts = []Headers{c.Identities[role]}
		}
		for i, h := range accounts {
			where := "identities." + string(role)
			if len(c.Pool[role]) > 1 {
				where = fmt.Sprintf("identities.%s[%d]", role, i)
			}
			for _, name := range slices.Sorted(maps.Keys(h)) {
				if err := redact.CheckSecret(fmt.Sprintf("target: %s.headers.%s", where, name), h[name]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// RequestTimeout is the per-request bound in force.
func (c Config) RequestTimeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

// Has reports whether the configuration supplies role.
func (c Config) Has(r identity.Role) bool {
	_, ok := c.Identities[r]
	return ok
}

// Slots is how many disjoint sets of accounts the configuration holds: the number of accounts of
// the user role (every spec needs one).
func (c Config) Slots() int {
	if n := len(c.Pool[identity.User]); n > 1 {
		return n
	}
	return 1
}

// Slot is the configuration of the k-th set of accounts (0 ≤ k < Slots()): every role with a
// k-th account has it; a role with fewer accounts is left out of the slot (its specs run in
// another). Slot(0) is c itself.
func (c Config) Slot(k int) Config {
	if k == 0 {
		return c
	}
	s := c
	s.Identities = map[identity.Role]Headers{}
	s.Pool = nil
	for r, accounts := range c.Pool {
		if k < len(accounts) {
			s.Identities[r] = accounts[k]
		}
	}
	return s
}

// Secrets returns every configured header value, and the password of the base URL's userinfo,
// longest first, for redaction.
func (c Config) Secrets() []string {
	var out []string
	for _, h := range c.allHeaders() {
		if c.PublicTokens {
			break
		}
		for _, v := range h {
			if v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	if u, err := url.Parse(c.BaseURL); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && len(p) >= redact.MinSecretLength && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// Redactor is the redactor of every output about this target: it knows every secret (Secrets)
// and removes the values of every configured header whatever they hold.
func (c Config) Redactor() *redact.Redactor {
	var names []string
	for _, h := range c.allHeaders() {
		for name := range h {
			names = append(names, name)
		}
	}
	return redact.New(c.Secrets(), names...)
}

// allHeaders are the headers of every account.
func (c Config) allHeaders() []Headers {
	var out []Headers
	for _, h := range c.Identities {
		out = append(out, h)
	}
	for _, accounts := range c.Pool {
		out = append(out, accounts...)
	}
	return out
}

// DisplayURL is the base URL as outputs show it: without userinfo.
func (c Config) DisplayURL() string {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return c.Redactor().String(c.BaseURL)
	}
	return c.Redactor().URL(u)
}

// IsLoopback reports whether the target is on this machine (a mock), where writes are harmless.
func (c Config) IsLoopback() bool {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Redact removes every secret from s (Redactor().String).
func (c Config) Redact(s string) string { return c.Redactor().String(s) }
