package report

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

// tag is one start or end tag of the page, as a browser's tokenizer would see it.
type tag struct {
	name  string
	attrs map[string]string
}

// tags tokenizes the markup of page: every "<" that starts a tag is markup (text never holds a
// raw "<" once escaped); the raw text of <script> and <style> is skipped.
func tags(t *testing.T, page string) []tag {
	t.Helper()
	var out []tag
	nameRe := regexp.MustCompile(`^</?([a-zA-Z][a-zA-Z0-9-]*)`)
	attrRe := regexp.MustCompile(`^\s*([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+)))?`)
	for i := 0; i < len(page); {
		j := strings.IndexByte(page[i:], '<')
		if j < 0 {
			break
		}
		i += j
		if strings.HasPrefix(page[i:], "<!") {
			i += strings.IndexByte(page[i:], '>') + 1
			continue
		}
		m := nameRe.FindStringSubmatch(page[i:])
		if m == nil {
			t.Fatalf("a raw '<' outside markup at %d: %.80q", i, page[i:])
		}
		tg := tag{name: strings.ToLower(m[1]), attrs: map[string]string{}}
		closing := strings.HasPrefix(page[i:], "</")
		i += len(m[0])
		for {
			rest := page[i:]
			if k := strings.IndexFunc(rest, func(r rune) bool { return r != ' ' && r != '\n' && r != '\t' }); k > 0 {
				i += k
				rest = page[i:]
			}
			if strings.HasPrefix(rest, ">") || strings.HasPrefix(rest, "/>") {
				i += strings.IndexByte(rest, '>') + 1
				break
			}
			a := attrRe.FindStringSubmatch(rest)
			if a == nil {
				t.Fatalf("cannot read the attributes of <%s> at %.80q", tg.name, rest)
			}
			tg.attrs[strings.ToLower(a[1])] = html.UnescapeString(a[2] + a[3] + a[4])
			i += len(a[0])
		}
		if closing {
			continue
		}
		out = append(out, tg)
		if tg.name == "script" || tg.name == "style" {
			end := strings.Index(strings.ToLower(page[i:]), "</"+tg.name)
			if end < 0 {
				t.Fatalf("<%s> is not closed", tg.name)
			}
			i += end
		}
	}
	return out
}

func fixtureHTML(t *testing.T) string {
	t.Helper()
	b, err := fixtureReport(t).HTML()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Bodies, spec names and messages come from servers that may be hostile: every one is text,
// never markup. The fixture puts a <script>, an <img onerror> and closing tags in a response
// body, a spec name and a failure message.
func TestHTMLRendersHostileMarkupAsText(t *testing.T) {
	page := fixtureHTML(t)
	scripts := 0
	for _, tg := range tags(t, page) {
		switch tg.name {
		case "script":
			scripts++
		case "img", "b", "textarea", "iframe", "object", "embed", "link", "base", "form":
			t.Errorf("the page holds a <%s> element: markup from a body got through", tg.name)
		}
		for name := range tg.attrs {
			if strings.HasPrefix(name, "on") {
				t.Errorf("<%s> has an event handler attribute %s", tg.name, name)
			}
		}
	}
	if scripts != 1 {
		t.Errorf("the page must hold exactly its own script, found %d <script> elements", scripts)
	}
	if !strings.Contains(page, "&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;") {
		t.Error("the hostile body is not shown, escaped, as text")
	}
}

// The page is one file that makes no request of any kind: no element loads anything, every link
// is a fragment, the style and script are inline, and its Content-Security-Policy forbids every
// fetch (default-src 'none') and any script or style but its own.
func TestHTMLIsSelfContained(t *testing.T) {
	page := fixtureHTML(t)
	csp := ""
	for _, tg := range tags(t, page) {
		for _, a := range []string{"src", "srcset", "data", "action", "formaction", "poster", "background", "ping", "manifest"} {
			if v, ok := tg.attrs[a]; ok {
				t.Errorf("<%s %s=%q> would load something", tg.name, a, v)
			}
		}
		if h, ok := tg.attrs["href"]; ok && !strings.HasPrefix(h, "#") {
			t.Errorf("<%s href=%q> leaves the page", tg.name, h)
		}
		if tg.name == "meta" && strings.EqualFold(tg.attrs["http-equiv"], "content-security-policy") {
			csp = tg.attrs["content"]
		}
	}
	if csp != ContentSecurityPolicy() || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	for name, asset := range map[string]string{"report.css": htmlCSS, "report.js": htmlJS} {
		for _, bad := range []string{"url(", "@import", "@font-face", "http:", "https:", "//", "fetch(", "XMLHttpRequest", "WebSocket", "import("} {
			if name == "report.js" && bad == "//" {
				continue
			}
			if strings.Contains(asset, bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
	if !strings.Contains(page, "<style>"+htmlCSS+"</style>") || !strings.Contains(page, "<script>"+htmlJS+"</script>") {
		t.Error("the style and the script must be inline, exactly as their CSP hashes were computed")
	}
}

func TestHTMLShowsMatrixSpecsTranscriptsAndViolations(t *testing.T) {
	page := fixtureHTML(t)
	for _, want := range []string{
		`id="req-create.creates-list" data-state="failed"`, `id="req-get.returns-list" data-state="passed"`,
		"Creates a list &lt;of&gt; favorite dashboard pages.", // quotes are escaped too
		`<a href="#spec-2">Create User Favorite List POST creates the list &lt;script&gt;`,
		`data-state="failed" open>`, `data-state="skipped">`,
		`<td class="ptr">/favoriteList/revision</td>`, "the failing request",
		"Authorization: [REDACTED]", "curl -i -X POST http://127.0.0.1:8080/dashboard/v1/user-favorite-list",
		"-H &#34;Authorization: $FAVCONFORM_TOKEN_USER&#34;",
		`data-filter="failed"`, `data-filter="passed"`, `data-filter="skipped"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}
