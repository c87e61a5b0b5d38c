package report

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
)

// Redacted is what every secret is replaced with in transcripts and reports (target.Redact and
// the suites' transcripts use the same marker).
const Redacted = redact.Mark

// SecretVar is the placeholder variable of a redacted value that is not a role's header (one
// found in a URL or a body).
const SecretVar = "FAVCONFORM_SECRET"

// TokenVar is the environment variable holding role's Authorization value:
// FAVCONFORM_TOKEN_USER, FAVCONFORM_TOKEN_SECOND_USER, ... — the variables `favconform run
// --target URL` reads, so a user who exported them for the run can paste a reproduction as is.
func TokenVar(role identity.Role) string { return target.TokenEnv(role) }

// HeaderVar is the placeholder of a redacted header other than Authorization, e.g.
// FAVCONFORM_USER_WIX_SITE_ID.
func HeaderVar(role identity.Role, header string) string {
	return "FAVCONFORM_" + target.EnvName(string(role)) + "_" + target.EnvName(header)
}

// Curl renders the request of c as a curl command that sends it again: method, URL, headers and
// body. It is the one place reproductions are rendered (console, report.json, JUnit, HTML).
//
// The call must already be redacted. Every redacted value becomes a shell variable, never a
// secret: the Authorization header of role R becomes "$FAVCONFORM_TOKEN_R", another redacted
// header H "$FAVCONFORM_R_H", a redacted value in the URL or body "$FAVCONFORM_SECRET". Export
// the variable, paste the command.
func Curl(c client.Call) string {
	var b strings.Builder
	b.WriteString("curl -i")
	if c.Method != "" && c.Method != http.MethodGet {
		b.WriteString(" -X " + shellWord(c.Method, SecretVar))
	}
	b.WriteString(" " + shellWord(c.URL, SecretVar))
	names := make([]string, 0, len(c.RequestHeader))
	for name := range c.RequestHeader {
		switch http.CanonicalHeaderKey(name) {
		case "Content-Length", "Host", "User-Agent", "Accept-Encoding":
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		placeholder := HeaderVar(c.Role, name)
		if strings.EqualFold(name, "Authorization") {
			placeholder = TokenVar(c.Role)
		}
		for _, v := range c.RequestHeader[name] {
			b.WriteString(" \\\n  -H " + shellWord(http.CanonicalHeaderKey(name)+": "+v, placeholder))
		}
	}
	if len(c.RequestBody) > 0 {
		b.WriteString(" \\\n  --data-binary " + shellWord(string(c.RequestBody), SecretVar))
	}
	return b.String()
}

// shellWord quotes s as one POSIX shell word, turning each Redacted marker into "$placeholder".
func shellWord(s, placeholder string) string {
	parts := strings.Split(s, Redacted)
	if len(parts) == 1 {
		return quote(s)
	}
	// "Authorization: $VAR" reads best; fall back to concatenated quoting for other text.
	if len(parts) == 2 && parts[1] == "" && doubleQuotable(parts[0]) {
		return `"` + parts[0] + "$" + placeholder + `"`
	}
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString(`"$` + placeholder + `"`)
		}
		if p != "" {
			b.WriteString(quote(p))
		}
	}
	return b.String()
}

func doubleQuotable(s string) bool {
	return !strings.ContainsAny(s, "\"$`\\!\n") && utf8.ValidString(s)
}

// quote single-quotes s. Text that is not valid UTF-8 or holds control characters other than
// newline and tab uses bash's $'...' form so that the exact bytes are sent.
func quote(s string) string {
	if s == "" {
		return "''"
	}
	plain := utf8.ValidString(s)
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			plain = false
			break
		}
	}
	if plain {
		if isSafe(s) {
			return s
		}
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

func isSafe(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r)) {
			return false
		}
	}
	return true
}

// Failed reports whether a call counts against the target: it got no response, or it broke the
// spec (request-side faults of a request made invalid on purpose do not count).
func Failed(c client.Call) bool {
	if c.Err != "" {
		return true
	}
	for _, v := range c.Violations {
		if c.InvalidOnPurpose && v.In == validate.InRequest {
			continue
		}
		return true
	}
	return false
}
